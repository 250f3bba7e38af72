"""Writes to the registry. Every function is keyword-only, checks the actor's right to manage
the household's commune (``PermissionDenied`` otherwise, nothing written), runs in one
transaction and leaves an ``AuditEvent``. Those that change an existing household, its
members or its reviews refuse a frozen household (``registry.freeze``: ``ValidationError``,
code ``"frozen"``) unless called ``through_complaint``.

* households: ``household_create`` (with how it came into the registry: moved in, split off
  — ``entry_reason``, ``entry_date``, ``came_from``), ``household_split_off`` (a new household
  split off from another), ``household_update``, ``household_set_status``;
* members: ``member_add``, ``member_update``;
* reviews: ``review_create`` (draft, classified by the standards engine), ``review_update``
  (drafts only), ``review_approve``, ``review_correct`` (a new draft that corrects an approved
  record);
* staged imports (``giamngheo.registry.imports``): ``import_upload``, ``import_validate``,
  ``import_commit``, ``import_errors_xlsx``, ``import_template_xlsx``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from giamngheo.accounts.access import can_manage_unit, can_view_unit
from giamngheo.core.identity import Sex as IdSex
from giamngheo.core.identity import check_citizen_id, normalize_citizen_id
from giamngheo.core.standards import (
    InvalidHousehold,
    Result,
    Standard,
    classify_household,
    get_standard,
    standard_for,
)
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.registry.audit import audit, diff
from giamngheo.registry.freeze import complaint_ref, require_not_frozen
from giamngheo.registry.imports import (
    import_commit,
    import_errors_xlsx,
    import_template_xlsx,
    import_upload,
    import_validate,
)
from giamngheo.registry.models import (
    CAUSES,
    MEMBER_DATA_FIELDS,
    POLICY_FLAGS,
    EntryReason,
    Household,
    HouseholdStatus,
    ImmutableReview,
    Member,
    Relationship,
    ReviewKind,
    ReviewRecord,
    ReviewState,
    Sex,
)

if TYPE_CHECKING:
    from giamngheo.registry.audit import AnyUser

__all__ = [
    "household_create",
    "household_set_status",
    "household_split_off",
    "household_update",
    "import_commit",
    "import_errors_xlsx",
    "import_template_xlsx",
    "import_upload",
    "import_validate",
    "member_add",
    "member_update",
    "require_manage",
    "review_approve",
    "review_correct",
    "review_create",
    "review_update",
]


def require_manage(actor: AnyUser, unit: AdminUnit) -> None:
    """``PermissionDenied`` (bilingual) unless the actor may change data of ``unit``."""
    if not can_manage_unit(actor, unit):
        raise PermissionDenied(
            f"Không có quyền thay đổi dữ liệu của {unit} / no permission to change data of {unit}"
        )


# ---------------------------------------------------------------------------------------------
# Households
# ---------------------------------------------------------------------------------------------
HOUSEHOLD_EDITABLE = (
    "head_name",
    "address",
    "village",
    "ethnic_minority",
    *POLICY_FLAGS,
)


def _check_village(commune: AdminUnit, village: AdminUnit | None) -> None:
    if village is not None and village.parent_id != commune.pk:
        raise ValidationError(
            f"{village} không thuộc {commune} / {village} is not in {commune}", code="village"
        )


def _check_entry(
    actor: AnyUser,
    entry_reason: str,
    entry_date: dt.date | None,
    came_from: Household | None,
) -> Household | None:
    """Validate how a new household came into the registry; returns ``came_from`` as stored
    (``PermissionDenied`` when the actor may not see it)."""
    if entry_reason not in EntryReason.values:
        raise ValidationError(
            f"Lý do vào sổ không rõ / unknown entry reason: {entry_reason!r}", code="entry_reason"
        )
    if entry_reason and entry_date is None:
        raise ValidationError("Cần ngày vào sổ / an entry date is needed", code="entry_date")
    if not entry_reason and entry_date is not None:
        raise ValidationError(
            "Có ngày vào sổ thì cần lý do / an entry date needs an entry reason",
            code="entry_reason",
        )
    if came_from is None:
        return None
    if entry_reason != EntryReason.SPLIT_OFF:
        raise ValidationError(
            "Chỉ hộ tách ra mới có hộ gốc / only a household that split off has one",
            code="came_from",
        )
    source = Household.objects.select_related("commune").get(pk=came_from.pk)
    if not can_view_unit(actor, source.commune):
        # Name nothing of a household the actor may not see.
        raise PermissionDenied(
            "Không có quyền xem hộ gốc / no permission to see the household split from"
        )
    return source


@transaction.atomic
def household_create(
    *,
    actor: AnyUser,
    commune: AdminUnit,
    code: str,
    head_name: str,
    village: AdminUnit | None = None,
    address: str = "",
    ethnic_minority: bool = False,
    flags: Mapping[str, bool] | None = None,
    entry_reason: str = EntryReason.ORIGINAL,
    entry_date: dt.date | None = None,
    came_from: Household | None = None,
) -> Household:
    """A new active household; its area is its commune's.

    ``entry_reason`` (moved in, split off; "" for a household recorded without one) needs its
    ``entry_date``; ``came_from``, the household it split off from, only goes with split off
    and must be visible to the actor (a commune officer: a household of their own commune)."""
    require_manage(actor, commune)
    if commune.level != Level.COMMUNE:
        raise ValidationError(f"{commune} không phải cấp xã / is not a commune", code="commune")
    _check_village(commune, village)
    source = _check_entry(actor, entry_reason, entry_date, came_from)
    unknown = set(flags or {}) - set(POLICY_FLAGS)
    if unknown:
        raise ValidationError(f"Cờ không rõ / unknown flags: {sorted(unknown)}", code="flags")
    code = code.strip()
    if not code or not head_name.strip():
        raise ValidationError("Cần mã hộ và họ tên chủ hộ / code and head name needed")
    if Household.objects.filter(commune=commune, code=code).exists():
        raise ValidationError(
            f"Mã hộ {code} đã có ở {commune} / household code {code} exists in {commune}",
            code="duplicate_code",
        )
    hh = Household(
        commune=commune,
        village=village,
        code=code,
        head_name=head_name.strip(),
        address=address,
        ethnic_minority=ethnic_minority,
        entry_reason=entry_reason,
        entry_date=entry_date,
        came_from=source,
        created_by_id=actor.pk if actor.is_authenticated else None,
        **dict(flags or {}),
    )
    hh.save()
    changes: dict[str, Any] = {"code": code, "commune": commune.pk}
    if entry_reason:
        changes |= {"entry_reason": entry_reason, "entry_date": entry_date}
    if source is not None:
        changes["came_from"] = source.pk
    audit(actor, "household_create", hh, changes=changes)
    return hh


def household_split_off(
    *,
    actor: AnyUser,
    source: Household,
    code: str,
    head_name: str,
    entry_date: dt.date,
    through_complaint: object | None = None,
    **fields: Any,
) -> Household:
    """A new household of ``source``'s commune that split off from ``source`` on
    ``entry_date`` (``fields``: ``village``, ``address``, ``ethnic_minority``, ``flags``, as
    :func:`household_create`). ``source`` itself is left as it is: when it ceased to exist,
    record that with :func:`household_set_status` (status split). Refused while ``source`` is
    frozen."""
    require_not_frozen([source.pk], through_complaint=through_complaint)
    commune = AdminUnit.objects.get(pk=source.commune_id)
    return household_create(
        actor=actor,
        commune=commune,
        code=code,
        head_name=head_name,
        entry_reason=EntryReason.SPLIT_OFF,
        entry_date=entry_date,
        came_from=source,
        **fields,
    )


def _household_values(hh: Household, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(hh, f"{f}_id" if f == "village" else f) for f in fields}


@transaction.atomic
def household_update(
    *,
    actor: AnyUser,
    household: Household,
    through_complaint: object | None = None,
    **changes: Any,
) -> Household:
    """Change the head's name, address, village, ethnic-minority and policy-group flags."""
    hh = Household.objects.select_for_update().select_related("commune").get(pk=household.pk)
    require_manage(actor, hh.commune)
    require_not_frozen([hh.pk], through_complaint=through_complaint)
    bad = set(changes) - set(HOUSEHOLD_EDITABLE)
    if bad:
        raise ValidationError(f"Không sửa được / not editable: {sorted(bad)}")
    if "village" in changes:
        _check_village(hh.commune, changes["village"])
    before = _household_values(hh, changes)
    for k, v in changes.items():
        setattr(hh, k, v)
    after = _household_values(hh, changes)
    changed = diff(before, after)
    if changed:
        hh.save()
        audit(actor, "household_update", hh, changes=changed | complaint_ref(through_complaint))
    return hh


