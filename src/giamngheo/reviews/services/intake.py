"""The spreadsheet import as a second way into a campaign.

A committed review import of the campaign's year (``registry.imports``) leaves **draft**
periodic review records: the same rules checked every cell and the engine classified each
household. ``import_into_campaign`` puts those households of one commune on its list (or
finds them there) with a final survey each, classified again for the campaign (its standard,
local standard and target groups), entered in the name of whoever uploaded the file — so the
file goes through the meeting, posting, complaints and decision like any survey, and the
decision turns the draft into the approved record (``services.decision``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from django.db import transaction
from django.db.models import Count, Max

from giamngheo.registry.models import (
    ImportBatch,
    ImportStatus,
    Member,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.access import require_prepare
from giamngheo.reviews.models import CommuneReview, ListEntry, Source, Survey, SurveyState
from giamngheo.reviews.selectors import current_classes
from giamngheo.reviews.services.common import locked_review, log, refuse, require_not_decided
from giamngheo.reviews.services.lists import LISTED, mark_surveyed

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser


class Intake(NamedTuple):
    """How many households came in from the file, and the codes of those kept as they were:
    screened out by Phiếu A, or already surveyed in the campaign (a survey entered on the web
    is not overwritten by a file)."""

    came_in: int
    kept: list[str]


@transaction.atomic
def import_into_campaign(*, actor: AnyUser, review: CommuneReview, batch: ImportBatch) -> Intake:
    """The drafts of the commune's households for the campaign's year become final surveys
    of its list (see the module's note)."""
    r = locked_review(review)
    require_prepare(actor, r.commune)
    require_not_decided(r)
    if r.posting_start is not None:
        raise refuse(
            "Danh sách đã niêm yết: không nhận thêm kết quả từ tệp",
            "the list is posted: no more results from a file",
            "frozen",
        )
    b = ImportBatch.objects.select_related("scope").get(pk=batch.pk)
    if b.status != ImportStatus.COMMITTED or b.year != r.campaign.year:
        raise refuse(
            f"Cần một lượt nhập đã ghi của năm {r.campaign.year}",
            f"a committed import of {r.campaign.year} is needed",
            "batch",
        )
    if b.kind != ReviewKind.PERIODIC or not r.commune.is_descendant_of(b.scope):
        raise refuse(
            f"Lượt nhập không phải rà soát định kỳ của {r.commune}",
            f"the import is not a periodic review covering {r.commune}",
            "batch",
        )
    drafts = list(
        ReviewRecord.objects.filter(
            household__commune=r.commune,
            year=r.campaign.year,
            kind=ReviewKind.PERIODIC,
            state=ReviewState.DRAFT,
        ).select_related("household")
    )
    if not drafts:
        raise refuse(
            f"Tệp không có hộ nào của {r.commune} chờ phê duyệt",
            f"the file has no household of {r.commune} awaiting approval",
            "empty",
        )
    prev = current_classes(r.commune, r.campaign.year, households=[d.household_id for d in drafts])
    surveyed = set(
        r.entries.filter(surveys__final=True).values_list("household_id", flat=True)
    ) | set(r.entries.filter(screened_out=True).values_list("household_id", flat=True))
    kept = sorted(d.household.code for d in drafts if d.household_id in surveyed)
    drafts = [d for d in drafts if d.household_id not in surveyed]
    _survey_all(r, b, drafts, prev)
    mark_surveyed(r)
    log(actor, "import_into_campaign", r, batch=b.pk, households=len(drafts), kept=kept)
    return Intake(len(drafts), kept)


def _survey_all(
    r: CommuneReview, b: ImportBatch, drafts: list[ReviewRecord], prev: dict[int, str]
) -> None:
    """Every draft onto the list with a final survey, in a handful of queries whatever the
    commune's size (a file of a whole commune is thousands of households)."""
    ids = [d.household_id for d in drafts]
    have = set(r.entries.filter(household_id__in=ids).values_list("household_id", flat=True))
    ListEntry.objects.bulk_create(
        [
            ListEntry(
                review=r,
                household_id=d.household_id,
                source=Source.CURRENT if prev.get(d.household_id) in LISTED else Source.MANUAL,
                reason=f"Nhập từ tệp {b.file_name}"[:300],
                previous_class=prev.get(d.household_id, ""),
            )
            for d in drafts
            if d.household_id not in have
        ],
        batch_size=500,
    )
    entries = {e.household_id: e for e in r.entries.filter(household_id__in=ids)}
    members = dict(
        Member.objects.filter(household_id__in=ids)
        .values("household_id")
        .annotate(n=Count("pk"))
        .values_list("household_id", "n")
    )
    versions = dict(
        Survey.objects.filter(entry__in=list(entries.values()))
        .values("entry_id")
        .annotate(v=Max("version"))
        .values_list("entry_id", "v")
    )
    surveys = []
    for d in drafts:
        entry = entries[d.household_id]
        persons = d.persons or members.get(d.household_id, 0)
        result = review_rules.classify(r.campaign, d.household, d.inputs, persons)
        surveys.append(
            Survey(
                entry=entry,
                version=versions.get(entry.pk, 0) + 1,
                final=True,
                standard_id=r.campaign.standard_id,
                inputs=dict(d.inputs),
                causes=list(d.causes),
                persons=persons,
                result=result.data,
                classification=result.classification,
                entered_by_id=b.created_by_id,
            )
        )
        entry.proposed_class = result.classification
        entry.survey_state = SurveyState.DONE
    Survey.objects.bulk_create(surveys, batch_size=500)
    ListEntry.objects.bulk_update(
        list(entries.values()), ["proposed_class", "survey_state"], batch_size=500
    )
