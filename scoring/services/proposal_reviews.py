"""The province's writes on submitted proposals (DOMAIN §6.2, scenario 15):

    SUBMITTED → APPROVED → DECIDED (decision number, date, issuer; reward = multiplier × base salary)
    SUBMITTED → RETURNED for supplement (reason) | REJECTED (reason)

Only the reviewer of the bloc's province (or a site administrator) acts here; lock → check the
from-state → write the changed fields → audit old → new, as every service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from blocs import access, audit
from blocs.text import strip_controls
from scoring import awards
from scoring.models import Proposal
from scoring.services.proposals import STALE_MESSAGE, log, province_rules

P = Proposal.Status


def _lock(proposal: Proposal, actor: Any, revision: int | None, allowed: set[str]) -> Proposal:
    p = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("bloc", "bloc__province", "unit")
        .get(pk=proposal.pk)
    )
    if actor is not None and not access.is_provincial_authority(actor, p.bloc.province_id):
        raise PermissionDenied("Chỉ Ban/Phòng Thi đua - Khen thưởng của tỉnh xét đề nghị này.")
    if revision is not None and int(revision) != p.revision:
        raise ValidationError(STALE_MESSAGE, code="stale")
    if p.status not in allowed:
        raise ValidationError(
            f"Đề nghị đang ở trạng thái “{p.get_status_display()}”, không thực hiện được.",
            code="state",
        )
    return p


def _move(p: Proposal, actor: Any, action: str, status: str, **fields: Any) -> Proposal:
    old = {"status": p.status, **{k: getattr(p, k) for k in fields}}
    p.status = status
    for name, value in fields.items():
        setattr(p, name, value)
    p.revision += 1
    p.full_clean()
    p.save(update_fields=["status", "revision", *fields])
    new = {"status": status, **fields}
    log(p, action, actor, changes=audit.changes(old, new))
    return p


def _reason(reason: str) -> str:
    text = strip_controls(reason or "").strip()
    if not text:
        raise ValidationError({"reason": "Hãy nêu lý do để Khối biết cần bổ sung hay vì sao."})
    if len(text) > 4000:
        raise ValidationError({"reason": "Lý do dài quá 4.000 ký tự."})
    return text


@transaction.atomic
def proposal_approve(*, proposal: Proposal, actor: Any, revision: int | None = None) -> Proposal:
    """The province agrees to put the proposal to the deciding authority."""
    p = _lock(proposal, actor, revision, {P.SUBMITTED})
    return _move(p, actor, "proposal.approve", P.APPROVED)


@transaction.atomic
def proposal_return(
    *, proposal: Proposal, actor: Any, reason: str, revision: int | None = None
) -> Proposal:
    """Return for supplement: the bloc corrects it and submits it again in a later dossier."""
    text = _reason(reason)
    p = _lock(proposal, actor, revision, {P.SUBMITTED})
    return _move(p, actor, "proposal.return", P.RETURNED, returned_reason=text)


@transaction.atomic
def proposal_reject(
    *, proposal: Proposal, actor: Any, reason: str, revision: int | None = None
) -> Proposal:
    text = _reason(reason)
    p = _lock(proposal, actor, revision, {P.SUBMITTED})
    return _move(p, actor, "proposal.reject", P.REJECTED, returned_reason=text)


def default_issuer(p: Proposal) -> str:
    who = awards.AWARD_RULES[p.award].decided_by
    return f"{who} {p.bloc.province.name}" if who == awards.CHU_TICH else who


@transaction.atomic
def proposal_decide(
    *,
    proposal: Proposal,
    actor: Any,
    number: str,
    date: dt.date,
    issuer: str = "",
    revision: int | None = None,
) -> Proposal:
    """Record the award decision (số, ngày, cơ quan ban hành) of an approved proposal, dated
    from its tờ trình's day to today; the reward is the award's multiplier × the province's base salary (scoring.awards)."""
    p = _lock(proposal, actor, revision, {P.APPROVED})
    number = strip_controls(number or "").strip()
    if not number or len(number) > 50:
        raise ValidationError({"number": "Hãy nhập số quyết định (tối đa 50 ký tự)."})
    submitted = p.dossiers.order_by("-seq").values_list("date", flat=True).first()
    if date > timezone.localdate() or (submitted and date < submitted):
        raise ValidationError({"date": "Ngày quyết định phải từ ngày trình đến hôm nay."})
    issuer = strip_controls(issuer or "").strip()[:255] or default_issuer(p)
    amount = awards.reward_amount(p.award, province_rules(p.bloc.province).base_salary)
    return _move(
        p,
        actor,
        "proposal.decide",
        P.DECIDED,
        decision_number=number,
        decision_date=date,
        decision_issuer=issuer,
        reward_amount=amount,
    )
