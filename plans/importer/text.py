"""Text primitives shared by the importer, the outline editor and the document builder.

- One linear markup tokenizer: `**bold**` and `*italic*` pairs are found with one backward pass
  that records the nearest valid closing mark, then one forward pass (the former regular
  expressions scanned to the end of the text for every unmatched opening mark: quadratic).
- Clean-up of OCR/Markdown/HTML markup, numbered labels ("I." "I-" "I/" "1." "1)" "1.1." "a)"
  "a."), bullets and Vietnamese dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Length caps: a real plan is a few dozen pages; anything far longer is refused with a message.
MAX_SOURCE_CHARS = 400_000
MAX_PARAGRAPH_CHARS = 20_000


def vn_number(n: int) -> str:
    """12345 → "12.345" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


# ------------------------------------------------------------------ tokenizer

Check = Callable[[str, int], bool]
STAR = re.compile(r"\*")


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what \w means in Python's re for str


def _bold_open(t: str, i: int) -> bool:
    return t.startswith("**", i) and i + 2 < len(t) and not t[i + 2].isspace()


def _bold_close(t: str, q: int) -> bool:
    return t.startswith("**", q) and q > 0 and not t[q - 1].isspace() and t[q + 2 : q + 3] != "*"


def _italic_open(t: str, i: int) -> bool:
    before = t[i - 1] if i else " "
    after = t[i + 1 : i + 2]
    ok_after = bool(after) and not after.isspace() and after != "*"
    return t[i] == "*" and not (_word(before) or before == "*") and ok_after


def _italic_close(t: str, q: int) -> bool:
    before, after = t[q - 1] if q else " ", t[q + 1 : q + 2] or " "
    ok_before = not before.isspace() and before != "*"
    return t[q] == "*" and ok_before and not (_word(after) or after == "*")


def _pairs(text: str, width: int, opens: Check, closes: Check) -> list[tuple[int, int]]:
    """(open, close) positions of matched marks, leftmost opener first and the nearest closer
    after at least one character of content: what a lazy `MARK(.+?)MARK` regex finds, but in
    one pass over the asterisks (the regex rescanned the rest of the text for every opener)."""
    stars = [m.start() for m in STAR.finditer(text)]
    closers = [q for q in stars if closes(text, q)]
    pairs: list[tuple[int, int]] = []
    c = 0
    after = -1
    for i in stars:
        if i < after or not opens(text, i):
            continue
        while c < len(closers) and closers[c] < i + width + 1:
            c += 1
        if c == len(closers):
            break
        pairs.append((i, closers[c]))
        after = closers[c] + width
    return pairs


def bold_pairs(text: str) -> list[tuple[int, int]]:
    return _pairs(text, 2, _bold_open, _bold_close)


def italic_pairs(text: str) -> list[tuple[int, int]]:
    return _pairs(text, 1, _italic_open, _italic_close)


def _split(text: str, pairs: list[tuple[int, int]], width: int) -> list[tuple[str, bool]]:
    """The text cut at its pairs: (piece, inside a pair), marks removed."""
    out: list[tuple[str, bool]] = []
    at = 0
    for start, close in pairs:
        out.append((text[at:start], False))
        out.append((text[start + width : close], True))
        at = close + width
    out.append((text[at:], False))
    return out


def spans(text: str, *, bold: bool = False, italic: bool = False) -> list[tuple[str, bool, bool]]:
    """`**bold**` and `*italic*` marks → (text, bold, italic) runs, neighbours of the same style
    merged; unmatched asterisks stay literal text. Linear in the length of the text."""
    runs: list[tuple[str, bool, bool]] = []
    for part, in_bold in _split(text, bold_pairs(text), 2):
        for piece, in_italic in _split(part, italic_pairs(part), 1):
            if not piece:
                continue
            style = (bold or in_bold, italic or in_italic)
            if runs and runs[-1][1:] == style:
                runs[-1] = (runs[-1][0] + piece, *style)
            else:
                runs.append((piece, *style))
    return runs


def unmarked(text: str) -> str:
    """The text of `spans`, without any mark."""
    return "".join(piece for piece, _, _ in spans(text))


STARS = re.compile(r"\*{2,}")


def keep_paired_stars(text: str) -> str:
    """Matched `**…**` pairs kept; any other run of two or more asterisks dropped."""
    kept: set[int] = set()
    for start, close in bold_pairs(text):
        kept.update((start, close))

    def keep(m: re.Match[str]) -> str:
        touches = any(p in kept for p in range(m.start() - 1, m.end()))
        return m[0] if touches else ""

    return STARS.sub(keep, text)


# ------------------------------------------------------------------ markup

TAG = re.compile(r"<\s*(/?)\s*([a-z]+)\b[^<>]{0,200}>", re.I)
TAG_MARK = {"b": "**", "strong": "**", "i": "*", "em": "*"}
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'])")
HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
QUOTE = re.compile(r"^\s{0,3}>\s?")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
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
    return SPACES.sub(" ", keep_paired_stars(text)).strip()


def rich(text: str) -> str:
    """One line or paragraph with its **bold** and *italic* marks, without heading marks."""
    return balance(SPACES.sub(" ", HEADING.sub("", QUOTE.sub("", text.strip()))))


def plain(text: str) -> str:
    """Text without any mark, for recognising structure."""
    text = HEADING.sub("", QUOTE.sub("", text.strip()))
    text = text.replace("***", "").replace("**", "").replace("__", "")
    pieces = _split(text, italic_pairs(text), 1) if "*" in text else [(text, False)]
    return SPACES.sub(" ", "".join(p for p, _ in pieces)).strip()


def is_caps(text: str) -> bool:
    """Written in capitals (at least 85 % of the letters, and at least two letters)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def is_bold(text: str) -> bool:
    """The whole line is one bold run."""
    t = HEADING.sub("", text.strip())
    return t.startswith("**") and t.endswith("**") and len(t) > 4


# ------------------------------------------------------------------ labels


@dataclass
class Label:
    label: str  # normalised: "I." "I-" "1." "1.1." "a)"
    kind: str  # roman, arabic, multi, letter
    depth: int  # 1 roman, 2 arabic, 2 + dots for multi, 0 for letters (resolved by the tree)
    rest: str  # plain text after the label


ROMAN = re.compile(r"^(?P<num>[IVX]{1,5})\s*(?P<sep>[.\-–—:/])\s*(?P<rest>\S.*)$")
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
        rf"^\s*(?:#+\s*)?(?P<pre>\*{{0,3}})\s*{core}\s*[.)\-–—:/]?\s*(?P<post>\*{{0,3}})\s*", text
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


YEARS = range(1900, 2201)  # a plan's dates; anything else is a misreading, not a date


def make_date(year: int | None, month: int, day: int) -> dt.date | None:
    if year not in YEARS:
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
        if y not in YEARS or not 1 <= month <= 12:
            return None
        last = end or bool(m[1])
        return dt.date(y, month, calendar.monthrange(y, month)[1] if last else 1)
    m = re.match(r"(hết|cuối|đầu)\s+năm(?:\s+(\d{4}))?", t)
    if m:
        y = int(m[2]) if m[2] else year
        if y not in YEARS:
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
