from django.urls import path

from solidarity.rights import views

app_name = "rights"
urlpatterns = [
    path("", views.index, name="index"),
    path("states/<str:iso3>/", views.state, name="state"),
    path("states/<str:iso3>/recommendations.csv", views.state_csv, name="state_csv"),
    path("states/<str:iso3>/recommendations.xlsx", views.state_xlsx, name="state_xlsx"),
    path("objectives/<int:number>/", views.objective, name="objective"),
    path("recommendations/<int:pk>/", views.recommendation, name="recommendation"),
    path("recommendations/<int:pk>/status/", views.status_new, name="status_new"),
    path("recommendations/<int:pk>/assessments/", views.assessment_new, name="assessment_new"),
    path("recommendations/<int:pk>/labels/", views.label_new, name="label_new"),
    path(
        "recommendations/<int:pk>/labels/<int:objective>/",
        views.label_decision,
        name="label_decision",
    ),
    path("labels/decisions.csv", views.label_decisions_csv, name="label_decisions_csv"),
    path("ratifications/", views.ratifications, name="ratifications"),
    path(
        "ratifications/<str:iso3>/<str:code>/",
        views.ratification_edit,
        name="ratification_edit",
    ),
]
