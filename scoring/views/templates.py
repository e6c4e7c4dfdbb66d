"""The template editor: the tree with codes and live totals, settings and bands, add / change /
delete / move criteria, copy last year's template, Excel import and export, versions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from blocs.forms import add_service_errors
from plans.forms import formset_rows
from scoring import excel, selectors
from scoring.access import get_bloc_for, get_criterion_for, get_template_for
from scoring.forms import (
    BandFormSet,
    CriterionForm,
    ImportForm,
    NewVersionForm,
    TemplateSettingsForm,
)
from scoring.models import Template
from scoring.services import templates as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _to_editor(bloc_id: int, year: int, template: Template | None = None) -> HttpResponse:
    response = redirect("scoring:template", bloc_id=bloc_id, year=year)
    if template is not None and template.version > 1:
        response["Location"] += f"?phien-ban={template.version}"
    return response


def _pick_version(request: HttpRequest, scope) -> Template | None:
    versions = selectors.template_versions(bloc_id=scope.bloc.pk, year=scope.year)
    wanted = request.GET.get("phien-ban", "")
    if wanted.isdigit():
        return next((t for t in versions if t.version == int(wanted)), None) or (
            versions[-1] if versions else None
        )
    return versions[-1] if versions else None


def _editor_context(request, scope, template, form=None, **extra) -> dict:
    ctx = {"scope": scope, "can": scope.perms, "template": template, **extra}
    if template is None:
        ctx["previous"] = selectors.current_template(bloc_id=scope.bloc.pk, year=scope.year - 1)
        return ctx
    ctx["tv"] = selectors.template_view(template)
    ctx["versions"] = selectors.template_versions(bloc_id=scope.bloc.pk, year=scope.year)
    if scope.can("template.edit") and not template.is_locked:
        ctx["form"] = form or CriterionForm(
            template=template, initial={"revision": template.revision}
        )
    if scope.can("template.edit") and template.is_locked:
        ctx["version_form"] = extra.get("version_form") or NewVersionForm()
    return ctx


@login_required
def template_editor(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="template.view")
    template = _pick_version(request, scope)
    return render(request, "scoring/template.html", _editor_context(request, scope, template))


@login_required
@require_POST
def template_create(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="template.edit")
    try:
        if request.POST.get("mode") == "copy":
            source = selectors.current_template(bloc_id=bloc_id, year=year - 1)
            if source is None:
                raise ValidationError(f"Khối chưa có thang điểm năm {year - 1} để sao chép.")
            services.template_copy(source=source, bloc=scope.bloc, year=year, actor=request.user)
            messages.success(request, f"Đã sao chép thang điểm năm {year - 1}.")
        else:
            services.template_create(bloc=scope.bloc, year=year, actor=request.user)
            messages.success(request, "Đã tạo thang điểm mới; hãy thêm các tiêu chí.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _to_editor(bloc_id, year)


def _stale_or_errors(request, form, exc: ValidationError) -> None:
    if isinstance(exc, services.StaleTemplateError) or getattr(exc, "code", "") == "locked":
        messages.error(request, " ".join(exc.messages))
    else:
        add_service_errors(form, exc)


def _save_criterion(request, form, service, verb: str, **target) -> bool:
    """Run the add / update service with the form's data; errors go next to the fields."""
    try:
        service(
            actor=request.user,
            parent=form.cleaned_data["parent"],
            revision=form.cleaned_data["revision"],
            **target,
            **form.fields_for_service(),
        )
    except ValidationError as exc:
        _stale_or_errors(request, form, exc)
        return False
    messages.success(request, f"Đã {verb} tiêu chí {form.cleaned_data['code']}.")
    return True


@login_required
@require_http_methods(["GET", "POST"])
def criterion_add(request: HttpRequest, bloc_id: int, year: int, template_id: int):
    template, scope = get_template_for(request, bloc_id, year, template_id, need="template.edit")
    form = CriterionForm(
        request.POST or None, template=template, initial={"revision": template.revision}
    )
    if request.method == "POST" and form.is_valid():
        if _save_criterion(request, form, services.criterion_add, "thêm", template=template):
            return _to_editor(bloc_id, year, template)
    template.refresh_from_db()
    return render(
        request, "scoring/template.html", _editor_context(request, scope, template, form=form)
    )


def _criterion_initial(c) -> dict:
    names = [*services.CRITERION_FIELDS, "parent"]
    return {name: getattr(c, name) for name in names} | {"revision": c.template.revision}


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, bloc_id: int, year: int, criterion_id: int):
    criterion, scope = get_criterion_for(request, bloc_id, year, criterion_id)
    template = criterion.template
    form = CriterionForm(
        request.POST or None,
        template=template,
        exclude_pk=criterion.pk,
        initial=_criterion_initial(criterion),
    )
    if request.method == "POST" and form.is_valid():
        if _save_criterion(request, form, services.criterion_update, "lưu", criterion=criterion):
            return _to_editor(bloc_id, year, template)
    return render(
        request,
        "scoring/criterion_form.html",
        {"scope": scope, "template": template, "criterion": criterion, "form": form},
    )


