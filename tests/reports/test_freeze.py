"""Issue means freeze: the frozen PDF is what gets served, forever; drafts render live."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError
from docx import Document

from blocs.models import AuditEvent, User
from plans.models import Plan, Recipient, Section
from reports.models import IssuedDocument
from reports.services import freeze_plan_document, plan_document
from tests.reports.pdfread import full_text
from tests.reports.plan_data import make_plan

ISSUED = Plan.Status.ISSUED


@pytest.fixture
def clerk(db) -> User:
    return User.objects.create_user(username="vanthu", password="matkhau-123")


def test_a_draft_cannot_be_frozen(state_draft, clerk):
    with pytest.raises(ValidationError, match="đã ban hành"):
        freeze_plan_document(plan=state_draft, actor=clerk)
    assert not IssuedDocument.objects.exists()


def test_freeze_stores_context_pdf_sha256_docx_and_an_audit_event(long_state, clerk):
    doc = freeze_plan_document(plan=long_state, actor=clerk)
    doc.refresh_from_db()
    pdf = bytes(doc.pdf)
    assert pdf.startswith(b"%PDF") and doc.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert bytes(doc.docx).startswith(b"PK")
    assert doc.number_text == "Số: 11/KH-KTĐNC" and doc.kind == "plan"
    assert (doc.bloc_id, doc.year, doc.issued_by) == (long_state.bloc_id, 2022, clerk)
    assert doc.context["number_text"] == "Số: 11/KH-KTĐNC"
    event = AuditEvent.objects.get(action="document.freeze")
    assert event.object_id == str(doc.pk) and event.data["pdf_sha256"] == doc.pdf_sha256


def test_a_second_freeze_is_refused(state_issued, clerk):
    freeze_plan_document(plan=state_issued, actor=clerk)
    with pytest.raises(ValidationError, match="đã được lưu"):
        freeze_plan_document(plan=state_issued, actor=clerk)
    assert IssuedDocument.objects.count() == 1


def test_an_issued_plan_is_served_from_the_frozen_bytes_after_its_rows_change(long_state, clerk):
    frozen = freeze_plan_document(plan=long_state, actor=clerk)
    Plan.objects.filter(pk=long_state.pk).update(title="Trích yếu đã bị sửa trong CSDL")
    Section.objects.filter(plan=long_state).update(content="Nội dung bị sửa.")
    Recipient.objects.filter(plan=long_state).delete()

    pdf, filename, content_type = plan_document(plan=long_state, fmt="pdf")
    assert pdf == bytes(frozen.pdf) and content_type == "application/pdf"
    assert filename == "KH-11-KTDNC-2022-01-24.pdf"
    docx, filename, _ = plan_document(plan=long_state, fmt="docx")
    assert docx == bytes(frozen.docx) and filename == "KH-11-KTDNC-2022-01-24.docx"
    html, _, content_type = plan_document(plan=long_state, fmt="html")
    assert content_type.startswith("text/html")
    assert "Phát động phong trào thi đua Khối Nội chính" in html
    assert "bị sửa" not in html and "Ban TĐKT tỉnh (Báo cáo);" in html
    assert "bị sửa" not in full_text(pdf)


def test_a_tampered_pdf_is_not_served(state_issued, clerk):
    doc = freeze_plan_document(plan=state_issued, actor=clerk)
    IssuedDocument.objects.filter(pk=doc.pk).update(pdf=b"%PDF-forged")
    with pytest.raises(ValidationError, match="sha256"):
        plan_document(plan=state_issued, fmt="pdf")


def test_a_draft_renders_live_with_a_draft_filename(state_draft):
    pdf, filename, _ = plan_document(plan=state_draft, fmt="pdf")
    assert filename == "Du-thao-KH-KTDNC-2022.pdf" and "(Dự thảo)" in full_text(pdf)
    Plan.objects.filter(pk=state_draft.pk).update(title="Tiêu đề mới")
    html, filename, _ = plan_document(plan=state_draft, fmt="html")
    assert "Tiêu đề mới" in html and filename == "Du-thao-KH-KTDNC-2022.html"
    docx, _, _ = plan_document(plan=state_draft, fmt="docx")
    assert "Tiêu đề mới" in "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)


def test_unknown_format_is_refused(state_draft):
    with pytest.raises(ValueError):
        plan_document(plan=state_draft, fmt="exe")


def test_an_amendment_supersedes_the_frozen_document_it_replaces(state_issued, clerk):
    first = freeze_plan_document(plan=state_issued, actor=clerk)
    Plan.objects.filter(pk=state_issued.pk).update(status=Plan.Status.SUPERSEDED)
    amended = make_plan(
        bloc=state_issued.bloc,
        year=2027,
        status=ISSUED,
        number=2,
        issue_date=dt.date(2027, 3, 1),
        replaces=state_issued,
        version=2,
    )
    second = freeze_plan_document(plan=amended, actor=clerk)
    assert second.supersedes == first and first.superseded_by == second
    pdf, _, _ = plan_document(plan=state_issued, fmt="pdf")  # the old one is still served
    assert pdf == bytes(first.pdf)


def test_frozen_documents_are_never_deleted_with_their_plan(state_issued, clerk):
    freeze_plan_document(plan=state_issued, actor=clerk)
    with pytest.raises(ProtectedError):
        state_issued.delete()


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_render_document_command_writes_the_file(state_issued, tmp_path, fmt):
    out = tmp_path / f"kh.{fmt}"
    call_command("render_document", "plan", str(state_issued.pk), "--format", fmt, "-o", str(out))
    data = out.read_bytes()
    assert data.startswith({"pdf": b"%PDF", "docx": b"PK", "html": b"<!DOCTYPE html>"}[fmt])


def test_render_document_command_unknown_plan(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("render_document", "plan", "999", "-o", str(tmp_path / "x.pdf"))
