from django.urls import path

from solidarity.fund import views

app_name = "fund"
urlpatterns = [
    path("", views.call_list, name="calls"),
    path("mine/", views.mine, name="mine"),
    path("<slug:code>/", views.call_detail, name="call"),
    path("<slug:code>/apply/", views.apply, name="apply"),
    path("<slug:code>/results.csv", views.results_csv, name="results_csv"),
    path("<slug:code>/panel/", views.panel, name="panel"),
]
