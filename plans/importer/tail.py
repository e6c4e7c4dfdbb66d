"""The end of a plan: "Nơi nhận" with its items (purpose in trailing parentheses, the "Lưu …"
archive line last) and the signature block as ordered lines with roles and the signing gap."""

from __future__ import annotations

import re

import plans.importer.lexicon as lexicon
from plans.importer.layout import Line, cells
from plans.importer.model import ParsedRecipient, ParsedSignatureLine
from plans.importer.text import is_caps, plain

NOI_NHAN = re.compile(rf"^{lexicon.RECIPIENTS_LABEL}\s*:?\s*(?P<rest>.*)$", re.I)
_PREFIXES = "|".join(re.escape(p) for p in lexicon.AUTHORITY_PREFIXES)
AUTHORITY = re.compile(rf"^(?:{_PREFIXES})\s*[.:]?\s+\S")
RANKS = lexicon.RANKS
OFFICE_WORDS = lexicon.OFFICE_WORDS
SKIP = re.compile(lexicon.SIGNING_NOTES, re.I)
ITEM_MARK = re.compile(r"^[-–•+]\s*")


INLINE_SPLIT = re.compile(r"[;,.:]\s+")
INDENTED = re.compile(r"^(?:\t| {8,})")


def columns(text: str, *, label: bool = False) -> tuple[str, str]:
    """(left, right) of a line of the two-column ending (Nơi nhận left, signature right):
    columns kept apart by a tab or wide spaces, a line indented into the right column, or one
    flattened line where an item (or the "Nơi nhận:" label) ends and capitals follow."""
    parts = cells(text)
    if len(parts) >= 2:
        return parts[0], " ".join(parts[1:])
    if INDENTED.match(text):
        return "", text.strip()
    for cut in INLINE_SPLIT.finditer(text):
        if label != (cut[0][0] == ":"):
            continue
        right = text[cut.end() :].strip()
        long_word = any(sum(ch.isalpha() for ch in w) >= 4 for w in right.split())
        if is_caps(plain(right)) and long_word and not re.search(r"[;]", right):
            return text[: cut.start() + 1].strip(), right
    return text.strip(), ""


def find_recipients_line(lines: list[Line], start: int) -> int | None:
    """Index of the last "Nơi nhận:" line at or after `start`."""
    found = None
    for i in range(start, len(lines)):
        if not re.match(lexicon.RECIPIENTS_LABEL, plain(lines[i].text), re.I):
            continue
        m = NOI_NHAN.match(plain(columns(lines[i].text, label=True)[0]))
        if m and (not m["rest"] or m["rest"][:1] in "-–•"):
            found = i
    return found


def parse_tail(
    lines: list[Line], extra: list[Line]
) -> tuple[list[ParsedRecipient], list[ParsedSignatureLine], list[str]]:
    """Recipients and signature from the lines starting at "Nơi nhận:" (empty when absent);
    `extra` are short lines printed after the closing in the body (a signature set before the
    recipients, or a plan without "Nơi nhận")."""
    warnings: list[str] = []
    left: list[Line] = []
    right: list[Line] = []
    if lines:
        label, first_right = columns(lines[0].text, label=True)
        rest = NOI_NHAN.match(plain(label))
        if rest and rest["rest"]:
            left.append(Line(rest["rest"], 0))
        if first_right:
            right.append(Line(first_right, 0))
        _split_tail(lines[1:], left, right)
    else:
        warnings.append("Không thấy phần “Nơi nhận”.")
    if not [x for x in right if plain(x.text)]:
        right = extra
    recipients = _recipients(left)
    signature = _signature(right, warnings)
    if lines and not recipients:
        warnings.append("Phần “Nơi nhận” không có mục nào.")
    return recipients, signature, warnings


def _split_tail(lines: list[Line], left: list[Line], right: list[Line]) -> None:
    in_list = True
    for line in lines:
        item, signed = columns(line.text) if in_list else ("", line.text)
        p = plain(item)
        if in_list and signed:  # two columns: recipients left, signature right
            if item:
                left.append(Line(item, line.blank_before))
            right.append(Line(signed, line.blank_before))
            continue
        if in_list and (_is_item(p) or _goes_on(left, p)):
            left.append(line)
            in_list = not p.lstrip("-–•+ ").lower().startswith("lưu")
            continue
        in_list = False
        right.append(line)


