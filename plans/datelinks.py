"""Dates in the plan's text are links to its schedule records, so what the document prints and
what the app enforces come from the same rows (docs/plan-dates.md says why this way).

A linked date is stored in the body as a token, e.g. ``{{dot1.tu:dd/mm/yyyy}}`` (phase 1 starts)
or ``{{bao_cao_so_ket.han:dd/m/yyyy}}`` (the 6-month report is due). The format after the colon
keeps the writer's own style ("01/6/2022" stays "dd/m/yyyy"), so an imported plan prints its
own text. Importing, copying and amending a plan link its dates; the schedule editor changes the
rows, and every render (page, PDF, DOCX) resolves the tokens from them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

TOKEN = re.compile(r"\{\{(?P<key>[a-z_]+\d*(?:#\d+)?\.[a-z_]+)(?::(?P<fmt>[dmy/.\-]{1,12}))?\}\}")
DATE = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?![\d/])")
MONTH = re.compile(r"(tháng\s+)(\d{1,2})\s*([/.\-])\s*(\d{4})(?![\d/])", re.I)
# A date right after a document number ("số 26/CT-TTg ngày 05/9/2016") cites that document.
REFERENCE = re.compile(
    r"(?:số|Số)\s*:?\s*[\w./\-]*\d[\w./\-]*\s*(?:,\s*)?(?:của\s+[^,;]{0,40}\s*)?ngày\s*$"
    r"|\d+\s*[/\-]\s*[A-ZĐ][\w\-/]*\s*(?:,\s*)?ngày\s*$"
)
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}
PHASE_WORD = re.compile(r"đợt\s+(\d+|[ivx]+)\b", re.I)
FIELD_LABELS = {
    "tu": "bắt đầu",
    "den": "kết thúc",
    "han": "hạn",
    "thang": "tháng",
    "so_lieu_tu": "số liệu từ",
    "so_lieu_den": "số liệu đến",
}
KIND_WORDS = {
    "so_ket": "sơ kết",
    "tong_ket": "tổng kết",
    "ky_giao_uoc": "giao ước",
    "dang_ky": "đăng ký",
    "phat_dong": "phát động",
    "binh_xet": "bình xét",
}
UNRESOLVED = "[chưa định ngày]"


@dataclass
class Record:
    """One dated value of the schedule that text may name."""

    key: str
    value: dt.date | tuple[int, int]
    label: str
    words: tuple[str, ...] = field(default_factory=tuple)
    phase_seq: int | None = None

    @property
    def is_month(self) -> bool:
        return isinstance(self.value, tuple)

    @property
    def field(self) -> str:
        return self.key.rsplit(".", 1)[1]


def records(
    phases: Iterable[Any], milestones: Iterable[Any], year: int | None = None
) -> list[Record]:
    """The linkable values of a schedule: phases by their number, milestones by kind and order
    (the second report of one kind is ``kind#2``). Works on rows or parsed dataclasses."""
    out: list[Record] = []
    for p in sorted(phases, key=lambda p: p.seq):
        name = f"Đợt {p.seq}"
        for attr, fld in (("start", "tu"), ("end", "den")):
            if getattr(p, attr, None):
                out.append(
                    Record(
                        f"dot{p.seq}.{fld}",
                        getattr(p, attr),
                        f"{name} – {FIELD_LABELS[fld]}",
                        phase_seq=p.seq,
                    )
                )
    for base, label, m in milestone_keys(milestones):
        words = tuple(w for code, w in KIND_WORDS.items() if code in m.kind)
        for attr, fld in (("due", "han"), ("data_from", "so_lieu_tu"), ("data_to", "so_lieu_den")):
            if getattr(m, attr, None):
                out.append(
                    Record(
                        f"{base}.{fld}", getattr(m, attr), f"{label} – {FIELD_LABELS[fld]}", words
                    )
                )
        if getattr(m, "due_month", None) and not getattr(m, "due", None):
            out.append(
                Record(
                    f"{base}.thang",
                    (m.due_month, m.due_year or year or 0),
                    f"{label} – {FIELD_LABELS['thang']}",
                    words,
                )
            )
    return out


def milestone_keys(milestones: Iterable[Any]) -> Iterable[tuple[str, str, Any]]:
    """(key, label, milestone) in order: the first milestone of a kind is keyed by the kind, the
    second `kind#2`… The text's date codes and the reporting rounds (scoring) share these keys."""
    seen: Counter[str] = Counter()
    for m in milestones:
        seen[m.kind] += 1
        n = seen[m.kind]
        yield (
            m.kind if n == 1 else f"{m.kind}#{n}",
            _kind_label(m.kind) + (f" ({n})" if n > 1 else ""),
            m,
        )


def _kind_label(kind: str) -> str:
    from plans.models import Milestone  # the labels live with the model

    try:
        return Milestone.Kind(kind).label
    except ValueError:
        return kind


# ---------------------------------------------------------------- formatting


def _style_of(day: str | None, month: str, default_m: str) -> tuple[str, str]:
    d = "d" if day is not None and len(day) == 1 else "dd"
    if len(month) == 1:
        m = "m"
    elif month.startswith("0"):
        m = "mm"
    else:
        m = default_m  # 10–12 read the same either way: follow the text's other dates
    return d, m


def format_value(value: dt.date | tuple[int, int], fmt: str | None) -> str:
    """Print a date ("dd/m/yyyy", "d.m.yyyy", …) or a month ("m/yyyy") in the stored style."""
    fmt = fmt or ("mm/yyyy" if isinstance(value, tuple) else "dd/mm/yyyy")
    sep = next((c for c in fmt if c in "/.-"), "/")
    parts = fmt.split(sep)
    if isinstance(value, tuple):
        month, year = value
        day = None
    else:
        day, month, year = value.day, value.month, value.year
    out = []
    for part in parts:
        if part == "dd" and day is not None:
            out.append(f"{day:02d}")
        elif part == "d" and day is not None:
            out.append(str(day))
        elif part == "mm":
            out.append(f"{month:02d}")
        elif part == "m":
            out.append(str(month))
        elif part == "yyyy":
            out.append(str(year))
    return sep.join(out)


def resolve(text: str, values: dict[str, Record]) -> str:
    """The text with every token replaced by its record's current value."""
    if "{{" not in text:
        return text

    def sub(match: re.Match[str]) -> str:
        record = values.get(match["key"])
        return format_value(record.value, match["fmt"]) if record else UNRESOLVED

    return TOKEN.sub(sub, text)


def token(key: str, fmt: str) -> str:
    return "{{" + key + ":" + fmt + "}}"


def keys_in(text: str) -> set[str]:
    return {m["key"] for m in TOKEN.finditer(text or "")}


def describe(text: str, values: dict[str, Record]) -> str:
    """For error messages: the tokens of `text` that no record answers, with their meaning."""
    return ", ".join(sorted(k for k in keys_in(text) if k not in values))


# ---------------------------------------------------------------- linking


def _month_bound(record: Record) -> bool:
    value = record.value
    if record.field == "tu":
        return value.day == 1
    return (value + dt.timedelta(days=1)).day == 1


def _month_style(text: str) -> str:
    singles = doubles = 0
    for m in DATE.finditer(text):
        month = m.group(3)
        if len(month) == 1:
            singles += 1
        elif month.startswith("0"):
            doubles += 1
    return "m" if singles > doubles else "mm"


def _score(record: Record, before: str, used: Counter[str], *, reference: bool) -> float:
    window = before[-160:].lower()
    near = before[-40:].lower()
    score = 0.0 if used[record.key] else 0.5
    phase_hits = list(PHASE_WORD.finditer(window))
    if record.phase_seq is not None:
        if phase_hits:
            raw = phase_hits[-1].group(1).lower()
            seq = int(raw) if raw.isdigit() else ROMAN.get(raw)
            score += 3 if seq == record.phase_seq else -2
        if "số liệu" in near:
            score -= 2
    else:
        if record.words and any(w in window for w in record.words):
            score += 2
        if record.field.startswith("so_lieu"):
            score += 2 if "số liệu" in near or "số liệu" in window[-80:] else -1
        elif record.field == "han":
            score += 1 if re.search(r"(trước|hạn|chậm nhất)[^.;]{0,20}$", near) else 0
    return score - (5 if reference else 0)


def link_text(text: str, recs: list[Record], used: Counter[str] | None = None) -> str:
    """Replace the dates of `text` that equal a schedule value by tokens (idempotent)."""
    if not text or not recs:
        return text
    used = used if used is not None else Counter()
    default_m = _month_style(text)
    by_date: dict[Any, list[Record]] = {}
    for r in recs:
        by_date.setdefault(r.value, []).append(r)
        if r.phase_seq is not None and isinstance(r.value, dt.date) and _month_bound(r):
            # "từ tháng 01/2022" names the phase's first month: the same record, printed as a month
            by_date.setdefault((r.value.month, r.value.year), []).append(r)

    def pick(value: Any, start: int) -> Record | None:
        candidates = by_date.get(value)
        if not candidates:
            return None
        before = text[max(0, start - 200) : start]
        reference = bool(REFERENCE.search(before[-80:]))
        scored = [
            (_score(r, before, used, reference=reference), -i, r) for i, r in enumerate(candidates)
        ]
        best = max(scored, key=lambda t: (t[0], t[1]))
        if best[0] < 0:
            return None
        used[best[2].key] += 1
        return best[2]

    def date_sub(m: re.Match[str]) -> str:
        day, sep, month, year = m.group(1), m.group(2), m.group(3), m.group(4)
        try:
            value = dt.date(int(year), int(month), int(day))
        except ValueError:
            return m.group(0)
        record = pick(value, m.start())
        if record is None:
            return m.group(0)
        d, mm = _style_of(day, month, default_m)
        return token(record.key, sep.join((d, mm, "yyyy")))

    def month_sub(m: re.Match[str]) -> str:
        prefix, month, sep, year = m.group(1), m.group(2), m.group(3), m.group(4)
        value = (int(month), int(year))
        record = pick(value, m.start())
        if record is None:
            return m.group(0)
        mm = "m" if len(month) == 1 else "mm"
        return prefix + token(record.key, sep.join((mm, "yyyy")))

    text = DATE.sub(date_sub, text)
    return MONTH.sub(month_sub, text)


def link_sections(sections: list[Any], recs: list[Record]) -> None:
    """Link the dates of a ParsedSection tree in reading order (in place)."""
    used: Counter[str] = Counter()

    def walk(nodes: list[Any]) -> None:
        for node in nodes:
            node.title = link_text(node.title, recs, used)
            node.paragraphs = [link_text(p, recs, used) for p in node.paragraphs]
            walk(node.children)

    walk(sections)


def by_key(recs: list[Record]) -> dict[str, Record]:
    return {r.key: r for r in recs}
