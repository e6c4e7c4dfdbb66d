"""Writes on plans: create (blank, copy of last year, import), edit, and the state machine.

DRAFT ⇄ CONSULTATION → APPROVED → ISSUED (number from the register, frozen) → SUPERSEDED | REVOKED.
An issued plan is never edited in place; an amendment is a new version that replaces it.
Every function is keyword-only, atomic, validated, and audited.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from blocs import access, audit
from blocs.models import Bloc, BlocTerm
from blocs.services import HOSTED_KINDS
from plans import datelinks, mentions, rules, selectors
from plans.editing import (  # noqa: F401  (the edit services are part of this module's API)
    FROZEN_MESSAGE,
    STALE_MESSAGE,
    StaleEditError,
    clean_plan,
    lock_for_edit,
    log,
    parsed_schedule,
    plan_replace_body,
    plan_set_lists,
    plan_set_schedule,
    plan_update,
    save_sections,
    section_tree,
    write_schedule,
)
from plans.importer import ParsedPlan
from plans.models import (
    FormatProfile,
    LegalBasis,
    Milestone,
    Phase,
    Plan,
    PlanComment,
    Recipient,
    SignatureLine,
)
from plans.profile_data import PROFILES

S = Plan.Status
_log = log


def default_profile(*, party: bool = False) -> FormatProfile:
    """The Party or state profile; the rows come from a data migration and are restored here if a
    database was flushed (transactional tests do that)."""
    code = "HD36_2018" if party else "ND30_2020"
    profile = FormatProfile.objects.filter(code=code).first()
    if profile is None:
        data = next(p for p in PROFILES if p["code"] == code)
        profile, _ = FormatProfile.objects.get_or_create(code=code, defaults=data)
    return profile


def issuer_defaults(bloc: Bloc, year: int, *, term: Any = access.UNKNOWN) -> dict[str, str]:
    """The issuer lines of the bloc's documents (`term`: see blocs.access.term_of)."""
    term = access.term_of(bloc.pk, year, term)
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
    *,
    bloc: Bloc,
    year: int,
    actor: Any,
    title: str = "",
    party: bool = False,
    term: Any = access.UNKNOWN,
) -> Plan:
    """A new draft with the issuer lines, symbol and place taken from the bloc (and its term:
    see blocs.access.term_of)."""
    plan = Plan(
        bloc=bloc,
        year=year,
        format_profile=default_profile(party=party),
        issuer_kind=Plan.IssuerKind.PARTY_BLOC if party else Plan.IssuerKind.BLOC,
        symbol=bloc.symbol or "KTĐ",
        place=bloc.province.name,
        title=title or f"Tổ chức phong trào thi đua năm {year}",
        created_by=actor if getattr(actor, "pk", None) else None,
        **issuer_defaults(bloc, year, term=term),
    )
    # The bloc, the profile and the author are rows in hand: not looked up again.
    clean_plan(plan, known=("bloc", "format_profile", "created_by"))
    plan.save()
    _log(plan, "plan.create", actor, how="blank")
    return plan


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
    it is issued here. `overrides` carries the fields the user corrected on the review page. The
    schedule is stored as read even when its rules fail (the plan page then lists the problems);
    the dates the body states are linked to the schedule's rows.
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
    sections = copy.deepcopy(parsed.sections)
    datelinks.link_sections(
        sections, datelinks.records(parsed.phases, parsed.milestones, plan.year)
    )
    save_sections(plan, sections)
    Recipient.objects.bulk_create(
        Recipient(plan=plan, order=i, name=r.name, purpose=r.purpose, is_archive=r.is_archive)
        for i, r in enumerate(parsed.recipients)
    )
    SignatureLine.objects.bulk_create(
        SignatureLine(plan=plan, order=i, role=s.role, text=s.text, after_gap=s.after_gap)
        for i, s in enumerate(parsed.signature)
    )
    write_schedule(plan, *parsed_schedule(parsed), check=False)
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


