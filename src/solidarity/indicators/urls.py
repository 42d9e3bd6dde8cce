from django.urls import path

from solidarity.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("catalogue.csv", views.indicator_catalogue_csv, name="catalogue_csv"),
    path("mappings/", views.mapping_list, name="mappings"),
    path("dimensions/<str:code>/", views.dimension_detail, name="dimension"),
    path("<str:code>/", views.indicator_detail, name="detail"),
]
