"""Writes on plans: create (blank, copy of last year, import), edit, and the state machine.

DRAFT ⇄ CONSULTATION → APPROVED → ISSUED (number from the register, frozen) → SUPERSEDED | REVOKED.
An issued plan is never edited in place; an amendment is a new version that replaces it.
Every function is keyword-only, atomic, validated, and audited.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from blocs import audit
from blocs.models import Bloc, BlocTerm
from plans import rules
from plans.importer import ParsedPlan, ParsedSection
from plans.models import (
    FormatProfile,
    LegalBasis,
    Milestone,
    Phase,
    Plan,
    PlanComment,
    Recipient,
    Section,
    SignatureLine,
)
from plans.profile_data import PROFILES

S = Plan.Status
FROZEN_MESSAGE = "Kế hoạch đã ban hành không được sửa; hãy tạo văn bản sửa đổi, bổ sung."


def _log(plan: Plan, action: str, actor: Any, **data: Any) -> None:
    audit.record(actor=actor, action=action, obj=plan, bloc=plan.bloc, year=plan.year, data=data)


def ensure_editable(plan: Plan) -> None:
    """Refuse any change to an issued (or superseded, revoked) plan, judged on the stored row."""
    frozen = {S.ISSUED, S.SUPERSEDED, S.REVOKED}
    if plan.status in frozen or Plan.objects.filter(pk=plan.pk, status__in=frozen).exists():
        raise ValidationError(FROZEN_MESSAGE)


def default_profile(*, party: bool = False) -> FormatProfile:
    """The Party or state profile; the rows come from a data migration and are restored here if a
    database was flushed (transactional tests do that)."""
    code = "HD36_2018" if party else "ND30_2020"
    profile = FormatProfile.objects.filter(code=code).first()
    if profile is None:
        data = next(p for p in PROFILES if p["code"] == code)
        profile, _ = FormatProfile.objects.get_or_create(code=code, defaults=data)
    return profile


def issuer_defaults(bloc: Bloc, year: int) -> dict[str, str]:
    term = BlocTerm.objects.filter(bloc=bloc, year=year).select_related("head_unit").first()
    province = bloc.province.name
    if bloc.kind in {Bloc.Kind.NOI_BO, Bloc.Kind.DIA_BAN} and term:
        return {
            "parent_issuer": f"UBND TỈNH {province.upper()}",
            "issuer": term.head_unit.name.upper(),
        }
    return {"parent_issuer": f"TỈNH {province.upper()}", "issuer": bloc.name.upper()}


# ---------------------------------------------------------------- create


@transaction.atomic
def plan_create_blank(
    *, bloc: Bloc, year: int, actor: Any, title: str = "", party: bool = False
) -> Plan:
    """A new draft with the issuer lines, symbol and place taken from the bloc."""
    plan = Plan(
        bloc=bloc,
        year=year,
        format_profile=default_profile(party=party),
        issuer_kind=Plan.IssuerKind.PARTY_BLOC if party else Plan.IssuerKind.BLOC,
        symbol=bloc.symbol or "KTĐ",
        place=bloc.province.name,
        title=title or f"Tổ chức phong trào thi đua năm {year}",
        created_by=actor if getattr(actor, "pk", None) else None,
        **issuer_defaults(bloc, year),
    )
    plan.full_clean()
    plan.save()
    _log(plan, "plan.create", actor, how="blank")
    return plan


def _save_sections(plan: Plan, sections: Sequence[ParsedSection]) -> int:
    """Write a parsed section tree; returns the number of rows (bulk per level: bounded queries)."""
    counter = 0
    level: list[tuple[Section | None, ParsedSection]] = [(None, s) for s in sections]
    while level:
        rows = []
        for parent, parsed in level:
            counter += 1
            rows.append(
                Section(
                    plan=plan,
                    parent=parent,
                    order=counter,
                    label=parsed.label,
                    title=parsed.title,
                    content="\n\n".join(parsed.paragraphs),
                )
            )
        Section.objects.bulk_create(rows)
        level = [
            (row, child)
            for row, (_, parsed) in zip(rows, level, strict=True)
            for child in parsed.children
        ]
    return counter


@transaction.atomic
def plan_replace_body(*, plan: Plan, sections: Sequence[ParsedSection], actor: Any) -> None:
    """Replace the body tree (the editor saves the whole outline at once)."""
    ensure_editable(plan)
    plan.sections.all().delete()
    count = _save_sections(plan, sections)
    _log(plan, "plan.body", actor, sections=count)


def _write_schedule(
    plan: Plan, phases: Sequence[dict[str, Any]], milestones: Sequence[dict[str, Any]]
) -> None:
    """Create phases and milestones (milestones name their phase by `phase_seq`), then check the
    rules across them; the caller's transaction makes a bad schedule save nothing."""
    by_seq = {}
    for data in phases:
        phase = Phase(plan=plan, **data)
        phase.full_clean()
        phase.save()
        by_seq[phase.seq] = phase
    for data in milestones:
        data = dict(data)
        seq = data.pop("phase_seq", None)
        milestone = Milestone(plan=plan, phase=by_seq.get(seq), **data)
        milestone.full_clean()
        milestone.save()
    rules.check_schedule(plan)


