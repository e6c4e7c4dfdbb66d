"""The printed self-scoring sheet (BẢNG TỰ CHẤM ĐIỂM THI ĐUA): what the PDF and the Word file
show (the unit as issuer, the criteria, the totals, the signer), its columns as the sheet moves
through review, the downloads' gate, the signer the unit sets, and render_document."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from blocs.models import AuditEvent, Unit
from reports.sheet_documents import build_sheet_context, sheet_document
from scoring import calc
from scoring.models import CrossAssignment, ReviewSetup, Round, Submission
from scoring.services import reviews as review_services
from scoring.services import sheets as sheet_services
from scoring.services.templates import CriterionRow
from tests.factories import make_bloc_world
from tests.reports.pdfread import A4, embedded_fonts, full_text, squash
from tests.scoring.conftest import fill_sheet, make_template

S = Submission.Status
BEFORE_DUE = dt.datetime(2026, 12, 14, 9, 0, tzinfo=dt.UTC)
AFTER_DUE = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)


def draft(world, round, unit="unit_a"):
    user = world.users[unit]
    sub = sheet_services.submission_open(round=round, unit=user.unit, actor=user)
    return fill_sheet(sub, user)


def submitted(world, round, unit="unit_a", now=BEFORE_DUE, signer=True):
    sub = draft(world, round, unit)
    user = world.users[unit]
    if signer:
        sub = sheet_services.signer_save(
            submission=sub, actor=user, signer_position="Giám đốc", signer_name="Lê Văn Ký"
        )
    return sheet_services.submission_submit(submission=sub, actor=user, now=now)


def reviewed(world, sub, score="10"):
    """The chair lowers line I.2 to `score` and closes both layers."""
    chair = world.users["chair"]
    line = sub.entries.get(criterion__code="2", criterion__parent__code="I")
    review_services.review_line(entry=line, actor=chair, score=score, comment="Thiếu số liệu")
    sub = review_services.layer_done(submission=sub, actor=chair)
    return review_services.layer_done(submission=sub, actor=chair)


def table(ctx):
    return ctx.extra["table"]


def row_texts(ctx):
    return [" | ".join(r["cells"]) for r in table(ctx)["rows"]]


# ---------------------------------------------------------------- the PDF and the Word file


def test_sheet_pdf_shows_the_unit_the_criteria_the_totals_and_the_signer(world, tong_ket):
    sub = submitted(world, tong_ket)
    pdf, filename, content_type = sheet_document(sub, "pdf")
    assert content_type == "application/pdf" and filename.endswith(".pdf")
    text = squash(full_text(pdf))
    for expected in (
        "CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM",
        "SỞTƯPHÁPTHỬ",  # the unit is the issuer
        "BẢNGTỰCHẤMĐIỂMTHIĐUANĂM2026",
        "KhốithiđuaNộichínhThử",
        "Thựchiệncácnhiệmvụđộtxuấtđượcgiao",
        "TỔNGĐIỂM",
        "GIÁMĐỐC",
        "LêVănKý",
    ):
        assert expected in text, expected
    assert squash(calc.fmt(sub.self_total)) in text
    assert "(Dựthảo)" not in text
    fonts = embedded_fonts(pdf)
    assert fonts and all("Liberation" in f or "Times" in f for f in fonts), fonts


def test_sheet_pdf_is_a4_landscape_for_its_table(world, tong_ket):
    import pdfplumber

    sub = submitted(world, tong_ket)
    pdf, _, _ = sheet_document(sub, "pdf")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        assert (round(page.width), round(page.height)) == (round(A4[1]), round(A4[0]))
        left = min(c["x0"] for c in page.chars)
    assert left >= 30 * 72 / 25.4 - 1  # the profile's left margin (30 mm)


def test_sheet_docx_carries_the_same_content_landscape(world, tong_ket):
    sub = submitted(world, tong_ket)
    body, filename, _ = sheet_document(sub, "docx")
    doc = Document(io.BytesIO(body))
    section = doc.sections[0]
    assert filename.endswith(".docx") and section.page_width > section.page_height
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM 2026" in text
    assert "SỞ TƯ PHÁP THỬ" in cells and "Lê Văn Ký" in cells and "GIÁM ĐỐC" in cells
    assert "Thực hiện các nhiệm vụ đột xuất được giao" in cells
    assert "TỔNG ĐIỂM" in cells and calc.fmt(sub.self_total) in cells


def test_a_sheet_agreed_without_a_line_review_prints_to_word_with_the_agreed_column(
    world, tong_ket
):
    """The usual year: the secretariat agrees with every self-score without reviewing a line,
    so the sheet has an agreed column and no reviewed one (this Word file was a server error)."""
    from tests.scoring.ranking_data import final_sheet

    sub = final_sheet(world, tong_ket, world.users["unit_a"])
    body, _filename, _ = sheet_document(sub, "docx")
    tables = Document(io.BytesIO(body)).tables
    header = next(
        [c.text for c in t.rows[0].cells] for t in tables if t.rows[0].cells[0].text == "TT"
    )
    assert header[-2:] == ["Giải trình, minh chứng", "Điểm thống nhất"]
    assert "Điểm thẩm định" not in header


def test_a_draft_prints_du_thao_a_blank_date_and_the_default_signer(world, tong_ket):
    sub = draft(world, tong_ket)
    ctx = build_sheet_context(sub)
    assert ctx.is_draft and ctx.draft_marker == "(Dự thảo)"
    assert "ngày      tháng      năm 2026" in ctx.place_date_text
    assert [ln.text for ln in ctx.signature.before_gap] == ["THỦ TRƯỞNG ĐƠN VỊ"]
    assert ctx.signature.after_gap == []


def test_a_submitted_sheet_is_dated_the_day_it_was_submitted(world, tong_ket):
    sub = submitted(world, tong_ket)
    ctx = build_sheet_context(sub)
    assert not ctx.is_draft and ctx.draft_marker == ""
    assert ctx.place_date_text == "Tuyên Quang Thử, ngày 14 tháng 12 năm 2026"


def test_the_parent_body_prints_above_the_unit(world, tong_ket):
    parent = Unit.objects.create(province=world.province, name="Bộ Tư pháp Thử")
    Unit.objects.filter(pk=world.unit_a.pk).update(parent=parent)
    ctx = build_sheet_context(draft(world, tong_ket))
    assert ctx.parent_issuer_lines == ["BỘ TƯ PHÁP THỬ"]
    assert ctx.issuer_lines == ["SỞ TƯ PHÁP THỬ"]


def test_the_table_lists_every_criterion_with_group_subtotals_and_the_total(
    world, tong_ket, template
):
    sub = submitted(world, tong_ket)
    ctx = build_sheet_context(sub)
    rows = table(ctx)["rows"]
    assert table(ctx)["headers"][:4] == ["TT", "Nội dung tiêu chí", "Điểm tối đa", "Điểm tự chấm"]
    assert len(rows) == template.criteria.count() + 1  # + the total
    group_i = next(r for r in rows if r["cells"][0] == "I")
    assert group_i["style"] == "group" and group_i["cells"][2] == "60"
    total = rows[-1]
    assert total["style"] == "total" and total["cells"][1] == "TỔNG ĐIỂM"
    assert total["cells"][3] == calc.fmt(sub.self_total)
    assert "Điểm thẩm định" not in table(ctx)["headers"]
    assert any("Minh chứng: minh-chung.pdf" in r["cells"][4] for r in rows)


def test_a_late_sheet_prints_the_late_penalty_line(world, tong_ket, template):
    template.late_penalty = 2
    template.save(update_fields=["late_penalty"])
    sub = submitted(world, tong_ket, now=AFTER_DUE)
    texts = row_texts(build_sheet_context(sub))
    assert any("Trừ điểm do nộp báo cáo muộn hạn" in t and "−2" in t for t in texts)


def test_reviewed_then_final_columns_appear_as_the_sheet_moves_on(world, tong_ket):
    sub = submitted(world, tong_ket)
    sub = reviewed(world, sub, score="10")
    ctx = build_sheet_context(sub)
    assert table(ctx)["headers"][-1] == "Điểm thẩm định"
    line = next(r for r in table(ctx)["rows"] if "nhiệm vụ đột xuất" in r["cells"][1])
    assert line["cells"][3] == "15" and line["cells"][5] == "10"
    sub = review_services.submission_finalize(submission=sub, actor=world.users["chair"])
    ctx = build_sheet_context(sub)
    assert table(ctx)["headers"][-2:] == ["Điểm thẩm định", "Điểm thống nhất"]
    assert table(ctx)["rows"][-1]["cells"][-1] == calc.fmt(sub.final_total)


def _sheet_of_size(leaves: int) -> Submission:
    """A fresh bloc whose template has `leaves` graded lines under one group, and the sheet of
    one of its members in a year-end round."""
    bloc, members, _term = make_bloc_world(units=2)
    rows = [CriterionRow("I", "Nhóm", "group", Decimal(leaves))]
    rows += [
        CriterionRow(str(i), f"Tiêu chí {i}", "graded", Decimal(1), parent_index=0)
        for i in range(1, leaves + 1)
    ]
    make_template(bloc, 2026, sample=lambda: (rows, {"max_total": Decimal(leaves)}, []))
    round = Round.objects.create(
        bloc=bloc,
        year=2026,
        key="tong_ket",
        kind="tong_ket",
        name="Tổng kết",
        due=dt.date(2026, 12, 15),
        with_score_sheet=True,
    )
    sub = sheet_services.submission_open(round=round, unit=members[1], actor=None)
    return Submission.objects.get(pk=sub.pk)


def test_the_sheet_context_costs_the_same_queries_at_10_and_150_criteria(db):
    counts = []
    for size in (10, 150):
        sub = _sheet_of_size(size)
        with CaptureQueriesContext(connection) as queries:
            ctx = build_sheet_context(sub)
        assert len(ctx.extra["table"]["rows"]) == size + 2  # group, lines, total
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] <= 14, counts


# ---------------------------------------------------------------- the signer


def test_signer_save_is_audited_and_an_unchanged_save_records_nothing(world, tong_ket):
    sub = draft(world, tong_ket)
    user = world.users["unit_a"]
    sub = sheet_services.signer_save(
        submission=sub, actor=user, signer_position=" Giám đốc ", signer_name="Lê Văn Ký"
    )
    assert (sub.signer_position, sub.signer_name) == ("Giám đốc", "Lê Văn Ký")
    event = AuditEvent.objects.filter(action="submission.signer").get()
    assert event.data["changes"]["signer_name"] == {"old": "", "new": "Lê Văn Ký"}
    sheet_services.signer_save(
        submission=sub, actor=user, signer_position="Giám đốc", signer_name="Lê Văn Ký"
    )
    assert AuditEvent.objects.filter(action="submission.signer").count() == 1


def test_signer_cannot_change_once_submitted(world, tong_ket):
    sub = submitted(world, tong_ket)
    with pytest.raises(ValidationError, match="không sửa được"):
        sheet_services.signer_save(
            submission=sub, actor=world.users["unit_a"], signer_position="", signer_name="Khác"
        )
    assert Submission.objects.get(pk=sub.pk).signer_name == "Lê Văn Ký"


def test_signer_page_saves_for_the_own_unit_and_prefills_from_the_last_round(
    world, tong_ket, so_ket, client_for
):
    earlier = draft(world, so_ket)
    sheet_services.signer_save(
        submission=earlier,
        actor=world.users["unit_a"],
        signer_position="Giám đốc",
        signer_name="Lê Văn Ký",
    )
    sub = draft(world, tong_ket)
    url = reverse("scoring:sheet_signer", args=[world.bloc.pk, world.year, sub.pk])
    client = client_for("unit_a")
    page = client.get(url)
    assert page.status_code == 200 and 'value="Lê Văn Ký"' in page.content.decode()
    data = {"signer_position": "Phó Giám đốc", "signer_name": "Ngô Thị Ký"}
    stale = client.post(url, {**data, "revision": sub.revision - 1})
    assert stale.status_code == 200 and "vừa được người khác thay đổi" in stale.content.decode()
    response = client.post(url, {**data, "revision": sub.revision})
    sub.refresh_from_db()
    assert response.status_code == 302 and sub.signer_name == "Ngô Thị Ký"
    assert client_for("unit_b").post(url, {"signer_name": "X"}).status_code == 403


def test_signer_page_keeps_a_too_long_name_out(world, tong_ket, client_for):
    sub = draft(world, tong_ket)
    url = reverse("scoring:sheet_signer", args=[world.bloc.pk, world.year, sub.pk])
    response = client_for("unit_a").post(url, {"signer_name": "x" * 151})
    assert response.status_code == 200 and "Họ tên dài quá 150 ký tự." in response.content.decode()
    assert Submission.objects.get(pk=sub.pk).signer_name == ""


# ---------------------------------------------------------------- downloads and their gate


def _url(name, world, sub):
    return reverse(name, args=[world.bloc.pk, world.year, sub.pk])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("unit_a", 200),
        ("chair", 200),
        ("deputy", 200),
        ("reviewer", 200),
        ("admin", 200),
        ("unit_b", 403),
        ("outsider", 404),
    ],
)
def test_sheet_docx_download_gate(world, tong_ket, client_for, persona, status):
    sub = draft(world, tong_ket)
    response = client_for(persona).get(_url("scoring:sheet_docx", world, sub))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].endswith('.docx"')


def test_the_cross_scoring_unit_assigned_may_download_the_sheet(world, tong_ket, client_for):
    sub = draft(world, tong_ket)
    ReviewSetup.objects.create(bloc=world.bloc, year=world.year, mode="cross")
    CrossAssignment.objects.create(
        bloc=world.bloc, year=world.year, reviewer=world.unit_b, reviewed=world.unit_a
    )
    response = client_for("unit_b").get(_url("scoring:sheet_pdf", world, sub) + "?format=html")
    assert response.status_code == 200 and "SỞ TƯ PHÁP THỬ" in response.content.decode()


def test_sheet_pdf_download_is_a_pdf_and_previews_as_html(world, tong_ket, client_for):
    sub = submitted(world, tong_ket)
    client = client_for("unit_a")
    response = client.get(_url("scoring:sheet_pdf", world, sub))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith('attachment; filename="Bang-tu-cham-diem')
    preview = client.get(_url("scoring:sheet_pdf", world, sub) + "?format=html")
    assert "BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM 2026" in preview.content.decode()


def test_a_round_without_a_sheet_has_no_sheet_document(world, so_ket, client_for):
    sub = draft(world, so_ket)
    assert client_for("unit_a").get(_url("scoring:sheet_pdf", world, sub)).status_code == 404


def test_render_document_sheet_writes_the_file(world, tong_ket, tmp_path):
    sub = submitted(world, tong_ket)
    out = tmp_path / "sheet.docx"
    call_command("render_document", "sheet", str(sub.pk), "--format", "docx", "-o", str(out))
    assert "Lê Văn Ký" in "\n".join(
        c.text for t in Document(str(out)).tables for r in t.rows for c in r.cells
    )
