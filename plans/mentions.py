"""What a plan's text still says about last year: the old year outside citations of past
documents, and last year's head unit when the head changed. Listed on the plan page, each
linked to the editor line, and confirmed before the plan can be submitted or approved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import reverse

from blocs.models import BlocTerm
from plans.datelinks import REFERENCE, TOKEN, resolve
from plans.editing import schedule_records, section_tree
from plans.models import Plan
from plans.outline import LABEL, render_outline

HEADER_FIELDS = {
    "title": "Trích yếu",
    "preamble": "Lời mở đầu",
    "theme": "Chủ đề thi đua",
    "closing": "Câu kết",
}
DATE_BEFORE = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*$")
YEAR_RANGE = re.compile(r"\d{4}\s*[-–]\s*$")


@dataclass
class Mention:
    kind: str  # "year" | "head"
    where: str
    snippet: str
    url: str


def _hits(text: str, needle: str, *, year: bool) -> Iterator[int]:
    pattern = rf"(?<!\d){re.escape(needle)}(?!\d)" if year else re.escape(needle)
    for match in re.finditer(pattern, text, re.I):
        start = match.start()
        if year:
            before = text[max(0, start - 100) : start]
            after = text[match.end() : match.end() + 8]
            date = DATE_BEFORE.search(before)
            if date and REFERENCE.search(before[: date.start()][-80:]):
                continue  # the date of a cited document
            if YEAR_RANGE.search(before) or re.match(r"\s*[-–]\s*\d{4}(?!\d)", after):
                continue  # a period such as "giai đoạn 2021 - 2025"
        yield start


def _snippet(text: str, start: int, length: int) -> str:
    a, b = max(0, start - 45), min(len(text), start + length + 45)
    return ("…" if a else "") + text[a:b].replace("\n", " ") + ("…" if b < len(text) else "")


def needles(plan: Plan) -> list[tuple[str, str]]:
    """(kind, text) to look for: last year, and last year's head names if the head changed."""
    found = [("year", str(plan.year - 1))]
    terms = {
        t.year: t
        for t in BlocTerm.objects.select_related("head_unit").filter(
            bloc_id=plan.bloc_id, year__in=[plan.year - 1, plan.year]
        )
    }
    old, new = terms.get(plan.year - 1), terms.get(plan.year)
    if old is not None and (new is None or new.head_unit_id != old.head_unit_id):
        names = {old.head_print_name, old.head_unit.name, old.head_unit.short_name}
        province = plan.bloc.province.name
        # "Bộ CHQS tỉnh Tuyên Quang" is often written "Bộ CHQS tỉnh" inside the province's text
        names |= {n[: -len(province)].strip() for n in names if n and n.endswith(f" {province}")}
        current = {new.head_print_name.casefold()} if new else set()
        for name in sorted(n.strip() for n in names if n and len(n.strip()) >= 6):
            if name.casefold() not in current:
                found.append(("head", name))
    return found


def stale_mentions(plan: Plan) -> list[Mention]:
    """Every place of the header, body, recipients and signature naming last year or its head."""
    args = (plan.bloc_id, plan.year, plan.pk)
    values = schedule_records(plan)
    places: list[tuple[str, str, str]] = []
    header_url = reverse("plans:edit_header", args=args)
    for name, label in HEADER_FIELDS.items():
        places.append((label, getattr(plan, name), f"{header_url}#id_{name}"))
    body_url = reverse("plans:edit_body", args=args)
    labels: list[str] = []
    for i, line in enumerate(render_outline(section_tree(plan)).splitlines(), start=1):
        numbered = LABEL.match(line)
        if numbered:
            labels = _nest(labels, numbered["label"])
        where = f"Nội dung, mục {labels[-1]} (dòng {i})" if labels else f"Nội dung, dòng {i}"
        places.append((where, line, f"{body_url}?dong={i}#id_outline"))
    lists_url = reverse("plans:edit_lists", args=args)
    for r in plan.recipients.all():
        places.append(("Nơi nhận", r.name, lists_url))
    for s in plan.signature_lines.all():
        places.append(("Khối chữ ký", s.text, lists_url))
    out = []
    for kind, needle in needles(plan):
        for where, raw, url in places:
            text, linked = _resolved(raw or "", values)
            for start in _hits(text, needle, year=kind == "year"):
                if not any(a <= start < b for a, b in linked):  # a linked date is the schedule's
                    out.append(Mention(kind, where, _snippet(text, start, len(needle)), url))
    return out


def _resolved(text: str, values: dict) -> tuple[str, list[tuple[int, int]]]:
    """The text as printed, and the spans where linked dates were put in."""
    parts, spans, last, pos = [], [], 0, 0
    for match in TOKEN.finditer(text):
        parts.append(text[last : match.start()])
        pos += match.start() - last
        value = resolve(match.group(0), values)
        spans.append((pos, pos + len(value)))
        parts.append(value)
        pos += len(value)
        last = match.end()
    parts.append(text[last:])
    return "".join(parts), spans


def _nest(labels: list[str], label: str) -> list[str]:
    """The path of outline labels after `label` ("IV." then "1." → ["IV.", "IV.1."])."""
    if re.match(r"^[IVXLC]+[.\-]$", label):
        return [label]
    top = labels[0] if labels else ""
    return [top, f"{top}{label}"] if top else [label]


def summary(found: list[Mention], plan: Plan) -> str:
    years = sum(1 for m in found if m.kind == "year")
    heads = len(found) - years
    parts = []
    if years:
        parts.append(f"{years} chỗ ghi năm {plan.year - 1}")
    if heads:
        parts.append(f"{heads} chỗ ghi tên Trưởng khối năm {plan.year - 1}")
    return "Còn " + " và ".join(parts) + "."
