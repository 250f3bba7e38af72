from django.urls import path

app_name = "geo"
urlpatterns: list[path] = []  # type: ignore[valid-type]
