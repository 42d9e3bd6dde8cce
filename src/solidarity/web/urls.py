from django.urls import path

from solidarity.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("objectives/", views.objective_list, name="objectives"),
    path("objectives/<int:number>/", views.objective_detail, name="objective"),
    path("countries/", views.country_list, name="countries"),
    path("countries/<str:iso3>/", views.country_detail, name="country"),
]
