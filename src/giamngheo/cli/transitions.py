"""``giamngheo transitions --unit CODE [--from Y1] [--to Y2] [--ethnic-minority] [-o OUT]``: the
movement tables of the transitions page for a unit, printed or written as .xlsx, .csv or .json.

The figures are the page's (``giamngheo.transitions.report``), computed through the same
computed-report mechanism (``giamngheo.computed``): the result stored for the registry's
current version is used, else it is computed here (and stored for the pages). The command sees
everything (the national view of a superuser). Django is set up inside the command, so
importing this module needs no configured Django.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from giamngheo.core.numbers import Lang
    from giamngheo.geo.models import AdminUnit

#: Exit status for a unit code or years the registry does not know.
UNKNOWN = 2

HELP = """Biến động hộ nghèo, hộ cận nghèo của một đơn vị giữa hai năm rà soát liên tiếp —
the movement tables of a unit between two consecutive review years (households and persons,
poor and near-poor lists), as on the transitions page.

\b
CODE: mã GSO / GSO code (tỉnh/province 2 chữ số/digits, huyện/district 3, xã/commune 5;
a shorter code is zero-padded). GSO codes were re-used by the 2025 reform (23377 was Thị
trấn Plei Kần until 30/06/2025 and is Xã Bờ Y since 01/07/2025): CODE means the unit with
that code in force on 31 December of the --to year (or --from + 1); without years, or if
none was in force then, the one that has households in the registry, the most recent first.
The first line of the output names the unit chosen.

\b
Years: --from Y1 --to Y2 with Y2 = Y1 + 1, both approved periodic review years of the unit;
one of them is enough; neither: the latest pair.

\b
Output: the tables as text (--lang vi|en), or -o OUT.xlsx | OUT.csv | OUT.json. JSON keys:
tables "poor" / "near_poor"; section "detail" (columns all_households, all_persons,
em_households, em_persons; rows start, decreases, to_other_list, above_line, other_decreases,
other_decreases:<moved_away|dissolved|merged|unrecorded>, members_lost, increases,
from_other_list, re_entered, newly, other_increases,
other_increases:<moved_in|split_off|unrecorded>, members_gained, end; null: no such figure);
sections "summary:households" / "summary:persons" (columns households_start, start,
decreases, to_other_list, above_line, other_decreases, increases, from_other_list,
re_entered, newly, other_increases, end, households_end, escaped, net_by_note, net_change;
rows total, area:urban, area:rural, unit:<GSO code>).
With --ethnic-minority the tables by area and unit are the ethnic-minority households'.

