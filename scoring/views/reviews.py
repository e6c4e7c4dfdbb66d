"""The secretariat's pages on the reporting rounds: the board of every member × every round, the
review of a submission line by line (saved per line with htmx, and without JavaScript), the
decisions on a sheet (layer done, return, finalise, reopen), the round's finalisation at the
meeting and the review setup. Who may act is the services' and the gate's business; the pages
only hide what the user cannot do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from blocs.access import BlocScope, get_bloc_for
from blocs.forms import add_service_errors
from blocs.pagecache import cached_page
from scoring import selectors, selectors_board, selectors_sheets
from scoring.access import get_review_for
from scoring.forms_reviews import (
    FinalizeForm,
    LayerDoneForm,
    ReopenForm,
    ReturnSheetForm,
    ReviewLineForm,
    ReviewSetupForm,
    RoundFinalizeForm,
)
from scoring.models import CrossAssignment, Entry, Review, Round, Submission
from scoring.services import reviews as services
from scoring.services.sheets import StaleSheetError

S = Submission.Status
LAYER_LABELS = dict(Review.Layer.choices)


# ---------------------------------------------------------------- the board


@login_required
@cached_page
def board(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """Every member × every active round, with counts, progress and a filter by state."""
    scope = get_bloc_for(request, bloc_id, year, need="sheet.view_all")
    data = selectors_sheets.board(bloc_id=bloc_id, year=year)
    state = request.GET.get("trang-thai", "")
    wanted = request.GET.get("ky", "")
    round_id = int(wanted) if wanted.isdigit() and len(wanted) < 10 else None
    ctx = {
        "scope": scope,
        "can": scope.perms,
        "board": data,
        "summaries": selectors_board.summaries(data),
        "rows": selectors_board.filter_rows(data, state=state, round_id=round_id),
        "state": state,
        "round_id": round_id,
        "states": [*selectors_sheets.STATE_LABELS.items(), ("overdue", "Quá hạn")],
    }
    return render(request, "scoring/board.html", ctx)


def _round_for(scope: BlocScope, round_id: int) -> Round:
    rnd = Round.objects.filter(pk=round_id, bloc=scope.bloc, year=scope.year, active=True).first()
    if rnd is None:
        raise Http404("Không tìm thấy kỳ báo cáo.")
    return rnd


@login_required
@require_http_methods(["GET", "POST"])
def round_finalize(request: HttpRequest, bloc_id: int, year: int, round_id: int) -> HttpResponse:
    """The meeting agrees every reviewed sheet of a round; the page lists who is left out."""
    scope = get_bloc_for(request, bloc_id, year, need="sheet.decide")
    rnd = _round_for(scope, round_id)
    form = RoundFinalizeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done, pending = services.round_finalize(
            round=rnd, actor=request.user, note=form.cleaned_data["note"]
        )
        text = f"Đã chốt kết quả {done} bảng điểm kỳ “{rnd.name}”."
        if pending:
            text += " Chưa thẩm định xong (chưa chốt): " + "; ".join(pending) + "."
        messages.success(request, text)
        return redirect("scoring:board", bloc_id=bloc_id, year=year)
    data = selectors_sheets.board(bloc_id=bloc_id, year=year)
    summary = next(s for s in selectors_board.summaries(data) if s.round.pk == rnd.pk)
    return render(
        request,
        "scoring/review_round_finalize.html",
        {"scope": scope, "round": rnd, "summary": summary, "form": form},
    )


# ---------------------------------------------------------------- one submission


@dataclass
class ReviewRow:
    """A line of the review table: the sheet row, each layer's review (None where that layer
    has not scored it) and, for the current layer's reviewer, the input form."""

    row: selectors_sheets.SheetRow
    layer_reviews: list[tuple[str, Review | None]]  # (layer's label, its review)
    form: ReviewLineForm | None


def _review_rows(sv, can_review: bool, bound: dict[int, ReviewLineForm]) -> list[ReviewRow]:
    out = []
    for row in sv.rows:
        form = None
        if row.entry is not None and can_review:
            entry_id = row.entry.pk
            form = bound.get(entry_id) or ReviewLineForm.for_line(
                entry_id, row.reviews.get(sv.layer), suggested=row.reviewed_points
            )
        reviews = [(LAYER_LABELS[layer], row.reviews.get(layer)) for layer in sv.layers]
        out.append(ReviewRow(row, reviews, form))
    return out


