"""Plan pages: list, create (blank / copy / import), detail, editors, transitions, comments."""

from __future__ import annotations

import copy
import datetime as dt
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from blocs.access import get_bloc_for
from blocs.forms import add_service_errors
from blocs.pagecache import cached_page
from blocs.text import strip_controls
from plans import feeds, mentions, rules, selectors, services
from plans.forms import (
    ApproveForm,
    BodyForm,
    CommentForm,
    ConsultForm,
    ImportForm,
    ImportReviewForm,
    ListsForm,
    MilestoneFormSet,
    PhaseFormSet,
    PlanHeaderForm,
    RevisionForm,
    RevokeForm,
    SignatureFormSet,
    formset_rows,
)
from plans.importer import (
    PlanImportError,
    extract_text_from_upload,
    parse_plan_text,
)
from plans.models import CalendarToken, Plan
from plans.outline import render_outline


def _to_plan_id(bloc_id: int, year: int, plan_id: int) -> HttpResponse:
    return redirect("plans:detail", bloc_id=bloc_id, year=year, plan_id=plan_id)


def _to_plan(plan: Plan) -> HttpResponse:
    return _to_plan_id(plan.bloc_id, plan.year, plan.pk)


@login_required
@cached_page
def plan_list(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="plan.view")
    plans = list(selectors.plans_for_scope(scope=scope))
    previous = (
        selectors.issued_plan(bloc_id=bloc_id, year=year - 1) if scope.can("plan.edit") else None
    )
    return render(
        request,
        "plans/list.html",
        {"scope": scope, "plans": plans, "previous": previous, "can": scope.perms},
    )


