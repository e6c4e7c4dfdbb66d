"""Import an existing KẾ HOẠCH (plain text, Markdown-ish OCR output, or .docx) into a structure.

Pure Python, no database: the result is a tree of dataclasses (plans.importer.model) that
plans.services saves after the user reviewed it. The rules are generic Vietnamese phrasings
(DOMAIN §3, §5) kept as data in plans.importer.lexicon. The stages run one way:

    files (bytes → text) → text (markup) → layout (lines, units) →
    header · bases · body · schedule · tail → review (year, warnings)

Nothing inside the package imports this module. What could not be understood is listed in
`ParsedPlan.warnings` (Vietnamese, for the user); only an input that is not a plan (or cannot be
read) raises `PlanImportError` with a Vietnamese message.
"""

from __future__ import annotations

import logging
import re
from dataclasses import fields

from plans.importer import body as body_part
from plans.importer import header as header_part
from plans.importer import schedule as schedule_part
from plans.importer import tail as tail_part
from plans.importer.bases import bases_of
from plans.importer.files import MAX_BYTES, extract
from plans.importer.layout import Line, make_units, strip_stamp, to_lines
from plans.importer.model import (
    ParsedMilestone,
    ParsedPhase,
    ParsedPlan,
    ParsedRecipient,
    ParsedSection,
    ParsedSignatureLine,
    PlanImportError,
)
from plans.importer.review import plan_year, review_warnings
from plans.importer.text import (
    MAX_PARAGRAPH_CHARS,
    MAX_SOURCE_CHARS,
    normalize,
    plain,
    vn_number,
)

__all__ = [
    "MAX_BYTES",
    "MAX_PARAGRAPH_CHARS",
    "MAX_SOURCE_CHARS",
    "ParsedMilestone",
    "ParsedPhase",
    "ParsedPlan",
    "ParsedRecipient",
    "ParsedSection",
    "ParsedSignatureLine",
    "PlanImportError",
    "extract_text_from_upload",
    "parse_plan_text",
    "parse_plan_upload",
]

logger = logging.getLogger(__name__)
MAX_WARNINGS = 30
EMPTY = "Văn bản trống, không có nội dung kế hoạch."


def parse_plan_text(text: str, *, default_year: int | None = None) -> ParsedPlan:
    """Parse the text of a KẾ HOẠCH into a ParsedPlan.

    `default_year` is the plan's year when neither the date line nor the title gives one.
    Raises PlanImportError (Vietnamese message) when the text is empty, too long, or is not a
    plan: no "KẾ HOẠCH" type line and no numbered sections, another document type, or a type
    line without any numbered section. An unforeseen failure is logged and reported to the user
    as a PlanImportError too, never as a Python exception text.
    """
    try:
        return _parse(text, default_year)
    except PlanImportError:
        raise
    except Exception as exc:
        logger.exception("importer failed")
        raise PlanImportError(
            "Chưa đọc được văn bản này (lỗi của chương trình nhập, đã được ghi lại); hãy dán "
            "nội dung dạng văn bản thường hoặc nhập kế hoạch bằng tay."
        ) from exc


def _parse(text: str, default_year: int | None) -> ParsedPlan:
    if not text or not text.strip():
        raise PlanImportError(EMPTY)
    _check_length(text)
    lines = strip_stamp(to_lines(normalize(text)))
    if not lines:
        raise PlanImportError(EMPTY)
    header, title, start = _head(lines)
    recipients_at = tail_part.find_recipients_line(lines, start)
    units = make_units(lines[start:recipients_at])
    body = body_part.build_body(units)
    warnings = _check_is_plan(header, body, found_type=header.type_found, text=text)
    plan = ParsedPlan(**{f.name: getattr(header, f.name) for f in fields(ParsedPlan)})
    plan.doc_type = header.doc_type or "KH"
    plan.title, plan.sections, plan.closing = title, body.sections, body.closing
    plan.warnings = warnings + header.warnings
    texts = [plain(u.text) for u in units]
    plan.year = plan_year(plan, header.year or None, default_year, texts)
    plan.bases_style, plan.bases, plan.preamble = bases_of(body.preamble)
    flat = " ".join(texts)
    plan.theme = body_part.find_theme(body.sections, flat)
    schedule = schedule_part.extract(body.placed, body.sections, plan.year)
    plan.phases, plan.milestones = schedule.phases, schedule.milestones
    plan.warnings += schedule.warnings
    extra = [Line(u.text, 1) for u in body.leftovers if len(plain(u.text)) <= 120]
    tail_lines = lines[recipients_at:] if recipients_at is not None else []
    plan.recipients, plan.signature, tail_warnings = tail_part.parse_tail(tail_lines, extra)
    plan.warnings += tail_warnings
    review_warnings(plan, flat)
    plan.warnings = _tidy(plan.warnings)
    return plan