def _context(request, sub: Submission, scope: BlocScope, bound=None, **forms) -> dict[str, Any]:
    sv = selectors_sheets.sheet_view(sub, scope)
    can_review = sub.status in Submission.REVIEWABLE and services.may_review(
        scope.roles, request.user, sub, sv.layer
    )
    decide = scope.can("sheet.decide")
    initial = {"revision": sub.revision}
    return {
        "scope": scope,
        "can": scope.perms,
        "sub": sub,
        "sv": sv,
        "layer_labels": [LAYER_LABELS[layer] for layer in sv.layers],
        "current_layer": LAYER_LABELS[sv.layer],
        "rows": _review_rows(sv, can_review, bound or {}),
        "can_review": can_review,
        "layer_form": forms.get("layer_form") or LayerDoneForm(initial=initial),
        "return_form": _if(decide and sub.status in RETURNABLE, forms, "return_form", initial),
        "finalize_form": _if(decide and sub.status == S.REVIEWED, forms, "finalize_form", initial),
        "reopen_form": _if(decide and sub.status == S.FINAL, forms, "reopen_form", initial),
    }


RETURNABLE = {S.SUBMITTED, S.IN_REVIEW, S.REVIEWED}
FORMS = {"return_form": ReturnSheetForm, "finalize_form": FinalizeForm, "reopen_form": ReopenForm}


def _if(allowed: bool, forms: dict, name: str, initial: dict):
    """The decision form `name` when the user may take that decision now (a bound one after an
    error), else None: the button is not shown."""
    if not allowed and name not in forms:
        return None
    return forms.get(name) or FORMS[name](initial=initial, auto_id=f"{name}_%s")


def _page(request, sub, scope, bound=None, **forms) -> HttpResponse:
    ctx = _context(request, sub, scope, bound, **forms)
    return render(request, "scoring/review.html", ctx)


def _to_review(sub: Submission, anchor: str = "") -> HttpResponse:
    url = reverse(
        "scoring:review",
        kwargs={"bloc_id": sub.round.bloc_id, "year": sub.round.year, "submission_id": sub.pk},
    )
    return redirect(url + anchor)


@login_required
def review(request: HttpRequest, bloc_id: int, year: int, submission_id: int) -> HttpResponse:
    sub, scope = get_review_for(request, bloc_id, year, submission_id)
    return _page(request, sub, scope)


@login_required
@require_POST
def review_line(
    request: HttpRequest, bloc_id: int, year: int, submission_id: int, entry_id: int
) -> HttpResponse:
    """Save the current layer's score and comment on one line; with htmx the row and the
    totals come back, without it the page (the errors next to the line's fields)."""
    sub, scope = get_review_for(request, bloc_id, year, submission_id)
    form = ReviewLineForm.for_line(entry_id, None, data=request.POST)
    saved = None
    if form.is_valid():
        # The line by its keys: the service reads it under the sheet's lock (the gate's read of
        # the sheet gives it the review mode, the scope the term and the roles).
        line = Entry(pk=entry_id, submission=sub)
        try:
            saved = services.review_line(
                entry=line, actor=request.user, scope=scope, **form.cleaned_data
            )
        except Entry.DoesNotExist:
            raise Http404("Không tìm thấy dòng của bảng điểm.") from None
        except StaleSheetError as exc:
            form = ReviewLineForm.showing(entry_id, exc.current)
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif not sub.entries.filter(pk=entry_id).exists():
        raise Http404("Không tìm thấy dòng của bảng điểm.")
    if saved and not request.htmx:
        code = saved.entry.criterion.code
        messages.success(request, f"Đã lưu điểm thẩm định dòng {code}.")
        return _to_review(sub, f"#dong-{entry_id}")
    sub.refresh_from_db()
    if request.htmx:
        return _line_fragment(request, sub, scope, entry_id, None if saved else form, bool(saved))
    return _page(request, sub, scope, bound={entry_id: form})