@transaction.atomic
def household_set_status(
    *,
    actor: AnyUser,
    household: Household,
    status: str,
    on: dt.date,
    went_to: Household | None = None,
    through_complaint: object | None = None,
) -> Household:
    """Record that the household moved away, dissolved, split or merged (into ``went_to``)."""
    hh = Household.objects.select_for_update().select_related("commune").get(pk=household.pk)
    require_manage(actor, hh.commune)
    require_not_frozen([hh.pk], through_complaint=through_complaint)
    if status not in HouseholdStatus.values:
        raise ValidationError(f"Tình trạng không rõ / unknown status: {status!r}")
    if went_to is not None and went_to.pk == hh.pk:
        raise ValidationError("Hộ không thể chuyển vào chính nó / a household cannot go to itself")
    before = {"status": hh.status, "status_date": hh.status_date, "went_to": hh.went_to_id}
    hh.status, hh.status_date = status, on
    hh.went_to = went_to
    hh.save()
    audit(
        actor,
        "household_status",
        hh,
        changes=diff(
            before,
            {"status": status, "status_date": on, "went_to": went_to.pk if went_to else None},
        )
        | complaint_ref(through_complaint),
    )
    return hh


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------
MEMBER_EDITABLE = MEMBER_DATA_FIELDS


def _check_member(m: Member, as_of_year: int) -> None:
    """``ValidationError`` naming each field that is wrong (a form shows it at the field)."""
    errors: dict[str, list[str]] = {}
    if m.sex not in Sex.values:
        errors["sex"] = [f"giới tính không rõ / unknown sex: {m.sex!r}"]
    if m.relationship not in Relationship.values:
        errors["relationship"] = [f"quan hệ không rõ / unknown relationship: {m.relationship!r}"]
    year = m.birth_date.year if m.birth_date else m.birth_year
    if year is None:
        errors["birth_year"] = ["cần ngày sinh hoặc năm sinh / birth date or year needed"]
    elif year > as_of_year or as_of_year - year > 120:
        errors["birth_year"] = [f"năm sinh không thể có / impossible birth year: {year}"]
    if m.national_id:
        m.national_id = normalize_citizen_id(m.national_id)
        check = check_citizen_id(
            m.national_id, sex=IdSex(m.sex) if m.sex in Sex.values else None, birth_year=year
        )
        if check.problems:
            errors["national_id"] = [p.message for p in check.problems]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def member_add(
    *,
    actor: AnyUser,
    household: Household,
    full_name: str,
    sex: str,
    relationship: str,
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
    ethnicity: str = "",
    national_id: str = "",
    health_insurance: bool = False,
    in_school: bool = False,
    disability: bool = False,
    through_complaint: object | None = None,
) -> Member:
    hh = Household.objects.select_related("commune").get(pk=household.pk)
    require_manage(actor, hh.commune)
    require_not_frozen([hh.pk], through_complaint=through_complaint)
    m = Member(
        household=hh,
        full_name=full_name.strip(),
        sex=sex,
        relationship=relationship,
        birth_date=birth_date,
        birth_year=birth_year,
        ethnicity=ethnicity,
        national_id=national_id,
        health_insurance=health_insurance,
        in_school=in_school,
        disability=disability,
        created_by_id=actor.pk if actor.is_authenticated else None,
    )
    _check_member(m, timezone.localdate().year)
    m.save()
    audit(actor, "member_add", m, changes={"household": hh.pk} | complaint_ref(through_complaint))
    return m


