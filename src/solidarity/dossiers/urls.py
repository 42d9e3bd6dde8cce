from django.urls import path

from solidarity.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("<str:iso3>/", views.state_dossiers, name="state"),
    path("<str:iso3>/<str:cycle>.pdf", views.dossier_pdf_download, name="pdf"),
    path("<str:iso3>/<str:cycle>/", views.dossier_detail, name="detail"),
]