def _line_fragment(request, sub, scope, entry_id: int, form, saved: bool) -> HttpResponse:
    """The line's row and, out of band, the sheet's totals."""
    ctx = _context(request, sub, scope, bound={entry_id: form} if form else None)
    line = next(r for r in ctx["rows"] if r.row.entry and r.row.entry.pk == entry_id)
    ctx |= {"r": line, "saved": saved, "oob": True}
    html = render_to_string("scoring/_review_row.html", ctx, request=request)
    for part in ("_review_totals", "_review_status"):  # the status moves on the first score
        html += render_to_string(f"scoring/{part}.html", ctx, request=request)
    return HttpResponse(html)


def _decide(request: HttpRequest, sub: Submission, scope: BlocScope, name: str, run, done: str):
    """A decision on the whole sheet: the form, the service; errors next to the fields (a page
    read before someone else's change shows the current state and refuses)."""
    form_class = FORMS.get(name, LayerDoneForm)
    form = form_class(request.POST, auto_id=f"{name}_%s")
    if form.is_valid():
        try:
            run(submission=sub, actor=request.user, **form.cleaned_data)
        except StaleSheetError as exc:
            sub.refresh_from_db()
            form = form_class(
                {**request.POST.dict(), "revision": sub.revision}, auto_id=f"{name}_%s"
            )
            form.is_valid()
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done.format(unit=sub.unit))
            return _to_review(sub)
    # No refresh otherwise: a refused service wrote nothing (and changed its own copy of the
    # row only), so `sub` as the gate read it in this request is the current state.
    return _page(request, sub, scope, **{name: form})


def _decision(
    name: str,
    service: Callable[..., Submission],
    done: str,
    need: str = "",
    with_scope: bool = False,
):
    """The POST view of one decision: the gate (`need` on top of seeing the sheet; who may act
    on a layer is the service's check), then _decide; `with_scope`: the service takes the
    gate's scope (the term and roles it would otherwise read again)."""

    @login_required
    @require_POST
    def view(request: HttpRequest, bloc_id: int, year: int, submission_id: int) -> HttpResponse:
        sub, scope = get_review_for(request, bloc_id, year, submission_id, need=need)
        run = partial(service, scope=scope) if with_scope else service
        return _decide(request, sub, scope, name, run, done)

    view.__name__ = view.__qualname__ = name.removesuffix("_form")
    return view


layer_done = _decision(
    "layer_form", services.layer_done, "Đã hoàn thành bước thẩm định.", with_scope=True
)
submission_return = _decision(
    "return_form",
    services.submission_return,
    "Đã trả lại báo cáo cho {unit}; đơn vị sửa và nộp lại.",
    need="sheet.decide",
)
submission_finalize = _decision(
    "finalize_form",
    services.submission_finalize,
    "Đã chốt kết quả bảng điểm của {unit}.",
    need="sheet.decide",
)
submission_reopen = _decision(
    "reopen_form",
    services.submission_reopen,
    "Đã mở lại bảng điểm của {unit} để thẩm định lại.",
    need="sheet.decide",
    with_scope=True,
)


# ---------------------------------------------------------------- review setup


def _setup_initial(bloc_id: int, year: int) -> dict[str, Any]:
    initial: dict[str, Any] = {"mode": services.review_mode(bloc_id, year)}
    for reviewed, reviewer in CrossAssignment.objects.filter(
        bloc_id=bloc_id, year=year
    ).values_list("reviewed_id", "reviewer_id"):
        initial[f"reviewer_{reviewed}"] = reviewer
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def review_setup(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """How the bloc-year verifies sheets: the mode and the cross-scoring assignments."""
    scope = get_bloc_for(request, bloc_id, year, need="sheet.decide")
    members = selectors.member_units(bloc_id=bloc_id, year=year)
    if request.POST:  # a bound form shows what was posted: no initial to read
        form = ReviewSetupForm(request.POST, members=members)
    else:
        form = ReviewSetupForm(members=members, initial=_setup_initial(bloc_id, year))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_setup_save(
                bloc=scope.bloc,
                year=year,
                actor=request.user,
                mode=form.cleaned_data["mode"],
                assignments=form.assignments(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã lưu cách thẩm định bảng điểm.")
            return redirect("scoring:board", bloc_id=bloc_id, year=year)
    return render(request, "scoring/review_setup.html", {"scope": scope, "form": form})
