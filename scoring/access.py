"""The scoring gates, built on blocs.access.get_bloc_for: outsiders of the bloc get 404, members
without the capability 403, a unit touching another unit's registration 403, and an object of
another bloc-year 404 (every child lookup goes through the scope)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from blocs.access import BlocScope, get_bloc_for
from scoring import selectors
from scoring.models import Criterion, Proposal, Ranking, Registration, Template


def get_template_for(
    request: HttpRequest, bloc_id: int, year: int, template_id: int, need: str = "template.view"
) -> tuple[Template, BlocScope]:
    scope = get_bloc_for(request, bloc_id, year, need=need)
    template = (
        Template.objects.select_related("bloc")
        .filter(pk=template_id, bloc=scope.bloc, year=scope.year)
        .first()
    )
    if template is None:
        raise Http404("Không tìm thấy thang điểm.")
    return template, scope


def get_criterion_for(
    request: HttpRequest, bloc_id: int, year: int, criterion_id: int, need: str = "template.edit"
) -> tuple[Criterion, BlocScope]:
    scope = get_bloc_for(request, bloc_id, year, need=need)
    criterion = (
        Criterion.objects.select_related("template", "template__bloc")
        .filter(pk=criterion_id, template__bloc=scope.bloc, template__year=scope.year)
        .first()
    )
    if criterion is None:
        raise Http404("Không tìm thấy tiêu chí.")
    return criterion, scope


def own_unit_scope(request: HttpRequest, bloc_id: int, year: int) -> BlocScope:
    """A unit acting on its own registration: it must belong to the bloc that year."""
    scope = get_bloc_for(request, bloc_id, year, need="registration.edit")
    if not selectors.is_member(bloc_id=scope.bloc.pk, year=scope.year, unit_id=scope.user.unit_id):
        raise PermissionDenied("Đơn vị của bạn không phải thành viên của khối trong năm này.")
    return scope


def get_registration_for(
    request: HttpRequest, bloc_id: int, year: int, registration_id: int, need: str = ""
) -> tuple[Registration, BlocScope]:
    """A registration of the bloc-year: its own unit sees it, so do those with
    registration.view_all; `need` (e.g. registration.review) is checked on top."""
    scope = get_bloc_for(request, bloc_id, year, need=need or "bloc.view")
    reg = (
        selectors.registrations_qs()
        .filter(pk=registration_id, bloc=scope.bloc, year=scope.year)
        .first()
    )
    if reg is None:
        raise Http404("Không tìm thấy bản đăng ký.")
    if not (scope.can("registration.view_all") or reg.unit_id == scope.user.unit_id):
        raise PermissionDenied("Bạn chỉ xem được bản đăng ký của đơn vị mình.")
    return reg, scope


def proposals_scope(request: HttpRequest, bloc_id: int, year: int, need: str = "") -> BlocScope:
    """The proposals of a bloc-year: those with ranking.view_all always, members (read-only)
    only once the ranking is adopted; `need` is checked on top."""
    scope = get_bloc_for(request, bloc_id, year, need=need or "bloc.view")
    if (
        not scope.can("ranking.view_all")
        and not Ranking.objects.filter(
            bloc=scope.bloc, year=scope.year, status=Ranking.Status.ADOPTED
        ).exists()
    ):
        raise PermissionDenied("Kết quả bình xét của khối chưa được hội nghị thông qua.")
    return scope


def get_proposal_for(
    request: HttpRequest, bloc_id: int, year: int, proposal_id: int, need: str
) -> tuple[Proposal, BlocScope]:
    """A proposal of the bloc-year (404 for one of another bloc), for a user holding `need`."""
    scope = get_bloc_for(request, bloc_id, year, need=need)
    proposal = (
        Proposal.objects.select_related("unit", "bloc", "bloc__province")
        .filter(pk=proposal_id, bloc=scope.bloc, year=scope.year)
        .first()
    )
    if proposal is None:
        raise Http404("Không tìm thấy đề nghị khen thưởng.")
    return proposal, scope