@login_required
@require_POST
def criterion_delete(request: HttpRequest, bloc_id: int, year: int, criterion_id: int):
    criterion, _scope = get_criterion_for(request, bloc_id, year, criterion_id)
    try:
        services.criterion_delete(
            criterion=criterion, actor=request.user, revision=_revision(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Đã xóa tiêu chí {criterion.code}.")
    return _to_editor(bloc_id, year, criterion.template)


@login_required
@require_POST
def criterion_move(request: HttpRequest, bloc_id: int, year: int, criterion_id: int):
    criterion, _scope = get_criterion_for(request, bloc_id, year, criterion_id)
    try:
        services.criterion_move(
            criterion=criterion,
            actor=request.user,
            up=request.POST.get("direction") != "down",
            revision=_revision(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _to_editor(bloc_id, year, criterion.template)


def _revision(request: HttpRequest) -> int | None:
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@login_required
@require_http_methods(["GET", "POST"])
def template_settings(request: HttpRequest, bloc_id: int, year: int, template_id: int):
    template, scope = get_template_for(request, bloc_id, year, template_id, need="template.edit")
    if template.is_locked:
        messages.error(request, services.LOCKED_MESSAGE)
        return _to_editor(bloc_id, year, template)
    bands_initial = [
        {"label": b.label, "min_total": b.min_total, "floor_pct": b.floor_pct}
        for b in template.bands.all()
    ]
    form = TemplateSettingsForm(
        request.POST or None, instance=template, initial={"revision": template.revision}
    )
    bands = BandFormSet(request.POST or None, initial=bands_initial, prefix="bands")
    if request.method == "POST" and form.is_valid() and bands.is_valid():
        try:
            with transaction.atomic():  # settings and bands together: a bad band saves neither
                saved = services.template_update_settings(
                    template=template,
                    actor=request.user,
                    revision=form.cleaned_data["revision"],
                    **form.settings(),
                )
                services.template_set_bands(
                    template=saved, actor=request.user, bands=formset_rows(bands)
                )
        except ValidationError as exc:
            _stale_or_errors(request, form, exc)
        else:
            messages.success(request, "Đã lưu thiết lập thang điểm.")
            return _to_editor(bloc_id, year, template)
    return render(
        request,
        "scoring/settings.html",
        {"scope": scope, "template": template, "form": form, "bands": bands},
    )


@login_required
def template_export(request: HttpRequest, bloc_id: int, year: int, template_id: int):
    template, _scope = get_template_for(request, bloc_id, year, template_id)
    data = excel.export_template(template, selectors.criteria_in_tree_order(template))
    response = HttpResponse(data, content_type=XLSX)
    name = f"thang-diem-{year}-khoi-{bloc_id}-v{template.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def template_import(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """Replace the current (unlocked) template's criteria from an .xlsx, or create the template:
    a file with any error saves nothing and lists every bad row."""
    scope = get_bloc_for(request, bloc_id, year, need="template.edit")
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            parsed = excel.read_template(upload.read(excel.MAX_BYTES + 1))
            template = services.template_import(
                bloc=scope.bloc,
                year=year,
                actor=request.user,
                rows=parsed.rows,
                settings=parsed.settings,
                bands=parsed.bands,
            )
        except excel.TemplateFileError as exc:
            errors = exc.errors
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"Đã nhập {len(parsed.rows)} tiêu chí từ tệp Excel.")
            return _to_editor(bloc_id, year, template)
    return render(request, "scoring/import.html", {"scope": scope, "form": form, "errors": errors})


@login_required
@require_POST
def template_version(request: HttpRequest, bloc_id: int, year: int, template_id: int):
    template, scope = get_template_for(request, bloc_id, year, template_id, need="template.edit")
    form = NewVersionForm(request.POST)
    if form.is_valid():
        try:
            new = services.template_new_version(
                template=template, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Đã tạo phiên bản {new.version}; hãy sửa rồi áp dụng.")
            return _to_editor(bloc_id, year, new)
    ctx = _editor_context(request, scope, template, version_form=form)
    return render(request, "scoring/template.html", ctx)


@login_required
@require_POST
def template_apply(request: HttpRequest, bloc_id: int, year: int, template_id: int):
    template, _scope = get_template_for(request, bloc_id, year, template_id, need="template.edit")
    try:
        services.template_apply_version(template=template, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Đã áp dụng phiên bản {template.version}.")
    return _to_editor(bloc_id, year, template)