@transaction.atomic
def plan_create_from_import(
    *,
    bloc: Bloc,
    parsed: ParsedPlan,
    actor: Any,
    source_text: str = "",
    overrides: dict | None = None,
) -> Plan:
    """Save what the importer understood (after the user reviewed it) as a new draft plan.

    An imported number is kept only as information for the user: a plan enters the register when
    it is issued here. `overrides` carries the fields the user corrected on the review page.
    """
    o = overrides or {}
    party = parsed.format_family == "party"
    defaults = issuer_defaults(bloc, parsed.year)
    plan = Plan(
        bloc=bloc,
        year=o.get("year") or parsed.year,
        format_profile=default_profile(party=party),
        issuer_kind=Plan.IssuerKind.PARTY_BLOC if party else Plan.IssuerKind.BLOC,
        parent_issuer=o.get("parent_issuer", parsed.parent_issuer or defaults["parent_issuer"]),
        issuer=o.get("issuer", parsed.issuer or defaults["issuer"]),
        doc_type=parsed.doc_type or "KH",
        symbol=o.get("symbol", parsed.symbol or bloc.symbol or "KTĐ"),
        place=o.get("place", parsed.place or bloc.province.name),
        draft_month=o.get(
            "draft_month",
            parsed.draft_month or (parsed.issue_date.month if parsed.issue_date else None),
        ),
        title=o.get("title", parsed.title),
        bases_style=parsed.bases_style
        if parsed.bases_style in Plan.BasesStyle.values
        else "paragraph",
        preamble=parsed.preamble,
        theme=parsed.theme,
        closing=parsed.closing,
        source_text=source_text,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    plan.full_clean()
    plan.save()
    LegalBasis.objects.bulk_create(
        LegalBasis(plan=plan, order=i, text=t) for i, t in enumerate(parsed.bases)
    )
    _save_sections(plan, parsed.sections)
    Recipient.objects.bulk_create(
        Recipient(plan=plan, order=i, name=r.name, purpose=r.purpose, is_archive=r.is_archive)
        for i, r in enumerate(parsed.recipients)
    )
    SignatureLine.objects.bulk_create(
        SignatureLine(plan=plan, order=i, role=s.role, text=s.text, after_gap=s.after_gap)
        for i, s in enumerate(parsed.signature)
    )
    _write_schedule(
        plan, [asdict(p) for p in parsed.phases], [asdict(m) for m in parsed.milestones]
    )
    _log(
        plan,
        "plan.create",
        actor,
        how="import",
        source_number=parsed.number,
        source_date=parsed.issue_date.isoformat() if parsed.issue_date else None,
    )
    return plan


def shift_year(value: dt.date | None, years: int = 1) -> dt.date | None:
    """The same day `years` later; 29/02 becomes 28/02 in a common year."""
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def _bump_year_text(text: str, year: int) -> str:
    return re.sub(rf"\b{year}\b", str(year + 1), text)


@transaction.atomic
def plan_copy_to_next_year(*, plan: Plan, actor: Any) -> Plan:
    """Start next year's plan from this one: same sections and numbering, every date one year on."""
    year = plan.year
    new = Plan.objects.get(pk=plan.pk)
    new.pk = None
    new.id = None
    new.year = year + 1
    new.status = S.DRAFT
    new.number = None
    new.issue_date = None
    new.version = 1
    new.replaces = None
    new.consultation_deadline = None
    new.source_text = ""
    new.title = _bump_year_text(plan.title, year)
    new.theme = _bump_year_text(plan.theme, year)
    new.closing = _bump_year_text(plan.closing, year)
    new.created_by = actor if getattr(actor, "pk", None) else None
    new.full_clean()
    new.save()
    _copy_children(plan, new, shift=1)
    _log(new, "plan.create", actor, how="copy", source_plan=plan.pk)
    return new


def _copy_children(src: Plan, dst: Plan, shift: int) -> None:
    LegalBasis.objects.bulk_create(
        LegalBasis(plan=dst, order=b.order, text=b.text) for b in src.bases.all()
    )
    Recipient.objects.bulk_create(
        Recipient(plan=dst, order=r.order, name=r.name, purpose=r.purpose, is_archive=r.is_archive)
        for r in src.recipients.all()
    )
    SignatureLine.objects.bulk_create(
        SignatureLine(plan=dst, order=s.order, role=s.role, text=s.text, after_gap=s.after_gap)
        for s in src.signature_lines.all()
    )
    _save_sections(dst, section_tree(src, bump_year=src.year if shift else None))
    phase_map = {}
    for p in src.phases.all():
        phase_map[p.pk] = Phase.objects.create(
            plan=dst,
            seq=p.seq,
            name=p.name,
            start=shift_year(p.start, shift),
            end=shift_year(p.end, shift),
            commemorations=p.commemorations,
            description=p.description,
        )
    Milestone.objects.bulk_create(
        Milestone(
            plan=dst,
            phase=phase_map.get(m.phase_id),
            kind=m.kind,
            due=shift_year(m.due, shift),
            due_month=m.due_month,
            due_year=(m.due_year + shift) if m.due_year else None,
            data_from=shift_year(m.data_from, shift),
            data_to=shift_year(m.data_to, shift),
            addressee=m.addressee,
            place=m.place,
            with_score_sheet=m.with_score_sheet,
            note=m.note,
        )
        for m in src.milestones.all()
    )


def section_tree(plan: Plan, bump_year: int | None = None) -> list[ParsedSection]:
    """The plan's sections as a tree of ParsedSection (one query)."""
    nodes: dict[int, ParsedSection] = {}
    roots: list[ParsedSection] = []
    for s in Section.objects.filter(plan=plan).order_by("order", "id"):
        title = _bump_year_text(s.title, bump_year) if bump_year else s.title
        node = ParsedSection(
            label=s.label,
            title=title,
            paragraphs=[p for p in s.content.split("\n\n") if p],
            children=[],
        )
        nodes[s.pk] = node
        (nodes[s.parent_id].children if s.parent_id in nodes else roots).append(node)
    return roots


# ---------------------------------------------------------------- edit


@transaction.atomic
def plan_update(*, plan: Plan, actor: Any, **fields: Any) -> Plan:
    """Change header fields of a plan that is not issued."""
    ensure_editable(plan)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    _log(plan, "plan.update", actor, fields=sorted(fields))
    return plan


@transaction.atomic
def plan_set_lists(
    *,
    plan: Plan,
    actor: Any,
    bases: Iterable[str] | None = None,
    recipients: Iterable[tuple[str, str, bool]] | None = None,
    signature: Iterable[tuple[str, str, bool]] | None = None,
) -> None:
    """Replace the legal bases, the recipients (name, purpose, is_archive) and/or the signature
    lines (role, text, after_gap) in one go."""
    ensure_editable(plan)
    if bases is not None:
        plan.bases.all().delete()
        LegalBasis.objects.bulk_create(
            LegalBasis(plan=plan, order=i, text=t) for i, t in enumerate(bases)
        )
    if recipients is not None:
        plan.recipients.all().delete()
        Recipient.objects.bulk_create(
            Recipient(plan=plan, order=i, name=n, purpose=p, is_archive=a)
            for i, (n, p, a) in enumerate(recipients)
        )
    if signature is not None:
        rows = [
            SignatureLine(plan=plan, order=i, role=r, text=t, after_gap=g)
            for i, (r, t, g) in enumerate(signature)
        ]
        for row in rows:
            row.full_clean(exclude=["plan"])
        plan.signature_lines.all().delete()
        SignatureLine.objects.bulk_create(rows)
    _log(plan, "plan.lists", actor)


@transaction.atomic
def plan_set_schedule(
    *,
    plan: Plan,
    actor: Any,
    phases: Sequence[dict[str, Any]],
    milestones: Sequence[dict[str, Any]],
) -> None:
    """Replace phases and milestones together; the rules in plans.rules are checked before commit,
    so a bad schedule saves nothing. Milestones name their phase by `phase_seq`."""
    ensure_editable(plan)
    plan.milestones.all().delete()
    plan.phases.all().delete()
    _write_schedule(plan, phases, milestones)
    _log(plan, "plan.schedule", actor, phases=len(phases), milestones=len(milestones))


# ---------------------------------------------------------------- state machine


def _transition(
    plan: Plan, allowed: set[str], target: str, action: str, actor: Any, **data: Any
) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in allowed:
        raise ValidationError(
            f"Không thể chuyển kế hoạch từ trạng thái “{plan.get_status_display()}” sang "
            f"“{S(target).label}”."
        )
    old = plan.status
    plan.status = target
    plan.full_clean()
    plan.save()
    _log(plan, action, actor, old=old, new=target, **data)
    return plan


@transaction.atomic
def plan_submit_for_comment(*, plan: Plan, actor: Any, deadline: dt.date | None = None) -> Plan:
    """Send the draft to the members for comment until `deadline`."""
    if deadline is not None and deadline < dt.date.today():
        raise ValidationError({"deadline": "Hạn góp ý không được trước hôm nay."})
    Plan.objects.filter(pk=plan.pk).update(consultation_deadline=deadline)
    return _transition(
        plan,
        {S.DRAFT},
        S.CONSULTATION,
        "plan.consult",
        actor,
        deadline=deadline.isoformat() if deadline else None,
    )


@transaction.atomic
def plan_revise(*, plan: Plan, actor: Any) -> Plan:
    """Take the plan back to drafting (to incorporate comments, or to undo an approval)."""
    return _transition(plan, {S.CONSULTATION, S.APPROVED}, S.DRAFT, "plan.revise", actor)


@transaction.atomic
def plan_approve(*, plan: Plan, actor: Any) -> Plan:
    rules.check_ready_to_approve(plan)
    return _transition(plan, {S.DRAFT, S.CONSULTATION}, S.APPROVED, "plan.approve", actor)


ISSUE_FIELDS = ("status", "number", "issue_date")


def issue_transition(*, plan: Plan, actor: Any, number: int, issue_date: dt.date) -> Plan:
    """The plan's side of issuing: APPROVED → ISSUED with its number and date; the issued plan it
    amends becomes SUPERSEDED. Only reports.services.issue_document calls it, inside the one
    transaction that locks the plan, takes the number from the register and freezes the
    document, so a plan is never issued without its frozen document."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("issue_transition runs only inside reports.services.issue_document")
    if plan.status != S.APPROVED:
        raise ValidationError("Chỉ kế hoạch đã duyệt mới được ban hành.")
    old = audit.snapshot(plan, ISSUE_FIELDS)
    plan.status, plan.number, plan.issue_date = S.ISSUED, number, issue_date
    plan.full_clean()
    plan.save(update_fields=[*ISSUE_FIELDS, "updated_at"])
    _log(plan, "plan.issue", actor, **audit.changes(old, audit.snapshot(plan, ISSUE_FIELDS)))
    replaced = Plan.objects.select_for_update().filter(pk=plan.replaces_id, status=S.ISSUED)
    for old_plan in replaced:
        old_plan.status = S.SUPERSEDED
        old_plan.save(update_fields=["status", "updated_at"])
        _log(old_plan, "plan.supersede", actor, status={"old": S.ISSUED, "new": S.SUPERSEDED})
    return plan


@transaction.atomic
def plan_amend(*, plan: Plan, actor: Any) -> Plan:
    """Start an amendment of an issued plan: a new draft version that will replace it."""
    if plan.status != S.ISSUED:
        raise ValidationError("Chỉ sửa đổi, bổ sung được kế hoạch đã ban hành.")
    if Plan.objects.filter(replaces=plan).exists():
        raise ValidationError("Kế hoạch này đã có bản sửa đổi, bổ sung.")
    new = Plan.objects.get(pk=plan.pk)
    new.pk = new.id = None
    new.status = S.DRAFT
    new.number = None
    new.issue_date = None
    new.version = plan.version + 1
    new.replaces = plan
    new.consultation_deadline = None
    new.created_by = actor if getattr(actor, "pk", None) else None
    new.full_clean()
    new.save()
    _copy_children(plan, new, shift=0)
    _log(new, "plan.amend", actor, replaces=plan.pk)
    return new


@transaction.atomic
def plan_revoke(*, plan: Plan, actor: Any, reason: str) -> Plan:
    if not reason.strip():
        raise ValidationError({"reason": "Hãy ghi lý do thu hồi."})
    return _transition(plan, {S.ISSUED}, S.REVOKED, "plan.revoke", actor, reason=reason.strip())


@transaction.atomic
def plan_delete_draft(*, plan: Plan, actor: Any) -> None:
    """Delete a draft that was never issued (issued plans are never deleted)."""
    if plan.status not in {S.DRAFT, S.CONSULTATION, S.APPROVED}:
        raise ValidationError("Chỉ xóa được kế hoạch chưa ban hành.")
    _log(plan, "plan.delete", actor, title=plan.title)
    plan.delete()


@transaction.atomic
def plan_comment_add(*, plan: Plan, actor: Any, text: str) -> PlanComment:
    """A member's comment on a plan in consultation."""
    plan = Plan.objects.get(pk=plan.pk)
    if plan.status != S.CONSULTATION:
        raise ValidationError("Kế hoạch không trong thời gian lấy ý kiến.")
    if not text.strip():
        raise ValidationError({"text": "Hãy nhập nội dung góp ý."})
    comment = PlanComment(
        plan=plan, unit=getattr(actor, "unit", None), author=actor, text=text.strip()
    )
    comment.full_clean()
    comment.save()
    _log(plan, "plan.comment", actor)
    return comment
