from django.urls import path

from solidarity.fairshare import views

app_name = "fairshare"
urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("fair-shares.csv", views.calculator_csv, name="calculator_csv"),
    path("fair-shares.xlsx", views.calculator_xlsx, name="calculator_xlsx"),
    path("groups/", views.group_list, name="groups"),
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/new/", views.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation"),
    path("consultations/<int:pk>/vote/", views.consultation_vote, name="consultation_vote"),
    path("consultations/<int:pk>/status/", views.consultation_status, name="consultation_status"),
]
