"""Phases and dated obligations (report deadlines with data periods, meetings) found in a plan's
text. Generic Vietnamese phrasings: "Đợt 1: từ 01/01/2022 đến 31/5/2022", "Đợt thi đua thứ hai
(từ ngày … đến ngày …)", a section titled "Từ ngày … đến ngày …", "gửi … về X trước ngày D
(số liệu báo cáo từ ngày A đến B)", "Hội nghị sơ kết … vào tháng 7/2022", "… tại <place>"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

DATE = r"\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?"
ORDINALS = {"nhất": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5}
PHASE = re.compile(
    r"Đợt\s*(?:thi đua\s*)?(?:thứ\s*)?(?P<seq>\d+|nhất|hai|ba|bốn|tư)\b[^:(\n]{0,40}?[:(]?\s*"
    r"(?:Thời gian\s*)?[Tt]ừ\s+(?:ngày\s+)?(?P<start>tháng\s+\d{1,2}\s*/\s*\d{4}|" + DATE + r")\s+"
    r"đến\s+(?:ngày\s+)?(?P<end>hết năm\s+\d{4}|" + DATE + r")"
)
RANGE_TITLE = re.compile(
    r"^[Tt]ừ\s+(?:ngày\s+)?(" + DATE + r")\s+đến\s+(?:ngày\s+)?(" + DATE + r")$"
)
DUE = re.compile(r"trước\s+(?:ngày\s+)?(" + DATE + r")")
DATA = re.compile(
    r"số liệu[^)]*?từ\s+(?:ngày\s+)?(" + DATE + r")\s+đến\s+(?:ngày\s+)?(" + DATE + r")"
)
MONTH = re.compile(r"tháng\s+(\d{1,2})\s*/\s*(\d{4})")
PLACE = re.compile(r"\btại\s+(.+?)(?=\s*;|\.\s|\.$|,\s+(?:các|được|để|gồm)\b|$)")


def _date(text: str, year: int) -> dt.date | None:
    match = re.match(r"(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?", text.strip())
    if not match:
        return None
    try:
        return dt.date(int(match[3]) if match[3] else year, int(match[2]), int(match[1]))
    except ValueError:
        return None


def _bound(text: str, year: int, end: bool) -> dt.date | None:
    text = text.strip()
    if text.startswith("tháng"):
        m, y = MONTH.search(text).groups()
        return dt.date(int(y), int(m), 1)
    if text.startswith("hết năm"):
        return dt.date(int(text.split()[-1]), 12, 31)
    return _date(text, year)


def _clauses(paragraph: str) -> list[str]:
    """Clauses of a paragraph: split on ';' and on sentence ends ('. ' before a capital)."""
    parts = re.split(r";\s*|\.\s+(?=[A-ZĐÂÊÔƠƯ(])", paragraph)
    return [p.strip() for p in parts if p.strip()]


def _addressee(clause: str) -> str:
    head = clause[: DUE.search(clause).start()]
    positions = [m.end() for m in re.finditer(r"\b(?:về|gửi)\s+", head)]
    return head[positions[-1] :].strip(" ,") if positions else ""


def _kind(clause: str) -> str | None:
    low = clause.lower()
    if "sơ kết" in low or "6 tháng" in low or "06 tháng" in low:
        return "bao_cao_so_ket"
    if "tổng kết" in low or "báo cáo năm" in low:
        return "bao_cao_tong_ket"
    if "đăng ký" in low:
        return "dang_ky"
    return None


def extract(result: Any, blocks: list[list[str]], Phase: type, Milestone: type, plain) -> None:
    """Fill result.phases and result.milestones from the body blocks."""
    year = result.year
    paragraphs = [plain(" ".join(x.strip() for x in b)) for b in blocks]
    phases: dict[int, Any] = {}
    phase_of_paragraph: dict[int, int] = {}
    for i, text in enumerate(paragraphs):
        match = PHASE.search(text)
        if not match:
            continue
        seq = int(match["seq"]) if match["seq"].isdigit() else ORDINALS[match["seq"]]
        start, end = _bound(match["start"], year, False), _bound(match["end"], year, True)
        if not (start and end) or seq in phases:
            continue
        rest = text[match.end() :].lstrip("):,. ")
        memo = re.search(r"(?:chào mừng|kỷ niệm)\s+(.+?)(?:\.\s|$)", rest)
        phases[seq] = Phase(
            seq=seq,
            name=f"Đợt {seq}",
            start=start,
            end=end,
            commemorations=memo[1].strip() if memo else "",
            description=rest,
        )
        phase_of_paragraph[i] = seq
    _section_phases(result, phases, Phase, Milestone)
    milestones: list[Any] = []
    for i, text in enumerate(paragraphs):
        after = re.search(r"Kết thúc đợt\s+(\d+)", text)
        hint = phase_of_paragraph.get(i) or (int(after[1]) if after else None)
        for clause in _clauses(text):
            milestones.extend(_clause_milestones(clause, year, hint, Milestone))
    ordered = sorted(phases)
    for m in milestones:
        if m.phase_seq is None and ordered and m.kind != "ky_giao_uoc":
            m.phase_seq = ordered[0] if m.kind.endswith("so_ket") else ordered[-1]
        if m.phase_seq not in phases:
            m.phase_seq = None
    result.phases = [phases[s] for s in ordered]
    result.milestones = _merge(result.milestones + milestones)


def _clause_milestones(clause: str, year: int, hint: int | None, Milestone: type) -> list[Any]:
    out = []
    due = DUE.search(clause)
    kind = _kind(clause) if due else None
    if due and kind:
        data = DATA.search(clause)
        out.append(
            Milestone(
                kind=kind,
                phase_seq=hint,
                due=_date(due[1], year),
                data_from=_date(data[1], year) if data else None,
                data_to=_date(data[2], year) if data else None,
                addressee=_addressee(clause),
                with_score_sheet=bool(re.search(r"chấm điểm", clause, re.I)),
            )
        )
    low = clause.lower()
    meeting = None
    if "hội nghị sơ kết" in low:
        meeting = "hoi_nghi_so_ket"
    elif "hội nghị tổng kết" in low:
        meeting = "hoi_nghi_tong_ket"
    elif "ký kết giao ước" in low and "tại" in low:
        meeting = "ky_giao_uoc"
    if meeting:
        month = MONTH.search(clause[low.index("hội nghị") if "hội nghị" in low else 0 :])
        place = PLACE.search(clause)
        if month or place:
            out.append(
                Milestone(
                    kind=meeting,
                    phase_seq=hint if meeting != "ky_giao_uoc" else None,
                    due_month=int(month[1]) if month else None,
                    due_year=int(month[2]) if month else None,
                    place=place[1].strip() if place else "",
                )
            )
    return out


def _section_phases(result: Any, phases: dict, Phase: type, Milestone: type) -> None:
    """Phases given as sections titled "Từ ngày A đến ngày B", with their activities (seed 003)."""
    if phases:
        return
    stack = list(result.sections)
    candidates = []
    while stack:
        section = stack.pop(0)
        match = RANGE_TITLE.match(section.title.strip())
        if match:
            candidates.append((section, match))
        stack.extend(section.children)
    for seq, (section, match) in enumerate(candidates, start=1):
        start, end = _date(match[1], result.year), _date(match[2], result.year)
        if not (start and end):
            continue
        text = " ".join(section.paragraphs)
        phases[seq] = Phase(seq=seq, name=f"Đợt {seq}", start=start, end=end, description=text)
        low = text.lower()
        for needle, kind in (
            ("ký kết giao ước", "ky_giao_uoc"),
            ("hội nghị sơ kết", "hoi_nghi_so_ket"),
            ("tổng kết", "hoi_nghi_tong_ket"),
            ("bình xét", "binh_xet"),
        ):
            if needle in low:
                result.milestones.append(Milestone(kind=kind, phase_seq=seq))


def _merge(milestones: list[Any]) -> list[Any]:
    """One milestone per (kind, date): a later mention completes or overrides an earlier one."""
    merged: dict[tuple, Any] = {}
    for m in milestones:
        key = (
            (m.kind, m.due, m.due_month, m.due_year)
            if (m.due or m.due_month)
            else (m.kind, m.phase_seq)
        )
        if key in merged:
            old = merged[key]
            for name in ("data_from", "data_to", "addressee", "place", "phase_seq"):
                if getattr(m, name):
                    setattr(old, name, getattr(m, name))
            old.with_score_sheet = old.with_score_sheet or m.with_score_sheet
        else:
            merged[key] = m
    return list(merged.values())
