"""Writes and downloads of documents: issuing freezes a plan's document (context, PDF, DOCX,
sha256); an issued plan is then always served from the frozen bytes, a draft renders live."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blocs import audit
from plans.models import Plan
from reports.documents import PlanDocContext, build_plan_context
from reports.docx import render_docx
from reports.models import IssuedDocument
from reports.render import html_to_pdf, render_html

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


@transaction.atomic
def freeze_plan_document(*, plan: Plan, actor: Any) -> IssuedDocument:
    """Freeze the document of an issued plan: its context, PDF (with sha256) and DOCX.

    Refuses a plan that is not issued and a plan already frozen. When the plan replaces an
    earlier one, the new document supersedes the earlier plan's frozen document.
    """
    plan = Plan.objects.select_for_update().select_related("bloc").get(pk=plan.pk)
    if plan.status != Plan.Status.ISSUED:
        raise ValidationError("Chỉ lưu bản chính thức của kế hoạch đã ban hành.")
    if IssuedDocument.objects.filter(plan=plan).exists():
        raise ValidationError(
            "Văn bản của kế hoạch này đã được lưu; muốn sửa, hãy ban hành văn bản sửa đổi, bổ sung."
        )
    ctx = build_plan_context(plan)
    pdf = html_to_pdf(render_html(ctx))
    previous = (
        IssuedDocument.objects.filter(plan_id=plan.replaces_id).first()
        if plan.replaces_id
        else None
    )
    document = IssuedDocument(
        kind=IssuedDocument.Kind.PLAN,
        plan=plan,
        bloc=plan.bloc,
        year=plan.year,
        number_text=ctx.number_text,
        title=plan.title,
        context=ctx.to_dict(),
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        docx=render_docx(ctx),
        issued_at=timezone.now(),
        issued_by=actor if getattr(actor, "pk", None) else None,
        supersedes=previous,
    )
    document.full_clean()
    document.save()
    audit.record(
        actor=actor,
        action="document.freeze",
        obj=document,
        bloc=plan.bloc,
        year=plan.year,
        data={
            "plan": plan.pk,
            "number": ctx.number_text,
            "pdf_sha256": document.pdf_sha256,
            "supersedes": previous.pk if previous else None,
        },
    )
    return document


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
        ctx = PlanDocContext.from_dict(frozen.context)
        if fmt == "pdf":
            body: bytes | str = bytes(frozen.pdf)
            if hashlib.sha256(body).hexdigest() != frozen.pdf_sha256:
                raise ValidationError("Bản PDF đã lưu không khớp mã kiểm tra (sha256).")
        elif fmt == "docx":
            body = bytes(frozen.docx)
        else:
            body = render_html(ctx)
    else:
        ctx = build_plan_context(plan)
        if fmt == "pdf":
            body = html_to_pdf(render_html(ctx))
        elif fmt == "docx":
            body = render_docx(ctx)
        else:
            body = render_html(ctx)
    return body, f"{ctx.filename_stem}.{fmt}", CONTENT_TYPES[fmt]
