"""Layout: the cleaned text as lines (with the blank lines before each), an incoming-document
stamp removed, two-column lines split into cells, and lines joined into paragraph units."""

from __future__ import annotations

import re
from dataclasses import dataclass

from plans.importer.text import RULE, SENTENCE_END, Label, bullet_text, detect_label, is_caps, plain


def cells(line: str) -> list[str]:
    """A line split into columns (tabs or three or more spaces, as OCR prints two columns)."""
    return [c for c in re.split(r"\t+| {3,}", line.strip()) if c.strip()]


@dataclass
class Line:
    text: str  # the line with its marks, right-stripped
    blank_before: int  # blank lines just before it


def to_lines(text: str) -> list[Line]:
    """Non-blank lines, each knowing how many blank lines precede it."""
    out: list[Line] = []
    blank = 0
    for raw in text.split("\n"):
        stripped = raw.rstrip()
        if not plain(stripped):
            blank += 1
            continue
        out.append(Line(stripped, blank))
        blank = 0
    return out


STAMP_FIELD = re.compile(
    r"^(?:ĐẾN|Đến|Số|Ngày|Chuyển|Lưu hồ sơ số|Số và ký hiệu HS|Người nhận|Giờ)\b\s*:?", re.I
)


def strip_stamp(lines: list[Line]) -> list[Line]:
    """Drop an incoming-document stamp ('SỞ X' / 'ĐẾN Số: 686' / 'Ngày: …' / 'Chuyển:' /
    'Số và ký hiệu HS:'): it is not the issuer, the number or the date of the plan."""
    out = list(lines)
    for i, line in enumerate(out):
        p = plain(line.text)
        if not re.match(r"^ĐẾN\b", p):
            continue
        window = " ".join(plain(x.text) for x in out[i : i + 6])
        if not re.search(r"Chuyển\s*:|ký hiệu HS|Ngày\s*:\s*\d", window):
            continue
        end = i + 1
        while end < len(out) and end < i + 8 and STAMP_FIELD.match(plain(out[end].text)):
            if "/KH" in plain(out[end].text) or "-KH" in plain(out[end].text):
                break
            end += 1
        start = (
            i - 1
            if i > 0 and is_caps(plain(out[i - 1].text)) and "Số" not in out[i - 1].text
            else i
        )
        if start < i and STAMP_FIELD.match(plain(out[start].text)):
            start = i
        return out[:start] + out[end:]
    return out


@dataclass
class Unit:
    """One paragraph of the source: a heading, a numbered item, a bullet or plain text."""

    text: str
    label: Label | None
    bullet: bool


def make_units(lines: list[Line]) -> list[Unit]:
    """Paragraph units: a line that goes on in lower case after an unfinished sentence (page
    break) or that wraps a long line without a blank line joins the previous unit."""
    units: list[Unit] = []
    for line in lines:
        p = plain(line.text)
        if not p or RULE.match(p):
            continue
        label = detect_label(p)
        bullet = label is None and bullet_text(line.text) is not None
        if units and not label and not bullet and _continues(units[-1], p, line.blank_before):
            units[-1].text = f"{units[-1].text.rstrip()} {line.text.strip()}"
            continue
        units.append(Unit(line.text.strip(), label, bullet))
    return units


def _continues(prev: Unit, p: str, blank: int) -> bool:
    before = plain(prev.text)
    if not before or before.endswith(SENTENCE_END) or before.endswith("/."):
        return False
    if p[:1].islower():
        return True
    if blank:
        return False
    if prev.label:  # a heading wrapped over two lines, both in capitals
        return is_caps(before) and is_caps(p)
    return len(before) >= 60 and not is_caps(before)
