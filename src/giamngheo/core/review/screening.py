"""Phiếu A: the quick screening of an applicant household before the full survey (Phiếu B).

TT 07/2021/TT-BLĐTBXH Phụ lục II (still cited in 2025 by QĐ 967/QĐ-BNNMT) screens applicants
so that households that clearly are not poor do not take a full survey. The form's exact
questions were not found, so they are data (``data/phieu-a.json``, marked provisional, with a
note that every item must be checked against the official form): yes/no questions, each either
an **exclusion** (a "yes" means the household clearly is not poor) or **informative**.
Question keys are stable so that stored answers survive a change of wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from giamngheo.core.review._files import DATA_DIR, Reader, ReviewDataError, read_json

__all__ = [
    "PHIEU_A_FILE",
    "Question",
    "QuestionKind",
    "ReviewDataError",
    "Screening",
    "ScreeningError",
    "ScreeningForm",
    "load_phieu_a",
    "screen",
]

PHIEU_A_FILE = DATA_DIR / "phieu-a.json"
QuestionKind = Literal["exclusion", "informative"]


class ScreeningError(ValueError):
    """The answers do not fit the form; ``key`` names the question."""

    def __init__(self, key: str, message_vi: str, message_en: str) -> None:
        self.key = key
        self.message_vi = message_vi
        self.message_en = message_en
        super().__init__(f"{key}: {message_vi} / {message_en}")


@dataclass(frozen=True)
class Question:
    key: str
    kind: QuestionKind
    text_vi: str
    text_en: str


@dataclass(frozen=True)
class ScreeningForm:
    """One version of Phiếu A."""

    id: str
    name_vi: str
    name_en: str
    instrument: str
    provisional: bool
    note_vi: str
    note_en: str
    questions: tuple[Question, ...]
    source: str

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)


@dataclass(frozen=True)
class Screening:
    """``passed``: go on to Phiếu B. ``excluded_by``: the exclusion questions answered yes."""

    passed: bool
    reasons_vi: tuple[str, ...]
    reasons_en: tuple[str, ...]
    excluded_by: tuple[str, ...] = ()
    form: str = ""


def load_phieu_a(path: str | Path | None = None) -> ScreeningForm:
    """The Phiếu A questions (default: the shipped, provisional ``data/phieu-a.json``).

    Raises:
        ReviewDataError: naming the file and the key that is wrong.
    """
    if path is None:
        return _default_form()
    return _load_form(Path(path))


@cache
def _default_form() -> ScreeningForm:
    return _load_form(PHIEU_A_FILE)


def _load_form(path: Path) -> ScreeningForm:
    data, source = read_json(path)
    r = Reader(source)
    questions: list[Question] = []
    for n, q in enumerate(r.items(data, "questions", "")):
        where = f"questions[{n}]"
        if not isinstance(q, Mapping):
            raise r.fail(where, "phải là một đối tượng", "expected an object")
        key = r.text(q, "key", where)
        if not key.isidentifier() or key != key.lower():
            raise r.fail(
                f"{where}.key", "phải là định danh chữ thường", "expected a lower-case identifier"
            )
        if key in {x.key for x in questions}:
            raise r.fail(f"{where}.key", f"câu hỏi {key!r} bị trùng", f"duplicate question {key!r}")
        kind: Any = q.get("kind")
        if kind not in ("exclusion", "informative"):
            raise r.fail(
                f"{where}.kind",
                "phải là exclusion hoặc informative",
                "expected exclusion or informative",
            )
        questions.append(
            Question(key, kind, r.text(q, "text_vi", where), r.text(q, "text_en", where))
        )
    provisional = r.flag(data, "provisional", "", True)
    note_vi, note_en = r.pair(data, "note", "")
    if provisional and not note_vi:
        raise r.fail("note_vi", "biểu mẫu tạm thời cần ghi chú", "a provisional form needs a note")
    return ScreeningForm(
        id=r.text(data, "id", ""),
        name_vi=r.text(data, "name_vi", ""),
        name_en=r.text(data, "name_en", ""),
        instrument=r.text(r.obj(data, "legal_basis", ""), "instrument", "legal_basis"),
        provisional=provisional,
        note_vi=note_vi,
        note_en=note_en,
        questions=tuple(questions),
        source=source,
    )


def screen(answers: Mapping[str, bool], form: ScreeningForm | None = None) -> Screening:
    """Screen one applicant: passed unless an exclusion question is answered yes.

    Every question must be answered with True or False; a missing, extra or non-boolean answer
    is an error naming the question, so that a renamed question is never silently skipped.

    Raises:
        ScreeningError: naming the question.
    """
    f = form if form is not None else load_phieu_a()
    for q in f.questions:
        if q.key not in answers:
            raise ScreeningError(
                q.key,
                f"chưa trả lời câu hỏi «{q.text_vi}»",
                f"question not answered: “{q.text_en}”",
            )
        if not isinstance(answers[q.key], bool):
            raise ScreeningError(
                q.key,
                f"câu trả lời phải là có/không (True/False), không phải {answers[q.key]!r}",
                f"the answer must be yes/no (True/False), not {answers[q.key]!r}",
            )
    extra = sorted(set(answers) - set(f.keys))
    if extra:
        raise ScreeningError(
            extra[0],
            f"Phiếu A ({f.id}) không có câu hỏi {', '.join(extra)}",
            f"Form A ({f.id}) has no question {', '.join(extra)}",
        )
    excluded = [q for q in f.questions if q.kind == "exclusion" and answers[q.key]]
    noted = [q for q in f.questions if q.kind == "informative" and answers[q.key]]
    if excluded:
        vi = [f"Loại khỏi rà soát: {q.text_vi} — có" for q in excluded]
        en = [f"Excluded from the survey: {q.text_en} — yes" for q in excluded]
    else:
        vi = ["Không thuộc tiêu chí loại trừ nào: tiếp tục khảo sát bằng Phiếu B"]
        en = ["No exclusion criterion applies: go on to the Phiếu B survey"]
    vi += [f"Ghi nhận: {q.text_vi} — có" for q in noted]
    en += [f"Noted: {q.text_en} — yes" for q in noted]
    if f.provisional:
        vi.append(f.note_vi)
        en.append(f.note_en)
    return Screening(
        passed=not excluded,
        reasons_vi=tuple(vi),
        reasons_en=tuple(en),
        excluded_by=tuple(q.key for q in excluded),
        form=f.id,
    )
