"""The award proposals of a bloc-year: the secretariat generates them from the adopted ranking,
edits them within the quotas, records the meeting's votes and submits the dossier (the tờ trình
is issued with it); the province approves, returns, rejects and records the decision. Members
read the page once the ranking is adopted."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from blocs.forms import add_service_errors
from blocs.pagecache import cached_page
from reports import services as report_services
from scoring import selectors_proposals
from scoring.access import get_proposal_for, proposals_scope
from scoring.forms_proposals import (
    DecisionForm,
    ProposalEditForm,
    ProposalForm,
    ReasonForm,
    SubmitForm,
    VoteForm,
)
from scoring.services import proposal_reviews as reviews
from scoring.services import proposals as services

REVIEW_ACTIONS = {"approve", "return", "reject"}


def _back(bloc_id: int, year: int) -> HttpResponse:
    return redirect("scoring:proposals", bloc_id=bloc_id, year=year)


def _form_page(request, scope, form, title: str, submit: str, **extra) -> HttpResponse:
    context = {"form": form, "scope": scope, "title": title, "submit": submit, **extra}
    context["back"] = ("scoring:proposals", scope.bloc.pk, scope.year)
    return render(request, "scoring/proposal_form.html", context)


def _run(request, form, call, done: str) -> bool:
    """Call the service with the form's data; its refusal goes next to the fields."""
    try:
        call(**form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, done)
    return True


