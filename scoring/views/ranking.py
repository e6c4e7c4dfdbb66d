"""Ranking pages (bình xét, xếp hạng): the ranking with eligibility, reasons, trace and a bar
chart; compute; the year's rules; compliance flags; the bình xét meeting with its votes; adopt;
the Excel table. Gate → form → service → redirect; the arithmetic is in scoring.calc."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from blocs.access import get_bloc_for
from blocs.forms import add_service_errors
from blocs.pagecache import cached_page
from scoring import charts, selectors
from scoring.access import get_flag_for, get_ranking_for
from scoring.excel_ranking import export_ranking
from scoring.forms_ranking import FlagForm, MeetingForm, TieVoteForm, VoteForm, YearRulesForm
from scoring.selectors_ranking import ranking_view
from scoring.services import compliance
from scoring.services import ranking as services
from scoring.services.sheets import sheet_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _to(name: str, bloc_id: int, year: int) -> HttpResponse:
    return redirect(f"scoring:{name}", bloc_id=bloc_id, year=year)


def _members(bloc_id: int, year: int):
    return selectors.member_units_qs(bloc_id=bloc_id, year=year)


def _revision(request: HttpRequest) -> int | None:
    """The version of the ranking the page showed (None when absent or garbled)."""
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else None


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
@cached_page
def ranking(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    view, scope = get_ranking_for(request, bloc_id, year)
    scale = None
    if view.ranking is not None:
        template = sheet_template(view.ranking.round)
        scale = template.max_total if template else None
    title = f"Tổng điểm thi đua năm {year} của các đơn vị thuộc {scope.bloc.name}"
    chart = charts.bar_chart(view.rows, title=title, scale_max=scale) if view.rows else ""
    context = {"scope": scope, "v": view, "can": scope.perms, "chart": chart}
    return render(request, "scoring/ranking.html", context)


@login_required
@require_POST
def ranking_compute(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="ranking.manage")
    try:
        services.ranking_compute(
            bloc=scope.bloc,
            year=scope.year,
            actor=request.user,
            revision=_revision(request),
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "Đã tính kết quả xếp hạng từ các bảng điểm đã chốt.")
    return _to("ranking", bloc_id, year)


@login_required
@require_http_methods(["GET", "POST"])
def ranking_rules(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="ranking.manage")
    rules = compliance.rules_for(bloc_id=bloc_id, year=scope.year)
    form = YearRulesForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        try:
            compliance.year_rules_save(
                bloc=scope.bloc, year=scope.year, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã lưu quy định xét thi đua năm.")
            return _to("ranking", bloc_id, year)
    return render(request, "scoring/ranking_rules.html", {"scope": scope, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def compliance_list(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """Compliance flags of the year: everyone who follows the ranking reads them; the
    secretariat and the province record them."""
    scope = get_bloc_for(request, bloc_id, year, need="ranking.view_all")
    view = ranking_view(bloc_id=bloc_id, year=scope.year, with_flags=True)
    form = FlagForm(request.POST or None, units=_members(bloc_id, scope.year))
    if request.method == "POST":
        if not scope.can("compliance.edit"):
            raise PermissionDenied("Bạn không có quyền ghi thông tin chấp hành.")
        if form.is_valid():
            try:
                compliance.flag_add(
                    bloc=scope.bloc, year=scope.year, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Đã ghi nhận thông tin; hãy tính lại kết quả xếp hạng.")
                return _to("compliance", bloc_id, year)
    context = {"scope": scope, "v": view, "form": form, "can": scope.perms}
    return render(request, "scoring/ranking_compliance.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def compliance_edit(request: HttpRequest, bloc_id: int, year: int, flag_id: int) -> HttpResponse:
    flag, scope = get_flag_for(request, bloc_id, year, flag_id)
    form = FlagForm(
        request.POST or None,
        units=_members(bloc_id, scope.year),
        initial=FlagForm.initial_for(flag),
    )
    if request.method == "POST" and form.is_valid():
        try:
            compliance.flag_update(flag=flag, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Đã lưu thông tin của {flag.unit}.")
            return _to("compliance", bloc_id, year)
    return render(
        request, "scoring/ranking_flag.html", {"scope": scope, "form": form, "flag": flag}
    )


@login_required
@require_POST
def compliance_delete(request: HttpRequest, bloc_id: int, year: int, flag_id: int) -> HttpResponse:
    flag, _scope = get_flag_for(request, bloc_id, year, flag_id)
    try:
        compliance.flag_delete(flag=flag, actor=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "Đã xóa thông tin nhập nhầm.")
    return _to("compliance", bloc_id, year)


def _meeting_initial(view) -> dict:
    m = view.meeting
    if m is None:
        return {}
    fields = ("date", "place", "chair", "secretary", "note")
    return {name: getattr(m, name) for name in fields} | {"attending": view.attending}


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """The bình xét meeting, and under it the vote on the ranking and the tie votes."""
    scope = get_bloc_for(request, bloc_id, year, need="ranking.manage")
    view = ranking_view(bloc_id=bloc_id, year=scope.year)
    form = MeetingForm(
        request.POST or None, units=_members(bloc_id, scope.year), initial=_meeting_initial(view)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_save(
                bloc=scope.bloc, year=scope.year, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã lưu thông tin hội nghị bình xét.")
            return _to("meeting", bloc_id, year)
    return _meeting_page(request, scope, view, form=form)


def _meeting_page(request, scope, view, *, form=None, vote=None, ties=None) -> HttpResponse:
    r = view.ranking
    initial = (
        {"vote_for": r.vote_for, "vote_against": r.vote_against, "vote_total": r.vote_total}
        if r
        else {}
    )
    context = {
        "scope": scope,
        "v": view,
        "form": form
        or MeetingForm(units=_members(scope.bloc.pk, scope.year), initial=_meeting_initial(view)),
        "vote": vote or VoteForm(initial=initial),
        "ties": ties or TieVoteForm(rows=view.tied),
    }
    return render(request, "scoring/ranking_meeting.html", context)


@login_required
@require_POST
def ranking_vote(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="ranking.manage")
    view = ranking_view(bloc_id=bloc_id, year=scope.year)
    form = VoteForm(request.POST)
    if form.is_valid() and view.ranking is not None:
        try:
            services.ranking_vote(ranking=view.ranking, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã ghi kết quả biểu quyết.")
            return _to("meeting", bloc_id, year)
    elif view.ranking is None:
        form.add_error(None, "Chưa tính kết quả xếp hạng.")
    return _meeting_page(request, scope, view, vote=form)


@login_required
@require_POST
def ranking_tie_votes(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="ranking.manage")
    view = ranking_view(bloc_id=bloc_id, year=scope.year)
    form = TieVoteForm(request.POST, rows=view.tied)
    if form.is_valid() and view.tied:
        try:
            services.tie_votes_record(ranking=view.ranking, actor=request.user, votes=form.votes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã ghi kết quả biểu quyết các đơn vị bằng điểm.")
            return _to("meeting", bloc_id, year)
    elif not view.tied:
        form.add_error(None, "Không có đơn vị bằng điểm nào phải biểu quyết.")
    return _meeting_page(request, scope, view, ties=form)


@login_required
@require_http_methods(["GET", "POST"])
def ranking_adopt(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """Confirmation page, then adopt: the ranking is frozen and the minutes are issued."""
    scope = get_bloc_for(request, bloc_id, year, need="ranking.manage")
    view = ranking_view(bloc_id=bloc_id, year=scope.year)
    if request.method == "POST" and view.ranking is not None:
        from reports.services import adopt_ranking  # scoring ← reports: issuing the minutes

        try:
            adopt_ranking(ranking=view.ranking, actor=request.user, revision=_revision(request))
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(
                request, "Hội nghị đã thông qua kết quả xếp hạng; biên bản đã được ban hành."
            )
            return _to("ranking", bloc_id, year)
    return render(request, "scoring/ranking_adopt.html", {"scope": scope, "v": view})


@login_required
def ranking_excel(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    view, scope = get_ranking_for(request, bloc_id, year)
    title = f"Kết quả chấm điểm, xếp hạng thi đua năm {scope.year} – {scope.bloc.name}"
    response = HttpResponse(export_ranking(view, title=title), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="xep-hang-{scope.year}-khoi-{bloc_id}.xlsx"'
    )
    return response
