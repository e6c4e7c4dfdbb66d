"""Writes and downloads of documents: issuing numbers, transitions and freezes a document
(context, PDF, DOCX, sha256) in one call; an issued plan is then always served from the frozen
bytes, a draft renders live."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blocs import audit, rowchecks
from blocs.text import strip_controls
from plans.models import Plan
from reports import registers
from reports.compiled_documents import build_compiled_context
from reports.documents import PlanDocContext, build_plan_context
from reports.docx import render_docx
from reports.kinds import KINDS, DocumentKind
from reports.models import CompiledReport, IssuedDocument
from reports.render import draft_pdf, html_to_pdf, render_html

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


@transaction.atomic
def issue_document(
    *,
    kind: str,
    subject: Any,
    actor: Any,
    issue_date: dt.date,
    number: int | None = None,
    archived: bool = False,
) -> IssuedDocument:
    """Issue a document of `kind` (reports.kinds.KINDS) for `subject`, in one transaction:
    lock the subject and re-check it (state, completeness, date), take the number from the
    issuing body's register (or check that `number` is free), run the owner's transition
    (a plan becomes ISSUED, the plan it amends SUPERSEDED), build the context, render PDF and
    DOCX, freeze them (IssuedDocument with sha256), enter the number in the register, audit.
    Any failure leaves nothing behind: no number, no status change, no document, no event.
    `archived`: a document issued outside the app (imported with its number and date) is
    entered as it was signed, without the checks of a new issue."""
    spec = KINDS[kind]
    subject = spec.model.objects.select_for_update().get(pk=subject.pk)
    spec.check_complete(subject, issue_date, archived=archived)
    if IssuedDocument.objects.filter(**{spec.subject_field: subject}).exists():
        raise ValidationError(
            "Văn bản này đã được ban hành; muốn sửa, hãy ban hành văn bản sửa đổi, bổ sung."
        )
    numbering = spec.numbering(subject)
    period = registers.period_for(per_term=numbering.per_term, on=issue_date)
    register, number = registers.take_number(
        issuer=numbering.issuer, doc_type=numbering.doc_type, period=period, number=number
    )
    subject = spec.transition(subject, actor, number, issue_date)
    document = _freeze(spec, subject, actor)
    registers.record_entry(
        register=register, number=number, issued_on=issue_date, document=document
    )
    audit.record(
        actor=actor,
        action="document.issue",
        obj=document,
        bloc=document.bloc,
        year=document.year,
        data={
            "kind": kind,
            spec.subject_field: subject.pk,
            "number": number,
            "register": f"{numbering.doc_type} {period}",
            "number_text": document.number_text,
            "pdf_sha256": document.pdf_sha256,
            "supersedes": document.supersedes_id,
            **({"archived": True} if archived else {}),
        },
    )
    return document


@transaction.atomic
def import_issued_plan(
    *, bloc: Any, parsed: Any, actor: Any, source_text: str = "", overrides: dict | None = None
) -> Plan:
    """An existing plan that was issued outside the app (its text carries a number and a date):
    saved, taken as approved as signed, and issued with its own number and date in one
    transaction, so it enters the register and has a frozen document like any issued plan (the
    archive that "copy to next year" starts from). A number already used is refused."""
    from plans import services as plan_services

    if parsed.number is None or parsed.issue_date is None:
        raise ValidationError("Văn bản không ghi đủ số và ngày ban hành.")
    plan = plan_services.plan_create_from_import(
        bloc=bloc, parsed=parsed, actor=actor, source_text=source_text, overrides=overrides
    )
    plan_services.plan_approve_archived(plan=plan, actor=actor)
    issue_document(
        kind="plan",
        subject=plan,
        actor=actor,
        issue_date=parsed.issue_date,
        number=parsed.number,
        archived=True,
    )
    return Plan.objects.get(pk=plan.pk)


DOCUMENT_RELATIONS = (
    "plan", "signing", "compiled_report", "meeting", "dossier", "bloc", "issued_by", "supersedes",
)  # fmt: skip


def _freeze(spec: DocumentKind, subject: Any, actor: Any) -> IssuedDocument:
    """Build, render and store the document of a subject that has just been issued."""
    ctx = spec.build(subject)
    pdf = html_to_pdf(render_html(ctx, template=spec.template))
    replaced = spec.replaced(subject)
    previous = (
        IssuedDocument.objects.filter(**{spec.subject_field: replaced}).first()
        if replaced is not None
        else None
    )
    bloc, year = spec.owner(subject)
    document = IssuedDocument(
        kind=spec.code,
        bloc=bloc,
        year=year,
        number_text=ctx.number_text,
        title=" ".join(ctx.title_lines),
        context=ctx.to_dict(),
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        docx=spec.write_docx(ctx),
        issued_at=timezone.now(),
        issued_by=actor if getattr(actor, "pk", None) else None,
        supersedes=previous,
        **{spec.subject_field: subject},
    )
    # full_clean without its queries (blocs.rowchecks): the subject is locked and has no
    # document (checked under the lock), the bloc, the actor and the replaced document are in
    # hand; a replaced one keeps its unique check (one document supersedes it)
    rowchecks.clean(document, {}, exclude=DOCUMENT_RELATIONS, unique=previous is not None)
    document.save()
    return document


@transaction.atomic
def sign_giao_uoc(*, bloc: Any, year: int, actor: Any, **meeting: Any) -> IssuedDocument:
    """The signing meeting records the giao ước (registrations signed, template locked) and the
    giao ước is issued at once, numbered in the bloc's register, dated the meeting's day, frozen:
    what was signed is served from then on, whatever happens to the rows."""
    from scoring.services import registrations as reg_services

    signed = reg_services.giao_uoc_sign(bloc=bloc, year=year, actor=actor, **meeting)
    return issue_document(kind="giao_uoc", subject=signed, actor=actor, issue_date=signed.date)


@transaction.atomic
def adopt_ranking(*, ranking: Any, actor: Any, revision: int | None = None) -> IssuedDocument:
    """The meeting adopts the ranking (frozen from then on) and its minutes are issued at once:
    numbered in the bloc's register (01/BB-…), dated the meeting's day, frozen. Either both
    happen or neither."""
    from scoring.services.ranking import ranking_adopt

    adopted = ranking_adopt(ranking=ranking, actor=actor, revision=revision)
    meeting = adopted.meeting
    return issue_document(kind="bien_ban", subject=meeting, actor=actor, issue_date=meeting.date)


def frozen_minutes(*, bloc_id: int, year: int) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(meeting__bloc_id=bloc_id, meeting__year=year).first()


def submit_proposals(*, bloc: Any, year: int, actor: Any, date: dt.date) -> IssuedDocument:
    """The drafted proposals go to the province in one dossier and its tờ trình is issued at
    once (numbered "…/TTr-…" in the bloc's register, dated the submission, frozen); a refusal
    of either leaves nothing behind."""
    from scoring.services import proposals as proposal_services

    dossier = proposal_services.dossier_submit(bloc=bloc, year=year, actor=actor, date=date)
    return issue_document(kind="to_trinh", subject=dossier, actor=actor, issue_date=date)


def frozen_to_trinh(*, bloc_id: int, year: int) -> list[IssuedDocument]:
    """The tờ trình of every dossier of a bloc-year, first submission first (with each
    dossier's proposals: the page counts them)."""
    return list(
        IssuedDocument.objects.filter(dossier__bloc_id=bloc_id, dossier__year=year)
        .select_related("dossier")
        .prefetch_related("dossier__proposals")
        .defer("pdf", "docx", "context")
        .order_by("dossier__seq")
    )


def frozen_giao_uoc(*, bloc_id: int, year: int) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(signing__bloc_id=bloc_id, signing__year=year).first()


def frozen_body(frozen: IssuedDocument, fmt: str) -> tuple[bytes | str, str, str]:
    """(body, filename, content type) of a frozen document: its stored bytes (the PDF checked
    against its sha256), or HTML re-rendered from its frozen context."""
    ctx = PlanDocContext.from_dict(frozen.context)
    if fmt == "pdf":
        body: bytes | str = bytes(frozen.pdf)
        if hashlib.sha256(body).hexdigest() != frozen.pdf_sha256:
            raise ValidationError("Bản PDF đã lưu không khớp mã kiểm tra (sha256).")
    elif fmt == "docx":
        body = bytes(frozen.docx)
    else:
        body = render_html(ctx)
    return body, f"{ctx.filename_stem}.{fmt}", CONTENT_TYPES[fmt]


def frozen_document(plan: Plan) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(plan=plan).first()


def plan_document(*, plan: Plan, fmt: str) -> tuple[bytes | str, str, str]:
    """(body, filename, content type) of a plan's document in `fmt` ("pdf", "docx", "html").

    An issued plan serves its frozen bytes (HTML re-rendered from the frozen context), whatever
    happened to its rows since; a draft renders live.
    """
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unsupported document format: {fmt}")
    frozen = frozen_document(plan)
    if frozen is not None:
        return frozen_body(frozen, fmt)
    return live_body(build_plan_context(plan), fmt)


def live_body(
    ctx: PlanDocContext, fmt: str, *, template: str | None = None
) -> tuple[bytes | str, str, str]:
    """(body, filename, content type) of a document rendered from live rows: the PDF through
    the draft cache (an unchanged document is not rendered twice), the DOCX from the same
    context, or the HTML preview."""
    html = render_html(ctx, template=template) if fmt != "docx" else ""
    if fmt == "pdf":
        body: bytes | str = draft_pdf(html)
    elif fmt == "docx":
        body = render_docx(ctx)
    else:
        body = html
    return body, f"{ctx.filename_stem}.{fmt}", CONTENT_TYPES[fmt]


# ---------------------------------------------------------------- the bloc's BÁO CÁO of a round


@transaction.atomic
def compiled_report_save(
    *, round: Any, actor: Any, body: str, revision: int | None = None
) -> CompiledReport:
    """The secretariat's assessment in the round's BÁO CÁO (created on first save). Refused once
    issued, and when someone saved since the page was read (`revision`); audited old → new."""
    if not body.strip() and not CompiledReport.objects.filter(round=round).exists():
        return CompiledReport(round=round)  # nothing to save: no empty row, no audit gap
    CompiledReport.objects.get_or_create(round=round)
    report = CompiledReport.objects.select_for_update().select_related("round").get(round=round)
    if report.is_issued:
        raise ValidationError("Báo cáo đã được ban hành; nội dung không sửa được nữa.")
    if revision is not None and int(revision) != report.revision:
        raise ValidationError(
            {
                "body": "Báo cáo vừa được người khác sửa sau khi bạn mở trang, nên thay đổi của "
                "bạn chưa được lưu. Nội dung hiện tại đang hiển thị; hãy xem lại rồi nhập lại."
            },
            code="stale",
        )
    body = strip_controls(body or "").strip()
    if len(body) > 100_000:
        raise ValidationError({"body": "Phần đánh giá dài quá 100.000 ký tự."})
    diff = audit.changes({"body": report.body}, {"body": body})
    if not diff:
        return report
    report.body = body
    report.revision += 1
    report.save(update_fields=["body", "revision", "updated_at"])
    audit.record(
        actor=actor,
        action="compiled_report.save",
        obj=report,
        bloc=report.round.bloc,
        year=report.round.year,
        data={"round": report.round.key, "changes": diff},
    )
    return report


def compiled_document(round: Any, fmt: str) -> tuple[bytes | str, str, str]:
    """(body, filename, content type) of the round's BÁO CÁO: the frozen bytes once issued,
    else rendered live from the members' submissions (the PDF through the draft cache)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unsupported document format: {fmt}")
    frozen, report = compiled_parts(round)
    if frozen is not None:
        return frozen_body(frozen, fmt)
    return live_body(build_compiled_context(report), fmt)


def compiled_parts(round: Any) -> tuple[IssuedDocument | None, CompiledReport]:
    """The round's issued BÁO CÁO (None before it is issued) and its report row (unsaved when
    the secretariat has written nothing yet)."""
    report = CompiledReport.objects.filter(round=round).first() or CompiledReport(round=round)
    frozen = IssuedDocument.objects.filter(compiled_report=report).first() if report.pk else None
    return frozen, report