@transaction.atomic
def member_update(
    *, actor: AnyUser, member: Member, through_complaint: object | None = None, **changes: Any
) -> Member:
    m = Member.objects.select_for_update().select_related("household__commune").get(pk=member.pk)
    require_manage(actor, m.household.commune)
    require_not_frozen([m.household_id], through_complaint=through_complaint)
    bad = set(changes) - set(MEMBER_EDITABLE)
    if bad:
        raise ValidationError(f"Không sửa được / not editable: {sorted(bad)}")
    before = {k: getattr(m, k) for k in changes}
    for k, v in changes.items():
        setattr(m, k, v)
    _check_member(m, timezone.localdate().year)
    changed = diff(before, {k: getattr(m, k) for k in changes})
    if changed:
        m.save()
        # Never write an ID number into the log.
        if "national_id" in changed:
            changed["national_id"] = ["***", "***"]
        audit(actor, "member_update", m, changes=changed | complaint_ref(through_complaint))
    return m


# ---------------------------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------------------------
def review_standard(year: int, kind: str, standard_id: str | None = None) -> Standard:
    if standard_id:
        return get_standard(standard_id)
    return standard_for(year, "adhoc" if kind == ReviewKind.ADHOC else "periodic")


def classify(hh: Household, inputs: Mapping[str, object], std: Standard) -> Result:
    """The engine's result for the household's inputs (``ValidationError`` naming each field
    the engine rejects)."""
    record = {**inputs, "household_id": hh.code, "area": hh.area}
    try:
        return classify_household(record, std)
    except InvalidHousehold as exc:
        raise ValidationError(
            {e.field: f"{e.message_vi} / {e.message_en}" for e in exc.errors}
        ) from exc


