"""Filling the Word templates (docxtpl) and naming the files.

Each document type has one template in ``templates/`` (or in a unit's own folder given as
``template_dir``, with the same file names) and one function that turns the dataclass into
the template's variables: every value is already *printed text* (numbers in the Vietnamese
format ``1.234``/``66,67``, dates ``dd/mm/yyyy``, the place-and-date line of NĐ 30/2020), so
the templates need no filters and an IT person editing them sees plain names. The variables
are listed in ``templates/README.md``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from copy import deepcopy
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any

from docx import Document as open_docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from giamngheo.core.documents.model import (
    Certificate,
    DecisionRow,
    Document,
    Handover,
    Head,
    MeetingMinutes,
    MonthlyReport,
    MonthlyRow,
    PostingList,
    PostingRow,
    RecognitionDecision,
    RefusalLetter,
    Signer,
)
from giamngheo.core.numbers import format_int, format_pct
from giamngheo.core.text import fold

TEMPLATE_DIR = Path(__file__).parent / "templates"

TemplateDir = str | PathLike[str] | None

TEMPLATE_NAMES: dict[type, str] = {
    MeetingMinutes: "minutes.docx",
    PostingList: "posting_list.docx",
    RecognitionDecision: "decision.docx",
    Certificate: "certificate.docx",
    RefusalLetter: "refusal.docx",
    MonthlyReport: "monthly_report.docx",
    Handover: "handover.docx",
}


# --- printed forms -------------------------------------------------------------------------


def short_date(d: date) -> str:
    """``dd/mm/yyyy``."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def long_date(d: date) -> str:
    """``ngày 05 tháng 02 năm 2026`` as NĐ 30/2020 writes it: days below 10 and the months 1
    and 2 take a leading zero, the other months do not (``ngày 19 tháng 3 năm 2026``)."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def month_label(month: int, year: int) -> str:
    """``02 năm 2026`` / ``10 năm 2026`` (the same leading-zero rule)."""
    return f"{month:02d} năm {year}" if month < 3 else f"{month} năm {year}"


def place_date(head: Head) -> str:
    return f"{head.place}, {long_date(head.date)}"


def number_line(head: Head) -> str:
    """``Số: 12/QĐ-UBND``; a blank to fill by hand when the number is not known yet; nothing
    when the document has no symbol."""
    if not head.symbol:
        return ""
    if head.number is None:
        return f"Số:\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/{head.symbol}"
    return f"Số: {head.number}/{head.symbol}"


def reference(head: Head) -> str:
    """``12/QĐ-UBND ngày 19/02/2026`` (the blank kept when there is no number)."""
    number = head.number if head.number is not None else "\u00a0\u00a0\u00a0\u00a0\u00a0"
    return f"{number}/{head.symbol} ngày {short_date(head.date)}"


def _head(head: Head) -> dict[str, Any]:
    return {
        "superior": head.superior,
        "issuer": head.issuer,
        "number_line": number_line(head),
        "place_date": place_date(head),
    }


def _signer(signer: Signer) -> dict[str, str]:
    return {"authority": signer.authority, "title": signer.title, "name": signer.name}


def _indicators(numbers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in sorted(numbers))


def _check_indicators(numbers: Sequence[int]) -> None:
    bad = [n for n in numbers if not 1 <= n <= 12]
    if bad:
        raise ValueError(
            f"chỉ số thiếu hụt phải từ 1 đến 12: {bad} / deprivation indicators are 1-12: {bad}"
        )


# --- contexts ------------------------------------------------------------------------------


def _minutes(doc: MeetingMinutes) -> dict[str, Any]:
    passed = doc.passed
    result = (
        "Kết quả chấm điểm, phân loại được thông qua (từ 50 % số người dự họp trở lên đồng ý)."
        if passed
        else "Kết quả chấm điểm, phân loại không được thông qua (dưới 50 % số người dự họp "
        "đồng ý). Các hộ gia đình nêu trên được thu thập lại thông tin, chấm điểm lại và "
        "thôn tổ chức họp dân lại."
    )
    end = doc.ended_at
    return {
        **_head(doc.head),
        "copies": list(doc.copies),
        "commune": doc.commune,
        "village": doc.village,
        "subject": doc.subject,
        "attempt": str(doc.attempt),
        "time": f"{doc.held_at.hour:02d} giờ {doc.held_at.minute:02d} phút",
        "end_time": f"{end.hour:02d} giờ {end.minute:02d} phút" if end else "…… giờ …… phút",
        "day": short_date(doc.held_at.date()),
        "venue": doc.venue,
        "chair": {"name": doc.chair.name, "role": doc.chair.role},
        "secretary": {"name": doc.secretary.name, "role": doc.secretary.role},
        "attendees": format_int(doc.attendees),
        "key_attendees": [{"name": p.name, "role": p.role} for p in doc.key_attendees],
        "households": [
            {
                "no": str(i),
                "code": h.code,
                "head_name": h.head_name,
                "proposal": h.proposal,
                "summary": h.summary,
            }
            for i, h in enumerate(doc.households, 1)
        ],
        "agreed": format_int(doc.agreed),
        "percentage": f"{format_pct(doc.percentage)}\u00a0%",  # no line break before %
        "passed": passed,
        "result": result,
        "representatives": [
            {"no": str(i), "name": name, "blank": ""}
            for i, name in enumerate(doc.household_representatives, 1)
        ],
    }


def _posting_rows(rows: Sequence[PostingRow]) -> list[dict[str, str]]:
    return [
        {
            "no": str(i),
            "code": r.code,
            "head_name": r.head_name,
            "village": r.village,
            "persons": format_int(r.persons),
            "ethnic_minority": "x" if r.ethnic_minority else "",
        }
        for i, r in enumerate(rows, 1)
    ]


def _posting(doc: PostingList) -> dict[str, Any]:
    groups = (
        ("I. HỘ NGHÈO (đề nghị công nhận)", doc.poor),
        ("II. HỘ CẬN NGHÈO (đề nghị công nhận)", doc.near_poor),
        ("III. HỘ THOÁT NGHÈO (đề nghị công nhận)", doc.escaped_poor),
        ("IV. HỘ THOÁT CẬN NGHÈO (đề nghị công nhận)", doc.escaped_near_poor),
    )
    where = f"{doc.village}, xã {doc.commune}" if doc.village else f"Xã {doc.commune}"
    return {
        **_head(doc.head),
        "commune": doc.commune,
        "village": doc.village or "",
        "where": where,
        "subject": doc.subject,
        "posting_place": doc.posting_place,
        "start": short_date(doc.start),
        "end": short_date(doc.end),
        "sections": [
            {
                "title": title,
                "rows": _posting_rows(rows),
                "households": format_int(len(rows)),
                "persons": format_int(sum(r.persons for r in rows)),
            }
            for title, rows in groups
        ],
        "complaints": doc.complaints,
        "complaints_until": short_date(doc.complaints_until),
        "signer": _signer(doc.signer),
    }


def _decision_rows(rows: Sequence[DecisionRow]) -> list[dict[str, str]]:
    for r in rows:
        _check_indicators(r.deprived)
    return [
        {
            "no": str(i),
            "code": r.code,
            "head_name": r.head_name,
            "village": r.village,
            "persons": format_int(r.persons),
            "classification": r.classification,
            "deprived": _indicators(r.deprived),
        }
        for i, r in enumerate(rows, 1)
    ]


def _decision(doc: RecognitionDecision) -> dict[str, Any]:
    groups = (
        ("Hộ nghèo", "HỘ NGHÈO", doc.poor),
        ("Hộ cận nghèo", "HỘ CẬN NGHÈO", doc.near_poor),
        ("Hộ thoát nghèo", "HỘ THOÁT NGHÈO", doc.escaped_poor),
        ("Hộ thoát cận nghèo", "HỘ THOÁT CẬN NGHÈO", doc.escaped_near_poor),
    )
    return {
        **_head(doc.head),
        "commune": doc.commune,
        "decider": doc.decider,
        "subject": doc.subject,
        "legal_bases": list(doc.legal_bases),
        "counts": [
            {
                "label": label,
                "households": format_int(len(rows)),
                "persons": format_int(sum(r.persons for r in rows)),
            }
            for label, _, rows in groups
        ],
        "effect": (
            "kể từ ngày ký"
            if doc.effective is None or doc.effective == doc.head.date
            else f"kể từ ngày {short_date(doc.effective)}"
        ),
        "executors": doc.executors,
        "signer": _signer(doc.signer),
        "recipients": list(doc.recipients),
        "reference": reference(doc.head),
        "annexes": [
            {
                "title": title,
                "rows": _decision_rows(rows),
                "households": format_int(len(rows)),
                "persons": format_int(sum(r.persons for r in rows)),
            }
            for _, title, rows in groups
            if rows
        ],
    }


def _certificate(doc: Certificate) -> dict[str, Any]:
    for y in doc.years:
        _check_indicators(y.deprived)
        if y.classification not in ("N", "CN"):
            raise ValueError(
                f"phân loại phải là N hoặc CN, không phải {y.classification!r} / "
                f"classification must be N or CN, not {y.classification!r}"
            )
    return {
        **_head(doc.head),
        "certifier": doc.certifier,
        "legal_bases": list(doc.legal_bases),
        "period": doc.period,
        "head_name": doc.head_name,
        "ethnicity": doc.ethnicity,
        "id_number": doc.id_number,
        "id_issued": short_date(doc.id_issued) if doc.id_issued else "",
        "residence": doc.residence,
        "members": [
            {
                "no": str(i),
                "name": m.name,
                "ethnicity": m.ethnicity,
                "relation": m.relation,
                "male_year": str(m.birth_year) if m.male else "",
                "female_year": "" if m.male else str(m.birth_year),
                "note": m.note,
            }
            for i, m in enumerate(doc.members, 1)
        ],
        "years": [
            {
                "year": str(y.year),
                "classification": y.classification,
                "marks": ["x" if n in y.deprived else "" for n in range(1, 13)],
                "deprived": _indicators(y.deprived),
                "date": short_date(y.confirmed_on) if y.confirmed_on else "",
                "confirmed_by": y.confirmed_by,
            }
            for y in sorted(doc.years, key=lambda y: y.year)
        ],
        "signer": _signer(doc.signer),
    }


def _refusal(doc: RefusalLetter) -> dict[str, Any]:
    return {
        **_head(doc.head),
        "summary": doc.summary,
        "responder": doc.responder,
        "addressee_name": doc.addressee_name,
        "addressee_residence": doc.addressee_residence,
        "applied_for": doc.applied_for,
        "received": short_date(doc.received),
        "reasons": list(doc.reasons),
        "signer": _signer(doc.signer),
        "recipients": list(doc.recipients),
    }


def _monthly_row(row: MonthlyRow, no: str) -> dict[str, str]:
    return {
        "no": no,
        "unit": row.unit,
        "new_poor": format_int(row.new_poor),
        "new_near_poor": format_int(row.new_near_poor),
        "escaped_poor": format_int(row.escaped_poor),
        "escaped_near_poor": format_int(row.escaped_near_poor),
        "received": format_int(row.received),
        "refused": format_int(row.refused),
    }


def _monthly(doc: MonthlyReport) -> dict[str, Any]:
    if not 1 <= doc.month <= 12:
        raise ValueError(f"tháng không hợp lệ: {doc.month} / invalid month: {doc.month}")
    return {
        **_head(doc.head),
        "addressee": doc.addressee,
        "reporter": doc.reporter,
        "month_label": month_label(doc.month, doc.year),
        "start": short_date(doc.period_start),
        "end": short_date(doc.period_end),
        "unit_label": doc.unit_label,
        "rows": [_monthly_row(r, str(i)) for i, r in enumerate(doc.rows, 1)],
        "totals": _monthly_row(doc.totals, ""),
        "notes": list(doc.notes),
        "signer": _signer(doc.signer),
        "recipients": list(doc.recipients),
    }


def _signing(signer: Signer | None, hint: str) -> dict[str, str]:
    """A signer of a row of signers: two heading lines (the authority and the title, or the
    title alone on the first), the hint, the name; all empty for none."""
    if signer is None:
        return {"line1": "", "line2": "", "name": "", "hint": ""}
    lines = [t for t in (signer.authority, signer.title) if t] + ["", ""]
    return {"line1": lines[0], "line2": lines[1], "name": signer.name, "hint": hint}


_SIGN = "(Ký, ghi rõ họ tên)"
_SIGN_STAMP = "(Ký, ghi rõ họ tên, đóng dấu)"


def _handover(doc: Handover) -> dict[str, Any]:
    where = f"{doc.village}, xã {doc.commune}" if doc.village else f"Xã {doc.commune}"
    return {
        **_head(doc.head),
        "project": doc.project,
        "approval": doc.approval,
        "giver": doc.giver,
        "commune": doc.commune,
        "village": doc.village or "",
        "where": where,
        "day": short_date(doc.delivered_on),
        "place": doc.place,
        "rows": [
            {
                "no": str(i),
                "code": r.code,
                "head_name": r.head_name,
                "village": r.village,
                "item": r.item,
                "quantity": f"{format_int(r.quantity)} {r.unit_label}".strip(),
                "value": format_int(r.value),
            }
            for i, r in enumerate(doc.rows, 1)
        ],
        "households": format_int(doc.households),
        "total": format_int(doc.total),
        "total_in_words": doc.total_in_words,
        "preparer": _signing(doc.preparer, _SIGN),
        "village_signer": _signing(doc.village_signer, _SIGN),
        "giver_signer": _signing(doc.giver_signer, _SIGN_STAMP),
        "commune_signer": _signing(doc.commune_signer, _SIGN_STAMP),
    }


def context(doc: Document) -> dict[str, Any]:
    """The template variables of ``doc`` (all printed text)."""
    if isinstance(doc, MeetingMinutes):
        return _minutes(doc)
    if isinstance(doc, PostingList):
        return _posting(doc)
    if isinstance(doc, RecognitionDecision):
        return _decision(doc)
    if isinstance(doc, Certificate):
        return _certificate(doc)
    if isinstance(doc, RefusalLetter):
        return _refusal(doc)
    if isinstance(doc, MonthlyReport):
        return _monthly(doc)
    if isinstance(doc, Handover):
        return _handover(doc)
    raise TypeError(f"not a document: {type(doc).__name__}")


# --- rendering -----------------------------------------------------------------------------


def template_path(doc: Document, template_dir: TemplateDir = None) -> Path:
    folder = Path(template_dir) if template_dir is not None else TEMPLATE_DIR
    path = folder / TEMPLATE_NAMES[type(doc)]
    if not path.is_file():
        raise FileNotFoundError(
            f"không có mẫu {path.name} trong {folder} / no template {path.name} in {folder}"
        )
    return path


def render_docx(doc: Document, template_dir: TemplateDir = None) -> bytes:
    """The filled Word document."""
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    tpl = DocxTemplate(str(template_path(doc, template_dir)))
    tpl.render(context(doc), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def render_batch_docx(
    docs: Sequence[Document],
    template_dir: TemplateDir = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """Several documents (of one template, e.g. certificates) in one Word file, each starting
    on a new page: the bodies of the filled documents appended to the first one.
    ``progress`` is told how many documents are filled so far, after each one."""
    if not docs:
        raise ValueError("không có văn bản nào / no documents")
    kinds = {type(d) for d in docs}
    if len(kinds) > 1:
        raise ValueError(
            "một tệp chỉ gộp các văn bản cùng loại / a batch holds documents of one kind"
        )
    parts = []
    for n, d in enumerate(docs, 1):
        parts.append(render_docx(d, template_dir))
        if progress is not None:
            progress(n)
    master = open_docx(io.BytesIO(parts[0]))
    body = master.element.body
    sect_pr = body.find(qn("w:sectPr"))
    for part in parts[1:]:
        _end_with_page_break(body)
        other = open_docx(io.BytesIO(part)).element.body
        for child in list(other):
            if child.tag == qn("w:sectPr"):
                continue
            if sect_pr is not None:
                sect_pr.addprevious(deepcopy(child))
            else:  # pragma: no cover - python-docx documents always carry a sectPr
                body.append(deepcopy(child))
    out = io.BytesIO()
    master.save(out)
    return out.getvalue()


def _end_with_page_break(body: Any) -> None:
    """Put a page break at the end of the body's last paragraph (a new paragraph when the
    body ends with a table), so the next document starts on a new page without an empty
    first line."""
    content = [c for c in body if c.tag != qn("w:sectPr")]
    last = content[-1] if content else None
    if last is None or last.tag != qn("w:p"):
        last = OxmlElement("w:p")
        sect_pr = body.find(qn("w:sectPr"))
        if sect_pr is not None:
            sect_pr.addprevious(last)
        else:  # pragma: no cover
            body.append(last)
    run = OxmlElement("w:r")
    br = OxmlElement("w:br")
    br.set(qn("w:type"), "page")
    run.append(br)
    last.append(run)


# --- file names ----------------------------------------------------------------------------

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """ASCII-folded, lower case, words joined by "-": ``Thôn 1`` → ``thon-1``."""
    return _SLUG.sub("-", fold(text)).strip("-")


PREFIXES: dict[type, str] = {
    MeetingMinutes: "bien-ban-hop-dan",
    PostingList: "danh-sach-niem-yet",
    RecognitionDecision: "quyet-dinh-cong-nhan",
    Certificate: "giay-chung-nhan",
    RefusalLetter: "van-ban-tra-loi",
    MonthlyReport: "bao-cao-thang",
    Handover: "bien-ban-giao-nhan",
}


def file_name(doc: Document, ext: str) -> str:
    """A sensible ASCII file name, e.g. ``bien-ban-hop-dan-thon-1-lan-2.pdf``."""
    parts: list[str]
    if isinstance(doc, MeetingMinutes):
        parts = [doc.village, f"lan {doc.attempt}"]
    elif isinstance(doc, PostingList):
        parts = [doc.village or f"xa {doc.commune}", doc.start.isoformat()]
    elif isinstance(doc, RecognitionDecision):
        parts = [f"xa {doc.commune}", _number_part(doc.head)]
    elif isinstance(doc, Certificate):
        parts = [_number_part(doc.head), doc.head_name]
    elif isinstance(doc, RefusalLetter):
        parts = [doc.addressee_name, doc.head.date.isoformat()]
    elif isinstance(doc, MonthlyReport):
        parts = [f"{doc.year}-{doc.month:02d}", doc.head.issuer]
    elif isinstance(doc, Handover):
        parts = [f"xa {doc.commune}", doc.village or "", doc.delivered_on.isoformat()]
    else:
        raise TypeError(f"not a document: {type(doc).__name__}")
    name = "-".join([PREFIXES[type(doc)], *(s for s in (slug(p) for p in parts) if s)])
    return f"{name}.{ext.lstrip('.').lower()}"


def batch_file_name(docs: Sequence[Document], ext: str) -> str:
    """``giay-chung-nhan-3-ban.pdf`` and the like for a batch."""
    if not docs:
        raise ValueError("không có văn bản nào / no documents")
    return f"{PREFIXES[type(docs[0])]}-{len(docs)}-ban.{ext.lstrip('.').lower()}"


def _number_part(head: Head) -> str:
    return f"so {head.number} {head.symbol}" if head.number else head.date.isoformat()
