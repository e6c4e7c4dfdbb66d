"""Legal bases (căn cứ) of the opening text: a list ("- Căn cứ …;" bullets, or one "Căn cứ …;"
line each), or the references quoted inside one opening paragraph ("Thực hiện …; … như sau:")."""

from __future__ import annotations

import re

import plans.importer.lexicon as lexicon
from plans.importer.layout import Unit
from plans.importer.text import plain, rich, split_outside

LEAD = re.compile(rf"^(?:và\s+)?(?:{'|'.join(lexicon.BASIS_OPENERS)})\s+", re.I)
REFERENCE = re.compile(rf"^(?:các\s+)?(?:{'|'.join(lexicon.DOC_WORDS)})\b", re.I)
STANDING = re.compile(rf"^(?:các\s+)?(?:{'|'.join(lexicon.STANDING_LAWS)})\b", re.I)
DATED = re.compile(r"\bsố\b|\d{1,2}/\d{1,2}/\d{4}|\bnăm \d{4}")
MOVEMENT = re.compile(
    r"^(?P<item>phong trào\b.*?\bphát động\b(?:\s+với\s+chủ đề\s*[“\"][^”\"]*[”\"])?)", re.I
)
MARKS = "-–•+* "
# "…, Khối thi đua xây dựng Kế hoạch như sau:" closes the opening paragraph, not the reference.
AS_FOLLOWS = re.compile(r",\s+[^,;]{0,120}?\bnhư sau\s*:?\s*$")


def bases_of(preamble: list[Unit]) -> tuple[str, list[str], str]:
    """(style, bases, preamble text). List style: "- Căn cứ …;" bullets, or two or more lines
    each one reference ending ";" or "."; paragraph style: the references (and a movement
    "phát động" by a superior) inside the opening paragraph(s) that start "Căn cứ"/"Thực
    hiện"/"Hưởng ứng"/"Theo", each a substring of the preamble."""
    listed = [u for u in preamble if _is_list_item(u)]
    if listed and (any(u.bullet for u in listed) or len(listed) >= 2):
        bases = [plain(u.text).lstrip(MARKS).strip().rstrip(" ;.,") for u in listed]
        rest = [rich(u.text) for u in preamble if u not in listed]
        return "list", bases, "\n\n".join(rest)
    bases: list[str] = []
    for unit in preamble:
        p = plain(unit.text)
        if LEAD.match(p):
            bases += [b for b in map(_reference, split_outside(p, ";")) if b]
    return "paragraph", bases, "\n\n".join(rich(u.text) for u in preamble)


def _is_list_item(unit: Unit) -> bool:
    p = plain(unit.text).lstrip(MARKS).strip()
    if not LEAD.match(p):
        return False
    if unit.bullet:
        return True
    # One reference a line: it ends like a list item and holds no second reference.
    return p.endswith((";", ".")) and len(split_outside(p.rstrip(";."), ";")) == 1


def _reference(item: str) -> str:
    item = LEAD.sub("", item).strip()
    item = AS_FOLLOWS.sub("", item).rstrip(" ,.;:")
    if REFERENCE.match(item) and (DATED.search(item) or STANDING.match(item)):
        return item
    movement = MOVEMENT.match(item)
    return movement["item"].strip() if movement else ""