def _check_causes(causes: Iterable[str]) -> list[str]:
    out = list(dict.fromkeys(causes))
    unknown = [c for c in out if c not in CAUSES]
    if unknown:
        raise ValidationError(f"Nguyên nhân nghèo không rõ / unknown causes: {unknown}")
    return out


def apply_result(r: ReviewRecord, res: Result) -> None:
    r.classification = res.classification
    r.poor_basis = res.poor_basis
    r.deprivation_count = res.deprivation_count
    r.deprived = list(res.deprived)
    r.explanation_vi, r.explanation_en = res.explanation_vi, res.explanation_en


@transaction.atomic
def review_create(
    *,
    actor: AnyUser,
    household: Household,
    year: int,
    kind: str = ReviewKind.PERIODIC,
    inputs: Mapping[str, object],
    review_date: dt.date | None = None,
    causes: Iterable[str] = (),
    persons: int | None = None,
    standard_id: str | None = None,
    through_complaint: object | None = None,
) -> ReviewRecord:
    """A draft review, classified by the standards engine."""
    hh = Household.objects.select_related("commune").get(pk=household.pk)
    require_manage(actor, hh.commune)
    require_not_frozen([hh.pk], through_complaint=through_complaint)
    if kind not in ReviewKind.values:
        raise ValidationError(f"Loại rà soát không rõ / unknown review kind: {kind!r}")
    if kind == ReviewKind.ADHOC and review_date is None:
        raise ValidationError("Rà soát thường xuyên cần ngày / an ad-hoc review needs its date")
    std = review_standard(year, kind, standard_id)
    res = classify(hh, inputs, std)
    existing = ReviewRecord.objects.filter(household=hh, year=year, kind=kind)
    if kind == ReviewKind.ADHOC and review_date is not None:
        existing = existing.filter(review_date=review_date)
    if existing.exists():
        raise ValidationError(
            f"Hộ {hh.code} đã có phiếu rà soát {year} ({kind}) / "
            f"household {hh.code} already has a {kind} review for {year}",
            code="duplicate_review",
        )
    r = ReviewRecord(
        household=hh,
        year=year,
        kind=kind,
        review_date=review_date or dt.date(year, 12, 31),
        standard_id=std.id,
        inputs=dict(inputs),
        persons=persons if persons is not None else hh.members.count(),
        causes=_check_causes(causes),
        created_by_id=actor.pk if actor.is_authenticated else None,
    )
    apply_result(r, res)
    r.clean()
    r.save()
    changes = {"classification": r.classification} | complaint_ref(through_complaint)
    audit(actor, "review_create", r, changes=changes)
    return r


