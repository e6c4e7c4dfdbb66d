"""Text primitives of the plan importer: clean-up of OCR/Markdown/HTML markup, lines with the
blank lines before them, numbered labels ("I." "I-" "1." "1.1." "a)") and Vietnamese dates."""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass

# ------------------------------------------------------------------ markup

TAG = re.compile(r"<\s*(/?)\s*([a-z]+)\b[^>]*>", re.I)
TAG_MARK = {"b": "**", "strong": "**", "i": "*", "em": "*"}
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'])")
HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
QUOTE = re.compile(r"^\s{0,3}>\s?")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
PAIR3 = re.compile(r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*")
PAIR2 = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
RULE = re.compile(r"^[-_=—–*. ]{3,}$")
SENTENCE_END = (".", ";", ":", "!", "?", "…")


def normalize(text: str) -> str:
    """NFC text with Unix newlines, no zero-width characters, HTML tags turned into Markdown
    marks (<b> → **, <i> → *, <br> → newline, others dropped) and backslash escapes removed."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = ZERO_WIDTH.sub("", text).replace("\u00a0", " ")

    def tag(match: re.Match[str]) -> str:
        name = match[2].lower()
        if name == "br":
            return "\n"
        return TAG_MARK.get(name, "")

    text = TAG.sub(tag, text)
    if "&" in text:
        text = html.unescape(text)
    return ESCAPE.sub(r"\1", text)


def balance(text: str) -> str:
    """Keep matched **bold** / ***bold italic*** pairs, drop stray runs of two or more asterisks."""
    kept: list[str] = []

    def stash(match: re.Match[str]) -> str:
        kept.append(match[0])
        return f"\x00{len(kept) - 1}\x00"

    text = PAIR2.sub(stash, PAIR3.sub(stash, text))
    text = re.sub(r"\*{2,}", "", text)
    while "\x00" in text:
        text = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m[1])], text)
    return SPACES.sub(" ", text).strip()


def rich(text: str) -> str:
    """One line or paragraph with its **bold** and *italic* marks, without heading marks."""
    return balance(SPACES.sub(" ", HEADING.sub("", QUOTE.sub("", text.strip()))))


def plain(text: str) -> str:
    """Text without any mark, for recognising structure."""
    text = HEADING.sub("", QUOTE.sub("", text.strip()))
    text = text.replace("***", "").replace("**", "").replace("__", "")
    text = ITALIC.sub(r"\1", text)
    return SPACES.sub(" ", text).strip()


def is_caps(text: str) -> bool:
    """Written in capitals (at least 85 % of the letters, and at least two letters)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def is_bold(text: str) -> bool:
    """The whole line is one bold run."""
    t = HEADING.sub("", text.strip())
    return t.startswith("**") and t.endswith("**") and len(t) > 4


def cells(line: str) -> list[str]:
    """A line split into columns (tabs or three or more spaces, as OCR prints two columns)."""
    return [c for c in re.split(r"\t+| {3,}", line.strip()) if c.strip()]


# ------------------------------------------------------------------ lines


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


# ------------------------------------------------------------------ labels


@dataclass
class Label:
    label: str  # normalised: "I." "I-" "1." "1.1." "a)"
    kind: str  # roman, arabic, multi, letter
    depth: int  # 1 roman, 2 arabic, 2 + dots for multi, 0 for letters (resolved by the tree)
    rest: str  # plain text after the label


ROMAN = re.compile(r"^(?P<num>[IVX]{1,5})\s*(?P<sep>[.\-–—:])\s*(?P<rest>\S.*)$")
MULTI = re.compile(r"^(?P<num>\d{1,2}(?:\s?\.\s?\d{1,2}){1,3})\s?\.?\)?\s+(?P<rest>\S.*)$")
ARABIC = re.compile(r"^(?P<num>\d{1,2})\s?[.)]\s*(?P<rest>[^\d\s/].*)$")
LETTER = re.compile(r"^(?P<num>[a-zđ])\s?[.)]\s+(?P<rest>\S.*)$")
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def roman_value(num: str) -> int:
    total = 0
    for i, ch in enumerate(num):
        value = ROMAN_VALUES[ch]
        nxt = ROMAN_VALUES[num[i + 1]] if i + 1 < len(num) else 0
        total += -value if value < nxt else value
    return total


def detect_label(text: str) -> Label | None:
    """The numbered label a plain line starts with, if any."""
    m = ROMAN.match(text)
    if m and 1 <= roman_value(m["num"]) <= 20 and m["rest"][:1].isupper():
        rest = m["rest"].strip()
        if is_caps(rest) or (len(rest) <= 100 and not rest.endswith(SENTENCE_END[:2])):
            sep = "-" if m["sep"] in "-–—" else "."
            return Label(f"{m['num']}{sep}", "roman", 1, rest)
    m = MULTI.match(text)
    if m and not re.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}\b", text):
        num = re.sub(r"\s", "", m["num"])
        return Label(f"{num}.", "multi", 2 + num.count("."), m["rest"].strip())
    m = ARABIC.match(text)
    if m and int(m["num"]) >= 1:
        return Label(f"{int(m['num'])}.", "arabic", 2, m["rest"].strip())
    m = LETTER.match(text)
    if m:
        return Label(f"{m['num']})", "letter", 0, m["rest"].strip())
    return None


