"""Rules across a plan's rows (phases, deadlines, completeness), checked by the services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError

from plans.models import Milestone, Phase, Plan, SignatureLine


def _d(value) -> str:
    return value.strftime("%d/%m/%Y")


def schedule_errors(phases: list[Phase], milestones: list[Milestone]) -> list[str]:
    """Vietnamese messages for a schedule that cannot be right (pure: works on unsaved rows)."""
    errors: list[str] = []
    ordered = sorted(phases, key=lambda p: (p.start, p.seq))
    for p in ordered:
        if p.end < p.start:
            errors.append(
                f"{p.name}: ngày kết thúc ({_d(p.end)}) trước ngày bắt đầu ({_d(p.start)})."
            )
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start <= a.end:
            errors.append(
                f"{a.name} ({_d(a.start)} – {_d(a.end)}) và {b.name} ({_d(b.start)} – {_d(b.end)}) "
                "trùng thời gian."
            )
    seqs = [p.seq for p in phases]
    if len(seqs) != len(set(seqs)):
        errors.append("Hai đợt thi đua không được trùng số thứ tự.")
    by_pk = {p.pk: p for p in phases}
    for m in milestones:
        phase = by_pk.get(m.phase_id) if m.phase_id else None
        if phase is not None and m.due is not None and m.due < phase.start:
            errors.append(
                f"{m.get_kind_display()}: hạn {_d(m.due)} trước ngày bắt đầu {phase.name} ({_d(phase.start)})."
            )
        if m.data_from and m.data_to and m.data_to < m.data_from:
            errors.append(f"{m.get_kind_display()}: kỳ số liệu kết thúc trước khi bắt đầu.")
    return errors


def check_schedule(plan: Plan) -> None:
    errors = schedule_errors(list(plan.phases.all()), list(plan.milestones.all()))
    if errors:
        raise ValidationError(errors)


def check_ready_to_approve(plan: Plan) -> None:
    """A plan is approved only when it can print: a title, a body, recipients and a signer."""
    missing = []
    if not plan.title.strip():
        missing.append("trích yếu")
    if not plan.sections.exists():
        missing.append("nội dung (các mục)")
    if not plan.recipients.exists():
        missing.append("nơi nhận")
    if not plan.signature_lines.exists():
        missing.append("khối chữ ký")
    if missing:
        raise ValidationError("Kế hoạch còn thiếu: " + ", ".join(missing) + ".")
    problems = schedule_errors(list(plan.phases.all()), list(plan.milestones.all()))
    if problems:
        raise ValidationError(
            "Tiến độ chưa hợp lệ, hãy sửa ở trang Đợt thi đua và mốc thời gian: "
            + " ".join(problems)
        )


# ---------------------------------------------------------------- the year's head signs


def _fold(text: str) -> str:
    return " ".join((text or "").casefold().split())


def _replace_ci(text: str, old: str, new: str) -> str:
    """Replace `old` by `new` ignoring case; an all-caps line stays all caps."""
    if not old:
        return text
    pattern = re.compile(re.escape(old), re.I)
    return pattern.sub(new.upper() if text.isupper() else new, text)


def signature_for_term(
    lines: list[tuple[str, str, bool]], *, old_term: Any, new_term: Any
) -> list[tuple[str, str, bool]]:
    """Last year's signature block made this year's. Lines naming last year's head take the new
    head's printed name ("BỘ CHQS TỈNH …" → "CÔNG AN TỈNH …"); the leader's own lines, i.e. the
    last position line before the signing space, the rank and the name, take what was entered
    for the new term. When the head changed and the term has no leader entered, the old leader's
    lines are dropped (approval then asks for them); the bloc's own lines ("TRƯỞNG KHỐI THI ĐUA",
    "TM. KHỐI THI ĐUA") stay as they were."""
    if new_term is None:
        return lines
    head_changed = old_term is None or old_term.head_unit_id != new_term.head_unit_id
    R = SignatureLine.Role
    entered = {R.POSITION: new_term.signer_position, R.RANK: new_term.signer_rank}
    entered[R.NAME] = new_term.signer_name
    leader_position = max(
        (i for i, (role, text, _) in enumerate(lines) if role == R.POSITION), default=None
    )
    heads = {_fold(new_term.head_print_name), _fold(new_term.head_unit.name)}
    if old_term is not None:
        heads |= {_fold(old_term.head_print_name), _fold(old_term.head_unit.name)}
    out: list[tuple[str, str, bool]] = []
    for i, (role, text, after_gap) in enumerate(lines):
        unit_line = _fold(text) in heads  # the head unit's own name line, not its leader's
        if head_changed and old_term is not None:
            for old in (old_term.head_print_name, old_term.head_unit.name):
                text = _replace_ci(text, old, new_term.head_print_name)
        is_leader = role in (R.RANK, R.NAME) or (i == leader_position and not unit_line)
        if not is_leader:
            out.append((role, text, after_gap))
            continue
        value = entered[role].strip()
        if value:
            out.append((role, value, after_gap))
        elif not head_changed:
            out.append((role, text, after_gap))
    for role in (R.POSITION, R.RANK, R.NAME):  # entered but the old block had no such line
        value = entered[role].strip()
        if value and not any(r == role and t == value for r, t, _ in out):
            out.append((role, value, role != R.POSITION and not any(g for _, _, g in out)))
    return out


def check_signer(plan: Plan, term: Any) -> None:
    """Refuse a plan whose issuer block or signature does not name the year's head (as entered
    for the term), or that still names last year's head."""
    if term is None:
        raise ValidationError(
            f"Khối chưa có Trưởng khối năm {plan.year}: hãy xác định Trưởng khối trước khi duyệt."
        )
    lines = list(plan.signature_lines.all())
    signed = _fold(" ".join(s.text for s in lines))
    issuer = _fold(f"{plan.parent_issuer} {plan.issuer}")
    problems = []
    if not any(s.role == SignatureLine.Role.NAME for s in lines):
        problems.append("khối chữ ký chưa có họ tên người ký")
    if term.signer_name and not any(
        s.role == SignatureLine.Role.NAME and _fold(s.text) == _fold(term.signer_name)
        for s in lines
    ):
        problems.append(
            f"người ký phải là {term.signer_name} (người ký của Trưởng khối năm {plan.year})"
        )
    if term.signer_position and _fold(term.signer_position) not in signed:
        problems.append(f"chức vụ người ký phải là “{term.signer_position}”")
    head = _fold(term.head_print_name)
    if term.head_display and head not in signed and head not in issuer:
        problems.append(f"khối chữ ký hoặc cơ quan ban hành phải ghi {term.head_print_name}")
    previous = (
        type(term)
        .objects.select_related("head_unit")
        .filter(bloc_id=term.bloc_id, year=plan.year - 1)
        .first()
    )
    if previous is not None and previous.head_unit_id != term.head_unit_id:
        for old in {previous.head_print_name, previous.head_unit.name}:
            if _fold(old) and (_fold(old) in signed or _fold(old) in issuer):
                problems.append(
                    f"khối chữ ký hoặc cơ quan ban hành còn ghi {old} (Trưởng khối năm {plan.year - 1})"
                )
                break
    if problems:
        raise ValidationError(
            f"Chưa duyệt được: người ký không khớp Trưởng khối năm {plan.year} "
            f"({term.head_unit.name}): " + "; ".join(problems) + ".",
            code="signer",
        )


def issue_window(year: int) -> tuple[dt.date, dt.date]:
    """A plan of `year` is issued from 01/10 of the year before to 31/12 of the year after."""
    return dt.date(year - 1, 10, 1), dt.date(year + 1, 12, 31)


def check_ready_to_issue(plan: Plan, issue_date: dt.date, *, archived: bool = False) -> None:
    """Issuing re-checks what approval checked (rows may have changed since): completeness, the
    schedule, the signer against the year's term, and the date. An archived plan (imported as
    issued elsewhere, with its own number and date) is taken as it was signed: date only."""
    if plan.status != Plan.Status.APPROVED:
        raise ValidationError("Chỉ kế hoạch đã duyệt mới được ban hành.")
    first, last = issue_window(plan.year)
    if not first <= issue_date <= last:
        raise ValidationError(
            {
                "issue_date": f"Ngày ban hành kế hoạch năm {plan.year} phải từ {_d(first)} "
                f"đến {_d(last)}."
            }
        )
    if archived:
        return
    check_ready_to_approve(plan)
    from blocs.models import BlocTerm  # plans.rules stays importable by blocs-free code

    check_signer(plan, BlocTerm.objects.filter(bloc_id=plan.bloc_id, year=plan.year).first())
