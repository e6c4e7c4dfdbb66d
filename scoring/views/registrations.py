"""Registration pages: the unit's own registration (targets and titles), its submission, the
secretariat's dashboard and review (accept / return with a reason), and the signing meeting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from blocs.access import get_bloc_for
from blocs.forms import add_service_errors
from blocs.models import Unit
from blocs.pagecache import cached_page
from plans.forms import RevisionForm, formset_rows
from plans.models import Milestone
from scoring import selectors
from scoring.access import get_registration_for, own_unit_scope
from scoring.forms import RegistrationForm, ReturnForm, SigningForm, TargetFormSet
from scoring.models import Criterion, Registration
from scoring.services import registrations as services


def _to_reg(reg: Registration) -> HttpResponse:
    return redirect(
        "scoring:registration", bloc_id=reg.bloc_id, year=reg.year, registration_id=reg.pk
    )


def _revision(request: HttpRequest) -> int | None:
    """The revision the page was read at (None when the form sent none)."""
    form = RevisionForm(request.POST)
    return form.cleaned_data["revision"] if form.is_valid() else None


def _leaves(bloc_id: int, year: int):
    """The leaf criteria of the bloc-year's current template (selectors.current_template: the
    newest version), in one query: none when the year has no template."""
    current = selectors.newest_first(bloc_id=bloc_id, year=year).values("pk")[:1]
    return Criterion.objects.filter(template=Subquery(current)).exclude(kind=Criterion.Kind.GROUP)


def _targets_initial(reg: Registration | None) -> list[dict]:
    if reg is None:
        return []
    return [
        {
            "content": t.content,
            "measure": t.measure,
            "target_value": t.target_value,
            "criterion": t.criterion,
        }
        for t in reg.targets.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def my_registration(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """The unit's own registration: a form while it can be edited, else its page."""
    scope = own_unit_scope(request, bloc_id, year)
    unit = scope.user.unit
    posted = request.method == "POST"
    own = selectors.registrations_qs().filter(bloc=scope.bloc, year=year, unit=unit)
    # A POST is read from its data: the stored rows are read by the save, under its lock (and
    # below, for a page shown again with its errors).
    reg = None if posted else own.first()
    if reg is not None and not reg.is_editable:
        return _to_reg(reg)
    leaves = _leaves(bloc_id, year)
    len(leaves)  # read once: every target form's choices and has_template below use these rows
    form = RegistrationForm(
        request.POST or None, initial=None if posted else RegistrationForm.initial_for(reg)
    )
    targets = TargetFormSet(
        request.POST or None,
        initial=None if posted else _targets_initial(reg),
        prefix="targets",
        form_kwargs={"leaves": leaves},
    )
    if posted and form.is_valid() and targets.is_valid():
        try:
            reg = services.registration_save(
                bloc=scope.bloc,
                year=year,
                unit=unit,
                actor=request.user,
                targets=formset_rows(targets),
                titles=form.titles(),
                note=form.cleaned_data["note"],
                # 0 for a registration not yet made: of two first saves at once, one is refused
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã lưu bản đăng ký. Kiểm tra lại rồi bấm “Gửi Trưởng khối”.")
            return _to_reg(reg)
    if posted:
        reg = own.first()
    return render(
        request,
        "scoring/registration_form.html",
        {
            "scope": scope,
            "unit": unit,
            "reg": reg,
            "form": form,
            "targets": targets,
            "deadline": selectors.registration_deadline(bloc_id=bloc_id, year=year),
            "has_template": leaves.exists(),
        },
    )


@login_required
def registration_detail(
    request: HttpRequest, bloc_id: int, year: int, registration_id: int
) -> HttpResponse:
    reg, scope = get_registration_for(request, bloc_id, year, registration_id)
    own = reg.unit_id == scope.user.unit_id and scope.can("registration.edit")
    return render(
        request,
        "scoring/registration.html",
        {
            "scope": scope,
            "reg": reg,
            "own": own,
            "can": scope.perms,
            "return_form": ReturnForm(),
            "signed": services.is_signed(bloc_id, year),
        },
    )


@login_required
@require_POST
def registration_submit(
    request: HttpRequest, bloc_id: int, year: int, registration_id: int
) -> HttpResponse:
    own_unit_scope(request, bloc_id, year)
    reg, scope = get_registration_for(request, bloc_id, year, registration_id)
    if reg.unit_id != scope.user.unit_id:
        raise PermissionDenied("Chỉ đơn vị đăng ký mới gửi được bản đăng ký của mình.")
    try:
        services.registration_submit(
            registration=reg, actor=request.user, revision=_revision(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Đã gửi bản đăng ký đến Trưởng khối.")
    return _to_reg(reg)


@login_required
@require_POST
def registration_review(
    request: HttpRequest, bloc_id: int, year: int, registration_id: int, action: str
) -> HttpResponse:
    reg, _scope = get_registration_for(
        request, bloc_id, year, registration_id, need="registration.review"
    )
    if action not in {"accept", "return"}:
        raise Http404("Thao tác không hợp lệ.")
    form = ReturnForm(request.POST)
    revision = _revision(request)
    try:
        if action == "accept":
            services.registration_accept(registration=reg, actor=request.user, revision=revision)
            messages.success(request, f"Đã chấp nhận bản đăng ký của {reg.unit}.")
        elif form.is_valid():
            services.registration_return(
                registration=reg,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                revision=revision,
            )
            messages.success(request, f"Đã trả lại bản đăng ký của {reg.unit}.")
        else:
            messages.error(request, "Hãy nêu lý do trả lại để đơn vị biết cần sửa gì.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _to_reg(reg)


@login_required
@cached_page
def dashboard(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="registration.view_all")
    data = selectors.dashboard(bloc_id=bloc_id, year=year)
    return render(
        request, "scoring/dashboard.html", {"scope": scope, "d": data, "can": scope.perms}
    )


def _signing_initial(bloc_id: int, year: int, units) -> dict:
    m = selectors.plan_milestone(bloc_id=bloc_id, year=year, kind=Milestone.Kind.KY_GIAO_UOC)
    return {"date": m.due if m else None, "place": m.place if m else "", "attending": units}


@login_required
@require_http_methods(["GET", "POST"])
def signing(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """Record the giao ước signing meeting; signing locks the registrations and the template."""
    scope = get_bloc_for(request, bloc_id, year, need="giao_uoc.sign")
    members = selectors.member_units(bloc_id=bloc_id, year=year)
    units = Unit.objects.filter(pk__in=[u.pk for u in members]).order_by("name")
    form = SigningForm(
        request.POST or None, units=units, initial=_signing_initial(bloc_id, year, members)
    )
    meeting = selectors.dashboard(bloc_id=bloc_id, year=year).meeting
    if request.method == "POST" and meeting is None and form.is_valid():
        from reports.services import sign_giao_uoc  # scoring ← reports: the issuing service

        try:
            sign_giao_uoc(bloc=scope.bloc, year=year, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Đã ghi nhận ký kết và ban hành giao ước; bản đăng ký và thang điểm đã được chốt.",
            )
            return redirect("scoring:dashboard", bloc_id=bloc_id, year=year)
    return render(
        request, "scoring/signing.html", {"scope": scope, "form": form, "meeting": meeting}
    )
