"""Fast multi-row INSERT for the import's hot paths.

``Model.objects.bulk_create`` spends ~100 µs per object in the ORM (field preparation, SQL
compilation); at 300,000 rows per 100,000-household import that alone is most of the minute.
``insert_many`` prepares each column once (a converter per field) and sends the rows with
``cursor.executemany`` (one prepared statement) on SQLite and ``COPY … FROM STDIN`` on
PostgreSQL. Only plain columns are supported (no defaults computed in Python beyond what the
caller passes).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import DatabaseError, connection, models

log = logging.getLogger(__name__)
Converter = Callable[[Any], Any]
#: One encoder for every value (``json.dumps`` with options builds a new one per call).
_json_text: Converter = json.JSONEncoder(ensure_ascii=False).encode


def _converter(field: models.Field[Any, Any]) -> Converter | None:
    """How to turn a Python value into the database parameter, None when it passes as is."""
    ops = connection.ops
    if isinstance(field, models.JSONField) or getattr(field, "json_as_text", False):
        return _json_text
    if isinstance(field, models.DateTimeField):
        last: list[Any] = [None, None]

        def dt_value(v: Any) -> Any:
            # A whole chunk shares one timestamp: convert it once.
            if v is not last[0]:
                last[0], last[1] = v, None if v is None else ops.adapt_datetimefield_value(v)
            return last[1]

        return dt_value
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    return None


def tune_connection() -> None:
    """A larger page cache for this connection on SQLite (the default 2 MB makes every index
    insert of a big import go to disk); no-op elsewhere."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")  # 64 MB, this connection only


@contextlib.contextmanager
def bulk_session(*, staging: bool = True) -> Iterator[None]:
    """The settings of a bulk job's connection, restored after it.

    * SQLite: a 64 MB page cache.
    * PostgreSQL: ``random_page_cost = 1.1`` — the cost of a random read on the SSDs and
      cached tables this runs on, where the default (4, for spinning disks) plans the job's
      ``IN (2,000 keys)`` look-ups as scans of the whole table (measured: 41 ms a look-up
      instead of 10 ms, 13 s of a 100,000-household re-import); and, while staging
      (``staging=True``), ``synchronous_commit = off``, so that each of the many short
      transactions of the validation does not wait for its WAL flush — the durability SQLite
      has here in WAL mode with ``synchronous=NORMAL``: a crash of the server may lose the last
      moments of committed work, never consistency (the import is then in the state it had
      before and is run again). The commit (``staging=False``) stays durable."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (cache_size,) = cursor.fetchone()
        tune_connection()
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
        return
    if connection.vendor != "postgresql":
        yield
        return
    settings = ["random_page_cost"] + (["synchronous_commit"] if staging else [])
    with connection.cursor() as cursor:
        cursor.execute("SET random_page_cost = 1.1")
        if staging:
            cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in settings:
                cursor.execute(f"RESET {name}")


def insert_many(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """INSERT ``rows`` (values in the order of ``fields``; FKs by their ``*_id`` attname).
    Returns the number of rows sent."""
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    columns = [by_attname[f] for f in fields]
    convert = [_converter(f) for f in columns]
    qn = connection.ops.quote_name
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    placeholders = ", ".join(
        f"%s{json_cast}" if isinstance(f, models.JSONField) else "%s" for f in columns
    )
    names = ", ".join(qn(f.column) for f in columns)
    sql = f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES ({placeholders})"
    todo = [(i, c) for i, c in enumerate(convert) if c is not None]
    data: list[Sequence[Any]] = []
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"{len(row)} values for {len(columns)} columns")
        if todo:
            values = list(row)
            for i, c in todo:
                values[i] = c(values[i])
            data.append(values)
        else:
            data.append(row)
    if not data:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: several times faster than INSERT on the server side.
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {qn(meta.db_table)} ({names}) FROM STDIN") as copy:
                for record in data:
                    copy.write_row(record)
        else:
            cursor.executemany(sql, data)
    return len(data)


#: Rows written by one job above which the planner's statistics are refreshed.
ANALYZE_AFTER_ROWS = 10_000


def refresh_statistics(*models_: type[models.Model], rows: int) -> None:
    """On PostgreSQL, ``ANALYZE`` the tables a bulk job just filled (``rows`` written). Without
    it the planner keeps the statistics of the tables before the load until autovacuum comes
    by, and plans the next job's ``IN (…)`` lookups as scans of the whole table (measured: a
    re-import's member-ID checks took 15 s instead of 1 s). Samples a fixed number of rows:
    a fraction of a second. No-op on SQLite, whose plans here do not depend on statistics,
    and for small jobs."""
    if connection.vendor != "postgresql" or rows < ANALYZE_AFTER_ROWS:
        return
    qn = connection.ops.quote_name
    try:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(qn(m._meta.db_table) for m in models_))
    except DatabaseError as exc:  # only a planning aid: the job itself is done
        log.warning("ANALYZE after a bulk job failed: %s", exc)
