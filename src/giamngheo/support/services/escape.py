"""Registering households to escape poverty in a year (đăng ký thoát nghèo, the seed plan's
duty of the communes), against the plan's column 5.

Rules, checked before anything is written (a refusal changes nothing):

* the actor manages the household's commune (``can_manage_unit``; else 403);
* the household still lives there: its status is active, not moved away, dissolved, split or
  merged (``escape.inactive``);
* the household was **poor** at the approved periodic review of ``year − 1`` (the list the
  year starts from; ``escape.not_poor``);
* once per household and year (``escape.already``);
* while the commune's review of ``year`` is not approved: afterwards the outcome is known and
  a registration would only record it (``escape.review_done``, also for removing one).

Each registration or removal writes one audit row (``support_escape_register`` /
``support_escape_unregister``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from giamngheo.accounts.access import can_manage_unit
from giamngheo.registry.models import Household, HouseholdStatus
from giamngheo.support.models import EscapeRegistration
from giamngheo.support.selectors.needs import classes_in, communes_reviewed
from giamngheo.support.services.common import actor_id, log, refuse, require

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser
    from giamngheo.geo.models import AdminUnit

__all__ = ["escape_register", "escape_register_suggested", "escape_unregister"]

NOTE_MAX = 300


def _may_manage(actor: AnyUser, commune: AdminUnit) -> None:
    require(
        can_manage_unit(actor, commune),
        f"Chỉ cán bộ quản lý {commune.name} mới đăng ký hộ thoát nghèo của xã",
        f"only officers managing {commune.name} register its households to escape poverty",
    )


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise refuse(f"Năm {year} không hợp lệ", f"year {year} is not valid", "escape.bad_year")


def _check_open(commune: AdminUnit, year: int) -> None:
    if communes_reviewed([commune.pk], year):
        raise refuse(
            f"{commune.name} đã có kết quả rà soát năm {year} được phê duyệt: không còn thay đổi"
            " đăng ký thoát nghèo của năm này",
            f"{commune.name}'s review of {year} is approved: the year's escape registrations"
            " can no longer change",
            "escape.review_done",
        )


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise refuse(
            f"Ghi chú dài quá {NOTE_MAX} ký tự",
            f"the note is longer than {NOTE_MAX} characters",
            "escape.note_too_long",
        )
    return note


def _check_households(households: Sequence[Household], year: int) -> None:
    """Every household still living there (active), poor at the review of ``year − 1`` and not
    yet registered in ``year``; the refusal names every household that fails."""
    gone = [h for h in households if h.status != HouseholdStatus.ACTIVE]
    if gone:
        shown = ", ".join(h.code for h in gone)
        raise refuse(
            f"Hộ {shown} không còn sinh sống tại địa phương (đã chuyển đi, giải thể, tách hoặc"
            " nhập hộ): không đăng ký thoát nghèo được",
            f"household {shown} no longer lives there (moved away, dissolved, split or merged):"
            " it cannot be registered to escape poverty",
            "escape.inactive",
        )
    ids = [h.pk for h in households]
    classes = classes_in(year - 1, ids)
    not_poor = [h.code for h in households if classes.get(h.pk) != "poor"]
    if not_poor:
        shown = ", ".join(not_poor)
        raise refuse(
            f"Hộ {shown} không phải hộ nghèo theo kết quả rà soát năm {year - 1} đã phê duyệt",
            f"household {shown} was not poor at the approved review of {year - 1}",
            "escape.not_poor",
        )
    done = set(
        EscapeRegistration.objects.filter(year=year, household_id__in=ids).values_list(
            "household_id", flat=True
        )
    )
    if done:
        shown = ", ".join(h.code for h in households if h.pk in done)
        raise refuse(
            f"Hộ {shown} đã được đăng ký thoát nghèo năm {year}",
            f"household {shown} is already registered to escape poverty in {year}",
            "escape.already",
        )


def _create(actor: AnyUser, household: Household, year: int, note: str) -> EscapeRegistration:
    try:
        with transaction.atomic():
            reg = EscapeRegistration.objects.create(
                household=household,
                commune_id=household.commune_id,
                year=year,
                note=note,
                registered_by_id=actor_id(actor),
            )
    except IntegrityError:  # registered meanwhile by someone else
        raise refuse(
            f"Hộ {household.code} đã được đăng ký thoát nghèo năm {year}",
            f"household {household.code} is already registered to escape poverty in {year}",
            "escape.already",
        ) from None
    log(
        actor,
        "escape_register",
        reg,
        household=household.code,
        commune=household.commune_id,
        year=year,
        note=note,
    )
    return reg


def escape_register(
    actor: AnyUser, household: Household, year: int, note: str = ""
) -> EscapeRegistration:
    """Register one household of the actor's commune to escape poverty in ``year``.

    Raises:
        PermissionDenied: the actor does not manage the household's commune.
        ValidationError: ``escape.inactive``, ``escape.not_poor``, ``escape.already``,
            ``escape.review_done``, ``escape.note_too_long``, ``escape.bad_year``.
    """
    _may_manage(actor, household.commune)
    _check_year(year)
    note = _check_note(note)
    _check_open(household.commune, year)
    _check_households([household], year)
    with transaction.atomic():
        return _create(actor, household, year, note)


def escape_register_suggested(
    actor: AnyUser,
    commune: AdminUnit,
    year: int,
    household_ids: Sequence[int],
    note: str = "",
) -> list[EscapeRegistration]:
    """Register the households an officer confirmed (the suggestion list or its own choice),
    all or none: one refused household refuses the whole list.

    Raises:
        PermissionDenied: the actor does not manage ``commune``.
        ValidationError: ``escape.none_chosen``, ``escape.not_in_commune`` and the codes of
            :func:`escape_register`.
    """
    _may_manage(actor, commune)
    _check_year(year)
    note = _check_note(note)
    ids = list(dict.fromkeys(household_ids))
    if not ids:
        raise refuse(
            "Chưa chọn hộ nào để đăng ký",
            "no household was chosen to register",
            "escape.none_chosen",
        )
    households = list(
        Household.objects.filter(pk__in=ids, commune=commune)
        .select_related("commune")
        .order_by("code")
    )
    if len(households) != len(ids):
        raise refuse(
            f"Có hộ không thuộc {commune.name}",
            f"some households are not in {commune.name}",
            "escape.not_in_commune",
        )
    _check_open(commune, year)
    _check_households(households, year)
    with transaction.atomic():
        return [_create(actor, h, year, note) for h in households]


def escape_unregister(actor: AnyUser, registration: EscapeRegistration) -> None:
    """Remove a registration, while the commune's review of its year is not approved.

    Raises:
        PermissionDenied: the actor does not manage the registration's commune.
        ValidationError: ``escape.review_done``.
    """
    commune = registration.commune
    _may_manage(actor, commune)
    _check_open(commune, registration.year)
    with transaction.atomic():
        log(
            actor,
            "escape_unregister",
            registration,
            household=registration.household.code,
            commune=commune.pk,
            year=registration.year,
        )
        registration.delete()