Exit status 0; 2 when the unit code or the years are unknown."""


def exit_unknown(vi: str, en: str) -> NoReturn:
    click.echo(f"{vi} / {en}", err=True)
    raise click.exceptions.Exit(UNKNOWN)


def find_unit(code: str, year: int | None) -> AdminUnit | None:
    """The unit named by a GSO code (see the command's help for a code used twice)."""
    from django.db.models import Q

    from giamngheo.geo.models import LEVEL_DEPTH, AdminUnit, Level, descendants_q, pad_code
    from giamngheo.registry.models import Household

    text = code.strip()
    if not text:
        return None
    levels = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
    exact = list(AdminUnit.objects.filter(code=text, level__in=levels))
    padded = Q()
    for level in levels:
        padded |= Q(code=pad_code(text, level), level=level)
    found = exact or list(AdminUnit.objects.filter(padded))
    if not found:
        return None
    on = None if year is None else dt.date(year, 12, 31)

    def rank(u: AdminUnit) -> tuple[bool, bool, dt.date, int]:
        has_households = Household.objects.filter(descendants_q(u, field="commune")).exists()
        return (
            on is not None and u.is_valid_on(on),
            has_households,
            u.valid_from or dt.date.min,
            -LEVEL_DEPTH.get(u.level, 9),
        )

    return max(found, key=rank)


def _pair(
    years: list[int], year_from: int | None, year_to: int | None, unit: tuple[str, str]
) -> tuple[int, int]:
    """The pair of review years asked for (``unit``: the unit's line in vi and en)."""
    pairs = [(y - 1, y) for y in years if y - 1 in years]
    if year_from is None and year_to is None:
        if not pairs:
            exit_unknown(
                f"{unit[0]} chưa có hai năm rà soát định kỳ liên tiếp đã phê duyệt",
                f"{unit[1]} has no two consecutive approved periodic review years",
            )
        return pairs[-1]
    y1 = year_to if year_to is not None else year_from + 1  # type: ignore[operator]
    y0 = year_from if year_from is not None else y1 - 1
    if (y0, y1) not in pairs:
        known = ", ".join(f"{a} → {b}" for a, b in pairs) or "—"
        exit_unknown(
            f"Không có cặp năm {y0} → {y1} của {unit[0]} (có: {known})",
            f"no pair of review years {y0} → {y1} for {unit[1]} (known: {known})",
        )
    return y0, y1


def unit_line(unit: AdminUnit, lang: Lang) -> str:
    """The unit chosen, with its code and validity (which of the units with that code)."""
    start = unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "…"
    end = unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "…"
    if lang == "vi":
        return f"{unit.name} (mã {unit.code}, hiệu lực {start} – {end})"
    return f"{unit.name} (code {unit.code}, in force {start} – {end})"


def _meta(unit: AdminUnit, y0: int, y1: int, em: bool, lang: str) -> dict[str, Any]:
    return {
        "report": "transitions",
        "unit": {
            "code": unit.code,
            "name": unit.name,
            "level": unit.level,
            "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        },
        "year_from": y0,
        "year_to": y1,
        "ethnic_minority": em,
        "lang": lang,
    }


@click.command("transitions", help=HELP)
@click.option("--unit", "code", required=True, metavar="CODE", help="Mã GSO / GSO code.")
@click.option("--from", "year_from", type=int, metavar="Y1", help="Năm đầu kỳ / first year.")
@click.option("--to", "year_to", type=int, metavar="Y2", help="Năm cuối kỳ / second year.")
@click.option(
    "--ethnic-minority",
    "em",
    is_flag=True,
    help="Bảng theo khu vực, đơn vị của hộ DTTS / ethnic-minority households' tables.",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp .xlsx, .csv hoặc .json / output file (.xlsx, .csv or .json).",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Ngôn ngữ / language of labels and numbers.",
)
def transitions_command(  # noqa: PLR0917
    code: str, year_from: int | None, year_to: int | None, em: bool, out: Path | None, lang: str
) -> None:
    from giamngheo.core.tables import export_format

    fmt = None
    if out is not None:
        try:
            fmt = export_format(out.name)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="-o/--output") from exc
    from giamngheo.cli.django_setup import setup_django

    setup_django()
    from django.contrib.auth import get_user_model

    from giamngheo.computed.tasks import current_value
    from giamngheo.core.tables import tables_text, write_tables
    from giamngheo.registry.histories import review_years
    from giamngheo.transitions.report import TRANSITIONS, TransitionsParams

    wanted = year_to if year_to is not None else None if year_from is None else year_from + 1
    unit = find_unit(code, wanted)
    if unit is None:
        exit_unknown(f"Không có đơn vị mã {code!r}", f"no unit with code {code!r}")
    # The national view: a superuser that is no account (nothing is written in its name).
    actor = get_user_model()(username="giamngheo-cli", is_superuser=True)
    years = review_years(actor=actor, unit=unit)
    y0, y1 = _pair(years, year_from, year_to, (unit_line(unit, "vi"), unit_line(unit, "en")))
    params = TransitionsParams(unit, y1, em)
    figures = current_value(TRANSITIONS, actor, params, "figures")
    language: Lang = "en" if lang == "en" else "vi"
    tables = TRANSITIONS.export_tables(figures, params, language)
    named = unit_line(unit, language)
    if out is None or fmt is None:
        click.echo(named)
        click.echo("")
        click.echo(tables_text(tables, language), nl=False)
        return
    buffer = io.BytesIO()  # nothing is written to OUT unless the whole export succeeds
    write_tables(tables, buffer, fmt, _meta(unit, y0, y1, em, language))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    click.echo(f"{named}: {y0} → {y1} → {out}")