def bump_year_text(text: str, year: int) -> str:
    """ "năm 2022" → "năm 2023": the plan's own year; dates of cited documents stay as written."""
    return re.sub(rf"(\b(?:năm|Năm|NĂM)\s+){year}\b", rf"\g<1>{year + 1}", text)


@transaction.atomic
def plan_copy_to_next_year(*, plan: Plan, actor: Any) -> Plan:
    """Start next year's plan from this one: same sections and numbering, every schedule date one
    year on (the text follows, its dates being linked), "năm <year>" moved on, and the issuer and
    signature taken from next year's term. What still names the old year or head is listed on
    the plan page before it can be submitted or approved."""
    year = plan.year
    new = Plan.objects.get(pk=plan.pk)
    new.pk = None
    new.id = None
    new.year = year + 1
    new.status = S.DRAFT
    new.number = None
    new.issue_date = None
    new.version = 1
    new.revision = 0
    new.replaces = None
    new.consultation_deadline = None
    new.source_text = ""
    new.draft_month = None
    for name in ("title", "preamble", "theme", "closing"):
        setattr(new, name, bump_year_text(getattr(plan, name), year))
    old_term, new_term = terms_for(plan.bloc, year), terms_for(plan.bloc, year + 1)
    if (
        new_term is not None
        and plan.bloc.kind in HOSTED_KINDS
        and plan.issuer.strip() == issuer_defaults(plan.bloc, year)["issuer"]
    ):
        new.issuer = issuer_defaults(plan.bloc, year + 1)["issuer"]
    new.created_by = actor if getattr(actor, "pk", None) else None
    new.full_clean()
    new.save()
    _copy_children(plan, new, shift=1)
    lines = [(s.role, s.text, s.after_gap) for s in plan.signature_lines.all()]
    lines = rules.signature_for_term(lines, old_term=old_term, new_term=new_term)
    SignatureLine.objects.bulk_create(
        SignatureLine(plan=new, order=i, role=r, text=t, after_gap=g)
        for i, (r, t, g) in enumerate(lines)
    )
    _log(new, "plan.create", actor, how="copy", source_plan=plan.pk)
    return new


def terms_for(bloc: Bloc, year: int) -> BlocTerm | None:
    return BlocTerm.objects.select_related("head_unit").filter(bloc=bloc, year=year).first()


def _copy_children(src: Plan, dst: Plan, shift: int) -> None:
    """Bases, recipients, signature lines (read here, written by the caller), body (dates
    linked, the year moved on when `shift`) and schedule: read in five queries and written in
    one statement a kind, whatever the plan's size."""
    selectors.prefetch_children(src, selectors.COPIED)
    LegalBasis.objects.bulk_create(
        LegalBasis(plan=dst, order=b.order, text=_copied_basis(b.text, src, shift))
        for b in src.bases.all()
    )
    Recipient.objects.bulk_create(
        Recipient(plan=dst, order=r.order, name=r.name, purpose=r.purpose, is_archive=r.is_archive)
        for r in src.recipients.all()
    )
    sections = section_tree(src)
    datelinks.link_sections(
        sections, datelinks.records(src.phases.all(), src.milestones.all(), src.year)
    )
    if shift:
        _bump_sections(sections, src.year)
    save_sections(dst, sections)
    phases = list(src.phases.all())
    copies = Phase.objects.bulk_create(
        Phase(
            plan=dst,
            seq=p.seq,
            name=p.name,
            start=shift_year(p.start, shift),
            end=shift_year(p.end, shift),
            commemorations=p.commemorations,
            description=p.description,
        )
        for p in phases
    )
    phase_map = {p.pk: c for p, c in zip(phases, copies, strict=True)}
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


def _copied_basis(text: str, src: Plan, shift: int) -> str:
    """A basis quoted in the opening paragraph moves on with it (the document prints it there);
    a cited document ("Luật … năm 2022") keeps its year."""
    if shift and " ".join(text.split()) in " ".join(src.preamble.split()):
        return bump_year_text(text, src.year)
    return text


