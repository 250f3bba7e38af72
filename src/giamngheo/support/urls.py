"""Paths under ``/ho-tro/``: each view module lists its own patterns."""

from giamngheo.support.views import (
    credit,
    documents,
    escape,
    home,
    money,
    organisations,
    programmes,
    projects,
)

app_name = "support"

urlpatterns = [
    *home.urlpatterns,
    *programmes.urlpatterns,
    *organisations.urlpatterns,
    *projects.urlpatterns,
    *money.urlpatterns,
    *credit.urlpatterns,
    *escape.urlpatterns,
    *documents.urlpatterns,
]
