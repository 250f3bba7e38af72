from django.urls import path

from giamngheo.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list_view, name="list"),
    path("tao/", views.plan_create_view, name="create"),
    path("<int:pk>/", views.plan_detail_view, name="detail"),
    path("<int:pk>/sua/", views.plan_edit_view, name="edit"),
    path("<int:pk>/nhap/", views.plan_import_view, name="import"),
    path("<int:pk>/de-xuat/", views.plan_propose_view, name="propose"),
    path("<int:pk>/xuat.<slug:fmt>", views.plan_export_view, name="export"),
    path("<int:pk>/lich-su/", views.plan_history_view, name="history"),
    path("<int:pk>/lay-so-lieu-ra-soat/", views.plan_baseline_view, name="baseline"),
]
