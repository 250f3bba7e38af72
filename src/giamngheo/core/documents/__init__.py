"""The signed documents of the poverty review, as Word (.docx) and PDF.

Six documents, each a plain frozen dataclass (``model``) and a Word template of its own
(``templates/*.docx``, filled by docxtpl; an IT person edits them in Word):

=======================  ============================  ==============================
document                 dataclass                     template
=======================  ============================  ==============================
biên bản họp dân         ``MeetingMinutes``            ``minutes.docx`` (two copies)
danh sách niêm yết       ``PostingList``               ``posting_list.docx``
quyết định công nhận     ``RecognitionDecision``       ``decision.docx`` (+ annexes)
giấy chứng nhận (Mẫu 03) ``Certificate``               ``certificate.docx``
văn bản trả lời          ``RefusalLetter``             ``refusal.docx``
báo cáo tháng            ``MonthlyReport``             ``monthly_report.docx``
=======================  ============================  ==============================

The PDF is drawn from the *filled* .docx (``pdf.docx_to_pdf``), so the layout exists once.
A unit's own edited templates are used with ``template_dir=`` (a folder with the same file
names). Pure Python: no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from giamngheo.core.documents.model import (
    Certificate,
    CertificateMember,
    CertificateYear,
    DecisionRow,
    Document,
    Head,
    MeetingMinutes,
    MinutesHousehold,
    MonthlyReport,
    MonthlyRow,
    Person,
    PostingList,
    PostingRow,
    RecognitionDecision,
    RefusalLetter,
    Signer,
)
from giamngheo.core.documents.pdf import docx_to_pdf
from giamngheo.core.documents.pdf_word import UnsupportedWordFeature
from giamngheo.core.documents.render import (
    TEMPLATE_DIR,
    TemplateDir,
    batch_file_name,
    context,
    file_name,
    long_date,
    render_batch_docx,
    render_docx,
    short_date,
)


def render_pdf(doc: Document, template_dir: TemplateDir = None) -> bytes:
    """The PDF of one document (drawn from its filled .docx)."""
    return docx_to_pdf(render_docx(doc, template_dir), title=file_name(doc, "pdf")[:-4])


def render_batch_pdf(
    docs: Sequence[Document],
    template_dir: TemplateDir = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """Several documents of one kind (certificates) in one PDF, each from a new page.
    ``progress`` is told how many documents are filled (then the PDF is drawn, in one go)."""
    return docx_to_pdf(
        render_batch_docx(docs, template_dir, progress=progress),
        title=batch_file_name(docs, "pdf")[:-4],
    )


__all__ = [
    "TEMPLATE_DIR",
    "Certificate",
    "CertificateMember",
    "CertificateYear",
    "DecisionRow",
    "Document",
    "Head",
    "MeetingMinutes",
    "MinutesHousehold",
    "MonthlyReport",
    "MonthlyRow",
    "Person",
    "PostingList",
    "PostingRow",
    "RecognitionDecision",
    "RefusalLetter",
    "Signer",
    "TemplateDir",
    "UnsupportedWordFeature",
    "batch_file_name",
    "context",
    "docx_to_pdf",
    "file_name",
    "long_date",
    "render_batch_docx",
    "render_batch_pdf",
    "render_docx",
    "render_pdf",
    "short_date",
]
