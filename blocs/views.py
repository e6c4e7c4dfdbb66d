"""Pages of the blocs app: home, bloc-year page, rotation, membership, reviewer overview, admin."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from blocs import selectors, services
from blocs.access import ADMIN, REVIEWER, get_bloc_for, is_site_admin, require_site_admin
from blocs.forms import (
    BlocForm,
    MembershipAddForm,
    MembershipEndForm,
    ProvinceForm,
    TermRotateForm,
    UnitForm,
    add_service_errors,
)
from blocs.models import Bloc, Membership, Province


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What the user must do next: their unit's deadlines, then each bloc-year they can open
    with its plan's status, member count, next deadline and next step."""
    from plans import dashboard  # blocs ← plans: imported when used (see plans/dashboard.py)

    entries = selectors.blocs_for_user(user=request.user)
    return render(
        request,
        "blocs/home.html",
        {
            "rows": dashboard.home_rows(entries=entries),
            "deadlines": dashboard.unit_deadlines(unit_id=request.user.unit_id),
            "recent_days": dashboard.RECENT_DAYS,
        },
    )


@login_required
def bloc_latest(request: HttpRequest, bloc_id: int) -> HttpResponse:
    bloc = Bloc.objects.filter(pk=bloc_id).first()
    years = selectors.bloc_years(bloc=bloc) if bloc else []
    year = years[0] if years else dt.date.today().year
    get_bloc_for(request, bloc_id, year)
    return redirect("blocs:bloc", bloc_id=bloc_id, year=year)


@login_required
def bloc_detail(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year)
    rows = selectors.member_rows(bloc=scope.bloc, year=year, term=scope.term)
    return render(
        request,
        "blocs/bloc_detail.html",
        {
            "scope": scope,
            "bloc": scope.bloc,
            "year": year,
            "term": scope.term,
            "rows": rows,
            "years": selectors.bloc_years(bloc=scope.bloc),
            "can": scope.perms,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def term_rotate(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="bloc.manage")
    if scope.term is None:
        raise Http404("Năm này chưa có Trưởng khối.")
    units = selectors.units_for_term_choice(bloc=scope.bloc, year=year + 1)
    form = TermRotateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_rotate(term=scope.term, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Đã chuyển giao Trưởng khối năm {year + 1}.")
            return redirect("blocs:bloc", bloc_id=bloc_id, year=year + 1)
    return render(
        request,
        "blocs/form.html",
        {
            "form": form,
            "scope": scope,
            "title": f"Luân phiên Trưởng khối năm {year + 1}",
            "submit": "Chuyển giao",
            "back": ("blocs:bloc", bloc_id, year),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_add(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="bloc.manage")
    form = MembershipAddForm(request.POST or None, bloc=scope.bloc)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(bloc=scope.bloc, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã thêm đơn vị vào khối.")
            return redirect("blocs:bloc", bloc_id=bloc_id, year=year)
    return render(
        request,
        "blocs/form.html",
        {
            "form": form,
            "scope": scope,
            "title": "Thêm đơn vị thành viên",
            "submit": "Thêm",
            "back": ("blocs:bloc", bloc_id, year),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(
    request: HttpRequest, bloc_id: int, year: int, membership_id: int
) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="bloc.manage")
    membership = get_object_or_404(
        Membership.objects.select_related("unit"), pk=membership_id, bloc=scope.bloc
    )
    form = MembershipEndForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(membership=membership, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{membership.unit} đã rời khối.")
            return redirect("blocs:bloc", bloc_id=bloc_id, year=year)
    return render(
        request,
        "blocs/form.html",
        {
            "form": form,
            "scope": scope,
            "title": f"Đơn vị rời khối: {membership.unit}",
            "submit": "Xác nhận rời khối",
            "danger": True,
            "back": ("blocs:bloc", bloc_id, year),
        },
    )


@login_required
def province_overview(request: HttpRequest, province_id: int) -> HttpResponse:
    """Every bloc of the province for its reviewer, opening on the latest year with data."""
    from plans import dashboard  # blocs ← plans: imported when used (see plans/dashboard.py)

    province = get_object_or_404(Province, pk=province_id)
    user = request.user
    if not (is_site_admin(user) or user.reviewer_province_id == province.pk):
        if user.reviewer_province_id:
            raise PermissionDenied("Bạn chỉ xem được các khối của tỉnh mình.")
        raise Http404("Không tìm thấy trang.")
    years = dashboard.province_years(province=province)
    year = years[0] if years else dt.date.today().year
    try:
        year = min(max(int(request.GET.get("nam", year)), 2000), 2100)
    except ValueError:
        pass
    rows = selectors.province_overview(province=province, year=year)
    role = REVIEWER if user.reviewer_province_id == province.pk else ADMIN
    context = {
        "province": province,
        "year": year,
        "years": sorted(set(years) | {year}, reverse=True),
        "rows": dashboard.province_rows(rows=rows, year=year, role=role),
    }
    return render(request, "blocs/province.html", context)


@login_required
def admin_index(request: HttpRequest) -> HttpResponse:
    require_site_admin(request)
    provinces = Province.objects.all()
    blocs = Bloc.objects.select_related("province")
    return render(request, "blocs/admin_index.html", {"provinces": provinces, "blocs": blocs})


def _admin_create(request: HttpRequest, form_class, service, title: str) -> HttpResponse:
    require_site_admin(request)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            obj = service(actor=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Đã tạo: {obj}.")
            return redirect("blocs:admin_index")
    return render(request, "blocs/form.html", {"form": form, "title": title, "submit": "Tạo mới"})


@login_required
@require_http_methods(["GET", "POST"])
def province_create(request: HttpRequest) -> HttpResponse:
    return _admin_create(request, ProvinceForm, services.province_create, "Thêm tỉnh")


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    return _admin_create(request, UnitForm, services.unit_create, "Thêm đơn vị")


@login_required
@require_http_methods(["GET", "POST"])
def bloc_create(request: HttpRequest) -> HttpResponse:
    return _admin_create(request, BlocForm, services.bloc_create, "Thêm khối thi đua")


@login_required
def year_export(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """The bloc-year as the JSON backup (docs/export.md)."""
    scope = get_bloc_for(request, bloc_id, year, need="year.export")
    from blocs import exchange

    text = exchange.dumps(exchange.export_bloc_year(scope.bloc, year))
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="khoi-{bloc_id}-{year}.json"'
    return response