@login_required
@cached_page
def proposals(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = proposals_scope(request, bloc_id, year)
    view = selectors_proposals.proposals_view(bloc=scope.bloc, year=scope.year)
    context = {
        "scope": scope,
        "can": scope.perms,
        "v": view,
        "documents": report_services.frozen_to_trinh(bloc_id=bloc_id, year=year),
        "reason_form": ReasonForm(),
    }
    return render(request, "scoring/proposals.html", context)


@login_required
@require_POST
def proposals_generate(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = proposals_scope(request, bloc_id, year, need="proposal.manage")
    try:
        made = services.proposals_generate(bloc=scope.bloc, year=scope.year, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Đã lập {len(made)} đề nghị theo chỉ tiêu của khối.")
    return _back(bloc_id, year)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_add(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = proposals_scope(request, bloc_id, year, need="proposal.manage")
    view = selectors_proposals.proposals_view(bloc=scope.bloc, year=scope.year)
    if not view.adopted:
        raise Http404("Chưa có kết quả xếp hạng được thông qua.")
    form = ProposalForm(request.POST or None, rows=view.rows)
    call = lambda **d: services.proposal_add(  # noqa: E731
        bloc=scope.bloc, year=scope.year, actor=request.user, **d
    )
    if request.method == "POST" and form.is_valid() and _run(request, form, call, "Đã thêm."):
        return _back(bloc_id, year)
    return _form_page(request, scope, form, "Thêm đề nghị khen thưởng", "Thêm", view=view)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, bloc_id: int, year: int, proposal_id: int) -> HttpResponse:
    proposal, scope = get_proposal_for(request, bloc_id, year, proposal_id, "proposal.manage")
    initial = {"revision": proposal.revision, "award": proposal.award}
    initial["achievements"] = proposal.achievements
    form = ProposalEditForm(request.POST or None, initial=initial)
    call = lambda **d: services.proposal_update(  # noqa: E731
        proposal=proposal, actor=request.user, **d
    )
    if request.method == "POST" and form.is_valid() and _run(request, form, call, "Đã lưu."):
        return _back(bloc_id, year)
    title = f"Sửa đề nghị: {proposal.unit}"
    return _form_page(request, scope, form, title, "Lưu", proposal=proposal)


@login_required
@require_POST
def proposal_vote(request: HttpRequest, bloc_id: int, year: int, proposal_id: int) -> HttpResponse:
    proposal, scope = get_proposal_for(request, bloc_id, year, proposal_id, "proposal.manage")
    form = VoteForm(request.POST)
    call = lambda **d: services.proposal_vote(  # noqa: E731
        proposal=proposal, actor=request.user, **d
    )
    if form.is_valid() and _run(request, form, call, f"Đã ghi biểu quyết: {proposal.unit}."):
        return _back(bloc_id, year)
    title = f"Kết quả biểu quyết: {proposal.unit}"
    return _form_page(request, scope, form, title, "Ghi biểu quyết", proposal=proposal)


@login_required
@require_POST
def proposal_remove(
    request: HttpRequest, bloc_id: int, year: int, proposal_id: int
) -> HttpResponse:
    proposal, _scope = get_proposal_for(request, bloc_id, year, proposal_id, "proposal.manage")
    try:
        services.proposal_remove(proposal=proposal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Đã bỏ đề nghị: {proposal.unit}.")
    return _back(bloc_id, year)


@login_required
@require_http_methods(["GET", "POST"])
def proposals_submit(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """Confirm and submit the dossier; the tờ trình is numbered and issued with it."""
    scope = proposals_scope(request, bloc_id, year, need="proposal.manage")
    form = SubmitForm(request.POST or None, initial={"date": timezone.localdate()})
    call = lambda date: report_services.submit_proposals(  # noqa: E731
        bloc=scope.bloc, year=scope.year, actor=request.user, date=date
    )
    done = "Đã trình hồ sơ đề nghị khen thưởng lên tỉnh; tờ trình đã được ban hành."
    if request.method == "POST" and form.is_valid() and _run(request, form, call, done):
        return _back(bloc_id, year)
    view = selectors_proposals.proposals_view(bloc=scope.bloc, year=scope.year)
    title = "Trình hồ sơ đề nghị khen thưởng lên tỉnh"
    return _form_page(request, scope, form, title, "Trình tỉnh", view=view, confirm=True)


@login_required
@require_POST
def proposal_review(
    request: HttpRequest, bloc_id: int, year: int, proposal_id: int, action: str
) -> HttpResponse:
    """The province approves, returns for supplement (reason) or rejects (reason)."""
    if action not in REVIEW_ACTIONS:
        raise Http404("Không có thao tác này.")
    proposal, scope = get_proposal_for(request, bloc_id, year, proposal_id, "proposal.decide")
    form = ReasonForm(request.POST)
    service = {
        "approve": lambda revision, reason: reviews.proposal_approve(
            proposal=proposal, actor=request.user, revision=revision
        ),
        "return": lambda revision, reason: reviews.proposal_return(
            proposal=proposal, actor=request.user, reason=reason, revision=revision
        ),
        "reject": lambda revision, reason: reviews.proposal_reject(
            proposal=proposal, actor=request.user, reason=reason, revision=revision
        ),
    }[action]
    if form.is_valid() and _run(request, form, service, f"Đã cập nhật: {proposal.unit}."):
        return _back(bloc_id, year)
    title = f"Xét đề nghị: {proposal.unit}"
    return _form_page(request, scope, form, title, "Xác nhận", proposal=proposal)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_decide(
    request: HttpRequest, bloc_id: int, year: int, proposal_id: int
) -> HttpResponse:
    proposal, scope = get_proposal_for(request, bloc_id, year, proposal_id, "proposal.decide")
    initial = {"revision": proposal.revision, "date": dt.date.today()}
    initial["issuer"] = reviews.default_issuer(proposal)
    form = DecisionForm(request.POST or None, initial=initial)
    call = lambda **d: reviews.proposal_decide(  # noqa: E731
        proposal=proposal, actor=request.user, **d
    )
    done = f"Đã ghi quyết định khen thưởng: {proposal.unit}."
    if request.method == "POST" and form.is_valid() and _run(request, form, call, done):
        return _back(bloc_id, year)
    title = f"Quyết định khen thưởng: {proposal.unit}"
    return _form_page(request, scope, form, title, "Ghi quyết định", proposal=proposal)
