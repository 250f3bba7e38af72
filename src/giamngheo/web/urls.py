from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from giamngheo.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("ngon-ngu/", set_language, name="set_language"),
    path("don-vi/", include("giamngheo.geo.urls")),
    path("ke-hoach/", include("giamngheo.plans.urls")),
    path("admin/", admin.site.urls),
]
