from django.urls import URLPattern, path

from giamngheo.registry import views

app_name = "registry"
urlpatterns: list[URLPattern] = [
    path("", views.household_list_view, name="list"),
    path("<int:pk>/", views.household_detail_view, name="detail"),
    path("nhap/", views.import_list_view, name="import_list"),
    path("nhap/tai-len/", views.import_upload_view, name="import_upload"),
    path("nhap/mau/", views.import_template_view, name="import_template"),
    path("nhap/<int:pk>/", views.import_detail_view, name="import_detail"),
    path("nhap/<int:pk>/tien-do/", views.import_progress_view, name="import_progress"),
    path("nhap/<int:pk>/xac-nhan/", views.import_commit_view, name="import_commit"),
    path("nhap/<int:pk>/kiem-tra-lai/", views.import_revalidate_view, name="import_revalidate"),
    path("nhap/<int:pk>/loi.xlsx", views.import_errors_download_view, name="import_errors"),
]
