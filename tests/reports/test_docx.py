"""The Word file read back with python-docx: page, margins, fonts, page numbers, texts."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.shared import Mm, Pt

from reports.documents import build_plan_context
from reports.docx import render_docx

FONT = "Times New Roman"


def open_docx(plan):
    ctx = build_plan_context(plan)
    return ctx, Document(io.BytesIO(render_docx(ctx)))


def all_paragraphs(doc):
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def all_text(doc) -> str:
    return "\n".join(p.text for p in all_paragraphs(doc))


@pytest.mark.parametrize("fixture", ["state_issued", "party_issued"])
def test_page_and_margins_come_from_the_profile(request, fixture):
    ctx, doc = open_docx(request.getfixturevalue(fixture))
    section, p = doc.sections[0], ctx.profile
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    for side in ("top", "bottom", "left", "right"):
        assert abs(getattr(section, f"{side}_margin") - Mm(getattr(p, f"margin_{side}_mm"))) < Mm(
            0.1
        )


def test_page_number_field_from_page_two(state_issued):
    _ctx, doc = open_docx(state_issued)
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert section.first_page_header.paragraphs[0].text == ""
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and 'w:fldCharType="begin"' in header_xml
    runs = section.header.paragraphs[0].runs
    assert all(r.font.size == Pt(14) for r in runs)


def test_every_run_is_times_new_roman(long_state):
    _ctx, doc = open_docx(long_state)
    assert doc.styles["Normal"].font.name == FONT
    runs = [r for p in all_paragraphs(doc) for r in p.runs if r.text.strip()]
    assert runs and all(r.font.name == FONT for r in runs)


def test_sizes_and_styles(state_issued):
    ctx, doc = open_docx(state_issued)
    p = ctx.profile

    def run_of(text):
        return next(r for par in all_paragraphs(doc) for r in par.runs if r.text == text)

    title = run_of("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert title.bold and title.font.size == Pt(p.national_title_pt)
    motto = run_of("Độc lập - Tự do - Hạnh phúc")
    assert motto.bold and motto.font.size == Pt(p.motto_pt)
    date = run_of("Tuyên Quang, ngày 05 tháng 02 năm 2027")
    assert date.italic and date.font.size == Pt(p.place_date_pt)
    label = run_of("Nơi nhận:")
    assert label.bold and label.italic and label.font.size == Pt(p.recipients_label_pt)
    assert run_of("- Lưu: VT, TH. H15.").font.size == Pt(p.recipients_pt)
    assert run_of("Đại tá Hà Đình Khiêm").bold


def test_body_paragraphs_are_justified_and_indented(state_issued):
    ctx, doc = open_docx(state_issued)
    body = next(par for par in doc.paragraphs if par.text.startswith("- Phát huy tinh thần"))
    fmt = body.paragraph_format
    assert abs(fmt.first_line_indent - Mm(ctx.profile.first_line_indent_mm)) < Mm(0.05)
    assert fmt.space_after == Pt(ctx.profile.paragraph_spacing_pt)
    assert body.alignment == 3  # WD_ALIGN_PARAGRAPH.JUSTIFY


def test_state_texts(long_state):
    ctx, doc = open_docx(long_state)
    text = all_text(doc)
    for expected in (
        "TỈNH TUYÊN QUANG",
        "KHỐI THI ĐUA NỘI CHÍNH",
        "Số: 11/KH-KTĐNC",
        "Tuyên Quang, ngày 24 tháng 01 năm 2022",
        "KẾ HOẠCH",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1.1. Triển khai thực hiện hiệu quả",
        "- Ban TĐKT tỉnh (Báo cáo);",
        "CHÍNH ỦY",
        "Đại tá Hà Đình Khiêm",
    ):
        assert expected in text
    assert "ĐẢNG CỘNG SẢN" not in text
    assert ctx.closing[-1].text in text


def test_header_and_final_block_are_borderless_side_by_side_tables(state_issued):
    _ctx, doc = open_docx(state_issued)
    header, final = doc.tables[0], doc.tables[-1]
    assert len(header.columns) == 2 and len(final.columns) == 2
    number, date = header.rows[1].cells
    assert number.text.startswith("Số: 01/KH-KTĐNC") and date.text.startswith("Tuyên Quang")
    recipients, signature = final.rows[0].cells
    assert recipients.paragraphs[0].text == "Nơi nhận:"
    assert "TRƯỞNG KHỐI THI ĐUA" in signature.text
    for table in (header, final):
        assert 'w:val="nil"' in table._tbl.tblPr.xml
    assert "w:cantSplit" in final._tbl.xml


def test_party_texts_and_marks(party_draft):
    _ctx, doc = open_docx(party_draft)
    text = all_text(doc)
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "*",
        "-----",
        "Số      -KH/KTĐ",
        "(Dự thảo)",
        "I- MỤC ĐÍCH, YÊU CẦU",
        "- Lưu Ban Tuyên giáo Tỉnh ủy.",
        "Vũ Mạnh Hà",
    ):
        assert expected in text
    assert "CỘNG HÒA" not in text
    label = next(r for p in all_paragraphs(doc) for r in p.runs if r.text == "Nơi nhận:")
    assert label.underline and not label.bold
