"""The printed self-scoring sheet of a submission (PDF, DOCX, ?format=html preview) and who signs
it for the unit. The documents are built by the reports app (scoring ← reports: the view layer
is the only scoring code that calls it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from blocs.forms import add_service_errors
from reports.sheet_documents import sheet_document
from reports.views import document_response
from scoring.access import get_submission_for
from scoring.forms import SignerForm
from scoring.services import sheets as services


def _download(request: HttpRequest, bloc_id: int, year: int, submission_id: int, fmt: str):
    sub, scope = get_submission_for(request, bloc_id, year, submission_id)
    if not sub.has_sheet:
        raise Http404("Kỳ báo cáo này không có bảng tự chấm điểm.")
    if fmt == "pdf" and request.GET.get("format") == "html":
        fmt = "html"  # the same document previewed in the browser
    return document_response(*sheet_document(sub, fmt, scope))


@login_required
def sheet_pdf(request: HttpRequest, bloc_id: int, year: int, submission_id: int) -> HttpResponse:
    return _download(request, bloc_id, year, submission_id, "pdf")


@login_required
def sheet_docx(request: HttpRequest, bloc_id: int, year: int, submission_id: int) -> HttpResponse:
    return _download(request, bloc_id, year, submission_id, "docx")


@login_required
@require_http_methods(["GET", "POST"])
def sheet_signer(request: HttpRequest, bloc_id: int, year: int, submission_id: int) -> HttpResponse:
    """The unit sets who signs its printed sheet (its own submission, while it can edit it)."""
    sub, scope = get_submission_for(request, bloc_id, year, submission_id)
    if not (scope.can("sheet.edit") and sub.unit_id == scope.user.unit_id):
        raise PermissionDenied("Chỉ đơn vị có báo cáo mới ghi được người ký.")
    initial = {"signer_position": sub.signer_position, "signer_name": sub.signer_name}
    if not sub.signer_name:
        initial = services.previous_signer(sub)
    form = SignerForm(request.POST or None, initial={**initial, "revision": sub.revision})
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.signer_save(submission=sub, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã lưu người ký bảng tự chấm điểm.")
            return HttpResponseRedirect(back or request.path)  # a URL, never a view name
    context = {"scope": scope, "sub": sub, "form": form, "back": back}
    return render(request, "scoring/sheet_signer.html", context)
