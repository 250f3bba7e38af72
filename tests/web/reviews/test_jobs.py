"""Certificate batches made in the background: a decision with more certificates than the
commune page sends at once gets a button that asks the worker (django-tasks; inline in the
tests) for the file, a page with the progress, and the file when it is ready. Another
commune's officer sees none of it; the request is in the audit trail."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from giamngheo.registry.models import AuditEvent
from giamngheo.reviews.models import Decision, DocumentJob, JobStatus
from giamngheo.reviews.views import jobs as job_views

pytestmark = pytest.mark.django_db


def _login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def decided(review_flow: Any, review_units: Any, settings: Any, tmp_path: Path) -> Decision:
    settings.DATA_DIR = tmp_path
    r = review_flow.until(review_units.dak_ang, "decision")
    return Decision.objects.get(review=r)


def test_a_large_batch_is_made_in_the_background(  # noqa: PLR0917 - pytest fixtures
    decided: Decision,
    district_officer: User,
    commune_officer: User,
    other_commune_officer: User,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    c = _login(district_officer)
    page_url = reverse("reviews:commune", args=[decided.review_id])
    direct = reverse("reviews:certificates_doc", args=[decided.pk])
    assert direct in c.get(page_url).content.decode()  # 3 certificates: sent at once
    monkeypatch.setattr(job_views, "DIRECT_MAX", 2)
    page = c.get(page_url).content.decode()
    start = reverse("reviews:certificates_job", args=[decided.pk])
    assert start in page and direct not in page
    redirected = c.get(direct + "?format=pdf")  # an old link: back to the page, no file
    assert redirected.status_code == 302 and redirected["Location"].endswith("#buoc-decision")

    # Another commune's officer cannot ask for it: 404, nothing queued.
    assert _login(other_commune_officer).post(start, {"format": "pdf"}).status_code == 404
    assert DocumentJob.objects.count() == 0
    assert c.post(start, {"format": "odt"}).status_code == 400

    before = AuditEvent.objects.count()
    response = c.post(start, {"format": "pdf"})
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reviews:job", args=[job.pk]
    )
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("pk").action == "review_certificates_batch"
    # The inline task backend ran it at once.
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 4, 4)
    assert Path(job.stored_path).parent == tmp_path / "documents"
    detail = c.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in detail and job.file_name in detail
    got = c.get(reverse("reviews:job_file", args=[job.pk]))
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(b"".join(got.streaming_content)))  # type: ignore[arg-type]
    assert len(pdf.pages) == 3
    text = " ".join(p.extract_text() for p in pdf.pages)
    for name in ("A Thắng", "Nguyễn Văn Bình", "Trần Thị Mai"):
        assert name in text, name

    taken = AuditEvent.objects.latest("pk")
    assert (taken.action, taken.changes["file"]) == ("review_document", job.file_name)

    other = _login(other_commune_officer)
    assert other.get(reverse("reviews:job", args=[job.pk])).status_code == 404
    assert other.get(reverse("reviews:job_file", args=[job.pk])).status_code == 404
    # Nor a user of the same commune who may not see citizen IDs: the file shows them whole.
    assert job.show_ids
    same_commune = _login(commune_officer)
    assert same_commune.get(reverse("reviews:job_file", args=[job.pk])).status_code == 404


def test_a_running_job_shows_its_progress_and_refreshes(
    decided: Decision, district_officer: User
) -> None:
    queued = DocumentJob.objects.create(decision=decided, fmt="pdf", created_by=district_officer)
    c = _login(district_officer)
    page = c.get(reverse("reviews:job", args=[queued.pk])).content.decode()
    assert "Đang chờ tiến trình nền" in page and "giamngheo worker" not in page
    DocumentJob.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=2)
    )
    page = c.get(reverse("reviews:job", args=[queued.pk])).content.decode()
    assert "giamngheo worker" in page  # no worker seems to run: said so
    job = DocumentJob.objects.create(
        decision=decided,
        fmt="docx",
        status=JobStatus.RUNNING,
        done=10,
        total=41,
        created_by=district_officer,
    )
    c = _login(district_officer)
    page = c.get(reverse("reviews:job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "10/41" in page
    assert c.get(reverse("reviews:job_file", args=[job.pk])).status_code == 404  # not ready
    DocumentJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error="đĩa đầy / disk full"
    )
    page = c.get(reverse("reviews:job", args=[job.pk])).content.decode()
    assert "đĩa đầy / disk full" in page and 'http-equiv="refresh"' not in page
