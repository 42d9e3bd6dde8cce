from django.urls import path

from solidarity.commitments import views

app_name = "commitments"
urlpatterns = [
    path("", views.registry, name="registry"),
    path("pledges.csv", views.registry_csv, name="registry_csv"),
    path("pledges.xlsx", views.registry_xlsx, name="registry_xlsx"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("states/<str:iso3>/", views.state_pledges, name="state"),
    path("objectives/<int:number>/", views.objective_pledges, name="objective"),
    path("new/", views.pledge_new, name="pledge_new"),
    path("<int:pk>/", views.pledge_detail, name="pledge"),
    path("<int:pk>/edit/", views.pledge_edit, name="pledge_edit"),
    path("<int:pk>/publish/", views.pledge_publish, name="pledge_publish"),
    path("<int:pk>/progress/new/", views.progress_new, name="progress_new"),
    path("<int:pk>/progress/<int:update>/", views.progress_detail, name="progress"),
    path("<int:pk>/assessments/new/", views.assessment_new, name="assessment_new"),
    path(
        "<int:pk>/assessments/<int:assessment>/edit/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path("<int:pk>/money/new/", views.money_new, name="money_new"),
    path("<int:pk>/activities/", views.pledge_activities, name="pledge_activities"),
    path("iati/upload/", views.iati_upload, name="iati_upload"),
    path("iati/upload/confirm/", views.iati_upload_confirm, name="iati_upload_confirm"),
]
