from django.urls import path

from solidarity.testimonies import views

app_name = "testimonies"
urlpatterns = [
    path("", views.testimony_list, name="list"),
    path("new/", views.testimony_new, name="new"),
    path("record/", views.testimony_record, name="record"),
    path("receipt/", views.receipt, name="receipt"),
    path("shared/", views.testimony_shared, name="shared"),
    path("export.csv", views.testimony_export_csv, name="export_csv"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/<uuid:public_id>/", views.moderate, name="moderate"),
    path("<uuid:public_id>/", views.testimony_detail, name="detail"),
]
