"""The bloc's BÁO CÁO of a reporting round: the secretariat writes its assessment, previews the
document compiled from the members' submissions, downloads it (PDF, DOCX) and issues it (numbered
in the bloc's "BC" register and frozen)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from blocs.access import BlocScope, get_bloc_for
from blocs.forms import add_service_errors
from reports import services
from reports.compiled_documents import build_compiled_context, summary_text, unit_lines
from reports.forms import CompiledReportForm, IssueForm
from reports.models import CompiledReport
from reports.views import document_response, live_response
from scoring.models import Round

FORMATS = {"pdf", "docx", "html"}


def _round_for(request: HttpRequest, bloc_id: int, year: int, round_id: int, need: str):
    scope = get_bloc_for(request, bloc_id, year, need=need)
    round = Round.objects.filter(pk=round_id, bloc=scope.bloc, year=scope.year).first()
    if round is None:
        raise Http404("Không tìm thấy kỳ báo cáo.")
    return round, scope


def _page(request: HttpRequest, round: Round, scope: BlocScope, form, issue_form) -> HttpResponse:
    report = CompiledReport.objects.filter(round=round).first()
    lines = unit_lines(round)
    context = {
        "scope": scope,
        "round": round,
        "report": report,
        "form": form,
        "issue_form": issue_form,
        "summary": summary_text(lines),
        "missing": [x.unit for x in lines if not x.came],
        "rounds": Round.objects.filter(bloc=scope.bloc, year=scope.year, active=True),
    }
    return render(request, "reports/compiled_report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def compiled_report(request: HttpRequest, bloc_id: int, year: int, round_id: int) -> HttpResponse:
    """Edit the assessment and preview the report (the secretariat)."""
    round, scope = _round_for(request, bloc_id, year, round_id, "report.compile")
    report = CompiledReport.objects.filter(round=round).first()
    initial = {"body": report.body, "revision": report.revision} if report else {"revision": 0}
    form = CompiledReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.compiled_report_save(round=round, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã lưu phần đánh giá của báo cáo.")
            return redirect(request.path)
    return _page(request, round, scope, form, IssueForm())


@login_required
@require_POST
def compiled_issue(request: HttpRequest, bloc_id: int, year: int, round_id: int) -> HttpResponse:
    """Number the report in the bloc's register, freeze it (PDF, DOCX) and audit."""
    round, scope = _round_for(request, bloc_id, year, round_id, "report.compile")
    issue_form = IssueForm(request.POST)
    report = CompiledReport.objects.filter(round=round).first()
    if issue_form.is_valid():
        if report is None:
            issue_form.add_error(None, "Hãy viết và lưu phần đánh giá chung trước khi ban hành.")
        else:
            try:
                document = services.issue_document(
                    kind="bao_cao", subject=report, actor=request.user, **issue_form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(issue_form, exc)
            else:
                messages.success(request, f"Đã ban hành báo cáo số {document.number_text}.")
                return redirect("reports:compiled_report", bloc_id, year, round.pk)
    initial = {"body": report.body, "revision": report.revision} if report else {"revision": 0}
    return _page(request, round, scope, CompiledReportForm(initial=initial), issue_form)


@login_required
def compiled_document(
    request: HttpRequest, bloc_id: int, year: int, round_id: int, fmt: str
) -> HttpResponse:
    """The report as PDF, DOCX or HTML preview: frozen once issued, else live."""
    fmt = request.GET.get("format", fmt)
    if fmt not in FORMATS:
        raise Http404("Định dạng không hỗ trợ.")
    round, scope = _compiled_gate(request, bloc_id, year, round_id)
    frozen, report = services.compiled_parts(round)
    if frozen is not None:
        return document_response(*services.frozen_body(frozen, fmt))
    round.bloc = scope.bloc  # the gate's (with its province): the round is of that bloc-year
    ctx = build_compiled_context(report, round=round, term=scope.term)
    return live_response(request, scope, ctx, fmt)


def _compiled_gate(request: HttpRequest, bloc_id: int, year: int, round_id: int, **_: object):
    return _round_for(request, bloc_id, year, round_id, "sheet.view_all")
