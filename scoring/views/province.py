"""The provincial reviewer's download of the province's proposals (the overview page itself is
blocs.views.province_overview with the scoring panel of scoring.province)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from blocs.access import is_provincial_authority
from blocs.models import Province
from scoring.excel_province import export_province

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def province_export(request: HttpRequest, province_id: int, year: int) -> HttpResponse:
    province = get_object_or_404(Province, pk=province_id)
    if not is_provincial_authority(request.user, province.pk) or not 2000 <= year <= 2100:
        raise Http404("Không tìm thấy trang.")
    response = HttpResponse(export_province(province=province, year=year), content_type=XLSX)
    name = f"de-nghi-khen-thuong-{year}-tinh-{province_id}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
