"""Reading one cell of a record: blank, text, a 0/1 flag, a date or year of birth, a date.

A cell is what a spreadsheet reader gives (``None``, ``str``, ``int``, ``float``, ``bool``,
``datetime.date``/``datetime``) or what a form or an API sends; :func:`jsonable` turns it
into a value the staged row can keep as JSON.
"""

from __future__ import annotations

import datetime as dt

from giamngheo.core.records.vocab import FALSE_WORDS, TRUE_WORDS, cfold

__all__ = ["PLAIN", "birth", "blank", "cfold", "date", "flag", "jsonable", "text"]

#: The types a JSON value keeps as they are.
PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: object) -> object:
    """A cell as JSON can hold it: dates as ISO text (a datetime at midnight as its date)."""
    if type(value) in PLAIN:
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def blank(v: object) -> bool:
    """``None`` or only white space."""
    return v is None or (isinstance(v, str) and not v.strip())


def text(v: object) -> str:
    """The cell as stripped text; a whole float without its ".0" (``1980.0`` → ``"1980"``)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


_FAST_FLAGS: dict[object, bool] = {"0": False, "1": True, "": False, None: False, 0: False, 1: True}
_MISS = object()


def flag(v: object) -> bool | None:
    """0/1, x, có/không; blank is 0. None when unreadable."""
    hit = _FAST_FLAGS.get(v, _MISS)
    if hit is not _MISS:
        return bool(hit)
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return bool(v) if v in (0, 1) else None
    key = cfold(text(v))
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    return None


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S")


def birth(v: object) -> tuple[dt.date | None, int] | None:
    """(date or None, year) from a date, a year, "dd/mm/yyyy" or "yyyy-mm-dd"."""
    if isinstance(v, dt.date):
        d = v.date() if isinstance(v, dt.datetime) else v
        return d, d.year
    t = text(v)
    if t.isdigit() and len(t) == 4:
        return None, int(t)
    for fmt in _DATE_FORMATS:
        try:
            d = dt.datetime.strptime(t, fmt).date()
        except ValueError:
            continue
        return d, d.year
    return None


def date(v: object) -> dt.date | None:
    """A date from a date cell or text in one of :func:`birth`'s formats (not a bare year)."""
    b = birth(v)
    return b[0] if b is not None else None
