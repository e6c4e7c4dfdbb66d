"""A member unit's report pages: its rounds of the year ("Báo cáo của đơn vị"), the submission
page (report text or file, attachments, the self-scoring sheet saved line by line with htmx or
plain forms, submit), file downloads through the gate, and the submission's history.
Secretariat, deputy, provincial reviewer and administrator read the same page read-only."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from blocs.access import BlocScope, get_bloc_for
from blocs.forms import add_service_errors
from blocs.pagecache import cached_page
from plans.forms import RevisionForm
from scoring import calc, files, history
from scoring.access import check_edit, get_submission_for, own_sheet_scope
from scoring.forms_sheets import FileForm, LineForm, ReportForm
from scoring.models import Attachment, Entry, Round, Submission
from scoring.selectors_rounds import unit_rounds
from scoring.selectors_sheets import SheetView, sheet_view, sheet_view_of
from scoring.services import sheets as services

P = Attachment.Purpose


def _url(sub: Submission, anchor: str = "") -> str:
    url = reverse(
        "scoring:submission",
        kwargs={"bloc_id": sub.round.bloc_id, "year": sub.round.year, "submission_id": sub.pk},
    )
    return url + (f"#{anchor}" if anchor else "")


def _anchor(purpose: str, entry_id: int | None) -> str:
    if purpose == P.EVIDENCE and entry_id:
        return f"line-{entry_id}"
    return "attachments" if purpose == P.ATTACHMENT else "report"


def _context(
    scope: BlocScope,
    sub: Submission,
    sv: SheetView | None = None,
    missing: list[str] | None = None,
    **extra,
) -> dict:
    """Everything the submission page shows (a fixed number of queries at any sheet size);
    `sv` and `missing` when the caller has them already (a line save's answer)."""
    own = sub.unit_id == scope.user.unit_id and scope.can("sheet.edit")
    editable = own and sub.is_editable
    sv = sv or sheet_view(sub, scope)
    if not editable:
        missing = []
    elif missing is None:
        missing = services.missing_for_submit(sub)
    today = timezone.localdate()  # as submission_submit judges lateness
    return {
        "scope": scope,
        "sub": sub,
        "sv": sv,
        "own": own,
        "editable": editable,
        "reviewed": any(r.reviews for r in sv.leaves),
        "missing": missing,
        "late_now": bool(sub.round.due and today > sub.round.due and not sub.first_submitted_at),
        "report_form": ReportForm(initial={"body": sub.body, "revision": sub.revision}),
        "max_upload": files.human_size(files.max_bytes()),
        **extra,
    }


def _page(request: HttpRequest, scope: BlocScope, sub: Submission, **extra) -> HttpResponse:
    return render(request, "scoring/submission.html", _context(scope, sub, **extra))


@login_required
@cached_page
def submission_list(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """The unit's rounds of the year: due dates, countdown, moves, the state of its reports."""
    scope = own_sheet_scope(request, bloc_id, year)
    rows = unit_rounds(bloc_id=scope.bloc.pk, year=scope.year, unit_id=scope.user.unit_id)
    return render(
        request, "scoring/submissions.html", {"scope": scope, "unit": scope.user.unit, "rows": rows}
    )


@login_required
@require_POST
def submission_open(request: HttpRequest, bloc_id: int, year: int, round_id: int) -> HttpResponse:
    scope = own_sheet_scope(request, bloc_id, year)
    rounds = Round.objects.select_related("bloc")  # the bloc for the audit row
    round = rounds.filter(pk=round_id, bloc=scope.bloc, year=scope.year).first()
    if round is None:
        raise Http404("Không tìm thấy kỳ báo cáo.")
    try:
        sub = services.submission_open(round=round, unit=scope.user.unit, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("scoring:submission_list", bloc_id=bloc_id, year=year)
    return redirect(_url(sub))


@login_required
def submission_detail(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int
) -> HttpResponse:
    sub, scope = get_submission_for(request, bloc_id, year, submission_id)
    return _page(request, scope, sub)


def _line_edit(entry: Entry, form: LineForm) -> dict:
    """What the unit typed on a refused line, with the errors next to each field."""
    errors = {("line" if k == "__all__" else k): v for k, v in form.errors.items()}
    return {
        "pk": entry.pk,
        "value": form["value"].value() or "",
        "passed": form["passed"].value() or "",
        "explanation": form["explanation"].value() or "",
        "revision": entry.revision,
        "errors": errors,
        "message": "",
    }


def _line_current(exc: services.StaleSheetError) -> dict:
    """A stale line: the values stored now, the message, and the revision to save against."""
    line = exc.current
    passed = "" if line.passed is None else ("1" if line.passed else "0")
    return {
        "pk": line.pk,
        "value": calc.fmt(line.value),
        "passed": passed,
        "explanation": line.explanation,
        "revision": line.revision,
        "errors": {},
        "message": exc.messages[0],
    }


def _entry_of(sub: Submission, entry_id: int) -> Entry:
    entry = Entry.objects.filter(pk=entry_id, submission=sub).select_related("criterion").first()
    if entry is None:
        raise Http404("Không tìm thấy dòng của bảng điểm.")
    return entry


def _save_line(
    request: HttpRequest, scope: BlocScope, submission_id: int, entry_id: int, form: LineForm
) -> services.SavedLine | dict:
    """Run the line save with the form's data: the saved sheet, else the line to show again.
    The submission is read once, locked, and gated there (404 outside the bloc-year, 403 to
    anyone but its own unit's staff)."""
    if form.is_valid():
        data = form.cleaned_data
        try:
            return services.sheet_line_save(
                submission_id=submission_id,
                entry_id=entry_id,
                actor=request.user,
                value=data["value"],
                passed=data["passed"],
                explanation=data["explanation"],
                revision=data["revision"],
                check=partial(check_edit, scope),
            )
        except Submission.DoesNotExist:
            raise Http404("Không tìm thấy báo cáo.") from None
        except Entry.DoesNotExist:
            raise Http404("Không tìm thấy dòng của bảng điểm.") from None
        except services.StaleSheetError as exc:
            return _line_current(exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
    sub, _scope = get_submission_for(request, scope.bloc.pk, scope.year, submission_id, edit=True)
    return _line_edit(_entry_of(sub, entry_id), form)


def _saved_context(scope: BlocScope, saved: services.SavedLine) -> dict:
    """The htmx answer to a saved line, from the sheet the save read inside its lock: one more
    query (the files, for the line's evidence and the checklist), whatever the sheet's size."""
    sub = saved.submission
    files = list(Attachment.objects.filter(submission=sub).order_by("id"))
    sv = sheet_view_of(
        sub, saved.criteria, saved.entries, saved.reviews, saved.scores, saved.targets, files
    )
    missing = services.missing_of(sub, saved.entries, files)
    return _context(scope, sub, sv, missing, edit=None, saved=saved.line.pk)


@login_required
@require_POST
def sheet_line(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int, entry_id: int
) -> HttpResponse:
    """Save one line. htmx gets the line back with the totals, the subtotals of the groups above
    it and the submit checklist out of band; a plain form is sent back to the line's anchor."""
    scope = get_bloc_for(request, bloc_id, year)  # outsiders 404, as get_submission_for
    form = LineForm(request.POST, prefix=LineForm.prefix_for(entry_id))
    result = _save_line(request, scope, submission_id, entry_id, form)
    if isinstance(result, services.SavedLine):
        if not request.htmx:
            messages.success(request, f"Đã lưu tiêu chí {result.line.criterion.code}.")
            return redirect(_url(result.submission, f"line-{entry_id}"))
        ctx = _saved_context(scope, result)
    else:  # refused: the sheet as stored now, the line as typed (or as stored, when stale)
        sub, scope = get_submission_for(request, bloc_id, year, submission_id, edit=True)
        ctx = _context(scope, sub, edit=result, saved=None)
        if not request.htmx:
            return render(request, "scoring/submission.html", ctx)
    ctx["row"] = next(r for r in ctx["sv"].leaves if r.entry.pk == entry_id)
    ctx["groups"] = ctx["sv"].groups_above(ctx["row"])
    return render(request, "scoring/_sheet_line_response.html", ctx)


@login_required
@require_POST
def submission_report(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int
) -> HttpResponse:
    """The report written in the browser. A stale save keeps what the unit typed in the box and
    shows the text stored meanwhile next to it."""
    sub, scope = get_submission_for(request, bloc_id, year, submission_id, edit=True)
    form = ReportForm(request.POST)
    current = None
    if form.is_valid():
        try:
            services.report_save(
                submission=sub,
                actor=request.user,
                body=form.cleaned_data["body"],
                revision=form.cleaned_data["revision"],
            )
        except services.StaleSheetError as exc:
            current = exc.current
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã lưu nội dung báo cáo.")
            return redirect(_url(sub, "report"))
    fresh = current or sub
    data = form.data.copy()
    data["revision"] = fresh.revision  # the next save is checked against what is shown now
    form.data = data
    return _page(request, scope, fresh, report_form=form, current_body=current and current.body)


@csrf_exempt  # only so that the size cap is in place before the body is read: checked below
@login_required
@require_POST
def submission_file_add(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int
) -> HttpResponse:
    cap = files.CappedUploadHandler(request)
    request.upload_handlers.insert(0, cap)
    return _file_add(request, bloc_id, year, submission_id, cap)


@csrf_protect
def _file_add(request, bloc_id: int, year: int, submission_id: int, cap) -> HttpResponse:
    """Upload the report file, an attachment or a line's evidence; a refused file is reported
    next to the field it was chosen in, and nothing is stored."""
    sub, scope = get_submission_for(request, bloc_id, year, submission_id, edit=True)
    form = FileForm(request.POST, request.FILES)
    purpose = request.POST.get("purpose", "")
    text = request.POST.get("entry", "")
    entry_id = int(text) if text.isdigit() and len(text) < 19 else None
    if cap.too_big:
        errors = files.too_big(cap.too_big).messages
    elif not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
    else:
        line = None
        if purpose == P.EVIDENCE and entry_id:
            line = Entry.objects.filter(pk=entry_id, submission=sub).first()
        try:
            att = services.file_add(
                submission=sub,
                actor=request.user,
                upload=form.cleaned_data["file"],
                purpose=form.cleaned_data["purpose"],
                entry=line,
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"Đã tải lên tệp “{att.name}”.")
            return redirect(_url(sub, _anchor(purpose, entry_id)))
    file_error = {"purpose": purpose, "entry": entry_id, "messages": errors}
    return _page(request, scope, sub, file_error=file_error)


def _file_of(sub: Submission, file_id: int) -> Attachment:
    """A file of this submission only (another submission's file is 404 here)."""
    att = Attachment.objects.filter(pk=file_id, submission=sub).first()
    if att is None:
        raise Http404("Không tìm thấy tệp.")
    return att


@login_required
@require_POST
def submission_file_remove(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int, file_id: int
) -> HttpResponse:
    sub, _scope = get_submission_for(request, bloc_id, year, submission_id, edit=True)
    att = _file_of(sub, file_id)
    try:
        services.file_remove(attachment=att, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Đã xóa tệp “{att.name}”.")
    return redirect(_url(sub, _anchor(att.purpose, att.entry_id)))


@login_required
def submission_file(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int, file_id: int
) -> FileResponse:
    """A file of a submission, only to those who may read the submission; always downloaded
    (never shown inline) and never sniffed into another type."""
    sub, _scope = get_submission_for(request, bloc_id, year, submission_id)
    att = _file_of(sub, file_id)
    try:
        handle = att.file.open("rb")
    except FileNotFoundError:
        raise Http404("Tệp không còn trên máy chủ.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=att.name, content_type=att.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def submission_submit(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int
) -> HttpResponse:
    sub, _scope = get_submission_for(request, bloc_id, year, submission_id, edit=True)
    form = RevisionForm(request.POST)
    revision = form.cleaned_data["revision"] if form.is_valid() else None
    try:
        sub = services.submission_submit(submission=sub, actor=request.user, revision=revision)
    except ValidationError as exc:
        messages.error(request, "Chưa nộp được báo cáo: " + " ".join(exc.messages))
    else:
        late = " Báo cáo nộp sau hạn nên được ghi là nộp muộn." if sub.late else ""
        messages.success(request, f"Đã nộp báo cáo “{sub.round.name}”.{late}")
    return redirect(_url(sub))


@login_required
def submission_history(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int
) -> HttpResponse:
    sub, scope = get_submission_for(request, bloc_id, year, submission_id)
    items = history.submission_history(sub)
    return render(
        request, "scoring/submission_history.html", {"scope": scope, "sub": sub, "items": items}
    )
