"""Text of an uploaded plan: .txt/.md in UTF-8 (with or without BOM), UTF-16 with BOM or the
legacy Windows-1258 code page, and .docx (paragraphs and table cells in order, bold runs as
**…**, italic as *…*, Word's automatic list numbers and bullets written out)."""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from typing import Any

from plans.importer.model import PlanImportError

MAX_BYTES = 5 * 1024 * 1024
# A .docx is a zip: refused before parsing when it would unpack to more than this, when one
# member is compressed more than MAX_RATIO times (a zip bomb), or when it holds too many parts.
MAX_UNPACKED = 40 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
TEXT_SUFFIXES = {"", ".txt", ".md", ".markdown", ".text"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def suffix(filename: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def extract(data: bytes, filename: str) -> str:
    if not data:
        raise PlanImportError("Tệp rỗng, không có nội dung kế hoạch.")
    if len(data) > MAX_BYTES:
        raise PlanImportError(
            f"Tệp quá lớn ({len(data) / 1024 / 1024:.1f} MB); chỉ nhận tệp đến 5 MB."
        )
    ext = suffix(filename)
    if data[:4] == b"PK\x03\x04" or ext == ".docx":
        text = docx_text(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or ext == ".doc":
        raise PlanImportError(
            "Tệp Word 97-2003 (.doc) chưa được hỗ trợ; hãy lưu lại thành .docx rồi tải lên."
        )
    elif data[:5] == b"%PDF-" or ext == ".pdf":
        raise PlanImportError(
            "Tệp PDF chưa được hỗ trợ; hãy tải lên tệp .docx hoặc dán nội dung văn bản."
        )
    elif ext not in TEXT_SUFFIXES:
        raise PlanImportError(
            f"Không hỗ trợ định dạng tệp “{ext}”; chỉ nhận tệp .docx, .txt hoặc .md."
        )
    else:
        text = decode_text(data)
    if not text.strip():
        raise PlanImportError("Tệp không có chữ nào, không có nội dung kế hoạch.")
    return text


def decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return _checked(data[3:], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(data, "utf-16")
    if b"\x00" in data:
        raise PlanImportError(
            "Tệp nhị phân, không phải văn bản; hãy tải lên tệp .docx, .txt hoặc .md."
        )
    try:
        return _checked(data, "utf-8")
    except PlanImportError:
        pass
    text = _checked(data, "cp1258")
    if not _vietnamese_like(text):
        raise PlanImportError(
            "Không đọc được tệp: không phải văn bản tiếng Việt (UTF-8 hoặc Windows-1258)."
        )
    return text


def _checked(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise PlanImportError(
            "Không đọc được tệp: không phải văn bản tiếng Việt (UTF-8 hoặc Windows-1258)."
        ) from exc
    text = unicodedata.normalize("NFC", text)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(2, len(text) // 1000):
        raise PlanImportError(
            "Tệp nhị phân, không phải văn bản; hãy tải lên tệp .docx, .txt hoặc .md."
        )
    return text


def _vietnamese_like(text: str) -> bool:
    """Mostly letters, digits, spaces and ordinary punctuation (a wrong code page or a binary
    file gives symbols such as ‰ ƒ ¤ §)."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return False
    ok = sum(1 for c in chars if c.isalnum() or c in ".,;:!?()[]\"'“”‘’-–—/%…*#+_=<>&@")
    return ok >= 0.97 * len(chars)


# ------------------------------------------------------------------ docx


def check_docx_size(data: bytes) -> None:
    """Read the zip's central directory (not the members) and refuse a .docx that would unpack
    to too much: the declared sizes are also the most zipfile will ever decompress."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PlanImportError("Tệp .docx bị hỏng hoặc không phải tệp Word.") from exc
    total = sum(m.file_size for m in members)
    bomb = any(
        m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if len(members) > MAX_MEMBERS or total > MAX_UNPACKED or bomb:
        raise PlanImportError(
            f"Tệp .docx khi giải nén quá lớn ({total / 1024 / 1024:.0f} MB); chỉ nhận tệp Word "
            f"giải nén đến {MAX_UNPACKED // 1024 // 1024} MB. Hãy lưu lại tệp không kèm hình ảnh "
            "hoặc dán nội dung văn bản."
        )


def docx_text(data: bytes) -> str:
    check_docx_size(data)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PlanImportError("Tệp .docx bị hỏng hoặc không phải tệp Word.") from exc
    except Exception as exc:  # python-docx has its own errors for zips that are not Word files
        raise PlanImportError("Tệp không phải tệp Word (.docx) hợp lệ.") from exc
    numbering = _Numbering(document)
    out: list[str] = []

    def walk(container: Any, parent: Any) -> None:
        for child in container.iterchildren():
            if child.tag == f"{W}p":
                paragraph = Paragraph(child, parent)
                out.append(numbering.label(paragraph) + paragraph_text(paragraph))
                out.append("")
            elif child.tag == f"{W}tbl":
                table = Table(child, parent)
                # Merged cells repeat. Keep the elements themselves: the id() of a freed lxml
                # proxy is reused, and a cell (the number "Số: …") was then skipped.
                seen: set[Any] = set()
                for row in table.rows:
                    for cell in row.cells:
                        if cell._tc in seen:
                            continue
                        seen.add(cell._tc)
                        walk(cell._tc, cell)
                        out.append("")
            elif child.tag == f"{W}sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    walk(content, parent)

    walk(document.element.body, document)
    return re.sub(r"\n{6,}", "\n\n\n\n\n", "\n".join(out))


def _effective(run: Any, paragraph: Any, attr: str) -> bool:
    value = getattr(run.font, attr)
    if value is not None:
        return bool(value)
    style = run.style
    while style is not None and style.type is not None:
        value = getattr(style.font, attr, None)
        if value is not None:
            return bool(value)
        style = style.base_style
    style = paragraph.style
    while style is not None:
        value = getattr(style.font, attr, None)
        if value is not None:
            return bool(value)
        style = style.base_style
    return False


def paragraph_text(paragraph: Any) -> str:
    """The paragraph with bold and italic runs marked, line breaks kept."""
    groups: list[tuple[bool, bool, str]] = []
    for item in paragraph.iter_inner_content():
        for run in getattr(item, "runs", None) or [item]:
            text = run.text
            if not text:
                continue
            key = (_effective(run, paragraph, "bold"), _effective(run, paragraph, "italic"))
            if groups and groups[-1][:2] == key:
                groups[-1] = (*key, groups[-1][2] + text)
            else:
                groups.append((*key, text))
    parts: list[str] = []
    for bold, italic, text in groups:
        mark = "***" if bold and italic else "**" if bold else "*" if italic else ""
        pieces = []
        for piece in text.split("\n"):
            core = piece.strip()
            if mark and core:
                lead = piece[: len(piece) - len(piece.lstrip())]
                tail = piece[len(piece.rstrip()) :]
                piece = f"{lead}{mark}{core}{mark}{tail}"
            pieces.append(piece)
        parts.append("\n".join(pieces))
    return "".join(parts)


class _Numbering:
    """Word's automatic numbering (w:numPr) written out: "1.", "a)", "I." or "- " bullets."""

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.findall(f"{W}abstractNum"):
            levels = {}
            for lvl in node.findall(f"{W}lvl"):
                fmt, text, start = (
                    lvl.find(f"{W}numFmt"),
                    lvl.find(f"{W}lvlText"),
                    lvl.find(f"{W}start"),
                )
                levels[int(lvl.get(f"{W}ilvl", "0"))] = (
                    fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{W}val", "") if text is not None else "",
                    int(start.get(f"{W}val", "1")) if start is not None else 1,
                )
            abstract[node.get(f"{W}abstractNumId", "")] = levels
        for num in root.findall(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            levels = abstract.get(ref.get(f"{W}val", "") if ref is not None else "", {})
            for ilvl, spec in levels.items():
                self.formats[(num.get(f"{W}numId", ""), ilvl)] = spec

    def label(self, paragraph: Any) -> str:
        ppr = paragraph._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        style = paragraph.style
        while num_pr is None and style is not None:  # numbering given by the paragraph style
            style_ppr = style.element.pPr
            num_pr = style_ppr.numPr if style_ppr is not None else None
            style = style.base_style
        if num_pr is None or num_pr.numId is None:
            return ""
        num_id = str(num_pr.numId.val)
        ilvl = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        spec = self.formats.get((num_id, ilvl))
        if spec is None or num_id == "0":
            return ""
        fmt, text, _ = spec
        if fmt == "bullet":
            return "+ " if ilvl else "- "
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0

        def value(match: re.Match[str]) -> str:
            level = int(match[1]) - 1
            level_fmt, _, start = self.formats.get((num_id, level), ("decimal", "", 1))
            return _format(counters[level] + start - 1, level_fmt)

        return re.sub(r"%(\d)", value, text).strip() + " "


def _format(n: int, fmt: str) -> str:
    if fmt in {"lowerLetter", "upperLetter"}:
        letters = "abcdefghijklmnopqrstuvwxyz"  # as Word prints them
        letter = letters[(n - 1) % len(letters)]
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in {"upperRoman", "lowerRoman"}:
        pairs = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
        out, rest = "", n
        for value, glyph in pairs:
            while rest >= value:
                out, rest = out + glyph, rest - value
        return out if fmt == "upperRoman" else out.lower()
    return str(n)
