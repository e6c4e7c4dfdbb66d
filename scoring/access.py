"""The scoring gates, built on blocs.access.get_bloc_for: outsiders of the bloc get 404, members
without the capability 403, a unit touching another unit's registration 403, and an object of
another bloc-year 404 (every child lookup goes through the scope)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from blocs.access import BlocScope, get_bloc_for
from scoring import selectors
from scoring.models import (
    ComplianceFlag,
    Criterion,
    Proposal,
    Ranking,
    Registration,
    ReviewSetup,
    Submission,
    Template,
)
from scoring.selectors_ranking import RankingView, ranking_view
from scoring.selectors_sheets import submissions_qs
from scoring.services.reviews import cross_reviewer_id, review_mode_of, with_review_mode


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
    if not scope.unit_is_member():
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


def get_review_for(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int, need: str = ""
) -> tuple[Submission, BlocScope]:
    """A submission of the bloc-year as its reviewers see it: those with sheet.view_all, and
    the unit assigned to cross-score it (when the bloc-year cross-scores); `need` (e.g.
    sheet.decide) is checked on top. Another bloc-year's submission is 404."""
    scope = get_bloc_for(request, bloc_id, year, need=need or "bloc.view")
    sub = (
        with_review_mode(submissions_qs())
        .filter(pk=submission_id, round__bloc=scope.bloc, round__year=scope.year)
        .first()
    )
    if sub is None:
        raise Http404("Không tìm thấy báo cáo.")
    if scope.can("sheet.view_all") or is_cross_reviewer(scope, sub):
        return sub, scope
    raise PermissionDenied("Bạn không được giao thẩm định báo cáo này.")


def is_cross_reviewer(scope: BlocScope, sub: Submission) -> bool:
    """The user's unit is assigned to cross-score `sub` (and the bloc-year cross-scores)."""
    unit_id = scope.user.unit_id
    return bool(
        unit_id
        and unit_id != sub.unit_id
        and review_mode_of(sub) == ReviewSetup.Mode.CROSS
        and cross_reviewer_id(sub) == unit_id
    )


def own_sheet_scope(request: HttpRequest, bloc_id: int, year: int) -> BlocScope:
    """A unit acting on its own reports: sheet.edit, and a member of the bloc that year."""
    scope = get_bloc_for(request, bloc_id, year, need="sheet.edit")
    if not scope.unit_is_member():
        raise PermissionDenied("Đơn vị của bạn không phải thành viên của khối trong năm này.")
    return scope


def may_read_submission(scope: BlocScope, sub: Submission) -> bool:
    """Its own unit, those with sheet.view_all, and the unit assigned to cross-score it."""
    unit_id = getattr(scope.user, "unit_id", None)
    if scope.can("sheet.view_all") or (unit_id and sub.unit_id == unit_id):
        return True
    return is_cross_reviewer(scope, sub)


def get_submission_for(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int, *, edit: bool = False
) -> tuple[Submission, BlocScope]:
    """A submission of the bloc-year (404 otherwise). Reading: see may_read_submission (any other
    unit 403). `edit`: only its own unit's staff with sheet.edit (everyone else 403)."""
    scope = get_bloc_for(request, bloc_id, year)
    sub = (
        with_review_mode(submissions_qs())
        .filter(pk=submission_id, round__bloc=scope.bloc, round__year=scope.year)
        .first()
    )
    if sub is None:
        raise Http404("Không tìm thấy báo cáo.")
    if edit:
        check_edit(scope, sub)
    elif not may_read_submission(scope, sub):
        raise PermissionDenied("Bạn chỉ xem được báo cáo của đơn vị mình.")
    return sub, scope


def check_edit(scope: BlocScope, sub: Submission) -> None:
    """The edit gate of get_submission_for on a submission already read (a write checks it on
    the row it has locked): another bloc-year's is 404, another unit's 403."""
    if sub.round.bloc_id != scope.bloc.pk or sub.round.year != scope.year:
        raise Http404("Không tìm thấy báo cáo.")
    if not (scope.can("sheet.edit") and sub.unit_id == scope.user.unit_id):
        raise PermissionDenied("Chỉ đơn vị gửi báo cáo mới sửa được báo cáo của mình.")


def get_ranking_for(
    request: HttpRequest, bloc_id: int, year: int, *, with_flags: bool = False
) -> tuple[RankingView, BlocScope]:
    """The bloc-year's ranking for reading: the secretariat, deputies, the provincial reviewer
    and administrators always; a member unit only once the meeting has adopted it (before
    that, no unit sees another unit's score)."""
    scope = get_bloc_for(request, bloc_id, year)
    view = ranking_view(bloc_id=scope.bloc.pk, year=scope.year, with_flags=with_flags)
    if not (scope.can("ranking.view_all") or view.adopted):
        raise PermissionDenied(
            f"Kết quả xếp hạng năm {scope.year} chưa được hội nghị bình xét thông qua nên chưa "
            "công bố; đơn vị xem được kết quả của mình trong bảng điểm."
        )
    return view, scope


def get_flag_for(
    request: HttpRequest, bloc_id: int, year: int, flag_id: int
) -> tuple[ComplianceFlag, BlocScope]:
    scope = get_bloc_for(request, bloc_id, year, need="compliance.edit")
    flag = (
        ComplianceFlag.objects.select_related("unit", "bloc")
        .filter(pk=flag_id, bloc=scope.bloc, year=scope.year)
        .first()
    )
    if flag is None:
        raise Http404("Không tìm thấy thông tin chấp hành.")
    return flag, scope


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
