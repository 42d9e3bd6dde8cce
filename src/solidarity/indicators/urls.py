from django.urls import path

from solidarity.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("catalogue.csv", views.indicator_catalogue_csv, name="catalogue_csv"),
    path("mappings/", views.mapping_list, name="mappings"),
    path("submissions/new/", views.submission_new, name="submission_new"),
    path("datasets/", views.dataset_list, name="datasets"),
    path(
        "datasets/<int:dataset_id>/versions/<int:number>/",
        views.version_detail,
        name="version",
    ),
    path("dimensions/<str:code>/", views.dimension_detail, name="dimension"),
    path("coverage/", views.coverage, name="coverage"),
    path("<str:code>/data.csv", views.indicator_data_csv, name="data_csv"),
    path("<str:code>/data.xlsx", views.indicator_data_xlsx, name="data_xlsx"),
    path("<str:code>/", views.indicator_detail, name="detail"),
]
