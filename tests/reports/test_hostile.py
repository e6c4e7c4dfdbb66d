"""Hostile and oversized content: markup stays text, everything renders and paginates."""

from __future__ import annotations

import io

import pytest
from docx import Document

from reports.documents import build_plan_context
from reports.docx import render_docx
from reports.render import html_to_pdf, render_html
from tests.reports.pdfread import A4, MM, full_text, read_pages, squash
from tests.reports.plan_data import Node, make_plan

SCRIPT = '<script>alert("x")</script>'
IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel="stylesheet" href="https://evil.example/x.css">'


@pytest.fixture
def hostile(db):
    long_line = "Nội dung dòng {} có <b>thẻ</b> & ký tự “đặc biệt” ** * _ {{ }} {{% %}}."
    return make_plan(
        title=f"Kế hoạch {SCRIPT} {IMG} " + "rất dài " * 245,
        preamble=[f"Mở đầu {LINK} **đậm <i>thẻ</i>**."],
        body=[
            Node(
                "I.",
                f"Mục {SCRIPT}",
                [f"Đoạn {IMG} và {LINK}."],
                [
                    Node("1.", "Ba trăm dòng", [long_line.format(i) for i in range(300)]),
                    Node("2.", "", ["Từ-rất-dài-" + "x" * 400 + "."]),
                ],
            ),
        ],
        recipients=[(f"Đơn vị {i} <u>{SCRIPT}</u>", "b/c", False) for i in range(50)]
        + [("Lưu: VT", "", True)],
        signature=[("position", f"TRƯỞNG KHỐI {SCRIPT}", False), ("name", "Nguyễn <b>A</b>", True)],
        closing=f"Trên đây là Kế hoạch {SCRIPT}./.",
    )


def test_title_is_two_thousand_characters(hostile):
    assert len(hostile.title) >= 2000


def test_markup_in_the_data_is_escaped_in_html(hostile):
    html = render_html(build_plan_context(hostile))
    assert "<script" not in html and "<img" not in html and "<u>" not in html
    assert html.count('rel="stylesheet"') == 1  # only ours
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;thẻ&lt;/b&gt;" in html
    assert "<b>đậm &lt;i&gt;thẻ&lt;/i&gt;</b>" in html  # ** is ours: bold; <i> stays text


def test_hostile_plan_renders_to_pdf_as_literal_text_and_paginates(hostile):
    ctx = build_plan_context(hostile)
    pdf = html_to_pdf(render_html(ctx))
    pages = read_pages(pdf, ctx.profile.margin_top_mm)
    assert len(pages) >= 10
    text = squash(full_text(pdf))
    assert squash(SCRIPT) in text and squash(IMG) in text
    assert squash("Nội dung dòng 299 có <b>thẻ</b>") in text
    assert squash("- Đơn vị 49 <u>") in text and "-Lưu:VT." in text
    right = A4[0] - ctx.profile.margin_right_mm * MM + 1
    assert all(c["x1"] <= right for page in pages for c in page.chars), "text overflows the margin"


def test_hostile_plan_renders_to_docx(hostile):
    ctx = build_plan_context(hostile)
    doc = Document(io.BytesIO(render_docx(ctx)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert f"I. MỤC {SCRIPT.upper()}" in text
    assert "Nội dung dòng 299 có <b>thẻ</b>" in text
    assert "- Đơn vị 49 <u>" in cells and "Nguyễn <b>A</b>" in cells


def test_an_empty_plan_still_renders(db):
    plan = make_plan(body=[], preamble=[], closing="", recipients=[], signature=[], title="X")
    ctx = build_plan_context(plan)
    assert html_to_pdf(render_html(ctx)).startswith(b"%PDF")
    assert render_docx(ctx).startswith(b"PK")
