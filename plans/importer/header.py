"""The top of a plan: issuer lines, number and symbol, place and date, draft marker, the
"KẾ HOẠCH" line and the trích yếu under it (DOMAIN §3.1, §3.2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import plans.importer.lexicon as lexicon
from plans.importer.layout import Line, cells
from plans.importer.model import ParsedPlan
from plans.importer.text import RULE, YEARS, detect_label, is_bold, is_caps, make_date, plain

NUMBER_STATE = re.compile(
    r"\bS[ốôo]\s*:?\s*(?P<num>\d{0,5})[\s.…_]*/\s*(?P<type>[A-ZĐ][A-Za-zĐđ]{0,4})\s*-\s*"
    r"(?P<sym>[^\s/,;:()]+)"
)
NUMBER_PARTY = re.compile(
    r"\bS[ốôo]\s*:?\s*(?P<num>\d{0,5})[\s.…_]*-\s*(?P<type>[A-ZĐ][A-Za-zĐđ]{0,4})\s*/\s*"
    r"(?P<sym>[^\s/,;:()]+)"
)
DATE_LINE = re.compile(
    r"^(?P<place>[^,\d]{2,60}?)\s*,?\s*ngày(?:(?P<day>[\s\d.…_-]*?)tháng(?P<month>[\s\d.…_-]*?)"
    r"năm\s*(?P<year>\d{4})|\s*(?P<sday>\d{1,2})\s*[/.-]\s*(?P<smonth>\d{1,2})\s*[/.-]\s*"
    r"(?P<syear>\d{4}))",
    re.I,
)
DRAFT = re.compile(r"^\(?\s*(?:bản\s+)?dự\s*thảo(?:\s+lần\s+\d+)?\s*\)?\.?$", re.I)
NATIONAL = re.compile(lexicon.NATIONAL, re.I)
PARTY = re.compile(lexicon.PARTY_TITLE, re.I)
LEAD = re.compile(rf"^(?:-\s*)?(?:{'|'.join(lexicon.BODY_OPENERS)})\b")


@dataclass
class Header(ParsedPlan):
    """The header fields of the plan, plus what only the importer needs: the date line's year
    (0 when absent) and whether a "KẾ HOẠCH" type line was seen; no symbol type read yet is ""."""

    doc_type: str = ""
    type_found: bool = False


def type_line(lines: list[Line]) -> tuple[int, str] | None:
    """(index, title text on the same line) of the "KẾ HOẠCH" line, searched before the body."""
    for i, line in enumerate(lines[:80]):
        p = plain(line.text)
        label = detect_label(p)
        if label and label.kind == "roman":
            return None
        m = re.match(r"^K[ẾÊ]\s*HO[ẠA]CH\b\s*:?\s*(?P<rest>.*)$", p)
        if m and (p.isupper() or p.lower() == "kế hoạch" or m["rest"][:1].isupper()):
            if not m["rest"] or len(p) < 250:
                return i, m["rest"].strip()
    return None


def other_type(lines: list[Line]) -> str | None:
    """Another document type printed where the type line goes (BÁO CÁO, QUYẾT ĐỊNH …)."""
    for line in lines[:40]:
        p = plain(line.text).rstrip(":")
        if p.upper() == p and p in lexicon.OTHER_TYPES:
            return p
        for c in cells(line.text):
            m = NUMBER_STATE.search(plain(c)) or NUMBER_PARTY.search(plain(c))
            if m and m["type"] != "KH":
                return m["type"]
    return None


def header_end(lines: list[Line]) -> int:
    """Without a "KẾ HOẠCH" line: the header is the run of leading header-like lines."""
    for i, line in enumerate(lines):
        p = plain(line.text)
        if not _header_like(p):
            return i
    return len(lines)


def _header_like(p: str) -> bool:
    return bool(
        not p
        or RULE.match(p)
        or p == "*"
        or NATIONAL.search(p)
        or NUMBER_STATE.search(p)
        or NUMBER_PARTY.search(p)
        or DATE_LINE.search(p)
        or DRAFT.match(p)
        or (is_caps(p) and len(p) < 120 and not detect_label(p))
    )


def parse_header(lines: list[Line]) -> Header:
    """Everything printed above the type line."""
    h = Header()
    issuer_lines: list[tuple[str, bool]] = []
    bold = False
    for line in lines:
        raw = line.text.strip()
        starts, ends = raw.lstrip("#").strip().startswith("**"), raw.endswith("**")
        line_bold = is_bold(raw) or bold or (starts and not ends)
        bold = (bold or starts) and not ends
        for cell in _header_cells(line.text):
            _header_cell(plain(cell), line_bold, h, issuer_lines)
    _issuers(issuer_lines, h)
    return h


def _header_cells(text: str) -> list[str]:
    """The columns of a header line; a blank number ("Số:     /KH-UBND") is no column break."""
    parts = cells(text) or [text]
    glued = re.sub(r"(S[ốôo]\s*:?)\s{3,}(?=[\d./…_ ]*[/-])", r"\1 ", text)
    if glued != text:
        parts = cells(glued) or [glued]
    return parts


def _header_cell(p: str, bold: bool, h: Header, issuer_lines: list[tuple[str, bool]]) -> None:
    if not p or RULE.match(p) or p in {"*", "***"}:
        return
    if PARTY.search(p):
        h.format_family = "party"
        return
    if NATIONAL.search(p):
        return
    if DRAFT.match(p):
        h.is_draft_marked = True
        return
    if re.search(r"\(\s*dự\s*thảo", p, re.I):
        h.is_draft_marked = True
        p = re.sub(r"\(\s*dự\s*thảo[^)]*\)", "", p, flags=re.I).strip()
        if not p:
            return
    state, party = NUMBER_STATE.search(p), NUMBER_PARTY.search(p)
    m = state or party
    if m and not h.symbol:
        if party and not state:
            h.format_family = "party"
        h.number = int(m["num"]) if m["num"] else None
        h.doc_type, h.symbol = m["type"], m["sym"].rstrip(".")
        return
    date = DATE_LINE.search(p)
    if date and not h.place:
        h.place = date["place"].strip(" ,.")
        year = int(date["year"] or date["syear"])
        h.year = year if year in YEARS else 0
        day = re.search(r"\d{1,2}", date["day"] or date["sday"])
        month = re.search(r"\d{1,2}", date["month"] or date["smonth"])
        m_value = int(month[0]) if month else None
        if day and m_value:
            h.issue_date = make_date(h.year, m_value, int(day[0]))
            if h.issue_date is None:
                h.warnings.append(f"Ngày ban hành không hợp lệ: “{p}”.")
        elif m_value and 1 <= m_value <= 12:
            h.draft_month = m_value
        return
    if is_caps(p) and len(p) < 120 and not re.match(r"^(?:KÍNH GỬI|V/V)\b", p, re.I):
        issuer_lines.append((p, bold))


def _issuers(lines: list[tuple[str, bool]], h: Header) -> None:
    """Split the capital lines into the parent body (cơ quan chủ quản) and the issuer: bold lines
    are the issuer when the marks say so; otherwise a leading place or parent body is the
    parent and the rest the issuer ("ỦY BAN NHÂN DÂN / TỈNH X" stays one issuer)."""
    if not lines:
        return
    texts = [t for t, _ in lines]
    flags = [b for _, b in lines]
    if any(flags) and not all(flags) and flags.index(True) > 0 and all(flags[flags.index(True) :]):
        cut = flags.index(True)
    elif len(texts) == 1:
        cut = 0
    elif texts[1].startswith(lexicon.PLACE_WORDS) and not texts[0].startswith(lexicon.PLACE_WORDS):
        cut = 2 if len(texts) >= 3 else 0  # "ỦY BAN NHÂN DÂN / TỈNH X" is one body
    else:
        cut = 1
    h.parent_issuer = "\n".join(texts[:cut])
    h.issuer = "\n".join(texts[cut:])


# ------------------------------------------------------------------ title


def parse_title(lines: list[Line], start: int, same_line: str) -> tuple[str, int, bool]:
    """(trích yếu, index of the first body line, draft marker seen) from the lines after the
    type line. The title ends at a rule ("-----"), a blank line (unless the next line goes on
    in bold or in lower case), a "Căn cứ"/"Thực hiện" line, a label or a bullet."""
    parts: list[str] = [same_line] if same_line else []
    last_bold = False
    draft = False
    i = start
    while i < len(lines):
        line = lines[i]
        p = plain(line.text)
        if RULE.match(p):
            i += 1
            break
        if DRAFT.match(p):
            draft = True
            i += 1
            continue
        if LEAD.match(p) or detect_label(p) or p.startswith(("- ", "+ ")) or len(p) > 250:
            break
        if parts:
            ends = parts[-1].rstrip().endswith((".", ";", ":"))
            rule_soon = any(RULE.match(plain(x.text)) for x in lines[i : i + 3])
            goes_on = (
                line.blank_before == 0
                or p[:1].islower()
                or (last_bold and is_bold(line.text))
                or rule_soon
            )
            if ends or not goes_on or len(parts) >= 6:
                break
        parts.append(p)
        last_bold = is_bold(line.text)
        i += 1
    title = " ".join(x.strip().strip("*").strip() for x in parts).strip()
    return re.sub(r"\s+", " ", title), i, draft
