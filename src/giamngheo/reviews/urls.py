"""Paths under ``/ra-soat/``: each view module lists its own patterns."""

from giamngheo.reviews.views import adhoc, campaign, commune, files, intake, jobs, survey

app_name = "reviews"

urlpatterns = [
    *campaign.urlpatterns,
    *commune.urlpatterns,
    *files.urlpatterns,
    *intake.urlpatterns,
    *jobs.urlpatterns,
    *survey.urlpatterns,
    *adhoc.urlpatterns,
]
