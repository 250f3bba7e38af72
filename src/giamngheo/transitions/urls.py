"""Under ``/ho-gia-dinh/bien-dong/`` (``giamngheo.web.urls``), namespace ``transitions``."""

from django.urls import URLPattern, path

from giamngheo.transitions import views

app_name = "transitions"
urlpatterns: list[URLPattern] = [
    path("", views.transitions_view, name="page"),
    path("danh-sach/", views.transitions_list_view, name="list"),
    path("xuat.xlsx", views.transitions_export_view, name="export"),
]
