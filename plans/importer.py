"""Import an existing KẾ HOẠCH (plain text, Markdown-ish OCR output, or .docx) into a structure.

Pure Python, no database: the result is a tree of dataclasses that plans.services saves after the
user reviewed it. The rules are generic Vietnamese phrasings (DOMAIN §3.3, §5), not per-seed hacks.
The work is split over:

- plans.importer_text: markup clean-up, lines, labels, dates;
- plans.importer_header: issuer, number and symbol, place and date, draft marker, trích yếu;
- plans.importer_body: paragraphs, section tree, closing, legal bases, theme;
- plans.importer_schedule: phases, report deadlines with data periods, meetings;
- plans.importer_tail: recipients and the signature block;
- plans.importer_files: decoding uploads and reading .docx.

An incoming-document stamp ("ĐẾN Số: 686 / Ngày: …") is ignored. What could not be understood is
listed in `ParsedPlan.warnings` (Vietnamese, for the user); an input that is not a plan raises
`PlanImportError` with a Vietnamese message.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plans.importer_body import Unit

MAX_BYTES = 5 * 1024 * 1024


class PlanImportError(ValueError):
    """The input is not a plan (or cannot be read); the message is Vietnamese, for the user."""


@dataclass
class ParsedSection:
    label: str
    title: str
    paragraphs: list[str]
    children: list[ParsedSection]


@dataclass
class ParsedPhase:
    seq: int
    name: str
    start: dt.date
    end: dt.date
    commemorations: str = ""
    description: str = ""


@dataclass
class ParsedMilestone:
    kind: str
    phase_seq: int | None = None
    due: dt.date | None = None
    due_month: int | None = None
    due_year: int | None = None
    data_from: dt.date | None = None
    data_to: dt.date | None = None
    addressee: str = ""
    place: str = ""
    with_score_sheet: bool = False
    note: str = ""


@dataclass
class ParsedRecipient:
    name: str
    purpose: str
    is_archive: bool


@dataclass
class ParsedSignatureLine:
    role: str
    text: str
    after_gap: bool


@dataclass
class ParsedPlan:
    format_family: str = "state"
    parent_issuer: str = ""
    issuer: str = ""
    doc_type: str = "KH"
    symbol: str = ""
    number: int | None = None
    is_draft_marked: bool = False
    place: str = ""
    issue_date: dt.date | None = None
    draft_month: int | None = None
    year: int = 0
    doc_type_name: str = "KẾ HOẠCH"
    title: str = ""
    bases_style: str = "paragraph"
    bases: list[str] = field(default_factory=list)
    preamble: str = ""
    theme: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    closing: str = ""
    recipients: list[ParsedRecipient] = field(default_factory=list)
    signature: list[ParsedSignatureLine] = field(default_factory=list)
    phases: list[ParsedPhase] = field(default_factory=list)
    milestones: list[ParsedMilestone] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_plan_text(text: str, *, default_year: int | None = None) -> ParsedPlan:
    """Parse the text of a KẾ HOẠCH into a ParsedPlan.

    `default_year` is the plan's year when neither the date line nor the title gives one.
    Raises PlanImportError (Vietnamese message) when the text is empty or is not a plan: no
    "KẾ HOẠCH" type line and no numbered sections, another document type, or a type line
    without any numbered section.
    """
    # The parts import the dataclasses above, so they are imported here, not at module level.
    from plans import importer_body as body_part
    from plans import importer_header as header_part
    from plans import importer_schedule as schedule_part
    from plans import importer_tail as tail_part
    from plans.importer_text import Line, normalize, plain, strip_stamp, to_lines

    if not text or not text.strip():
        raise PlanImportError("Văn bản trống, không có nội dung kế hoạch.")
    lines = strip_stamp(to_lines(normalize(text)))
    if not lines:
        raise PlanImportError("Văn bản trống, không có nội dung kế hoạch.")
    warnings: list[str] = []
    found = header_part.type_line(lines)
    if found:
        index, same_line = found
        header = header_part.parse_header(lines[:index])
        title, start, draft = header_part.parse_title(lines, index + 1, same_line)
        header.is_draft_marked = header.is_draft_marked or draft
    else:
        other = header_part.other_type(lines)
        if other:
            raise PlanImportError(
                f"Văn bản này là “{other}”, không phải kế hoạch (tên loại “KẾ HOẠCH”, ký hiệu KH)."
            )
        start = header_part.header_end(lines)
        header = header_part.parse_header(lines[:start])
        title = ""
    recipients_at = tail_part.find_recipients_line(lines, start)
    units = body_part.make_units(lines[start:recipients_at])
    body = body_part.build_body(units)
    has_type = found is not None or header.doc_type == "KH"
    if not body.sections:
        if has_type:
            raise PlanImportError(
                "Có tên loại “KẾ HOẠCH” nhưng không thấy các mục đánh số (I, II, … hoặc 1, 2, …) "
                "của kế hoạch."
            )
        raise PlanImportError(
            "Không nhận ra kế hoạch: văn bản không có tên loại “KẾ HOẠCH” và không có các mục "
            "đánh số (I, II, …)."
        )
    if not has_type:
        if not body.has_roman or not re.search(r"kế hoạch", text, re.I):
            raise PlanImportError(
                "Không nhận ra kế hoạch: không thấy tên loại “KẾ HOẠCH” ở đầu văn bản."
            )
        warnings.append("Không thấy dòng tên loại “KẾ HOẠCH”; hãy kiểm tra phần đầu văn bản.")

    plan = ParsedPlan(
        format_family=header.format_family,
        parent_issuer=header.parent_issuer,
        issuer=header.issuer,
        doc_type=header.doc_type or "KH",
        symbol=header.symbol,
        number=header.number,
        is_draft_marked=header.is_draft_marked,
        place=header.place,
        issue_date=header.issue_date,
        draft_month=header.draft_month,
        title=title,
        sections=body.sections,
        closing=body.closing,
        warnings=warnings + header.warnings,
    )
    plan.year = _year(plan, header.year, default_year, units)
    plan.bases_style, plan.bases, plan.preamble = body_part.bases_of(body.preamble)
    flat = " ".join(plain(u.text) for u in units)
    plan.theme = body_part.find_theme(body.sections, flat)
    schedule = schedule_part.extract(body.placed, body.sections, plan.year)
    plan.phases, plan.milestones = schedule.phases, schedule.milestones
    plan.warnings += schedule.warnings
    extra = [Line(u.text, 1) for u in body.leftovers if len(plain(u.text)) <= 120]
    tail_lines = lines[recipients_at:] if recipients_at is not None else []
    plan.recipients, plan.signature, tail_warnings = tail_part.parse_tail(tail_lines, extra)
    plan.warnings += tail_warnings
    _review_warnings(plan, flat)
    return plan


def _year(plan: ParsedPlan, header_year: int | None, default: int | None, units: list[Unit]) -> int:
    if header_year:
        return header_year
    from plans.importer_text import plain

    in_title = re.findall(r"\bnăm\s+((?:19|20)\d{2})\b", plan.title)
    if in_title:
        return int(in_title[-1])
    if default:
        return default
    years = Counter(
        int(y)
        for u in units[:200]
        for y in re.findall(r"\bnăm\s+((?:19|20)\d{2})\b", plain(u.text))
    )
    year = years.most_common(1)[0][0] if years else dt.date.today().year
    plan.warnings.append(f"Không thấy năm của kế hoạch; tạm lấy năm {year}, hãy kiểm tra.")
    return year


def _review_warnings(plan: ParsedPlan, flat: str) -> None:
    """Things the user should check before saving."""
    w = plan.warnings
    if not plan.symbol:
        w.append("Không thấy số, ký hiệu văn bản (dạng “Số: …/KH-…”); hãy nhập ký hiệu.")
    elif plan.doc_type != "KH":
        w.append(f"Ký hiệu loại văn bản là “{plan.doc_type}”, không phải “KH”; hãy kiểm tra.")
    if not plan.place:
        w.append("Không thấy địa danh, ngày tháng năm ban hành; hãy kiểm tra.")
    if not plan.title:
        w.append("Không thấy trích yếu (tên kế hoạch) dưới chữ “KẾ HOẠCH”; hãy nhập.")
    if not plan.closing:
        w.append("Không thấy đoạn kết (“Trên đây là Kế hoạch … ./.”).")
    if not plan.phases:
        w.append(
            "Không thấy các đợt thi đua (“Đợt 1: từ ngày … đến ngày …”); nếu kế hoạch có chia "
            "đợt, hãy nhập tay."
        )
    suspects = sorted(set(re.findall(r"\b(?:Trường\s+Khôi|Khôi|KHÔI)\b", flat)))
    if suspects:
        w.append(
            "Có thể có lỗi nhận dạng chữ (OCR): "
            + ", ".join(f"“{s}”" for s in suspects)
            + " (Khối?); hãy soát lại."
        )
    if plan.issue_date:
        limit: dt.date | None = plan.issue_date
    elif plan.draft_month:
        last = calendar.monthrange(plan.year, plan.draft_month)[1]
        limit = dt.date(plan.year, plan.draft_month, last)
    else:
        limit = None
    for basis in plan.bases if limit else []:
        for d, m, y in re.findall(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", basis):
            try:
                cited = dt.date(int(y), int(m), int(d))
            except ValueError:
                continue
            if limit and cited > limit:
                w.append(
                    f"Văn bản căn cứ ghi ngày {cited:%d/%m/%Y}, sau ngày của kế hoạch: “{basis}”."
                )


def extract_text_from_upload(data: bytes, filename: str) -> str:
    """Text of an uploaded plan: .txt/.md (UTF-8, UTF-8 with BOM, UTF-16 with BOM, or the
    Windows-1258 code page) or .docx (paragraphs and table cells in order, bold runs as **…**,
    italic runs as *…*). Raises PlanImportError for empty, binary, unknown or broken files and
    files over 5 MB."""
    from plans.importer_files import extract

    return extract(data, filename)


def parse_plan_upload(data: bytes, filename: str) -> ParsedPlan:
    """Read an uploaded file and parse it as a plan (see extract_text_from_upload and
    parse_plan_text)."""
    return parse_plan_text(extract_text_from_upload(data, filename))