def _is_item(p: str) -> bool:
    return bool(ITEM_MARK.match(p) or p.endswith(";") or p.lower().startswith("lưu"))


def _goes_on(left: list[Line], p: str) -> bool:
    return bool(left) and p[:1].islower() and not plain(left[-1].text).endswith((";", ".", ","))


def _recipients(left: list[Line]) -> list[ParsedRecipient]:
    items: list[str] = []
    for line in left:
        p = plain(line.text)
        if not p:
            continue
        if items and not ITEM_MARK.match(p) and not items[-1].endswith((";", ",", ".")):
            items[-1] = f"{items[-1]} {p}"
        else:
            items.append(p)
    out: list[ParsedRecipient] = []
    for item in items:
        text = ITEM_MARK.sub("", item).strip().rstrip(";,. ").strip()
        if not text:
            continue
        if text.lower().startswith("lưu"):
            out.append(ParsedRecipient(name=text, purpose="", is_archive=True))
            continue
        m = re.match(r"^(?P<name>.*?\S)\s*\((?P<purpose>[^()]*)\)$", text)
        if m:
            out.append(ParsedRecipient(m["name"].strip(), m["purpose"].strip(" *"), False))
        else:
            out.append(ParsedRecipient(name=text, purpose="", is_archive=False))
    return out


def _looks_like_name(p: str) -> bool:
    words = p.split()
    return (
        2 <= len(words) <= 6
        and all(w[:1].isupper() for w in words)
        and not re.search(r"[\d,;:()/]", p)
        and words[0].lower() not in OFFICE_WORDS
    )


def _signature(lines: list[Line], warnings: list[str]) -> list[ParsedSignatureLine]:
    source: list[Line] = []
    for line in lines:
        p = plain(line.text).strip("* ")
        if not p or SKIP.match(p):
            continue
        if re.match(r"^PH[ỤU]\s*L[ỤU]C\b", p, re.I) or len(p) > 120:
            warnings.append("Phần sau khối chữ ký (phụ lục, bảng biểu) chưa được nhập.")
            break
        source.append(Line(p, line.blank_before if source else 0))
    if not source:
        warnings.append("Không thấy khối chữ ký.")
        return []
    rows: list[tuple[int, str, str]] = []  # (source index, role, text)
    named = False
    for i, line in enumerate(source):
        p = line.text
        rank = next((r for r in RANKS if p.lower().startswith(r.lower())), None)
        if AUTHORITY.match(p):
            rows.append((i, "authority", p))
        elif rank and (len(p) == len(rank) or p[len(rank)] == " "):
            rows.append((i, "rank", p[: len(rank)]))
            rest = p[len(rank) :].strip()
            if rest:
                rows.append((i, "title" if named else "name", rest))
                named = True
        elif is_caps(p):
            rows.append((i, "position", p))
        elif not named and _looks_like_name(p):
            rows.append((i, "name", p))
            named = True
        else:
            rows.append((i, "title", p))
    if not named:  # a name printed in capitals on the last line, after the positions
        i, role, text = rows[-1]
        if role == "position" and len(rows) > 1 and _looks_like_name(text.title()):
            if not set(text.lower().split()) & OFFICE_WORDS:
                rows[-1] = (i, "name", text)
                named = True
    if not named:
        warnings.append("Khối chữ ký chưa có họ tên người ký.")
    gap = _gap(source, rows)
    return [
        ParsedSignatureLine(role=role, text=text, after_gap=gap is not None and i >= gap)
        for i, role, text in rows
    ]


def _gap(source: list[Line], rows: list[tuple[int, str, str]]) -> int | None:
    """Index of the first line below the signing space: the one blank-line break, or the one
    widest break; when unsure (or the break would fall below the name), before the name group
    (a rank printed on its own line just above the name belongs to it)."""
    seps = [line.blank_before for line in source[1:]]
    positive = [k for k, s in enumerate(seps, 1) if s > 0]
    gap: int | None = None
    if len(positive) == 1:
        gap = positive[0]
    elif positive and seps.count(max(seps)) == 1:
        gap = seps.index(max(seps)) + 1
    name = next((i for i, role, _ in rows if role == "name"), None)
    if name is not None:
        rank_above = [i for i, role, text in rows if role == "rank" and i == name - 1]
        name_group = rank_above[0] if rank_above else name
        if gap is None or gap > name:
            gap = name_group
    return gap