def _bump_sections(sections: list, year: int) -> None:
    for node in sections:
        node.title = bump_year_text(node.title, year)
        node.paragraphs = [bump_year_text(p, year) for p in node.paragraphs]
        _bump_sections(node.children, year)


# ---------------------------------------------------------------- state machine


def _transition(
    plan: Plan,
    allowed: set[str],
    target: str,
    action: str,
    actor: Any,
    *,
    revision: int | None = None,
    check: Any = None,
    fields: dict[str, Any] | None = None,
    **data: Any,
) -> Plan:
    """Lock, check the from-state (and the page's revision, and `check(locked)`) inside the lock,
    write the status (and `fields`) with a new revision, audit old → new."""
    locked = Plan.objects.select_for_update().select_related("bloc").get(pk=plan.pk)
    if locked.status not in allowed:
        raise ValidationError(
            f"Không thể chuyển kế hoạch từ trạng thái “{locked.get_status_display()}” sang "
            f"“{S(target).label}”."
        )
    if revision is not None and int(revision) != locked.revision:
        raise StaleEditError(STALE_MESSAGE, code="stale")
    if check is not None:
        check(locked)
    old = locked.status
    locked.status = target
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
    locked.revision += 1
    # The plan's foreign keys did not change under the lock (`fields` sets none): not looked up.
    clean_plan(locked, known=[f.name for f in Plan._meta.fields if f.is_relation])
    locked.save(update_fields=["status", "revision", "updated_at", *(fields or {})])
    _log(locked, action, actor, old=old, new=target, **data)
    return locked


def _mentions_checked(confirm_mentions: bool):
    """The stale mentions (old year, old head) must have been seen: refuse until confirmed."""

    def check(locked: Plan) -> None:
        found = mentions.stale_mentions(locked)
        if found and not confirm_mentions:
            raise ValidationError(
                mentions.summary(found, locked)
                + " Hãy kiểm tra từng chỗ (danh sách trên trang kế hoạch) rồi đánh dấu “Đã kiểm tra”.",
                code="mentions",
            )

    return check


@transaction.atomic
def plan_submit_for_comment(
    *,
    plan: Plan,
    actor: Any,
    deadline: dt.date | None = None,
    revision: int | None = None,
    confirm_mentions: bool = False,
) -> Plan:
    """Send the draft to the members for comment until `deadline`."""
    if deadline is not None and deadline < dt.date.today():
        raise ValidationError({"deadline": "Hạn góp ý không được trước hôm nay."})
    return _transition(
        plan,
        {S.DRAFT},
        S.CONSULTATION,
        "plan.consult",
        actor,
        revision=revision,
        check=_mentions_checked(confirm_mentions),
        fields={"consultation_deadline": deadline},
        deadline=deadline.isoformat() if deadline else None,
    )


@transaction.atomic
def plan_approve_archived(*, plan: Plan, actor: Any) -> Plan:
    """An imported plan that was issued outside the app is taken as approved as it was signed
    (no signer or mentions check: the signed original exists); issuing it follows at once."""
    return _transition(plan, {S.DRAFT}, S.APPROVED, "plan.approve", actor, archived=True)


@transaction.atomic
def plan_revise(*, plan: Plan, actor: Any, revision: int | None = None) -> Plan:
    """Take the plan back to drafting (to incorporate comments, or to undo an approval)."""
    return _transition(
        plan, {S.CONSULTATION, S.APPROVED}, S.DRAFT, "plan.revise", actor, revision=revision
    )


