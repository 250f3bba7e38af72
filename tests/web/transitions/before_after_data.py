"""What the before/after comparison of the transitions shares between the old code (run once by
``make_before_after_fixture.py`` in a checkout of the code before the computed-report
mechanism) and the new code (``test_before_after.py``): the generated registry and the
serialised output. It uses only the Django models, the demo units and the standard library,
which both versions have alike.

:func:`populate` writes :data:`HOUSEHOLDS` households over the 8 Ngọc Hồi communes before the
2025 reform (Plei Kần is urban) with approved periodic reviews 2017–2020 (three pairs of
years), from ``random.Random(SEED)``: believable churn between the classes, persons changing,
ethnic-minority households (about 55 %), departures (moved away, dissolved, merged, split with
the household it went to, or without a recorded reason) and arrivals (moved in, split off —
dated in the year or later —, or not recorded), households absent one year and back, and
reviews corrected by an approved correction (the correction counts) or by a draft one (it
does not).

:func:`serialise` gives, for one unit and pair, every figure of the page's reports (both
lists, households and persons, all and ethnic-minority households, by area and unit) and, for
every figure linked on the page (by list, measure and "figure|area|unit code|dtts"), its
drill-down list as "households persons digest", the digest of its lines in list order
(commune code/household code, statuses, origin codes and persons in both years) — by
household code, never by pk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SEED = 20260
HOUSEHOLDS = 2400
YEARS = (2017, 2018, 2019, 2020)
CLASSES = ("poor", "near_poor", "medium", "non_poor")
NEXT = {
    "poor": (0.70, 0.14, 0.10, 0.06),
    "near_poor": (0.08, 0.68, 0.14, 0.10),
    "medium": (0.04, 0.07, 0.69, 0.20),
    "non_poor": (0.02, 0.03, 0.06, 0.89),
}
FIRST = (0.15, 0.12, 0.18, 0.55)
EXITS = ("moved_away", "dissolved", "merged", "split")
#: The units compared (GSO codes of the demo before the reform: the province, the district, a
#: rural and the urban commune) and the second years of the pairs compared for each.
UNITS: dict[str, tuple[int, ...]] = {
    "611": (2019, 2020),
    "23380": (2019, 2020),
    "62": (2020,),
    "23377": (2020,),
}


def _plan(rnd: random.Random) -> dict[str, Any]:
    first, last = YEARS[0], YEARS[-1]
    roll = rnd.random()
    if roll < 0.09:
        first = rnd.choice(YEARS[1:])
    elif roll < 0.18:
        last = rnd.choice(YEARS[:-1])
    gap = None
    if last - first >= 2 and rnd.random() < 0.04:
        gap = rnd.choice(range(first + 1, last))  # absent that year, back after it
    cls = rnd.choices(CLASSES, FIRST)[0]
    persons = rnd.randint(1, 8)
    reviews: dict[int, tuple[str, int]] = {}
    for y in range(first, last + 1):
        if y > first:
            cls = rnd.choices(CLASSES, NEXT[cls])[0]
            if rnd.random() < 0.18:
                persons = max(1, persons + rnd.choice((-2, -1, 1, 2)))
        if y != gap:
            reviews[y] = (cls, persons)
    return {"first": first, "last": last, "gap": gap, "reviews": reviews}


def populate(units: Any) -> int:
    """Write the generated registry (see the module docstring); returns the households."""
    from giamngheo.registry.models import Household

    rnd = random.Random(SEED)
    communes = list(units.communes_old.values())
    plans = [_plan(rnd) for _ in range(HOUSEHOLDS)]
    households = []
    for i, p in enumerate(plans):
        commune = communes[i % len(communes)]
        status, status_date = "active", None
        if p["last"] < YEARS[-1] and rnd.random() < 0.8:
            status = rnd.choice(EXITS)
            status_date = dt.date(p["last"] + 1, rnd.randint(1, 12), 15)
        entry, entry_date = "", None
        if p["first"] > YEARS[0] and rnd.random() < 0.75:
            entry = "moved_in" if rnd.random() < 0.55 else "split_off"
            late = rnd.random() < 0.15  # dated after the year it is first reviewed
            entry_date = dt.date(p["first"] + (1 if late else 0), rnd.randint(1, 11), 20)
        elif p["gap"] is not None and rnd.random() < 0.5:
            entry, entry_date = "moved_in", dt.date(p["gap"], 8, 1)
        hh = Household(
            commune=commune,
            code=f"BA{i:05d}",
            head_name=f"Chủ hộ thử {i:05d}",
            ethnic_minority=rnd.random() < 0.55,
            status=status,
            status_date=status_date,
            entry_reason=entry,
            entry_date=entry_date,
        )
        hh.fill_derived()
        households.append(hh)
    Household.objects.bulk_create(households)
    saved = list(Household.objects.filter(code__startswith="BA").order_by("code"))
    # A household that split names the one it went to: an arrival of the same commune.
    arrivals = [h for h, p in zip(saved, plans, strict=True) if p["first"] > YEARS[0]]
    for h in saved:
        if h.status == "split":
            same = [a for a in arrivals if a.commune_id == h.commune_id and a.pk != h.pk]
            if same:
                h.went_to = rnd.choice(same)
                h.save(update_fields=["went_to"])
    _reviews(saved, plans, rnd)
    return len(saved)


def _reviews(saved: Sequence[Any], plans: Sequence[dict[str, Any]], rnd: random.Random) -> None:
    """The households' approved periodic reviews, and a few corrections of them."""
    from django.contrib.auth import get_user_model

    from giamngheo.registry.models import ReviewRecord

    approver = get_user_model().objects.create_user("ba-approver")
    now = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    reviews: list[Any] = []
    corrections: list[tuple[int, int, str, int, str]] = []
    for h, p in zip(saved, plans, strict=True):
        for year, (cls, persons) in p["reviews"].items():
            reviews.append(
                ReviewRecord(
                    household=h, year=year, kind="periodic", review_date=dt.date(year, 12, 31),
                    standard_id="QD59-2015", classification=cls, persons=persons,
                    state="approved", approved_by=approver, approved_at=now,
                )
            )  # fmt: skip
            roll = rnd.random()
            if roll < 0.03:
                corrections.append((h.pk, year, rnd.choice(CLASSES), persons + 1, "approved"))
            elif roll < 0.045:
                corrections.append((h.pk, year, rnd.choice(CLASSES), persons, "draft"))
    ReviewRecord.objects.bulk_create(reviews, batch_size=2000)
    originals = {
        (r.household_id, r.year): r
        for r in ReviewRecord.objects.filter(household__code__startswith="BA")
    }
    fixes = []
    for hid, year, cls, persons, state in corrections:
        first = originals[(hid, year)]
        fixes.append(
            ReviewRecord(
                household_id=hid, year=year, kind="periodic", review_date=dt.date(year, 12, 31),
                standard_id="QD59-2015", classification=cls, persons=persons, state=state,
                revision=1, corrects=first, approved_by=approver if state == "approved" else None,
                approved_at=now if state == "approved" else None,
            )
        )  # fmt: skip
    ReviewRecord.objects.bulk_create(fixes)