@transaction.atomic
def review_update(
    *,
    actor: AnyUser,
    review: ReviewRecord,
    inputs: Mapping[str, object] | None = None,
    causes: Iterable[str] | None = None,
    persons: int | None = None,
    through_complaint: object | None = None,
) -> ReviewRecord:
    """Change a draft (re-classified). Approved records raise ``ImmutableReview``."""
    r = (
        ReviewRecord.objects.select_for_update()
        .select_related("household__commune")
        .get(pk=review.pk)
    )
    require_manage(actor, r.household.commune)
    require_not_frozen([r.household_id], through_complaint=through_complaint)
    if r.state == ReviewState.APPROVED:
        raise ImmutableReview(r.pk)
    before = {"inputs": r.inputs, "causes": r.causes, "persons": r.persons}
    if inputs is not None:
        r.inputs = dict(inputs)
        apply_result(r, classify(r.household, r.inputs, get_standard(r.standard_id)))
    if causes is not None:
        r.causes = _check_causes(causes)
    if persons is not None:
        r.persons = persons
    changed = diff(before, {"inputs": r.inputs, "causes": r.causes, "persons": r.persons})
    if changed:
        r.save()
        audit(actor, "review_update", r, changes=changed | complaint_ref(through_complaint))
    return r


@transaction.atomic
def review_approve(*, actor: AnyUser, review: ReviewRecord) -> ReviewRecord:
    r = (
        ReviewRecord.objects.select_for_update()
        .select_related("household__commune")
        .get(pk=review.pk)
    )
    require_manage(actor, r.household.commune)
    if r.state == ReviewState.APPROVED:
        raise ImmutableReview(r.pk)
    require_not_frozen([r.household_id])  # a posted list is decided by the commune, not here
    r.state = ReviewState.APPROVED
    r.approved_by_id = actor.pk if actor.is_authenticated else None
    r.approved_at = timezone.now()
    r.save()
    audit(actor, "review_approve", r)
    return r


@transaction.atomic
def review_correct(
    *,
    actor: AnyUser,
    review: ReviewRecord,
    inputs: Mapping[str, object],
    reason: str,
    causes: Iterable[str] | None = None,
    persons: int | None = None,
    through_complaint: object | None = None,
) -> ReviewRecord:
    """A new draft that corrects the approved ``review`` (which stays as it was)."""
    old = (
        ReviewRecord.objects.select_for_update()
        .select_related("household__commune")
        .get(pk=review.pk)
    )
    require_manage(actor, old.household.commune)
    require_not_frozen([old.household_id], through_complaint=through_complaint)
    if old.state != ReviewState.APPROVED:
        raise ValidationError(
            "Chỉ điều chỉnh phiếu đã phê duyệt; phiếu dự thảo thì sửa trực tiếp / "
            "only approved records are corrected; edit a draft directly",
            code="not_approved",
        )
    if ReviewRecord.objects.filter(corrects=old).exists():
        raise ValidationError(
            "Phiếu này đã được điều chỉnh; hãy điều chỉnh phiếu mới nhất / "
            "this record was already corrected; correct the latest one",
            code="already_corrected",
        )
    if not reason.strip():
        raise ValidationError("Cần lý do điều chỉnh / a reason is needed", code="reason")
    std = get_standard(old.standard_id)
    new = ReviewRecord(
        household=old.household,
        year=old.year,
        kind=old.kind,
        review_date=old.review_date,
        standard_id=std.id,
        inputs=dict(inputs),
        persons=old.persons if persons is None else persons,
        causes=_check_causes(old.causes if causes is None else causes),
        revision=old.revision + 1,
        corrects=old,
        created_by_id=actor.pk if actor.is_authenticated else None,
    )
    apply_result(new, classify(old.household, new.inputs, std))
    new.save()
    audit(
        actor,
        "review_correct",
        new,
        changes={"corrects": old.pk, "reason": reason, "classification": new.classification}
        | complaint_ref(through_complaint),
    )
    return new
