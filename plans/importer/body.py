"""The body of a plan: paragraphs re-joined across page breaks and soft line wraps, the numbered
section tree (I./I- → 1. → 1.1. → a) → bullets), the closing paragraph, the legal bases of the
opening paragraph(s) or list, and the theme (chủ đề thi đua)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plans.importer.layout import Unit
from plans.importer.model import ParsedSection
from plans.importer.text import SENTENCE_END, bullet_text, plain, rich, strip_label


@dataclass
class Body:
    preamble: list[Unit] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)
    closing: str = ""
    leftovers: list[Unit] = field(default_factory=list)
    placed: list[tuple[str, list[ParsedSection], bool]] = field(default_factory=list)
    has_roman: bool = False


def build_body(units: list[Unit]) -> Body:
    """Preamble, section tree, closing and what follows the closing."""
    body = Body()
    first = next((i for i, u in enumerate(units) if u.label and u.label.kind == "roman"), None)
    body.has_roman = first is not None
    if first is None:  # no Roman headings: titled "1." items are the top level
        first = next(
            (i for i, u in enumerate(units) if u.label and u.label.kind == "arabic" and _titled(u)),
            len(units),
        )
    body.preamble = units[:first]
    span = _closing(units, first)
    end = span[0] if span else len(units)
    if span:
        body.closing = "\n\n".join(rich(u.text) for u in units[span[0] : span[1] + 1])
        body.leftovers = units[span[1] + 1 :]
    body.placed = [(plain(u.text), [], False) for u in body.preamble]
    _tree(units[first:end], body)
    return body


def _titled(unit: Unit) -> bool:
    return bool(unit.label and heading_parts(unit)[0])


def _closing(units: list[Unit], first: int) -> tuple[int, int] | None:
    """(start, end) of the closing: the last unnumbered paragraph ending "./." (with a "Trên
    đây …" paragraph just before it), else the last "Trên đây …" paragraph followed only by
    short lines."""
    texts = [plain(u.text) for u in units]
    end = next(
        (
            i
            for i in range(len(units) - 1, first, -1)
            if not units[i].label and re.search(r"/\s*\.\s*$", texts[i])
        ),
        None,
    )
    if end is None:
        end = next(
            (
                i
                for i in range(len(units) - 1, first, -1)
                if texts[i].startswith("Trên đây") and all(len(t) < 100 for t in texts[i + 1 :])
            ),
            None,
        )
    if end is None:
        return None
    start = end
    if (
        not texts[end].startswith("Trên đây")
        and end - 1 > first
        and texts[end - 1].startswith("Trên đây")
        and not units[end - 1].label
    ):
        start = end - 1
    return start, end


def heading_parts(unit: Unit) -> tuple[str, str]:
    """(title, first paragraph) of a numbered unit: a bold lead run is the title of the text
    after it; a long sentence is a paragraph without title; a short line is a title."""
    assert unit.label is not None
    rest_rich = strip_label(unit.text, unit.label)
    rest = plain(rest_rich)
    bold = re.match(r"^\*\*(?P<head>[^*]+?)\*\*\s*(?P<after>\S.*)$", rest_rich)
    if bold and len(bold["head"]) < 150:
        return plain(bold["head"]).rstrip(":").strip(), rich(bold["after"])
    words = rest.split()
    if rest.endswith(":") and len(words) <= 30:
        return rest.rstrip(":").strip(), ""
    if len(rest) > 160 or (rest.endswith(SENTENCE_END + ("/.",)) and len(words) > 10):
        return "", rest_rich
    return rest.rstrip(":.").strip(), ""


def _tree(units: list[Unit], body: Body) -> None:
    stack: list[tuple[int, ParsedSection, str]] = []
    for unit in units:
        label = unit.label
        if label and not (label.kind == "letter" and not stack):
            if label.kind == "letter":
                base = next((d for d, _, k in reversed(stack) if k != "letter"), 1)
                depth = base + 1
            else:
                depth = label.depth
            title, first = heading_parts(unit)
            node = ParsedSection(label.label, title, [first] if first else [], [])
            while stack and stack[-1][0] >= depth:
                stack.pop()
            (stack[-1][1].children if stack else body.sections).append(node)
            stack.append((depth, node, label.kind))
            body.placed.append((plain(f"{title} {first}"), [s for _, s, _ in stack], True))
            continue
        text = bullet_text(unit.text) if unit.bullet else rich(unit.text)
        if not text:
            continue
        if stack:
            stack[-1][1].paragraphs.append(text)
        else:
            body.preamble.append(unit)
        body.placed.append((plain(text), [s for _, s, _ in stack], False))


# ------------------------------------------------------------------ theme

QUOTED = re.compile(r"[“\"]\s*([^”\"]{8,300}?)\s*[”\"]")


def find_theme(sections: list[ParsedSection], flat_text: str) -> str:
    """The chủ đề thi đua: the quoted text of a section titled "Chủ đề …", else the first
    quoted text after the words "chủ đề" anywhere in the plan."""
    stack = list(sections)
    while stack:
        section = stack.pop(0)
        if re.match(r"^Chủ đề\b", section.title, re.I):
            source = plain(" ".join([section.title, *section.paragraphs[:2]]))
            quoted = QUOTED.search(source)
            if quoted:
                return _clean_theme(quoted[1])
            if section.paragraphs:
                return _clean_theme(plain(section.paragraphs[0]))
        stack.extend(section.children)
    m = re.search(r"chủ đề[^“\"”.;]{0,60}?[“\"]\s*([^”\"]{8,300}?)\s*[”\"]", flat_text, re.I)
    return _clean_theme(m[1]) if m else ""


def _clean_theme(text: str) -> str:
    return text.strip().strip('*“”"').strip().rstrip(".").strip()
