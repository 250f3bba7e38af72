"""Computed reports: tables computed from the data, kept per data version in a cache shared by
the web processes and the background worker, shown while a newer one is computed, every
figure opening the named households behind it, exported as xlsx, csv or JSON.

The life of one result::

    page / command line ─ cached() ─┬─ the current version's result is stored → shown
                                    └─ missing → start(): queue ONE computation per scope
                                                 (compute_report, run by ``giamngheo worker``)
                                                 and show the scope's previous result with its
                                                 time, or "computing"
    worker ─ compute_report(name, actor, params) ─ compute_and_store(): read the version, then
             the data; store each part; point the scope at the result; delete the result it
             replaces; clear the pending / failed markers (a failure sets the failed marker)

Pieces (this package imports Django, django-tasks and ``giamngheo.core``, nothing else of
the project: each report brings its own data, rights and version):

* :class:`~giamngheo.computed.definition.ComputedReport` — what a report is: its ``name``
  (the task finds it by it; the prefix of its cache keys), ``cache_alias``, the ``parts`` one
  result is stored in (a page reads only the part it shows), ``data_version()`` (a cheap
  version of everything it reads, changed by every write), ``scope(actor, params)``
  (what besides the version decides the result: nothing stored under one scope ever answers
  another), ``compute(actor, params, version)`` (yields the parts), ``encode_params`` /
  ``decode_params`` (JSON for the task), ``drill_down`` and ``export_tables``;
  :func:`~giamngheo.computed.definition.register` (from the app's ``AppConfig.ready``);
* :class:`~giamngheo.computed.store.ReportStore` — the keys and entries: the scope key, a
  result's key (scope key + digest of the version), the ``:latest`` pointer, the ``:pending``
  and ``:failed`` markers, ``publish`` and ``drop``, and small stamp-less values kept beside
  the version they were computed at (``stamped_value``);
* :mod:`~giamngheo.computed.tasks` — the one worker task :func:`compute_report` and
  :func:`compute_and_store` (also called directly, e.g. by the command line);
* :mod:`~giamngheo.computed.views` — :func:`cached` (the page's value and the state of its
  computation: :class:`Cached`), :func:`retry` (``?thu_lai=1``), the notices' context.

A new computed report (an official form, a completeness table, a dashboard) is: a pure
``compute`` in ``giamngheo.core`` that gives plain dataclasses (numbers and strings, no
model instances); a ``ComputedReport`` subclass in its app that reads the data, says its
version and scope and yields the parts; ``register(...)`` in the app's ``ready()``; views
that call :func:`cached` for the part they show and render it (the transitions app is the
example: ``giamngheo.transitions``); ``export_tables`` giving :mod:`giamngheo.core.tables`
tables, which every page and command writes the same way.

Freezing (issue 11: a report accepted at a moment is locked, later corrections of the data
show as a difference, never change it). A stored result is plain picklable data that renders
from itself alone (no query at render time), so freezing is an addition: a model that keeps
``(name, scope key, version, time, parts)`` copied from the scope's published result
(``ReportStore.latest`` → ``ReportStore.get`` of each part, pickled into the row, or the
``export_tables`` JSON for the figures); a page of a frozen report reads that row instead of
calling :func:`cached`, and shows the difference with the live result — :func:`cached` of the
same scope — cell by cell through the tables' stable row and column keys. Nothing in the
store, the task or the definitions changes; a frozen copy is never touched by ``publish`` or
``drop``, which only act on cache entries.
"""
