"""Rules across a plan's rows (phases, deadlines, completeness), checked by the services."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from plans.models import Milestone, Phase, Plan


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


def issue_window(year: int) -> tuple[dt.date, dt.date]:
    """A plan of `year` is issued from 01/10 of the year before to 31/12 of the year after."""
    return dt.date(year - 1, 10, 1), dt.date(year + 1, 12, 31)


def check_ready_to_issue(plan: Plan, issue_date: dt.date) -> None:
    """Issuing re-checks what approval checked (rows may have changed since) and the date."""
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
    check_ready_to_approve(plan)