@transaction.atomic
def plan_approve(
    *, plan: Plan, actor: Any, revision: int | None = None, confirm_mentions: bool = False
) -> Plan:
    """Approve a complete plan whose issuer and signer are the year's head (checked in the lock);
    mentions of last year or of last year's head must have been checked."""
    mentions_ok = _mentions_checked(confirm_mentions)

    def check(locked: Plan) -> None:
        rules.check_ready_to_approve(locked)
        rules.check_signer(locked, terms_for(locked.bloc, locked.year))
        mentions_ok(locked)

    return _transition(
        plan,
        {S.DRAFT, S.CONSULTATION},
        S.APPROVED,
        "plan.approve",
        actor,
        revision=revision,
        check=check,
    )


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
    plan.revision += 1  # any editor page still open on the approved plan is now stale
    plan.full_clean()
    plan.save(update_fields=[*ISSUE_FIELDS, "revision", "updated_at"])
    _log(plan, "plan.issue", actor, **audit.changes(old, audit.snapshot(plan, ISSUE_FIELDS)))
    replaced = Plan.objects.select_for_update().filter(pk=plan.replaces_id, status=S.ISSUED)
    for old_plan in replaced:
        old_plan.status = S.SUPERSEDED
        old_plan.save(update_fields=["status", "updated_at"])
        _log(old_plan, "plan.supersede", actor, status={"old": S.ISSUED, "new": S.SUPERSEDED})
    return plan


@transaction.atomic
def plan_amend(*, plan: Plan, actor: Any) -> Plan:
    """Start an amendment of an issued plan: a new draft version that will replace it. The
    issued plan is locked while it is checked and copied (two clicks make one amendment), and
    the copy costs the same number of statements whatever the plan's size."""
    locked = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("bloc", "format_profile")
        .get(pk=plan.pk)
    )
    if locked.status != S.ISSUED:
        raise ValidationError("Chỉ sửa đổi, bổ sung được kế hoạch đã ban hành.")
    if Plan.objects.filter(replaces=locked).exists():
        raise ValidationError("Kế hoạch này đã có bản sửa đổi, bổ sung.")
    new = copy.copy(locked)
    new.pk = new.id = None
    new._state.adding = True
    new.status = S.DRAFT
    new.number = None
    new.issue_date = None
    new.version = locked.version + 1
    new.replaces = locked
    new.consultation_deadline = None
    new.created_by = actor if getattr(actor, "pk", None) else None
    # its relations are the locked plan's own rows and the actor; the one amendment of the
    # plan was checked above, under its lock
    clean_plan(new, known=("bloc", "format_profile", "replaces", "created_by"))
    new.save(force_insert=True)
    _copy_children(locked, new, shift=0)
    SignatureLine.objects.bulk_create(
        SignatureLine(plan=new, order=s.order, role=s.role, text=s.text, after_gap=s.after_gap)
        for s in locked.signature_lines.all()
    )
    _log(new, "plan.amend", actor, replaces=locked.pk)
    return new


@transaction.atomic
def plan_revoke(*, plan: Plan, actor: Any, reason: str) -> Plan:
    if not reason.strip():
        raise ValidationError({"reason": "Hãy ghi lý do thu hồi."})
    return _transition(plan, {S.ISSUED}, S.REVOKED, "plan.revoke", actor, reason=reason.strip())


@transaction.atomic
def plan_delete_draft(*, plan: Plan, actor: Any) -> None:
    """Delete a draft that was never issued (issued plans are never deleted)."""
    plan = Plan.objects.select_for_update().select_related("bloc").get(pk=plan.pk)
    if plan.status not in {S.DRAFT, S.CONSULTATION, S.APPROVED}:
        raise ValidationError("Chỉ xóa được kế hoạch chưa ban hành.")
    _log(plan, "plan.delete", actor, title=plan.title)
    plan.delete()


@transaction.atomic
def plan_comment_add(*, plan: Plan, actor: Any, text: str) -> PlanComment:
    """A member's comment on a plan in consultation."""
    plan = Plan.objects.select_for_update().select_related("bloc").get(pk=plan.pk)
    if plan.status != S.CONSULTATION:
        raise ValidationError("Kế hoạch không trong thời gian lấy ý kiến.")
    if not text.strip():
        raise ValidationError({"text": "Hãy nhập nội dung góp ý."})
    comment = PlanComment(
        plan=plan, unit=getattr(actor, "unit", None), author=actor, text=text.strip()
    )
    comment.full_clean()
    comment.save()
    _log(plan, "plan.comment", actor, text=comment.text, unit=str(comment.unit or ""))
    return comment
