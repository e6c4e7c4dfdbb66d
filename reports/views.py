"""Document downloads (PDF, DOCX, HTML preview) and issuing a plan, which freezes its document."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from blocs.access import get_bloc_for
from plans import selectors
from plans import services as plan_services
from plans.forms import IssueForm
from reports import services
from reports.docx import render_docx
from reports.render import html_to_pdf, render_html
from reports.scoring_documents import BUILDERS as SCORING_BUILDERS

FORMATS = {"pdf", "docx", "html"}


@login_required
def plan_document(
    request: HttpRequest, bloc_id: int, year: int, plan_id: int, fmt: str
) -> HttpResponse:
    fmt = request.GET.get("format", fmt)  # ?format=html previews the same document in the browser
    if fmt not in FORMATS:
        raise Http404("Định dạng không hỗ trợ.")
    plan, _scope = selectors.get_plan_for(request, bloc_id, year, plan_id)
    body, filename, content_type = services.plan_document(plan=plan, fmt=fmt)
    response = HttpResponse(body, content_type=content_type)
    if fmt != "html":
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def plan_issue(request: HttpRequest, bloc_id: int, year: int, plan_id: int) -> HttpResponse:
    """Take the number from the register, set the date, freeze the PDF: one transaction."""
    plan, _scope = selectors.get_plan_for(request, bloc_id, year, plan_id, need="plan.issue")
    form = IssueForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("plans:detail", bloc_id=bloc_id, year=year, plan_id=plan_id)
    try:
        with transaction.atomic():
            plan = plan_services.plan_issue(plan=plan, actor=request.user, **form.cleaned_data)
            services.freeze_plan_document(plan=plan, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"Đã ban hành kế hoạch số {plan.number:02d}/{plan.doc_type}-{plan.symbol}."
        )
    return redirect("plans:detail", bloc_id=bloc_id, year=year, plan_id=plan_id)


# Who may read each registration document: the giao ước is every member's; the table the
# secretariat's (and the deputies', the reviewer's).
SCORING_NEEDS = {"bang-tong-hop": "registration.view_all", "giao-uoc": "bloc.view"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


@login_required
def scoring_document(
    request: HttpRequest, bloc_id: int, year: int, doc: str, fmt: str
) -> HttpResponse:
    """The consolidated registration table or the giao ước, rendered live (PDF, DOCX, HTML)."""
    fmt = request.GET.get("format", fmt)
    if fmt not in FORMATS or doc not in SCORING_BUILDERS:
        raise Http404("Không có văn bản này.")
    scope = get_bloc_for(request, bloc_id, year, need=SCORING_NEEDS[doc])
    ctx = SCORING_BUILDERS[doc](scope.bloc, scope.year)
    if fmt == "html":
        return HttpResponse(render_html(ctx), content_type=CONTENT_TYPES["html"])
    body = html_to_pdf(render_html(ctx)) if fmt == "pdf" else render_docx(ctx)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{ctx.filename_stem}.{fmt}"'
    return response