def strip_label(text: str, label: Label) -> str:
    """The marked-up text after its label ("**1. Foo**" → "**Foo**", "**1.** Foo" → "Foo")."""
    core = re.escape(label.label.rstrip(".)-")).replace(r"\.", r"\s?\.\s?")
    m = re.match(
        rf"^\s*(?:#+\s*)?(?P<pre>\*{{0,3}})\s*{core}\s*[.)\-–—:]?\s*(?P<post>\*{{0,3}})\s*", text
    )
    if not m:
        return rich(text)
    rest = text[m.end() :]
    pre, post = m["pre"], m["post"]
    if pre and post and len(pre) == len(post):
        return rich(rest)
    return rich(pre + rest)


BULLET = re.compile(r"^(?P<mark>[-–•+*])\s*(?P<rest>\S.*)$")


def bullet_text(text: str) -> str | None:
    """A bullet line normalised to "- …", "+ …" or "* …"; None when the line is no bullet."""
    t = rich(text)
    lead = re.match(r"^(\*{2,3})(?=[-–•+]\s)", t)
    if lead:  # "**- foo**": the bold run starts after the bullet
        t = t[len(lead[1]) + 1 :].lstrip()
        t = f"- {lead[1]}{t}"
        return rich(t)
    m = BULLET.match(t)
    if not m or RULE.match(t) or re.match(r"^\*[^\s*][^*]*\*", t) or t.startswith("**"):
        return None
    mark = {"–": "-", "•": "-"}.get(m["mark"], m["mark"])
    return f"{mark} {m['rest']}"


# ------------------------------------------------------------------ dates

D_SLASH = r"\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?"
D_WORDS = r"\d{1,2}\s+tháng\s+\d{1,2}(?:\s*(?:năm|/)\s*\d{4})?"
MONTH_EXPR = r"(?:(?:hết|cuối)\s+)?tháng\s+\d{1,2}(?:\s*/\s*\d{4}|\s+năm\s+\d{4})?"
YEAR_EXPR = r"(?:hết|cuối|đầu)\s+năm(?:\s+\d{4})?"
DATE_EXPR = rf"(?:(?:ngày\s+)?(?:{D_WORDS}|{D_SLASH})|{MONTH_EXPR}|{YEAR_EXPR})"


def make_date(year: int | None, month: int, day: int) -> dt.date | None:
    if not year:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, year: int | None, *, end: bool = False) -> dt.date | None:
    """A date written "15/6/2022", "15/6", "ngày 28 tháng 12 năm 2021", "tháng 01/2022"
    (first day, or last day when `end`), "hết năm 2022" or "đầu năm 2022"; a missing year is
    `year`."""
    t = text.strip().lower()
    m = re.match(r"(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s*(?:năm|/)\s*(\d{4}))?", t)
    if m:
        return make_date(int(m[3]) if m[3] else year, int(m[2]), int(m[1]))
    m = re.match(r"(?:ngày\s+)?(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?", t)
    if m:
        return make_date(int(m[3]) if m[3] else year, int(m[2]), int(m[1]))
    m = re.match(r"(?:(hết|cuối)\s+)?tháng\s+(\d{1,2})(?:\s*/\s*(\d{4})|\s+năm\s+(\d{4}))?", t)
    if m:
        y = int(m[3] or m[4] or 0) or year
        month = int(m[2])
        if not y or not 1 <= month <= 12:
            return None
        last = end or bool(m[1])
        return dt.date(y, month, calendar.monthrange(y, month)[1] if last else 1)
    m = re.match(r"(hết|cuối|đầu)\s+năm(?:\s+(\d{4}))?", t)
    if m:
        y = int(m[2]) if m[2] else year
        if not y:
            return None
        return dt.date(y, 1, 1) if m[1] == "đầu" else dt.date(y, 12, 31)
    return None


def month_of(text: str, year: int | None) -> tuple[int, int | None] | None:
    """(month, year) of "tháng 7/2022", "tháng 12 năm 2022" or "tháng 7" (year given)."""
    m = re.search(r"tháng\s+(\d{1,2})(?:\s*/\s*(\d{4})|\s+năm\s+(\d{4}))?", text, re.I)
    if not m or not 1 <= int(m[1]) <= 12:
        return None
    return int(m[1]), int(m[2] or m[3] or 0) or year


def split_outside(text: str, separators: str = ";", *, quotes: bool = True) -> list[str]:
    """Split on separators that are not inside parentheses or (balanced) quotes."""
    parts: list[str] = []
    depth = 0
    quote = False
    start = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif quotes and ch in '“”"':
            quote = ch == "“" or (ch == '"' and not quote)
        elif ch in separators and depth == 0 and not quote:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    if quote or depth:  # unbalanced OCR quotes or brackets: split on every separator
        return [p.strip() for p in re.split(f"[{re.escape(separators)}]", text) if p.strip()]
    return [p.strip() for p in parts if p.strip()]
