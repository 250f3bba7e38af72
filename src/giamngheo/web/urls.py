from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from giamngheo.web import units, views

# The units page: namespace "geo" (``{% url 'geo:list' %}``).
geo_patterns = ([path("", units.unit_list, name="list")], "geo")

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # The language can be switched on the login page too.
    path("ngon-ngu/", login_not_required(set_language), name="set_language"),
    path("don-vi/", include(geo_patterns)),
    path("ke-hoach/", include("giamngheo.plans.urls")),
    path("ho-gia-dinh/bien-dong/", include("giamngheo.transitions.urls")),
    path("ho-gia-dinh/", include("giamngheo.registry.urls")),
    path("ra-soat/", include("giamngheo.reviews.urls")),
    path("ho-tro/", include("giamngheo.support.urls")),
    path("admin/", admin.site.urls),
]