def _tidy(warnings: list[str]) -> list[str]:
    """Each warning once, and a readable number of them."""
    unique = list(dict.fromkeys(warnings))
    if len(unique) <= MAX_WARNINGS:
        return unique
    rest = len(unique) - MAX_WARNINGS
    return [*unique[:MAX_WARNINGS], f"… và {rest} lưu ý khác cùng loại; hãy soát lại văn bản."]


def _check_length(text: str) -> None:
    if len(text) > MAX_SOURCE_CHARS:
        raise PlanImportError(
            f"Văn bản quá dài ({vn_number(len(text))} ký tự); một kế hoạch chỉ được tối đa "
            f"{vn_number(MAX_SOURCE_CHARS)} ký tự."
        )
    longest = max(map(len, text.split("\n")))
    if longest > MAX_PARAGRAPH_CHARS:
        raise PlanImportError(
            f"Có một đoạn văn dài {vn_number(longest)} ký tự, quá giới hạn "
            f"{vn_number(MAX_PARAGRAPH_CHARS)} ký tự của một đoạn; hãy tách đoạn hoặc kiểm tra "
            "lại tệp (có thể không phải văn bản kế hoạch)."
        )


def _head(lines: list[Line]) -> tuple[header_part.Header, str, int]:
    """(header, trích yếu, index of the first body line)."""
    found = header_part.type_line(lines)
    if found:
        index, same_line = found
        header = header_part.parse_header(lines[:index])
        title, start, draft = header_part.parse_title(lines, index + 1, same_line)
        header.is_draft_marked = header.is_draft_marked or draft
        header.type_found = True
        return header, title, start
    other = header_part.other_type(lines)
    if other:
        raise PlanImportError(
            f"Văn bản này là “{other}”, không phải kế hoạch (tên loại “KẾ HOẠCH”, ký hiệu KH)."
        )
    start = header_part.header_end(lines)
    return header_part.parse_header(lines[:start]), "", start


def _check_is_plan(
    header: header_part.Header, body: body_part.Body, *, found_type: bool, text: str
) -> list[str]:
    has_type = found_type or header.doc_type == "KH"
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
    if has_type:
        return []
    if not body.has_roman or not re.search(r"kế hoạch", text, re.I):
        raise PlanImportError(
            "Không nhận ra kế hoạch: không thấy tên loại “KẾ HOẠCH” ở đầu văn bản."
        )
    return ["Không thấy dòng tên loại “KẾ HOẠCH”; hãy kiểm tra phần đầu văn bản."]


def extract_text_from_upload(data: bytes, filename: str) -> str:
    """Text of an uploaded plan: .txt/.md (UTF-8, UTF-8 with BOM, UTF-16 with BOM, or the
    Windows-1258 code page) or .docx (paragraphs and table cells in order, bold runs as **…**,
    italic runs as *…*). Raises PlanImportError for empty, binary, unknown or broken files,
    files over 5 MB and .docx files that unpack to too much."""
    return extract(data, filename)


def parse_plan_upload(data: bytes, filename: str) -> ParsedPlan:
    """Read an uploaded file once and parse it as a plan."""
    return parse_plan_text(extract(data, filename))