@login_required
@require_POST
def plan_create(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    scope = get_bloc_for(request, bloc_id, year, need="plan.edit")
    if request.POST.get("mode") == "copy":
        source = selectors.issued_plan(bloc_id=bloc_id, year=year - 1)
        if source is None:
            messages.error(request, f"Chưa có kế hoạch năm {year - 1} đã ban hành để sao chép.")
            return redirect("plans:list", bloc_id=bloc_id, year=year)
        plan = services.plan_copy_to_next_year(plan=source, actor=request.user)
        messages.success(
            request,
            f"Đã tạo dự thảo năm {year} từ kế hoạch năm {year - 1}; các mốc thời gian đã lùi một năm.",
        )
    else:
        party = request.POST.get("profile") == "party"
        plan = services.plan_create_blank(
            bloc=scope.bloc, year=year, actor=request.user, party=party, term=scope.term
        )
        messages.success(request, "Đã tạo dự thảo kế hoạch mới.")
    return _to_plan(plan)


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest, bloc_id: int, year: int) -> HttpResponse:
    """Step 1: upload or paste; step 2: review what was understood, correct, save."""
    scope = get_bloc_for(request, bloc_id, year, need="plan.edit")
    ctx = {"scope": scope}
    if request.method == "POST" and "source" in request.POST:
        review = ImportReviewForm(request.POST)
        parsed = None
        if review.is_valid() and review.cleaned_data["year"] != year:
            review.add_error(
                "year",
                f"Trang này nhập kế hoạch năm {year}; kế hoạch năm {review.cleaned_data['year']} "
                f"hãy nhập từ trang năm {review.cleaned_data['year']} của khối.",
            )
        if review.is_valid():
            try:
                parsed = parse_plan_text(review.cleaned_data["source"], default_year=year)
                overrides = {
                    k: v for k, v in review.cleaned_data.items() if k not in ("source", "as_issued")
                }
                create = services.plan_create_from_import
                if review.cleaned_data["as_issued"]:
                    from reports.services import import_issued_plan as create  # plans ← reports

                plan = create(
                    bloc=scope.bloc,
                    parsed=parsed,
                    actor=request.user,
                    source_text=review.cleaned_data["source"],
                    overrides=overrides,
                )
            except PlanImportError as exc:
                review.add_error(None, str(exc))
            except ValidationError as exc:
                add_service_errors(review, exc)
            else:
                messages.success(
                    request,
                    f"Đã lưu kế hoạch đã ban hành số {parsed.number_display}."
                    if plan.status == Plan.Status.ISSUED
                    else "Đã nhập kế hoạch thành dự thảo. Hãy kiểm tra lại trước khi trình duyệt.",
                )
                return _to_plan(plan)
        return render(
            request, "plans/import_review.html", {**ctx, "form": review, "parsed": parsed}
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data.get("file")
            if upload is not None:
                source = strip_controls(extract_text_from_upload(upload.read(), upload.name))
            else:
                source = form.cleaned_data["text"]
            parsed = parse_plan_text(source, default_year=year)
        except PlanImportError as exc:
            form.add_error("file" if form.cleaned_data.get("file") else "text", str(exc))
        else:
            review = ImportReviewForm(
                initial={
                    "source": source,
                    "year": year,
                    "parent_issuer": parsed.parent_issuer,
                    "issuer": parsed.issuer or services.issuer_defaults(scope.bloc, year)["issuer"],
                    "symbol": parsed.symbol or scope.bloc.symbol,
                    "place": parsed.place,
                    "title": parsed.title,
                }
            )
            return render(
                request, "plans/import_review.html", {**ctx, "form": review, "parsed": parsed}
            )
    return render(request, "plans/import.html", {**ctx, "form": form})


def _detail_context(request, plan: Plan | int, scope, **forms_) -> dict:
    """The detail page of `plan` (loaded with its children unless it is already)."""
    if isinstance(plan, int) or "sections" not in getattr(plan, "_prefetched_objects_cache", {}):
        plan = selectors.plan_with_children(plan if isinstance(plan, int) else plan.pk)
    rev = {"revision": plan.revision}
    found = mentions.stale_mentions(plan) if scope.can("plan.edit") and not plan.is_frozen else []
    return {
        "scope": scope,
        "plan": plan,
        "can": scope.perms,
        "outline": selectors.outline(plan),
        "deadlines": selectors.deadlines(plan=plan),
        "schedule_problems": rules.schedule_errors(
            list(plan.phases.all()), list(plan.milestones.all())
        ),
        "mentions": found,
        "mentions_summary": mentions.summary(found, plan) if found else "",
        "comment_form": forms_.get("comment_form") or CommentForm(),
        "consult_form": forms_.get("consult_form") or ConsultForm(initial=rev, year=plan.year),
        "approve_form": forms_.get("approve_form") or ApproveForm(initial=rev, year=plan.year),
        "revoke_form": forms_.get("revoke_form") or RevokeForm(year=plan.year),
    }


@login_required
@cached_page
def plan_detail(request: HttpRequest, bloc_id: int, year: int, plan_id: int) -> HttpResponse:
    plan, scope = selectors.get_plan_for(request, bloc_id, year, plan_id, children=True)
    return render(request, "plans/detail.html", _detail_context(request, plan, scope))


def _editor(request, bloc_id, year, plan_id):
    plan, scope = selectors.get_plan_for(request, bloc_id, year, plan_id, need="plan.edit")
    if plan.is_frozen:
        messages.error(request, services.FROZEN_MESSAGE)
        return None, scope
    return plan, scope


def _stale(request, form) -> dict:
    """The user's input of a refused stale save, kept on the page so nothing typed is lost."""
    messages.error(request, services.STALE_MESSAGE)
    return {
        "stale_input": [
            (f.label, request.POST.get(f.html_name, ""))
            for f in form
            if not f.is_hidden and request.POST.get(f.html_name, "").strip()
        ]
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_header(request: HttpRequest, bloc_id: int, year: int, plan_id: int) -> HttpResponse:
    plan, scope = _editor(request, bloc_id, year, plan_id)
    if plan is None:
        return _to_plan_id(bloc_id, year, plan_id)
    current = copy.copy(plan)  # the form's instance: `plan` keeps the values the page read
    form = PlanHeaderForm(
        request.POST or None, instance=current, initial={"revision": current.revision}
    )
    extra: dict = {}
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            services.plan_update(
                plan=plan, actor=request.user, revision=form.cleaned_data["revision"], **data
            )
        except services.StaleEditError:
            extra = _stale(request, form)
            fresh = Plan.objects.get(pk=plan.pk)
            form = PlanHeaderForm(instance=fresh, initial={"revision": fresh.revision})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã lưu phần đầu văn bản.")
            return _to_plan(plan)
    return render(
        request,
        "plans/edit.html",
        {"scope": scope, "plan": plan, "form": form, "title": "Thể thức và phần đầu", **extra},
    )


def _save_on_locked(request, bloc_id: int, year: int, plan_id: int, save, **kw) -> None:
    """Run an editor's save (a plans.services function) on the plan of `plan_id`, locked, with
    the plan gate run on the locked row (selectors.check_plan): a POST reads the plan once.
    The bloc-year gate comes first (404 outsider / 403 role); 404 for a plan not there."""
    scope = get_bloc_for(request, bloc_id, year, need="plan.edit")
    try:
        save(
            plan=int(plan_id), actor=request.user, check=partial(selectors.check_plan, scope), **kw
        )
    except Plan.DoesNotExist:
        raise Http404("Không tìm thấy kế hoạch.") from None


def _body_initial(plan: Plan) -> dict:
    return {"outline": render_outline(services.section_tree(plan)), "revision": plan.revision}


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_body(request: HttpRequest, bloc_id: int, year: int, plan_id: int) -> HttpResponse:
    form = BodyForm(request.POST or None)
    extra: dict = {}
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            _save_on_locked(
                request, bloc_id, year, plan_id, services.plan_replace_body,
                sections=form.cleaned_data["outline"], revision=form.cleaned_data["revision"],
            )  # fmt: skip
        except services.StaleEditError:
            extra, stale = _stale(request, form), True
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã lưu nội dung kế hoạch.")
            return _to_plan_id(bloc_id, year, plan_id)
    # The page (a blank form, or the posted one with its errors): the plan read here, a frozen
    # one sent back to its page. A posted form keeps the user's input, unless it was stale.
    plan, scope = _editor(request, bloc_id, year, plan_id)
    if plan is None:
        return _to_plan_id(bloc_id, year, plan_id)
    if request.method != "POST" or stale:
        form = BodyForm(initial=_body_initial(plan))
    return render(
        request,
        "plans/edit.html",
        {
            "scope": scope,
            "plan": plan,
            "form": form,
            "title": "Nội dung",
            "date_codes": selectors.date_codes(plan),
            **extra,
        },
    )


def _lists_forms(plan: Plan) -> tuple[ListsForm, SignatureFormSet]:
    """The lists editor's blank forms, from the plan's stored lists."""
    fresh = selectors.plan_with_children(plan.pk, selectors.LISTS)
    initial = {
        "revision": fresh.revision,
        "bases": "\n".join(b.text for b in fresh.bases.all()),
        "recipients": "\n".join(
            f"{r.name} ({r.purpose})" if r.purpose else r.name for r in fresh.recipients.all()
        ),
    }
    sig = [
        {"role": s.role, "text": s.text, "after_gap": s.after_gap}
        for s in fresh.signature_lines.all()
    ]
    return ListsForm(initial=initial), SignatureFormSet(initial=sig, prefix="sig")


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_lists(request: HttpRequest, bloc_id: int, year: int, plan_id: int) -> HttpResponse:
    form = ListsForm(request.POST or None)
    formset = SignatureFormSet(request.POST or None, prefix="sig")
    extra: dict = {}
    stale = False
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        signature = [(r["role"], r["text"], r["after_gap"]) for r in formset_rows(formset)]
        try:
            _save_on_locked(
                request, bloc_id, year, plan_id, services.plan_set_lists,
                bases=form.cleaned_data["bases"], recipients=form.cleaned_data["recipients"],
                signature=signature, revision=form.cleaned_data["revision"],
            )  # fmt: skip
        except services.StaleEditError:
            extra, stale = _stale(request, form), True
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Đã lưu căn cứ, nơi nhận và khối chữ ký.")
            return _to_plan_id(bloc_id, year, plan_id)
    plan, scope = _editor(request, bloc_id, year, plan_id)
    if plan is None:
        return _to_plan_id(bloc_id, year, plan_id)
    if request.method != "POST" or stale:
        form, formset = _lists_forms(plan)
    return render(
        request,
        "plans/edit_lists.html",
        {"scope": scope, "plan": plan, "form": form, "formset": formset, **extra},
    )


def _schedule_forms(plan: Plan, kw: dict) -> tuple[RevisionForm, PhaseFormSet, MilestoneFormSet]:
    """The schedule editor's blank forms, from `plan` as the gate read it (its phases and
    milestones read here; the plan's other child rows are not)."""
    prefetch_related_objects([plan], *selectors.SCHEDULE)
    phases = [
        {
            "seq": p.seq,
            "name": p.name,
            "start": p.start,
            "end": p.end,
            "commemorations": p.commemorations,
        }
        for p in plan.phases.all()
    ]
    milestones = [
        {
            "kind": m.kind,
            "phase_seq": m.phase.seq if m.phase else None,
            "due": m.due,
            "due_month": m.due_month,
            "due_year": m.due_year,
            "data_from": m.data_from,
            "data_to": m.data_to,
            "addressee": m.addressee,
            "place": m.place,
            "with_score_sheet": m.with_score_sheet,
        }
        for m in plan.milestones.all()
    ]
    return (
        RevisionForm(initial={"revision": plan.revision}),
        PhaseFormSet(initial=phases, prefix="phase", **kw),
        MilestoneFormSet(initial=milestones, prefix="ms", **kw),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_schedule(request: HttpRequest, bloc_id: int, year: int, plan_id: int) -> HttpResponse:
    kw = {"form_kwargs": {"year": int(year)}}  # the plan's year: the gate holds it to the URL's
    meta = RevisionForm(request.POST or None)
    phases = PhaseFormSet(request.POST or None, prefix="phase", **kw)
    milestones = MilestoneFormSet(request.POST or None, prefix="ms", **kw)
    errors: list[str] = []
    stale = False
    if request.method == "POST" and all(f.is_valid() for f in (meta, phases, milestones)):
        try:
            _save_on_locked(
                request, bloc_id, year, plan_id, services.plan_set_schedule,
                phases=formset_rows(phases), milestones=formset_rows(milestones),
                revision=meta.cleaned_data["revision"],
            )  # fmt: skip
        except services.StaleEditError:
            messages.error(request, services.STALE_MESSAGE)
            stale = True
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "Đã lưu các đợt thi đua và mốc thời gian.")
            return _to_plan_id(bloc_id, year, plan_id)
    plan, scope = _editor(request, bloc_id, year, plan_id)
    if plan is None:
        return _to_plan_id(bloc_id, year, plan_id)
    if request.method != "POST" or stale:
        meta, phases, milestones = _schedule_forms(plan, kw)
    return render(
        request,
        "plans/edit_schedule.html",
        {
            "scope": scope,
            "plan": plan,
            "meta": meta,
            "phases": phases,
            "milestones": milestones,
            "errors": errors,
        },
    )


TRANSITIONS = {
    "consult": "Đã gửi dự thảo lấy ý kiến các đơn vị.",
    "revise": "Đã chuyển kế hoạch về dự thảo.",
    "approve": "Đã duyệt kế hoạch.",
    "amend": "Đã tạo dự thảo sửa đổi, bổ sung.",
    "revoke": "Đã thu hồi kế hoạch.",
    "delete": "Đã xóa dự thảo.",
}
FORMS = {"consult": ConsultForm, "approve": ApproveForm, "revoke": RevokeForm}


SERVICES = {
    "consult": services.plan_submit_for_comment,
    "revise": services.plan_revise,
    "approve": services.plan_approve,
    "amend": services.plan_amend,
    "revoke": services.plan_revoke,
    "delete": services.plan_delete_draft,
}


def _run_transition(request, plan: Plan, action: str, data: dict):
    return SERVICES[action](plan=plan, actor=request.user, **data)


@login_required
@require_POST
def plan_transition(
    request: HttpRequest, bloc_id: int, year: int, plan_id: int, action: str
) -> HttpResponse:
    """State changes; a change with a form (consult, approve, revoke) shows the plan page again
    with the user's input and the message next to its field when it is refused."""
    if action not in TRANSITIONS:
        raise Http404("Thao tác không tồn tại.")
    plan, scope = selectors.get_plan_for(request, bloc_id, year, plan_id, need="plan.edit")
    form = FORMS[action](request.POST, year=plan.year) if action in FORMS else None
    if form is None or form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()} if form is not None else {}
        if action == "revise":
            data = {"revision": _posted_revision(request)}
        try:
            result = _run_transition(request, plan, action, data)
        except ValidationError as exc:
            if form is None:
                for message in exc.messages:
                    messages.error(request, message)
                return _to_plan(plan)
            add_service_errors(form, exc)
        else:
            messages.success(request, TRANSITIONS[action])
            if result is None:
                return redirect("plans:list", bloc_id=bloc_id, year=year)
            return _to_plan(result)
    messages.error(request, "Chưa thực hiện được thao tác; xem thông báo bên dưới.")
    ctx = _detail_context(request, plan.pk, scope, **{f"{action}_form": form})
    return render(request, "plans/detail.html", ctx, status=400)


def _posted_revision(request: HttpRequest) -> int | None:
    form = RevisionForm(request.POST)
    return form.cleaned_data["revision"] if form.is_valid() else None


@login_required
@require_POST
def plan_comment(request: HttpRequest, bloc_id: int, year: int, plan_id: int) -> HttpResponse:
    plan, scope = selectors.get_plan_for(request, bloc_id, year, plan_id, need="plan.comment")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.plan_comment_add(plan=plan, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Đã gửi ý kiến góp ý.")
    else:
        messages.error(request, "Hãy nhập nội dung góp ý.")
    return _to_plan(plan)


# ---------------------------------------------------------------- calendar feeds


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The user's calendar-feed links (per unit, per bloc), with renew and revoke."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feeds.calendar_token_revoke(user=request.user)
            messages.success(
                request, "Đã thu hồi đường dẫn lịch; các lịch đã đăng ký sẽ ngừng cập nhật."
            )
        else:
            feeds.calendar_token_renew(user=request.user)
            messages.success(
                request, "Đã tạo đường dẫn lịch mới; đường dẫn cũ (nếu có) không còn dùng được."
            )
        return redirect("plans:calendar")
    token = CalendarToken.objects.filter(user=request.user).first()
    blocs = feeds.feed_blocs(user=request.user) if token else []
    return render(request, "plans/calendar.html", {"token": token, "blocs": blocs})


def _feed_user(token: str):
    found = CalendarToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        raise Http404("Đường dẫn lịch không hợp lệ hoặc đã bị thu hồi.")
    return found.user


def _ics(events, name: str) -> HttpResponse:
    body = feeds.to_ics(events, name=name, stamp=timezone.now().astimezone(dt.UTC))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def calendar_unit_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = _feed_user(token)
    if not user.unit_id:
        raise Http404("Tài khoản không thuộc đơn vị nào.")
    return _ics(feeds.unit_events(unit_id=user.unit_id), f"Hạn báo cáo – {user.unit}")


def calendar_bloc_feed(request: HttpRequest, token: str, bloc_id: int) -> HttpResponse:
    user = _feed_user(token)
    bloc = next((b for b in feeds.feed_blocs(user=user) if b.pk == bloc_id), None)
    if bloc is None:
        raise Http404("Không tìm thấy khối thi đua.")
    return _ics(feeds.bloc_events(bloc_id=bloc.pk, years=feeds.feed_years()), f"Lịch {bloc.name}")
