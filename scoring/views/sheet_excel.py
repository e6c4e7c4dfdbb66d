"""A unit's sheet through Excel: download it filled with the current entries, upload it back
(every bad cell listed with its row and column; nothing saved until all are right)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from scoring import excel, excel_sheet
from scoring.access import get_submission_for
from scoring.forms import ImportForm
from scoring.models import Submission
from scoring.views.templates import XLSX


def _no_sheet(request: HttpRequest, sub: Submission) -> bool:
    if sub.has_sheet:
        return False
    messages.error(request, "Kỳ báo cáo này không có bảng tự chấm điểm.")
    return True


@login_required
def sheet_xlsx(request: HttpRequest, bloc_id: int, year: int, submission_id: int):
    sub, scope = get_submission_for(request, bloc_id, year, submission_id)
    if _no_sheet(request, sub):
        return redirect("blocs:bloc", bloc_id=bloc_id, year=year)
    response = HttpResponse(excel_sheet.export_sheet(sub, scope), content_type=XLSX)
    name = excel.plain(sub.unit.short_name or sub.unit.name).replace(" ", "-")
    filename = f"bang-tu-cham-{year}-{sub.round.key}-{name}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def sheet_xlsx_import(request: HttpRequest, bloc_id: int, year: int, submission_id: int):
    sub, scope = get_submission_for(request, bloc_id, year, submission_id, edit=True)
    if _no_sheet(request, sub):
        return redirect("blocs:bloc", bloc_id=bloc_id, year=year)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(excel.MAX_BYTES + 1)
        try:
            changed = excel_sheet.import_sheet(data, sub, request.user)
        except excel_sheet.SheetFileError as exc:
            errors = exc.errors
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"Đã lưu bảng điểm từ tệp Excel: {changed} dòng thay đổi.")
            return redirect(request.path)
    ctx = {"scope": scope, "sub": sub, "form": form, "errors": errors}
    return render(request, "scoring/sheet_import.html", ctx)
