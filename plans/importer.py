"""Import an existing KẾ HOẠCH (plain text, Markdown-ish OCR output, or .docx) into a structure.

Pure Python, no database: the result is a tree of dataclasses that plans.services saves after the
user reviewed it. The rules are generic Vietnamese phrasings (DOMAIN §3.3, §5), not per-seed hacks:
header (number, place and date, issuer lines, draft marker), title, bases (paragraph or list),
the numbered section tree, phases and report deadlines with their data periods, meetings,
recipients and the signature block. An incoming-document stamp ("ĐẾN Số: 686 …") is ignored.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from plans import importer_schedule as schedule

MAX_BYTES = 5 * 1024 * 1024


class PlanImportError(ValueError):
    """The input is not a plan; the message is Vietnamese, for the user."""


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


# ------------------------------------------------------------------ text clean-up

TAG = re.compile(r"</?(?:b|i|u|strong|em|sub|sup|span)[^>]*>", re.I)
NUMBER_STATE = re.compile(r"Số\s*:\s*(\d*)\s*/\s*([A-ZĐ]{1,5})\s*-\s*([A-ZĐ0-9][A-ZĐ0-9\-]*)")
NUMBER_PARTY = re.compile(r"Số\s*:?\s*(\d*)\s*-\s*([A-ZĐ]{1,5})\s*/\s*([A-ZĐ0-9][A-ZĐ0-9\-]*)")
DATE_LINE = re.compile(
    r"^(?P<place>[^,\d][^,]{1,60}),\s*ngày\s*(?P<day>\d{0,2})\s*tháng\s*(?P<month>\d{0,2})\s*năm\s*(?P<year>\d{4})",
    re.I,
)
ROMAN = re.compile(r"^(?P<num>[IVX]{1,5})\s*(?P<sep>[.\-–])\s*(?P<rest>.+)$")
MULTI = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?P<rest>.+)$")
ARABIC = re.compile(r"^(?P<num>\d{1,2})\.\s+(?P<rest>.+)$")
LETTER = re.compile(r"^(?P<num>[a-zđ])\)\s+(?P<rest>.+)$")
AUTHORITY = re.compile(r"^(TM|KT|Q|TL|TUQ|T/M|K/T|T/L)\.?\s", re.U)
RANKS = (
    "Đại tướng",
    "Thượng tướng",
    "Trung tướng",
    "Thiếu tướng",
    "Đại tá",
    "Thượng tá",
    "Trung tá",
    "Thiếu tá",
    "Đại úy",
    "Thượng úy",
    "Trung úy",
    "Thiếu úy",
)


def plain(text: str) -> str:
    """Text without Markdown/HTML marks, for recognising structure."""
    text = TAG.sub("", text).replace("\\*", "*")
    text = re.sub(r"^#+\s*", "", text.strip())
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"(?<!\w)\*(?!\s)([^*]+?)\*(?!\w)", r"\1", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def rich(text: str) -> str:
    """Text keeping **bold** and *italic* runs, without heading marks, tags or escapes."""
    text = TAG.sub("", text).replace("\\*", "*")
    text = re.sub(r"^#+\s*", "", text.strip())
    text = re.sub(r"\*{3}(.+?)\*{3}", r"***\1***", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _blocks(text: str) -> list[list[str]]:
    """Paragraph blocks (lines separated by blank lines), with page-break splits re-joined."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in text.split("\n"):
        if raw.strip():
            current.append(raw.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    joined: list[list[str]] = []
    for block in blocks:
        first = plain(block[0])
        if joined and first and first[0].islower() and not LETTER.match(first):
            prev = plain(joined[-1][-1])
            if prev and prev[-1] not in ".;:!?" and not prev.isupper():
                joined[-1][-1] = joined[-1][-1].rstrip() + " " + block[0].strip()
                joined[-1].extend(block[1:])
                continue
        joined.append(block)
    return joined


def _strip_stamp(lines: list[str]) -> list[str]:
    """Drop an incoming-document stamp: '<AGENCY>' / 'ĐẾN Số: n' / 'Ngày: …' / 'Chuyển:' / 'Số và ký hiệu HS:'."""
    out = list(lines)
    for i, line in enumerate(out):
        if re.match(r"^ĐẾN\b", plain(line)) and any(
            "Chuyển" in plain(x) or "ký hiệu HS" in plain(x) for x in out[i : i + 6]
        ):
            end = i
            while end < len(out) and end < i + 8:
                if "ký hiệu HS" in plain(out[end]):
                    break
                end += 1
            start = i - 1 if i > 0 and plain(out[i - 1]).isupper() else i
            return out[:start] + out[end + 1 :]
    return out


def parse_date(text: str, year: int | None) -> dt.date | None:
    match = re.search(r"(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?", text)
    if match:
        d, m, y = int(match[1]), int(match[2]), int(match[3]) if match[3] else year
        try:
            return dt.date(y, m, d) if y else None
        except ValueError:
            return None
    match = re.search(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", text)
    if match:
        try:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------ parsing


def parse_plan_text(text: str, *, default_year: int | None = None) -> ParsedPlan:
    """Parse the text of a KẾ HOẠCH; raise PlanImportError (Vietnamese) when it is not one."""
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise PlanImportError("Văn bản trống, không có nội dung kế hoạch.")
    lines = _strip_stamp(text.split("\n"))
    title_idx = next((i for i, line in enumerate(lines) if plain(line).upper() == "KẾ HOẠCH"), None)
    if title_idx is None or not any(ROMAN.match(plain(line)) for line in lines[title_idx:]):
        raise PlanImportError(
            "Không nhận ra kế hoạch: văn bản cần có tên loại “KẾ HOẠCH” và các mục đánh số La Mã (I, II, …)."
        )
    result = ParsedPlan()
    _parse_header(lines[:title_idx], result, default_year)
    blocks = _blocks("\n".join(lines[title_idx + 1 :]))
    body_start = _parse_title(blocks, result)
    if not result.year:
        found = re.search(r"năm\s+(\d{4})", result.title)
        result.year = int(found[1]) if found else (default_year or dt.date.today().year)
    recipients_at = next(
        (i for i, b in enumerate(blocks) if re.match(r"^Nơi nhận\s*:?$", plain(b[0]), re.I)),
        len(blocks),
    )
    body = blocks[body_start:recipients_at]
    _parse_body(body, result)
    _parse_tail(blocks[recipients_at:], result)
    result.theme = _theme(text)
    schedule.extract(result, body, ParsedPhase, ParsedMilestone, plain)
    if not result.sections:
        raise PlanImportError("Không tìm thấy các mục của kế hoạch (I, II, …).")
    return result


def _parse_header(lines: list[str], result: ParsedPlan, default_year: int | None) -> None:
    caps: list[str] = []
    for raw in lines:
        line = plain(raw)
        if not line:
            continue
        if "ĐẢNG CỘNG SẢN VIỆT NAM" in line.upper():
            result.format_family = "party"
            continue
        if (
            "CỘNG HÒA XÃ HỘI" in line.upper()
            or "CỘNG HOÀ XÃ HỘI" in line.upper()
            or "Độc lập" in line
        ):
            continue
        if "Dự thảo" in line:
            result.is_draft_marked = True
        state, party = NUMBER_STATE.search(line), NUMBER_PARTY.search(line)
        if state or party:
            match = state or party
            if party and not state:
                result.format_family = "party"
            result.number = int(match[1]) if match[1] else None
            result.doc_type, result.symbol = match[2], match[3]
            continue
        date = DATE_LINE.match(line)
        if date:
            result.place = date["place"].strip()
            result.year = int(date["year"])
            month = int(date["month"]) if date["month"] else None
            if date["day"] and month:
                try:
                    result.issue_date = dt.date(result.year, month, int(date["day"]))
                except ValueError:
                    result.warnings.append(f"Ngày ban hành không hợp lệ: “{line}”.")
            result.draft_month = month
            continue
        if line in {"*", "-----"} or line.startswith("(Dự thảo"):
            continue
        if line.upper() == line and len(line) > 2:
            caps.append(line)
    if len(caps) >= 2:
        result.parent_issuer, result.issuer = caps[0], "\n".join(caps[1:])
    elif caps:
        result.issuer = caps[0]
    if not result.symbol:
        result.warnings.append("Không thấy số, ký hiệu văn bản; hãy nhập ký hiệu.")
    if not result.place:
        result.warnings.append("Không thấy địa danh, ngày tháng; hãy kiểm tra.")
    if result.issue_date is None and result.year and default_year is None:
        pass


def _parse_title(blocks: list[list[str]], result: ParsedPlan) -> int:
    """The trích yếu is the first block after KẾ HOẠCH (skipping a '-----' line)."""
    index = 0
    title_lines: list[str] = []
    while index < len(blocks):
        lines = [plain(x) for x in blocks[index]]
        index += 1
        lines = [x for x in lines if x and not re.fullmatch(r"-{3,}", x)]
        if lines:
            title_lines = lines
            break
    result.title = " ".join(title_lines)
    while index < len(blocks) and re.fullmatch(r"-{3,}", plain(blocks[index][0])):
        index += 1
    return index


def _label(text: str) -> tuple[str, int, str] | None:
    """(label, depth, rest) for a numbered line; depth 1 = I., 2 = 1., 3 = 1.1., 0 = a)."""
    for regex, kind in ((ROMAN, "roman"), (MULTI, "multi"), (ARABIC, "arabic"), (LETTER, "letter")):
        match = regex.match(text)
        if not match:
            continue
        num, rest = match["num"], match["rest"].strip()
        if kind == "roman":
            if not rest[:1].isupper():
                return None
            return f"{num}{'-' if match['sep'] in '-–' else '.'}", 1, rest
        if kind == "multi":
            return f"{num}.", num.count(".") + 2, rest
        if kind == "arabic":
            return f"{num}.", 2, rest
        return f"{num})", 0, rest
    return None


def _split_title(raw: str, label: str, rest: str) -> tuple[str, str]:
    """Decide whether the text after a label is a heading or the first paragraph."""
    bold_lead = re.match(r"^\s*#*\s*\*\*(.+?)\*\*\s*(.*)$", TAG.sub("", raw))
    if bold_lead and bold_lead[2].strip():
        head = plain(bold_lead[1])
        head = head[len(label) :].strip() if head.startswith(label) else head
        return head.rstrip(":").strip(), rich(bold_lead[2])
    sentence_end = rest.endswith((".", ";", "./."))
    if sentence_end and (len(rest) > 150 or not rest.isupper()):
        after = rich(raw)
        after = re.sub(r"^\**\s*" + re.escape(label.rstrip(".)-")) + r"\s*[.)\-–]\s*", "", after)
        return "", after.strip("* ") if after.startswith("**") and after.endswith("**") else after
    return rest.rstrip(":").strip(), ""


def _parse_body(blocks: list[list[str]], result: ParsedPlan) -> None:
    preamble: list[str] = []
    stack: list[tuple[int, ParsedSection]] = []
    paragraphs: list[str] = []
    for block in blocks:
        raw = " ".join(x.strip() for x in block)
        text = plain(raw)
        if not text:
            continue
        found = _label(text)
        if found and (found[1] != 0 or stack):
            label, depth, rest = found
            if depth == 0:
                parent_depth = stack[-1][0] if stack else 1
                if stack and stack[-1][1].label.endswith(")"):
                    parent_depth -= 1
                depth = parent_depth + 1
            title, first = _split_title(raw, label, rest)
            node = ParsedSection(
                label=label, title=title, paragraphs=[first] if first else [], children=[]
            )
            while stack and stack[-1][0] >= depth:
                stack.pop()
            (stack[-1][1].children if stack else result.sections).append(node)
            stack.append((depth, node))
            continue
        lines = (
            [rich(x) for x in block]
            if all(plain(x).startswith(("-", "+", "*")) for x in block)
            else [rich(raw)]
        )
        for line in lines:
            (stack[-1][1].paragraphs if stack else preamble).append(line)
        if stack:
            paragraphs.append(text)
    _closing(result)
    _bases(preamble, result)


def _closing(result: ParsedPlan) -> None:
    """Move the closing paragraph ('Trên đây là Kế hoạch …' or the one ending './.') out of the body."""
    node = result.sections[-1] if result.sections else None
    while node and node.children and not node.paragraphs[-1:]:
        node = node.children[-1]
    candidates = []
    stack = list(result.sections)
    while stack:
        s = stack.pop()
        for i, p in enumerate(s.paragraphs):
            if plain(p).startswith("Trên đây") or plain(p).rstrip().endswith(("./.", "/.")):
                candidates.append((s, i))
        stack.extend(s.children)
    if candidates:
        section, index = candidates[0]
        result.closing = plain(section.paragraphs.pop(index))


def _bases(preamble: list[str], result: ParsedPlan) -> None:
    listed = [p for p in preamble if plain(p).startswith("- ") and "Căn cứ" in plain(p)[:12]]
    if listed:
        result.bases_style = "list"
        result.bases = [plain(p)[2:].strip().rstrip(";.").strip() for p in listed]
        result.preamble = "\n\n".join(plain(p) for p in preamble if p not in listed)
        return
    result.bases_style = "paragraph"
    result.preamble = "\n\n".join(plain(p) for p in preamble)
    if preamble:
        first = plain(preamble[0])
        items = re.split(r";\s*", re.sub(r"^(Thực hiện|Căn cứ|Hưởng ứng)\s+", "", first))
        result.bases = [
            i.strip() for i in items if re.search(r"\bsố\b|\bngày\b|\d{1,2}/\d{1,2}/\d{4}", i)
        ]


def _parse_tail(blocks: list[list[str]], result: ParsedPlan) -> None:
    if not blocks:
        result.warnings.append("Không thấy phần “Nơi nhận”.")
        return
    rest = blocks[1:]
    items: list[str] = []
    while rest and all(plain(x).startswith(("-", "–", "•")) for x in rest[0]):
        items.extend(plain(x) for x in rest[0])
        rest = rest[1:]
    for item in items:
        item = item.lstrip("-–• ").strip()
        if item.lower().startswith("lưu"):
            result.recipients.append(
                ParsedRecipient(name=item.rstrip(".;, "), purpose="", is_archive=True)
            )
            continue
        match = re.match(r"^(.*?)\s*\(([^()]*)\)\s*[;,.]?$", item)
        if match:
            result.recipients.append(
                ParsedRecipient(name=match[1].strip(), purpose=match[2].strip(), is_archive=False)
            )
        else:
            result.recipients.append(
                ParsedRecipient(name=item.rstrip(";,. "), purpose="", is_archive=False)
            )
    for n, block in enumerate(rest):
        after_gap = n > 0
        named = False
        for raw in block:
            line = plain(raw)
            if not line:
                continue
            if AUTHORITY.match(line):
                role = "authority"
            elif line.upper() == line:
                role = "position"
            else:
                rank = next((r for r in RANKS if line.startswith(r + " ")), None)
                if rank:
                    result.signature.append(ParsedSignatureLine("rank", rank, after_gap))
                    line = line[len(rank) :].strip()
                role = "title" if named else "name"
                named = True
            result.signature.append(ParsedSignatureLine(role, line, after_gap))
    if not result.signature:
        result.warnings.append("Không thấy khối chữ ký.")


def _theme(text: str) -> str:
    flat = plain(re.sub(r"\s+", " ", text))
    match = re.search(r"[Cc]hủ đề[^“\"]{0,60}?[“\"]([^”\"]{10,300})[”\"]", flat)
    return match[1].strip().strip("*").strip() if match else ""


# ------------------------------------------------------------------ uploads


def extract_text_from_upload(data: bytes, filename: str) -> str:
    """Text of an uploaded .txt/.md (UTF-8, UTF-16 with BOM, or CP1258) or .docx file."""
    if not data:
        raise PlanImportError("Tệp rỗng, không có nội dung kế hoạch.")
    if len(data) > MAX_BYTES:
        raise PlanImportError("Tệp quá lớn (tối đa 5 MB).")
    if data[:2] == b"PK":
        return _docx_text(data)
    if filename.lower().endswith(".docx"):
        raise PlanImportError("Tệp .docx bị hỏng hoặc không phải tệp Word.")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise PlanImportError("Tệp nhị phân, không phải văn bản. Hãy gửi tệp .docx hoặc .txt.")
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
        if controls > len(text) / 100:
            break
        return text
    raise PlanImportError("Không đọc được tệp: không phải văn bản tiếng Việt (UTF-8).")


def _docx_text(data: bytes) -> str:
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PlanImportError("Tệp .docx bị hỏng hoặc không phải tệp Word.") from exc
    except Exception as exc:  # python-docx raises its own errors for non-Word zips
        raise PlanImportError("Tệp không phải tệp Word (.docx) hợp lệ.") from exc
    out: list[str] = []

    def para_text(paragraph) -> str:
        parts = []
        for run in paragraph.runs:
            t = run.text
            if not t.strip():
                parts.append(t)
            elif run.bold:
                parts.append(f"**{t}**")
            elif run.italic:
                parts.append(f"*{t}*")
            else:
                parts.append(t)
        return "".join(parts).replace("****", "")

    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(para_text(docx.text.paragraph.Paragraph(child, document)))
            out.append("")
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            for row in table.rows:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        out.append(para_text(p))
                    out.append("")
    return "\n".join(out)


def parse_plan_upload(data: bytes, filename: str) -> ParsedPlan:
    """Extract and parse an uploaded file."""
    return parse_plan_text(extract_text_from_upload(data, filename))