def _digest(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]


def _reconciliation(c: Any) -> list[Any]:
    terms = [[t.label, t.value, bool(t.url)] for t in c.terms]
    figures = [c.escaped.value, c.re_entered.value, c.newly.value, c.start.value, c.end.value]
    texts = [c.net_by_note, c.net_change, c.difference, c.rate_start, c.rate_end, c.rate_points]
    return [c.measure, figures, texts, terms, c.explained_ok]


def _summary_row(s: Any) -> list[Any]:
    figures = [[c.value for c in s.cells], s.net_by_note.value, s.net_change.value]
    return [s.kind, s.label, figures, s.identity_ok, [s.rate_start, s.rate_end, s.rate_points]]


def _reports_data(reports: Sequence[Any]) -> list[Any]:
    """Every figure and label of the page's reports (the texts of the numbers are their
    values, formatted)."""
    return [
        {
            "list": r.list_kind,
            "title": r.title,
            "identity_ok": r.identity_ok,
            "detail": [
                [d.key, d.level, d.label, [c.value if c.text != "—" else None for c in d.cells]]
                for d in r.detail
            ],
            "reconciliations": [_reconciliation(c) for c in r.reconciliations],
            "summaries": [
                [heading, labels, [_summary_row(s) for s in rows]]
                for heading, labels, rows in r.summaries
            ],
        }
        for r in reports
    ]


def links(reports: Sequence[Any]) -> set[str]:
    """Every drill-down link of the reports."""
    found: set[str] = set()
    for r in reports:
        for d in r.detail:
            found.update(c.url for c in d.cells if c.url)
        for c in r.reconciliations:
            found.update(x.url for x in (c.escaped, c.re_entered, c.newly, c.start, c.end))
            found.update(t.url for t in c.terms if t.url)
        for _heading, _labels, rows in r.summaries:
            for s in rows:
                found.update(c.url for c in s.cells if c.url)
    return found


