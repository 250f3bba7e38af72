"""What a computed report is (:class:`ComputedReport`) and the registry of reports the worker's
task finds them in by name (:func:`register`, :func:`get_report`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from giamngheo.core.numbers import Lang
from giamngheo.core.tables import Table

P = TypeVar("P")


class ComputedReport(ABC, Generic[P]):
    """A table computed from the data, cached per data version (see ``giamngheo.computed``).

    ``P`` is the report's parameters as the pages hold them (e.g. a unit and a year); the task
    receives them as JSON (:meth:`encode_params` / :meth:`decode_params`)."""

    #: The name the worker's task finds the report by; the prefix of its cache keys.
    name: ClassVar[str]
    #: The entries one result is stored in (each read on its own: a page reads what it shows).
    parts: ClassVar[tuple[str, ...]]
    #: The cache (``settings.CACHES`` alias; the default cache when it is not configured).
    cache_alias: ClassVar[str] = "default"

    @abstractmethod
    def data_version(self) -> str:
        """A cheap version of everything the computation reads: any write changes it."""

    @abstractmethod
    def scope(self, actor: Any, params: P) -> object:
        """What besides the data version decides the result (its ``repr`` is digested into
        the keys): for a report restricted by rights, what the actor may see of it. Two
        requests with the same scope share results; nothing of one scope answers another."""

    @abstractmethod
    def compute(self, actor: Any, params: P, version: str) -> Iterator[tuple[str, object]]:
        """The parts of the result, ``(part, value)`` one at a time: each is stored when it
        is yielded, so its memory can go before the next one is computed. ``version`` was read
        before the data: a write meanwhile can only make the result look older than it is."""

    @abstractmethod
    def encode_params(self, params: P) -> dict[str, Any]:
        """The parameters as JSON (the task's argument)."""

    @abstractmethod
    def decode_params(self, data: Mapping[str, Any]) -> P:
        """The parameters from :meth:`encode_params`' JSON (in the worker)."""

    def drill_down(self, index: Any, figure: Any) -> tuple[Sequence[int], int]:
        """The households behind one figure: positions in ``index`` (the part that holds
        them), in list order, and the figure's persons. A report without drill-down has none."""
        raise NotImplementedError(f"{self.name}: no drill-down")

    def export_tables(
        self, value: Any, params: P, lang: Lang, notes: Sequence[str] = ()
    ) -> list[Table]:
        """The result's tables for export (xlsx, csv, JSON: ``giamngheo.core.tables``) from
        the part ``value`` they render from, with ``notes`` under the title."""
        raise NotImplementedError(f"{self.name}: no export")


_REPORTS: dict[str, ComputedReport[Any]] = {}


def register(report: ComputedReport[Any]) -> ComputedReport[Any]:
    """Make ``report`` known to the worker's task (from its app's ``AppConfig.ready``). The
    same report again is a no-op; another one under a taken name is an error."""
    found = _REPORTS.get(report.name)
    if found is not None and type(found) is not type(report):
        raise ValueError(f"computed report {report.name!r} is registered already")
    _REPORTS.setdefault(report.name, report)
    return _REPORTS[report.name]


def unregister(name: str) -> None:
    _REPORTS.pop(name, None)


def get_report(name: str) -> ComputedReport[Any]:
    """The registered report ``name`` (``KeyError`` when there is none)."""
    try:
        return _REPORTS[name]
    except KeyError:
        raise KeyError(f"no computed report {name!r} (registered: {sorted(_REPORTS)})") from None
