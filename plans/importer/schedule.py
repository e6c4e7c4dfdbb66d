"""Phases and dated obligations found in a plan's text, by generic Vietnamese phrasings:

- phases: "Đợt 1: từ 01/01/2022 đến 31/5/2022", "Đợt thi đua thứ hai (từ ngày … đến ngày …)",
  "Đợt 2 (Từ 01/7/2022 đến hết năm 2022)", or sections titled "Từ ngày A đến ngày B";
- report deadlines: "gửi báo cáo sơ kết … về X trước ngày D (số liệu báo cáo từ ngày A đến B)";
- meetings: "Hội nghị sơ kết … vào tháng 7/2022", "Hội nghị tổng kết … tháng 12/2022 tại P";
- inside a phase, undated activities: phát động, ký kết giao ước, đăng ký, sơ kết, tổng kết,
  bình xét.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import plans.importer.lexicon as lexicon
from plans.importer.model import MILESTONE_LABELS, ParsedMilestone, ParsedPhase, ParsedSection
from plans.importer.text import D_SLASH, D_WORDS, DATE_EXPR, month_of, parse_date, split_outside

SEQ = r"(?:thứ\s+(?P<ord>nhất|hai|ba|bốn|tư|năm|sáu)|(?P<num>\d{1,2}|iv|i{1,3})\b)"
PHASE = re.compile(
    rf"(?P<name>\bđợt\s+(?:thi\s+đua\s+)?{SEQ})[^;]{{0,80}}?\btừ\s+(?P<start>{DATE_EXPR})\s*"
    rf"(?:đến|tới|-|–)\s*(?:ngày\s+)?(?P<end>{DATE_EXPR})",
    re.I,
)
RANGE_TITLE = re.compile(
    rf"^(?:thời gian\s*:?\s*)?từ\s+(?P<start>{DATE_EXPR})\s*(?:đến|tới|-|–)\s*(?:ngày\s+)?"
    rf"(?P<end>{DATE_EXPR})\s*[.:]?$",
    re.I,
)
MENTION = re.compile(rf"\bđợt\s+(?:thi\s+đua\s+)?{SEQ}", re.I)
DAY = rf"(?:{D_WORDS}|{D_SLASH})"
DUE = re.compile(
    rf"\b(?:{lexicon.DUE_WORDS})\s+(?:ngày\s+)?(?P<date>{DAY})",
    re.I,
)
DATA = re.compile(
    rf"số liệu[^;()]{{0,40}}?từ\s+(?:ngày\s+)?(?P<a>{DAY})\s*(?:đến|-|–)\s*(?:hết\s+)?"
    rf"(?:ngày\s+)?(?P<b>{DAY})",
    re.I,
)
DATA_TO = re.compile(rf"số liệu[^;()]{{0,40}}?đến\s+(?:hết\s+)?(?:ngày\s+)?(?P<b>{DAY})", re.I)
REPORT_VERB = re.compile(lexicon.REPORT_VERBS, re.I)
MEETING = re.compile(
    r"hội nghị\s+(?:" + "|".join(f"(?P<{k}>{p})" for k, p in lexicon.MEETINGS) + ")", re.I
)
SIGNING_AT = re.compile(r"ký kết giao ước[^;]{0,200}?\btại\b", re.I)
WHEN = re.compile(
    rf"\b(?:vào|trong|tổ chức|dự kiến|diễn ra)\s+(?:ngày\s+)?(?:(?P<date>{DAY})|"
    r"(?P<month>tháng\s+\d{1,2}(?:\s*/\s*\d{4}|\s+năm\s+\d{4})?))",
    re.I,
)
PLACE = re.compile(
    r"\btại\s+(?P<place>.+?)(?=\s*;|\.\s|\.$|,\s+(?:các|được|để|gồm|đồng thời|và|trong|với)\b|$)"
)


@dataclass
class Schedule:
    phases: list[ParsedPhase] = field(default_factory=list)
    milestones: list[ParsedMilestone] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


Placed = tuple[str, list[ParsedSection], bool]


def _seq(m: re.Match[str]) -> int:
    if m["ord"]:
        return lexicon.ORDINALS[m["ord"].lower()]
    num = m["num"].lower()
    return int(num) if num.isdigit() else lexicon.ROMAN_SEQ[num]


def _range(start: str, end: str, year: int) -> tuple[dt.date | None, dt.date | None]:
    a, b = parse_date(start, year), parse_date(end, year, end=True)
    if a and b and a > b and not re.search(r"\d{4}", start):
        a = a.replace(year=a.year - 1)
    return a, b


def extract(placed: list[Placed], sections: list[ParsedSection], year: int) -> Schedule:
    """Phases and milestones of the body. `placed` holds each paragraph's plain text, its
    section ancestors and whether it is a heading. A milestone belongs to a phase only when its
    clause names the phase, when it sits under a phase's heading, or when its kind says so (a
    sơ kết report to the first phase, a tổng kết to the last); a due date before the phase's
    start then leaves it to the plan, with a warning where the text named the phase."""
    out = Schedule()
    section_phase: dict[int, int] = {}
    phases = _phases(placed, year, section_phase, out)
    if not phases:
        _section_phases(sections, year, phases, section_phase, out)
    out.phases = [phases[s] for s in sorted(phases)]
    for a, b in zip(out.phases, out.phases[1:], strict=False):
        if b.start <= a.end:
            out.warnings.append(f"{a.name} và {b.name} chồng lấn thời gian; hãy kiểm tra.")
    how: dict[int, str] = {}
    found: list[ParsedMilestone] = []
    for text, ancestors, _ in placed:
        placed_in = _section_ctx(ancestors, section_phase)
        for clause in _clauses(text):
            named = [_seq(m) for m in MENTION.finditer(clause) if _seq(m) in phases]
            ctx = named[0] if named else placed_in
            for m in _clause_milestones(clause, ctx, year, out):
                how[id(m)] = "named" if named else "placed" if ctx else ""
                found.append(m)
    for m in found:
        if m.phase_seq is None and out.phases:
            m.phase_seq = _default_phase(m, out.phases)
    out.milestones = _merge(found)
    _check_attachments(out, how)
    return out


def _phases(
    placed: list[Placed], year: int, section_phase: dict[int, int], out: Schedule
) -> dict[int, ParsedPhase]:
    """Phases named in the text: "Đợt 1: từ … đến …" (a heading makes its section the phase's)."""
    phases: dict[int, ParsedPhase] = {}
    for text, ancestors, heading in placed:
        for m in PHASE.finditer(text):
            seq = _seq(m)
            start, end = _range(m["start"], m["end"], year)
            if not (start and end) or end < start:
                out.warnings.append(f"Không hiểu thời gian của đợt thi đua: “{m[0]}”.")
                continue
            if seq in phases:
                if (phases[seq].start, phases[seq].end) != (start, end):
                    out.warnings.append(f"Đợt {seq} được nêu hai lần với thời gian khác nhau.")
                continue
            desc = text[m.end() :].lstrip(" )]:;,.-–").strip()
            if heading and ancestors:
                section_phase[id(ancestors[-1])] = seq
                desc = desc or "\n".join(ancestors[-1].paragraphs)
            name = re.sub(r"\s+", " ", m["name"]).strip()
            phases[seq] = ParsedPhase(
                seq, name[:1].upper() + name[1:], start, end, _commemorations(desc), desc
            )
    return phases


def _check_attachments(out: Schedule, how: dict[int, str]) -> None:
    """A due date before its phase starts: a phase the text named keeps the milestone and the
    user gets a warning; a guessed phase lets it go to the plan."""
    by_seq = {p.seq: p for p in out.phases}
    for m in out.milestones:
        phase = by_seq.get(m.phase_seq) if m.phase_seq else None
        if phase is None or m.due is None or m.due >= phase.start:
            continue
        label = MILESTONE_LABELS.get(m.kind, m.kind)
        if how.get(id(m)) == "named":
            out.warnings.append(
                f"{label}: hạn {m.due:%d/%m/%Y} trước ngày bắt đầu {phase.name} "
                f"({phase.start:%d/%m/%Y}); hãy kiểm tra."
            )
            continue
        if how.get(id(m)) == "placed":
            out.warnings.append(
                f"{label}: hạn {m.due:%d/%m/%Y} nằm dưới mục của {phase.name} nhưng trước ngày "
                f"bắt đầu đợt; đã gắn vào kế hoạch chung, hãy kiểm tra."
            )
        m.phase_seq = None


def _section_ctx(ancestors: list[ParsedSection], section_phase: dict[int, int]) -> int | None:
    for section in reversed(ancestors):
        if id(section) in section_phase:
            return section_phase[id(section)]
    return None


def _section_phases(
    sections: list[ParsedSection],
    year: int,
    phases: dict[int, ParsedPhase],
    section_phase: dict[int, int],
    out: Schedule,
) -> None:
    """Phases given as sections titled "Từ ngày A đến ngày B" (seed 003)."""
    stack = list(sections)
    order: list[ParsedSection] = []
    while stack:
        section = stack.pop(0)
        order.append(section)
        stack[:0] = section.children
    for section in order:
        m = RANGE_TITLE.match(section.title)
        if not m:
            continue
        start, end = _range(m["start"], m["end"], year)
        if not (start and end) or end < start:
            out.warnings.append(f"Không hiểu thời gian: “{section.title}”.")
            continue
        seq = len(phases) + 1
        desc = "\n".join(section.paragraphs)
        phases[seq] = ParsedPhase(seq, f"Đợt {seq}", start, end, _commemorations(desc), desc)
        section_phase[id(section)] = seq


def _commemorations(desc: str) -> str:
    m = re.search(r"\b(?:chào mừng|kỷ niệm)\s+", desc, re.I)
    if not m:
        return ""
    text = desc[m.start() :]
    text = re.sub(r"^chào mừng\s+(?:các\s+)?(?:ngày lễ,?\s*kỷ niệm\s*:\s*)?", "", text, flags=re.I)
    text = _sentences(text)[0] if text else ""
    text = re.sub(r"\s*(?:\.{3}|…)?\s*\([^()]*\btrước\b[^()]*\)\s*\.?$", "", text)
    return text.strip().rstrip(".").strip()


def _sentences(text: str) -> list[str]:
    """Sentences split at ". X" (X a capital) outside parentheses."""
    out: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif (
            ch == "."
            and depth == 0
            and text[i + 1 : i + 2] == " "
            and text[i + 2 : i + 3].isupper()
            and not text[max(0, i - 3) : i].endswith(("TP", "Tp", "P", "Q", "TT"))
        ):
            out.append(text[start : i + 1])
            start = i + 2
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def _clauses(text: str) -> list[str]:
    return [c for part in split_outside(text, ";") for c in _sentences(part)]


# How far around a date or a meeting its words are looked for: what belongs to a deadline is
# printed next to it, and a bounded reach keeps the work linear in the length of the text.
REACH = 500


def _window(clause: str, pos: int) -> tuple[int, int]:
    """(start, end) of the parenthesised group around `pos`, else of the clause, within REACH."""
    low, high = max(0, pos - REACH), min(len(clause), pos + REACH)
    depth = 0
    for i in range(pos - 1, low - 1, -1):
        if clause[i] == ")":
            depth += 1
        elif clause[i] == "(":
            if depth == 0:
                close = clause.find(")", pos, high)
                return i + 1, close if close != -1 else high
            depth -= 1
    return low, high


def _nearest_kind(before: str, after: str) -> str | None:
    best: tuple[int, int, str] | None = None
    for rank, (pattern, kind) in enumerate(lexicon.DEADLINE_KINDS):
        for m in re.finditer(pattern, before, re.I):
            key = (m.end(), -rank, kind)
            if best is None or key > best:
                best = key
    if best:
        return best[2]
    for pattern, kind in lexicon.DEADLINE_KINDS:
        if re.search(pattern, after, re.I):
            return kind
    return None


def _addressee(before: str) -> str:
    matches = list(re.finditer(r"\b(?:gửi\s+về|gửi|nộp\s+về|nộp|về)\s+", before, re.I))
    if not matches:
        return ""
    who = before[matches[-1].end() :].strip(" ,")
    ok_lower = ("đơn vị", "cơ quan", "bộ phận", "thường trực", "văn phòng", "phòng", "ban ")
    if not who or len(who) > 120 or not (who[0].isupper() or who.startswith(ok_lower)):
        return ""
    return who


def _clause_milestones(
    clause: str, ctx: int | None, year: int, out: Schedule
) -> list[ParsedMilestone]:
    made: list[ParsedMilestone] = []
    reported = False
    for due in DUE.finditer(clause):
        low, high = _window(clause, due.start())
        window, near = clause[low:high], clause[max(0, due.start() - REACH) : due.end() + REACH]
        before, after = clause[low : due.start()], clause[due.end() : high]
        if not REPORT_VERB.search(window):
            continue
        kind = _nearest_kind(before, after)
        date = parse_date(due["date"], year)
        if kind is None or date is None:
            out.warnings.append(f"Có hạn “{due[0]}” chưa hiểu được là hạn gì; hãy kiểm tra.")
            continue
        reported = True
        data_from = data_to = None
        data = DATA.search(after) or DATA.search(near)
        if data:
            data_from, data_to = _range(data["a"], data["b"], year)
        else:
            upto = DATA_TO.search(after) or DATA_TO.search(near)
            data_to = parse_date(upto["b"], year) if upto else None
        if data_from and data_to and data_to < data_from:
            out.warnings.append(f"Kỳ số liệu ngược chiều: “{data[0] if data else ''}”.")
            data_from = data_to = None
        made.append(
            ParsedMilestone(
                kind=kind,
                phase_seq=ctx,
                due=date,
                due_month=None,
                due_year=None,
                data_from=data_from,
                data_to=data_to,
                addressee=_addressee(before),
                place="",
                with_score_sheet=bool(re.search(r"chấm điểm", window, re.I)),
                note="",
            )
        )
    kinds = {m.kind for m in made}
    meetings = [(m.lastgroup or "", m.start()) for m in MEETING.finditer(clause)]
    if not meetings:
        signing = SIGNING_AT.search(clause)
        meetings = [("ky_giao_uoc", signing.start())] if signing else []
    for kind, pos in meetings:
        rest = clause[pos : pos + REACH]
        when, place = WHEN.search(rest), PLACE.search(rest)
        if not (when or place) and (reported or ctx is None):
            continue
        month = month_of(when["month"], year) if when and when["month"] else None
        made.append(
            ParsedMilestone(
                kind=kind,
                phase_seq=ctx,
                due=parse_date(when["date"], year) if when and when["date"] else None,
                due_month=month[0] if month else None,
                due_year=month[1] if month else None,
                data_from=None,
                data_to=None,
                addressee="",
                place=place["place"].strip() if place else "",
                with_score_sheet=False,
                note="dự kiến"
                if re.search(r"dự kiến", clause[max(0, pos - REACH) : pos + REACH], re.I)
                else "",
            )
        )
        kinds.add(kind)
    if ctx is not None and not reported:
        for pattern, kind in lexicon.ACTIVITIES:
            if kind not in kinds and re.search(pattern, clause, re.I):
                made.append(
                    ParsedMilestone(kind, ctx, None, None, None, None, None, "", "", False, "")
                )
                kinds.add(kind)
    return made


def _default_phase(m: ParsedMilestone, phases: list[ParsedPhase]) -> int | None:
    if m.kind in lexicon.FIRST_PHASE_KINDS:
        return phases[0].seq
    if m.kind in lexicon.LAST_PHASE_KINDS:
        return phases[-1].seq
    if m.due:
        inside = [p.seq for p in phases if p.start <= m.due <= p.end]
        return inside[0] if inside else None
    return None


def _merge(milestones: list[ParsedMilestone]) -> list[ParsedMilestone]:
    """One milestone per kind and date (or per kind and phase when undated): a later mention
    completes or overrides an earlier one; an undated mention joins a dated one of its kind."""
    merged: dict[tuple, ParsedMilestone] = {}
    for m in milestones:
        if m.due:
            key: tuple = (m.kind, m.due)
        elif m.due_month:
            key = (m.kind, m.due_month, m.due_year)
        else:
            key = (m.kind, m.phase_seq)
        if key in merged:
            _complete(merged[key], m)
        else:
            merged[key] = m
    dated = [m for m in merged.values() if m.due or m.due_month]
    result = []
    for m in merged.values():
        if not (m.due or m.due_month):
            twin = next(
                (
                    d
                    for d in dated
                    if d.kind == m.kind and (d.phase_seq == m.phase_seq or m.phase_seq is None)
                ),
                None,
            )
            if twin:
                _complete(twin, m, override=False)
                continue
        result.append(m)
    return result


def _complete(old: ParsedMilestone, new: ParsedMilestone, *, override: bool = True) -> None:
    for name in ("data_from", "data_to", "addressee", "place", "phase_seq", "note"):
        value = getattr(new, name)
        if value and (override or not getattr(old, name)):
            setattr(old, name, value)
    old.with_score_sheet = old.with_score_sheet or new.with_score_sheet
