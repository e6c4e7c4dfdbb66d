"""Issue means freeze: issue_document stores the PDF that gets served, forever; drafts render live."""

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
from reports.models import IssuedDocument, NumberRegister
from reports.services import issue_document, plan_document
from tests.reports.pdfread import full_text
from tests.reports.plan_data import make_plan, make_seed_plan

APPROVED = Plan.Status.APPROVED


@pytest.fixture
def clerk(db) -> User:
    return User.objects.create_user(username="vanthu", password="matkhau-123")


@pytest.fixture
def long_approved(db) -> Plan:
    """Seed 000, approved: issuing it as no. 11 of 24/01/2022 gives the real document."""
    return make_seed_plan(status=APPROVED)


def _issue(plan: Plan, actor: User, day: dt.date, number: int | None = None) -> IssuedDocument:
    return issue_document(kind="plan", subject=plan, actor=actor, issue_date=day, number=number)


def test_a_draft_cannot_be_issued_and_leaves_nothing(state_draft, clerk):
    with pytest.raises(ValidationError, match="đã duyệt"):
        _issue(state_draft, clerk, dt.date(2022, 1, 24))
    assert not IssuedDocument.objects.exists() and not NumberRegister.objects.exists()
    state_draft.refresh_from_db()
    assert state_draft.status == Plan.Status.DRAFT and state_draft.number is None


def test_issue_stores_context_pdf_sha256_docx_and_an_audit_event(long_approved, clerk):
    doc = _issue(long_approved, clerk, dt.date(2022, 1, 24), number=11)
    doc.refresh_from_db()
    pdf = bytes(doc.pdf)
    assert pdf.startswith(b"%PDF") and doc.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert bytes(doc.docx).startswith(b"PK")
    assert doc.number_text == "Số: 11/KH-KTĐNC" and doc.kind == "plan"
    assert (doc.bloc_id, doc.year, doc.issued_by) == (long_approved.bloc_id, 2022, clerk)
    assert doc.context["number_text"] == "Số: 11/KH-KTĐNC"
    assert "ngày 24 tháng 01 năm 2022" in full_text(pdf) and "Dự thảo" not in full_text(pdf)
    event = AuditEvent.objects.get(action="document.issue")
    assert event.object_id == str(doc.pk) and event.data["pdf_sha256"] == doc.pdf_sha256
    assert event.data["number"] == 11 and event.data["register"] == "KH 2022"
    plan_event = AuditEvent.objects.get(action="plan.issue")
    assert plan_event.data["status"] == {"old": "approved", "new": "issued"}


def test_a_second_issue_is_refused(long_approved, clerk):
    _issue(long_approved, clerk, dt.date(2022, 1, 24))
    with pytest.raises(ValidationError, match="đã duyệt"):
        _issue(long_approved, clerk, dt.date(2022, 1, 25))
    assert IssuedDocument.objects.count() == 1


def test_an_issued_plan_is_served_from_the_frozen_bytes_after_its_rows_change(long_approved, clerk):
    frozen = _issue(long_approved, clerk, dt.date(2022, 1, 24), number=11)
    long_state = long_approved
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


def test_a_tampered_pdf_is_not_served(state_draft, clerk):
    Plan.objects.filter(pk=state_draft.pk).update(status=APPROVED)
    doc = _issue(state_draft, clerk, dt.date(2022, 1, 24))
    IssuedDocument.objects.filter(pk=doc.pk).update(pdf=b"%PDF-forged")
    with pytest.raises(ValidationError, match="sha256"):
        plan_document(plan=state_draft, fmt="pdf")


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


def test_an_amendment_supersedes_the_frozen_document_it_replaces(state_draft, clerk):
    Plan.objects.filter(pk=state_draft.pk).update(status=APPROVED)
    first = _issue(state_draft, clerk, dt.date(2022, 1, 24))
    amended = make_plan(bloc=state_draft.bloc, status=APPROVED, replaces=state_draft, version=2)
    second = _issue(amended, clerk, dt.date(2022, 3, 1))
    assert second.supersedes == first and first.superseded_by == second
    assert second.number_text == "Số: 02/KH-KTĐNC"
    state_draft.refresh_from_db()
    assert state_draft.status == Plan.Status.SUPERSEDED
    assert AuditEvent.objects.filter(action="plan.supersede", object_id=str(state_draft.pk))
    pdf, _, _ = plan_document(plan=state_draft, fmt="pdf")  # the old one is still served
    assert pdf == bytes(first.pdf)


def test_frozen_documents_are_never_deleted_with_their_plan(state_draft, clerk):
    Plan.objects.filter(pk=state_draft.pk).update(status=APPROVED)
    _issue(state_draft, clerk, dt.date(2022, 1, 24))
    with pytest.raises(ProtectedError):
        state_draft.delete()


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_render_document_command_writes_the_file(state_issued, tmp_path, fmt):
    out = tmp_path / f"kh.{fmt}"
    call_command("render_document", "plan", str(state_issued.pk), "--format", fmt, "-o", str(out))
    data = out.read_bytes()
    assert data.startswith({"pdf": b"%PDF", "docx": b"PK", "html": b"<!DOCTYPE html>"}[fmt])


def test_render_document_command_unknown_plan(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("render_document", "plan", "999", "-o", str(tmp_path / "x.pdf"))