def serialise(  # noqa: PLR0917
    unit: Any,
    reports: Mapping[str, Sequence[Any]],
    index: Any,
    figure: Callable[[str, str, str, str | None, bool, set[int] | None], tuple[Any, int]],
    sub_communes: Callable[[int], set[int]],
    status_codes: Sequence[str],
    origin_codes: Sequence[str],
) -> dict[str, Any]:
    """One unit and pair: ``reports`` by "<lang>:<em_only>", the drill-down ``index`` and
    ``figure(list, key, measure, area, em, communes)`` → (positions, persons) in it;
    ``sub_communes(pk)``: the communes under a unit directly under ``unit``."""
    from giamngheo.geo.models import AdminUnit

    codes = dict(AdminUnit.objects.values_list("pk", "code"))
    household_codes = {}
    from giamngheo.registry.models import Household

    for pk, code in Household.objects.values_list("pk", "code"):
        household_codes[pk] = code
    drill: dict[str, dict[str, dict[str, str]]] = {}
    every = set().union(*(links(r) for r in reports.values()))
    for url in sorted(every):
        q = dict(parse_qsl(urlsplit(url).query))
        assert q["don_vi"] == str(unit.pk), url
        xa = int(q["xa"]) if "xa" in q else None
        positions, persons = figure(
            q["ds"],
            q["muc"],
            q["do"],
            q.get("khu_vuc"),
            q.get("dtts") == "1",
            None if xa is None else sub_communes(xa),
        )
        lines = [
            f"{codes[index.commune[p]]}/{household_codes[index.household[p]]}"
            f"|{status_codes[index.status_from[p]]}|{status_codes[index.status_to[p]]}"
            f"|{origin_codes[index.origin_from[p]]}|{origin_codes[index.origin_to[p]]}"
            f"|{index.persons_from[p]}|{index.persons_to[p]}"
            for p in positions
        ]
        group = "|".join(
            [q["muc"], q.get("khu_vuc", ""), "" if xa is None else codes[xa], q.get("dtts", "")]
        )
        by_measure = drill.setdefault(q["ds"], {}).setdefault(q["do"], {})
        by_measure[group] = f"{len(lines)} {persons} {_digest(lines)}"
    return {
        "reports": {name: _reports_data(r) for name, r in sorted(reports.items())},
        "drill_down": drill,
    }


def collect(actor: Any, api: Any) -> dict[str, Any]:
    """The serialised output of one version of the code for every unit and pair of
    :data:`UNITS` (English too for the district's last pair). ``api`` names that
    version's ``unit_histories``, ``review_years``, ``commune_ids``, ``Selection``,
    ``build_report(histories, sel, lang, em_only)``, ``build_index(histories, sel)``,
    ``sub_units(unit, communes)``, ``status_codes`` and ``origin_codes``."""
    from giamngheo.geo.models import AdminUnit

    out: dict[str, Any] = {"seed": SEED, "households": HOUSEHOLDS, "units": {}}
    for code, pairs in UNITS.items():
        unit = AdminUnit.objects.get(code=code, valid_from__isnull=True)
        years = api.review_years(actor=actor, unit=unit)
        subs = api.sub_units(unit, api.commune_ids(actor=actor, unit=unit))
        for y1 in pairs:
            sel = api.Selection(unit, [], years, [], y1 - 1, y1)
            histories = api.unit_histories(actor=actor, unit=unit, up_to=y1)
            langs = ("vi", "en") if (code, y1) == ("611", 2020) else ("vi",)
            reports = {
                f"{lang}:{int(em)}": api.build_report(histories, sel, lang, em)
                for lang in langs
                for em in (False, True)
            }
            index = api.build_index(histories, sel)

            def figure(  # noqa: PLR0917
                kind: str,
                key: str,
                measure: str,
                area: str | None,
                em: bool,
                communes: set[int] | None,
                index: Any = index,
            ) -> tuple[Any, int]:
                found: tuple[Any, int] = index.figure(
                    kind, key, measure, area=area, em=em, communes=communes
                )
                return found

            def sub_communes(pk: int, subs: dict[str, str] = subs) -> set[int]:
                return {int(c) for c, s in subs.items() if s == str(pk)}

            out["units"][f"{code}:{y1}"] = {
                "years": years,
                **serialise(
                    unit, reports, index, figure, sub_communes, api.status_codes, api.origin_codes
                ),
            }
    return out
