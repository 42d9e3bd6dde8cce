from django.urls import path

from solidarity.states import views

app_name = "states"
urlpatterns = [
    path("<str:iso3>/edit/", views.profile_edit, name="profile_edit"),
]
