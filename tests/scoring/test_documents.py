"""The registration table and the giao ước: builder data, the HTML, the PDF read back (A4, Times
fonts only, Vietnamese text intact) and the Word file; who may download them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from reports.scoring_documents import build_giao_uoc_context, build_registration_table_context
from tests.reports.pdfread import A4, embedded_fonts, full_text, squash
from tests.scoring.conftest import register, sign


@pytest.fixture
def signed(world, template):
    for unit in (world.head, world.deputy_unit, world.unit_a):
        register(world, unit, accept=True)
    register(world, world.unit_b, submit=True)
    sign(world, partial=True)
    return world


def test_table_builder_lists_accepted_registrations_only(world, template):
    register(world, world.unit_a, accept=True)
    register(world, world.unit_b, submit=True)
    ctx = build_registration_table_context(world.bloc, world.year)
    rows = ctx.extra["table"]["rows"]
    assert [r[1] for r in rows] == ["Sở Tư pháp Thử"]
    assert "- Giải quyết 95 % vụ việc: 95 %" in rows[0][2]
    assert rows[0][3] == "Cờ thi đua UBND tỉnh"
    assert "Lao động tiên tiến: 45" in rows[0][4] and "Chiến sĩ thi đua cơ sở: 6" in rows[0][4]
    assert ctx.draft_marker == "(Dự thảo)" and ctx.doc_type_name == "BẢNG TỔNG HỢP"
    assert ctx.recipients.items[0] == "- Ban Thi đua - Khen thưởng tỉnh (b/c);"


def test_giao_uoc_after_signing_carries_the_meeting(signed):
    ctx = build_giao_uoc_context(signed.bloc, signed.year)
    assert (
        not ctx.is_draft and ctx.place_date_text == "Văn phòng UBND tỉnh, ngày 10 tháng 02 năm 2026"
    )
    text = " ".join(b.text for b in ctx.body)
    assert "ngày 10/02/2026" in text and "thang điểm 100 điểm (phiên bản 1)" in text
    assert "Bộ Chỉ huy Quân sự tỉnh Thử, Sở Tư pháp Thử" in text
    assert len(ctx.extra["table"]["rows"]) == 3
    assert [s.text for s in ctx.signature.before_gap][:2] == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI"]


def test_both_pdfs_are_a4_times_and_readable(signed, client_for):
    client = client_for("chair")
    for doc, title in (("bang-tong-hop", "BẢNG TỔNG HỢP"), ("giao-uoc", "GIAO ƯỚC THI ĐUA")):
        url = reverse(
            "reports:scoring_document",
            kwargs={"bloc_id": signed.bloc.pk, "year": signed.year, "doc": doc, "fmt": "pdf"},
        )
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        pdf = response.content
        text = squash(full_text(pdf))
        assert squash(title) in text and squash("Tòa án nhân dân tỉnh Thử") not in text
        assert squash("Chiến sĩ thi đua cơ sở: 6") in text
        assert not any("DejaVu" in f for f in embedded_fonts(pdf))
        import pdfplumber

        with pdfplumber.open(io.BytesIO(pdf)) as d:
            page = d.pages[0]
            assert (round(page.width, 1), round(page.height, 1)) == (
                round(A4[0], 1),
                round(A4[1], 1),
            )


def test_word_files_carry_the_table(signed, client_for):
    from docx import Document

    url = reverse(
        "reports:scoring_document",
        kwargs={"bloc_id": signed.bloc.pk, "year": signed.year, "doc": "giao-uoc", "fmt": "docx"},
    )
    response = client_for("unit_a").get(url)
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Sở Tư pháp Thử" in cells and "Danh hiệu cá nhân" in cells


def test_only_followers_of_registrations_get_the_table(signed, client_for):
    url = reverse(
        "reports:scoring_document",
        kwargs={
            "bloc_id": signed.bloc.pk,
            "year": signed.year,
            "doc": "bang-tong-hop",
            "fmt": "html",
        },
    )
    assert client_for("unit_a").get(url).status_code == 403
    assert client_for("reviewer").get(url).status_code == 200
    assert client_for("outsider").get(url).status_code == 404
    bad = reverse(
        "reports:scoring_document",
        kwargs={"bloc_id": signed.bloc.pk, "year": signed.year, "doc": "khac", "fmt": "pdf"},
    )
    assert client_for("chair").get(bad).status_code == 404
