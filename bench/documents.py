"""How fast the signed documents are made: each kind as .docx and as PDF, and a batch of
certificates (one household a page) as one PDF.

The baseline is the same drawing with python-docx's own style lookup on every access (what
``core.documents.pdf`` did before it cached the styles per id): python-docx scans every style
of the document, latent ones included, each time a paragraph or run asks for its style.

    .venv/bin/python bench/documents.py                  # best of 3, a batch of 100
    .venv/bin/python bench/documents.py --batch 300 --repeat 1

Pure core: no Django, no database. Writes ``bench/out/documents.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "core" / "documents"))

import documents_samples as samples  # noqa: E402  (the tests' sample documents)

from giamngheo.core.documents import pdf as pdf_module  # noqa: E402
from giamngheo.core.documents import (  # noqa: E402
    render_batch_pdf,
    render_docx,
    render_pdf,
)

KINDS = ("minutes", "posting_list", "decision", "certificate", "refusal", "monthly_report")


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


@contextmanager
def uncached_styles() -> Iterator[None]:
    """python-docx's lookup on every access: the baseline."""
    resolver: Any = pdf_module._Resolver
    original = resolver.style_of
    resolver.style_of = lambda self, kind, item: item.style
    try:
        yield
    finally:
        resolver.style_of = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    render_pdf(samples.refusal())  # fonts registered, templates read once
    rows: list[dict[str, Any]] = []
    for kind in KINDS:
        doc = getattr(samples, kind)()
        docx = best(lambda d=doc: render_docx(d), args.repeat)
        ours = best(lambda d=doc: render_pdf(d), args.repeat)
        with uncached_styles():
            base = best(lambda d=doc: render_pdf(d), args.repeat)
        rows.append({"what": kind, "docx_s": docx, "pdf_s": ours, "baseline_pdf_s": base})
    certs = [samples.certificate(name=f"Hộ {i}", number=str(i)) for i in range(args.batch)]
    ours = best(lambda: render_batch_pdf(certs), 1)
    with uncached_styles():
        base = best(lambda: render_batch_pdf(certs[: max(1, args.batch // 10)]), 1) * (
            args.batch / max(1, args.batch // 10)
        )
    rows.append(
        {"what": f"{args.batch} certificates, one PDF", "pdf_s": ours, "baseline_pdf_s": base}
    )
    print(f"{'what':36} {'docx':>8} {'pdf':>8} {'baseline':>9} {'speed-up':>9}")
    for r in rows:
        docx_text = f"{r['docx_s']:.3f}" if "docx_s" in r else "-"
        print(
            f"{r['what']:36} {docx_text:>8} {r['pdf_s']:8.3f} {r['baseline_pdf_s']:9.3f} "
            f"{r['baseline_pdf_s'] / r['pdf_s']:8.1f}×"
        )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    report = {"load_average": os.getloadavg(), "repeat": args.repeat, "rows": rows}
    (out / "documents.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("(the baseline batch is timed on a tenth of the batch and scaled)")


if __name__ == "__main__":
    main()
