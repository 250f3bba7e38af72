from django.urls import URLPattern, path

from giamngheo.registry import editing, views

app_name = "registry"
urlpatterns: list[URLPattern] = [
    path("", views.household_list_view, name="list"),
    path("<int:pk>/", views.household_detail_view, name="detail"),
    path("them/", editing.household_create_view, name="household_create"),
    path("<int:pk>/sua/", editing.household_edit_view, name="household_edit"),
    path("<int:pk>/them-thanh-vien/", editing.member_add_view, name="member_add"),
    path("thanh-vien/<int:pk>/sua/", editing.member_edit_view, name="member_edit"),
    path("<int:pk>/tach-ho/", editing.household_split_view, name="household_split"),
    path("<int:pk>/nhap-ho/", editing.household_merge_view, name="household_merge"),
    path("<int:pk>/chuyen-thon/", editing.household_move_village_view, name="household_move"),
    path("<int:pk>/chuyen-di/", editing.household_move_away_view, name="household_move_away"),
    path("<int:pk>/tinh-trang/", editing.household_status_view, name="household_status"),
    path("nhap/", views.import_list_view, name="import_list"),
    path("nhap/tai-len/", views.import_upload_view, name="import_upload"),
    path("nhap/mau/", views.import_template_view, name="import_template"),
    path("nhap/<int:pk>/", views.import_detail_view, name="import_detail"),
    path("nhap/<int:pk>/tien-do/", views.import_progress_view, name="import_progress"),
    path("nhap/<int:pk>/xac-nhan/", views.import_commit_view, name="import_commit"),
    path("nhap/<int:pk>/kiem-tra-lai/", views.import_revalidate_view, name="import_revalidate"),
    path("nhap/<int:pk>/loi.xlsx", views.import_errors_download_view, name="import_errors"),
]
