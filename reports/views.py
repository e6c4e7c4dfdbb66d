"""Document downloads (PDF, DOCX, HTML preview) and the issue page, which numbers, issues and
freezes a plan's document in one service call. Issued documents are served from their frozen
bytes; a draft's PDF comes from the cache, is printed in the request when small, or is printed
by the task worker when large (the download then opens the job's progress page: views_jobs.py).
Each download's gate is a function of its URL's arguments, so that a job's file is served only
after the same gate passes again (views_jobs.DOCUMENT_GATES)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from blocs.access import BlocScope, get_bloc_for
from blocs.forms import add_service_errors
from plans import selectors
from plans.rules import issue_window
from reports import jobs, services
from reports.documents import PlanDocContext, build_plan_context
from reports.forms import IssueForm
from reports.models import IssuedDocument, RenderJob
from reports.proposal_documents import build_to_trinh_context
from reports.ranking_documents import BUILDERS as RANKING_BUILDERS
from reports.render import render_html
from reports.scoring_documents import BUILDERS as SCORING_BUILDERS
from scoring.access import get_ranking_for

FORMATS = {"pdf", "docx", "html"}


def document_response(body: bytes | str, filename: str, content_type: str) -> HttpResponse:
    """A document download; the HTML preview opens in the browser instead."""
    response = HttpResponse(body, content_type=content_type)
    if not content_type.startswith("text/html"):
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def live_response(
    request: HttpRequest, scope: BlocScope, ctx: PlanDocContext, fmt: str
) -> HttpResponse:
    """A draft rendered from live rows: DOCX and HTML at once; the PDF through reports.jobs
    (cached, printed now, or queued: then the job's progress page)."""
    if fmt != "pdf":
        return document_response(*services.live_body(ctx, fmt))
    filename = f"{ctx.filename_stem}.pdf"
    printed = jobs.draft_or_job(
        html=render_html(ctx),
        user=request.user,
        bloc=scope.bloc,
        year=scope.year,
        source_path=request.get_full_path(),
        title=" ".join([ctx.doc_type_name.capitalize(), *ctx.title_lines]),
        filename=filename,
    )
    if isinstance(printed, RenderJob):
        return redirect(reverse("reports:render_job", args=(scope.bloc.pk, scope.year, printed.pk)))
    return document_response(printed, filename, services.CONTENT_TYPES["pdf"])


def _plan_gate(request: HttpRequest, bloc_id: int, year: int, plan_id: int, **_: object):
    return selectors.get_plan_for(request, bloc_id, year, plan_id)


@login_required
def plan_document(
    request: HttpRequest, bloc_id: int, year: int, plan_id: int, fmt: str
) -> HttpResponse:
    fmt = request.GET.get("format", fmt)  # ?format=html previews the same document in the browser
    if fmt not in FORMATS:
        raise Http404("Định dạng không hỗ trợ.")
    # whether the plan has its issued document is asked in the gate's plan query
    has_document = Exists(IssuedDocument.objects.filter(plan=OuterRef("pk")))
    plan, scope = selectors.get_plan_for(
        request, bloc_id, year, plan_id, annotate={"has_document": has_document}
    )
    frozen = services.frozen_document(plan) if plan.has_document else None
    if frozen is not None:  # issued: the frozen bytes, whatever happened to the rows since
        return document_response(*services.frozen_body(frozen, fmt))
    # the gate loaded the plan (and its profile) in this request: only its lists are read
    return live_response(request, scope, build_plan_context(plan, fresh=False), fmt)


@login_required
@require_http_methods(["GET", "POST"])
def plan_issue(request: HttpRequest, bloc_id: int, year: int, plan_id: int) -> HttpResponse:
    """The issue page: date and number; on error the form comes back with the input kept."""
    plan, scope = selectors.get_plan_for(request, bloc_id, year, plan_id, need="plan.issue")
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.issue_document(
                kind="plan", subject=plan, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            issued = document.plan
            messages.success(
                request,
                f"Đã ban hành kế hoạch số {issued.number:02d}/{issued.doc_type}-{issued.symbol}.",
            )
            return redirect("plans:detail", bloc_id=bloc_id, year=year, plan_id=plan_id)
    first, last = issue_window(plan.year)
    context = {"plan": plan, "scope": scope, "form": form, "first": first, "last": last}
    return render(request, "reports/issue.html", context)


# Who may read each registration document: the giao ước is every member's; the table the
# secretariat's (and the deputies', the reviewer's).
SCORING_NEEDS = {"bang-tong-hop": "registration.view_all", "giao-uoc": "bloc.view"}


def _scoring_gate(request: HttpRequest, bloc_id: int, year: int, doc: str, **_: object):
    if doc not in SCORING_BUILDERS:
        raise Http404("Không có văn bản này.")
    return get_bloc_for(request, bloc_id, year, need=SCORING_NEEDS[doc])


@login_required
def scoring_document(
    request: HttpRequest, bloc_id: int, year: int, doc: str, fmt: str
) -> HttpResponse:
    """The consolidated registration table or the giao ước, rendered live (PDF, DOCX, HTML)."""
    fmt = request.GET.get("format", fmt)
    if fmt not in FORMATS or doc not in SCORING_BUILDERS:
        raise Http404("Không có văn bản này.")
    scope = _scoring_gate(request, bloc_id, year, doc)
    frozen = services.frozen_giao_uoc(bloc_id=bloc_id, year=year) if doc == "giao-uoc" else None
    if frozen is not None:  # the signed giao ước: the bytes frozen at the signing
        return document_response(*services.frozen_body(frozen, fmt))
    ctx = SCORING_BUILDERS[doc](scope.bloc, scope.year, term=scope.term)
    return live_response(request, scope, ctx, fmt)


def _ranking_gate(request: HttpRequest, bloc_id: int, year: int, **_: object):
    return get_ranking_for(request, bloc_id, year)


@login_required
def ranking_document(
    request: HttpRequest, bloc_id: int, year: int, doc: str, fmt: str
) -> HttpResponse:
    """The ranking table or the minutes of the bình xét meeting (PDF, DOCX, HTML): whoever may
    read the ranking (members once it is adopted); the issued minutes from their frozen bytes."""
    fmt = request.GET.get("format", fmt)
    if fmt not in FORMATS or doc not in RANKING_BUILDERS:
        raise Http404("Không có văn bản này.")
    view, scope = _ranking_gate(request, bloc_id, year)
    frozen = services.frozen_minutes(bloc_id=bloc_id, year=year) if doc == "bien-ban" else None
    if frozen is not None:
        return document_response(*services.frozen_body(frozen, fmt))
    ctx = RANKING_BUILDERS[doc](scope.bloc, scope.year, view=view, term=scope.term)
    if ctx is None:  # the minutes before the meeting is recorded
        raise Http404("Chưa có văn bản này.")
    return live_response(request, scope, ctx, fmt)


def _to_trinh_gate(request: HttpRequest, bloc_id: int, year: int, **_: object):
    return get_bloc_for(request, bloc_id, year, need="ranking.view_all")


@login_required
def to_trinh_draft(request: HttpRequest, bloc_id: int, year: int, fmt: str) -> HttpResponse:
    """The tờ trình of the proposals being prepared, as a draft (the secretariat, deputies and
    the province read it before it is submitted)."""
    fmt = request.GET.get("format", fmt)
    if fmt not in FORMATS:
        raise Http404("Định dạng không hỗ trợ.")
    scope = _to_trinh_gate(request, bloc_id, year)
    return live_response(request, scope, build_to_trinh_context(scope.bloc, scope.year), fmt)


@login_required
def to_trinh(request: HttpRequest, bloc_id: int, year: int, seq: int, fmt: str) -> HttpResponse:
    """The tờ trình issued with the `seq`-th dossier: its frozen bytes."""
    fmt = request.GET.get("format", fmt)
    if fmt not in FORMATS:
        raise Http404("Định dạng không hỗ trợ.")
    get_bloc_for(request, bloc_id, year)
    frozen = IssuedDocument.objects.filter(
        dossier__bloc_id=bloc_id, dossier__year=year, dossier__seq=seq
    ).first()
    if frozen is None:
        raise Http404("Không có tờ trình này.")
    return document_response(*services.frozen_body(frozen, fmt))
