"""Pages of the blocs app: home, bloc-year page, rotation, membership, reviewer overview, admin."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from blocs import optional, selectors, services, unit_search
from blocs.access import (
    ADMIN,
    REVIEWER,
    get_bloc_for,
    is_provincial_authority,
    load_scope,
    require_site_admin,
)
from blocs.forms import (
    BlocForm,
    MembershipAddForm,
    MembershipEndForm,
    ProvinceForm,
    TermForm,
    TermUpdateForm,
    UnitForm,
    UnitMergeForm,
    add_service_errors,
)
from blocs.models import Bloc, Membership, Province
from blocs.pagecache import cached_page


@login_required
@cached_page
def home(request: HttpRequest) -> HttpResponse:
    """What the user must do next: their unit's deadlines, then each bloc-year they can open
    with its plan's status, member count, next deadline and next step."""
    from plans import dashboard  # blocs ← plans: imported when used (see plans/dashboard.py)

    entries, memberships, terms = selectors.home_entries(user=request.user)
    # A reviewer or the site administrator sees every bloc-year of a province: a page at a time
    # (newest year first), the plans summarised for the rows shown only.
    page = Paginator(entries, HOME_PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "blocs/home.html",
        {
            "page": page,
            "rows": dashboard.home_rows(entries=list(page.object_list)),
            "deadlines": dashboard.unit_deadlines(
                unit_id=request.user.unit_id, memberships=memberships, terms=terms
            ),
            # the unit's memberships, read once: the registration reminders use them too
            "unit_memberships": memberships,
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
@cached_page
def bloc_detail(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year)
    rows = selectors.member_rows(bloc=scope.bloc, year=year, term=scope.term)
    years = selectors.bloc_years(bloc=scope.bloc)
    # Rotation only while next year has no term; otherwise offer to edit next year's term.
    next_scope = None
    if year + 1 in years and scope.can("bloc.manage"):
        next_scope = load_scope(request.user, scope.bloc, year + 1)
    return render(
        request,
        "blocs/bloc_detail.html",
        {
            "scope": scope,
            "bloc": scope.bloc,
            "year": year,
            "term": scope.term,
            "rows": rows,
            "years": years,
            "can": scope.perms,
            "next_year_has_term": year + 1 in years,
            "can_edit_next": bool(next_scope and next_scope.can("term.update")),
        },
    )


def _form_page(request, scope, form, title: str, submit: str, danger: bool = False):
    return render(
        request,
        "blocs/form.html",
        {
            "form": form,
            "scope": scope,
            "title": title,
            "submit": submit,
            "danger": danger,
            "back": ("blocs:bloc", scope.bloc.pk, scope.year),
        },
    )


def _edit_page(
    request,
    scope,
    form,
    call,
    *,
    done: str,
    year: int,
    title: str,
    submit: str,
    danger: bool = False,
) -> HttpResponse:
    """The pattern of every editor: on a valid POST call the write service (`call` takes the
    form's cleaned data); its ValidationError goes next to the fields, success goes to the
    bloc-year page of `year`. Otherwise (GET, bad input) the form page."""
    if request.method == "POST" and form.is_valid():
        try:
            call(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("blocs:bloc", bloc_id=scope.bloc.pk, year=year)
    return _form_page(request, scope, form, title, submit, danger)


@login_required
@require_http_methods(["GET", "POST"])
def term_set(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """The first term of a bloc-year (a new bloc, or a year nobody rotated into)."""
    scope = get_bloc_for(request, bloc_id, year, need="term.set")
    if scope.term is not None:
        messages.info(request, f"Khối đã có Trưởng khối năm {year}: hãy điều chỉnh nhiệm kỳ.")
        return redirect("blocs:term_update", bloc_id=bloc_id, year=year)
    units = selectors.units_for_term_choice(bloc=scope.bloc, year=year)
    form = TermForm(request.POST or None, units=units, year=year)
    call = partial(services.term_set, bloc=scope.bloc, year=year)
    done = f"Đã thiết lập Trưởng khối năm {year}."
    title = f"Thiết lập nhiệm kỳ năm {year}"
    return _edit_page(
        request, scope, form, call, done=done, year=year, title=title, submit="Lưu nhiệm kỳ"
    )


@login_required
@require_http_methods(["GET", "POST"])
def term_update(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """Correct the year's term (head, deputies, basis, signer) with a reason; audited."""
    scope = get_bloc_for(request, bloc_id, year, need="term.update")
    if scope.term is None:
        raise Http404("Năm này chưa có Trưởng khối.")
    units = selectors.units_for_term_choice(bloc=scope.bloc, year=year)
    # a posted form carries its own values and state: the term's are read for a blank form only
    initial = TermUpdateForm.initial_for(scope.term) if request.method == "GET" else None
    form = TermUpdateForm(request.POST or None, units=units, year=year, initial=initial)
    call = partial(services.term_update, term=scope.term)
    done = f"Đã cập nhật nhiệm kỳ năm {year}."
    title = f"Điều chỉnh nhiệm kỳ năm {year}"
    return _edit_page(
        request, scope, form, call, done=done, year=year, title=title, submit="Lưu điều chỉnh"
    )


@login_required
@require_http_methods(["GET", "POST"])
def term_rotate(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """Next year's term, offered while next year has none (then: edit next year's term)."""
    scope = get_bloc_for(request, bloc_id, year, need="bloc.manage")
    if scope.term is None:
        raise Http404("Năm này chưa có Trưởng khối.")
    if request.method == "GET" and year + 1 in selectors.bloc_years(bloc=scope.bloc):
        messages.info(request, f"Năm {year + 1} đã có Trưởng khối: hãy điều chỉnh nhiệm kỳ đó.")
        return redirect("blocs:bloc", bloc_id=bloc_id, year=year + 1)
    units = selectors.units_for_term_choice(bloc=scope.bloc, year=year + 1)
    form = TermForm(request.POST or None, units=units, year=year + 1)
    call = partial(services.term_rotate, term=scope.term)
    done = f"Đã chuyển giao Trưởng khối năm {year + 1}."
    title = f"Luân phiên Trưởng khối năm {year + 1}"
    return _edit_page(
        request, scope, form, call, done=done, year=year + 1, title=title, submit="Chuyển giao"
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_add(
    request: HttpRequest, bloc_id: int, year: int, search: bool = False
) -> HttpResponse:
    """A unit joins the bloc on a day of the page's year (`search`: the units matching ?q=)."""
    scope = get_bloc_for(request, bloc_id, year, need="bloc.manage")
    form = MembershipAddForm(request.POST or None, bloc=scope.bloc, year=year)
    url = reverse("blocs:membership_add_units", args=[bloc_id, year])
    if fragment := unit_search.wire(request, form, "unit", url=url, search=search):
        return fragment
    call = partial(services.membership_add, bloc=scope.bloc)
    return _edit_page(
        request,
        scope,
        form,
        call,
        done="Đã thêm đơn vị vào khối.",
        year=year,
        title="Thêm đơn vị thành viên",
        submit="Thêm",
    )


def _membership_in(scope, membership_id: int) -> Membership:
    """A membership of the scope's bloc covering the scope's year, or 404."""
    membership = (
        Membership.objects.for_year(scope.year)
        .select_related("unit")
        .filter(pk=membership_id, bloc=scope.bloc)
        .first()
    )
    if membership is None:
        raise Http404("Không tìm thấy thành viên của khối trong năm này.")
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(
    request: HttpRequest, bloc_id: int, year: int, membership_id: int
) -> HttpResponse:
    """A unit leaves the bloc (rút) on a day of the page's year."""
    scope = get_bloc_for(request, bloc_id, year, need="bloc.manage")
    membership = _membership_in(scope, membership_id)
    form = MembershipEndForm(request.POST or None, membership=membership, year=year)
    call = partial(
        services.membership_end, membership=membership, leave_reason=Membership.Reason.RUT
    )
    return _edit_page(
        request,
        scope,
        form,
        call,
        done=f"{membership.unit} đã rời khối.",
        year=year,
        title=f"Đơn vị rời khối: {membership.unit}",
        submit="Xác nhận rời khối",
        danger=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_merge(
    request: HttpRequest, bloc_id: int, year: int, membership_id: int, search: bool = False
) -> HttpResponse:
    """A merger (sáp nhập): a provincial act, since it rewrites the unit every bloc shares
    (`search`: the successors matching ?q=)."""
    scope = get_bloc_for(request, bloc_id, year, need="unit.merge")
    membership = _membership_in(scope, membership_id)
    form = UnitMergeForm(request.POST or None, membership=membership, year=year)
    url = reverse("blocs:unit_merge_units", args=[bloc_id, year, membership_id])
    if fragment := unit_search.wire(request, form, "successor", url=url, search=search):
        return fragment
    call = partial(services.unit_merge, membership=membership)
    return _edit_page(
        request,
        scope,
        form,
        call,
        done=f"{membership.unit} đã sáp nhập.",
        year=year,
        title=f"Sáp nhập đơn vị: {membership.unit}",
        submit="Xác nhận sáp nhập",
        danger=True,
    )


# Panels that apps above blocs add to the province overview (dotted paths, imported when the
# page is shown, so blocs never imports them; a missing module is skipped). A panel is called
# with (province, year, bloc_count, status) and gives headers, per-bloc cells, a status filter
# (keep) and a summary template.
PROVINCE_PANELS = ["scoring.province:province_panel"]
PROVINCE_PAGE_SIZE = 20
HOME_PAGE_SIZE = 30


def _province_panels(**kwargs) -> list:
    return [panel(**kwargs) for panel in optional.load_all(PROVINCE_PANELS)]


def _int_param(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(request.GET.get(name, default)), low), high)
    except ValueError:
        return default


@login_required
@cached_page
def province_overview(request: HttpRequest, province_id: int) -> HttpResponse:
    """Every bloc of the province for its reviewer, opening on the latest year with data,
    filtered by kind and by the panels' status, a page at a time."""
    from plans import dashboard  # blocs ← plans: imported when used (see plans/dashboard.py)

    province = get_object_or_404(Province, pk=province_id)
    user = request.user
    if not is_provincial_authority(user, province.pk):
        raise Http404("Không tìm thấy trang.")  # no existence oracle, even for other reviewers
    years = dashboard.province_years(province=province)
    year = _int_param(request, "nam", years[0] if years else dt.date.today().year, 2000, 2100)
    kind = request.GET.get("loai", "")
    kind = kind if kind in Bloc.Kind.values else ""
    status = request.GET.get("tinh-trang", "")
    rows = selectors.province_overview(province=province, year=year, kind=kind)
    panels = _province_panels(province=province, year=year, bloc_count=len(rows), status=status)
    rows = [r for r in rows if all(p.keep(r.bloc.pk) for p in panels)]
    page = Paginator(rows, PROVINCE_PAGE_SIZE).get_page(request.GET.get("trang"))
    role = REVIEWER if user.reviewer_province_id == province.pk else ADMIN
    shown = dashboard.province_rows(rows=list(page.object_list), year=year, role=role)
    context = {
        "province": province,
        "year": year,
        "years": sorted(set(years) | {year}, reverse=True),
        "kind": kind,
        "kinds": Bloc.Kind.choices,
        "status": status,
        "panels": panels,
        "page": page,
        "rows": [(r, [(p.row_template, p.row(r.row.bloc.pk)) for p in panels]) for r in shown],
    }
    return render(request, "blocs/province.html", context)


@login_required
def admin_index(request: HttpRequest) -> HttpResponse:
    require_site_admin(request)
    provinces = Province.objects.all()
    blocs = Bloc.objects.select_related("province")
    return render(request, "blocs/admin_index.html", {"provinces": provinces, "blocs": blocs})


def _admin_create(
    request: HttpRequest, form_class, service, title: str, units=None, search: bool = False
) -> HttpResponse:
    """The site administrator's create pages; `units`: (field, search URL name) of a unit
    chosen by search, `search`: that URL (the matching units only)."""
    require_site_admin(request)
    form = form_class(request.POST or None)
    if units:
        field, url_name = units
        fragment = unit_search.wire(request, form, field, url=reverse(url_name), search=search)
        if fragment:
            return fragment
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
def unit_create(request: HttpRequest, search: bool = False) -> HttpResponse:
    units = ("parent", "blocs:unit_create_units")
    return _admin_create(request, UnitForm, services.unit_create, "Thêm đơn vị", units, search)


@login_required
@require_http_methods(["GET", "POST"])
def bloc_create(request: HttpRequest) -> HttpResponse:
    return _admin_create(request, BlocForm, services.bloc_create, "Thêm khối thi đua")


@login_required
def year_export(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """The bloc-year as the JSON backup (docs/export.md). The task worker writes the file (it
    reads every table of the year, ~40 queries, off the web request) with what the user's pages
    show them; this page goes to its progress, from where the file downloads when ready."""
    from reports import jobs

    scope = get_bloc_for(request, bloc_id, year, need="year.export")
    job = jobs.year_data_enqueue(
        user=request.user, bloc=scope.bloc, year=scope.year, source_path=request.path
    )
    return redirect("reports:render_job", scope.bloc.pk, scope.year, job.pk)
