from django.urls import URLPattern, URLResolver, path

from solidarity.protection import views

app_name = "protection"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.run_list, name="runs"),
    path("new/", views.run_new, name="run_new"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/status.json", views.run_status, name="run_status"),
    path("runs/<int:pk>/tables.zip", views.run_download, name="run_download"),
    path("runs/<int:pk>/submit/", views.run_submit, name="run_submit"),
]
