"""All five seed plans, as the demo loads them through the importer, print as official documents:
read back from the PDF (page size, margins, fonts, page numbers, text) and from the DOCX."""

from __future__ import annotations

import io
import re
from difflib import SequenceMatcher

import docx
import pdfplumber
import pytest
from django.core.management import call_command

from plans.datelinks import resolve
from plans.models import Plan
from plans.selectors import schedule_values
from reports.documents import build_plan_context
from reports.services import plan_document
from tests.reports.pdfread import A4, MM, embedded_fonts, full_text, read_pages, squash

PROVINCES = ["Tuyên Quang", "Hà Tĩnh", "Tây Ninh", "Hà Giang", "Quảng Trị"]


@pytest.fixture
def seeds(db, settings):
    """The demo data, each seed plan rendered to PDF and DOCX and read back."""
    settings.DEBUG = True
    call_command("seed_demo")
    out = {}
    if True:
        for plan in Plan.objects.select_related("bloc__province", "format_profile"):
            pdf, pdf_name, _ = plan_document(plan=plan, fmt="pdf")
            docx_bytes, docx_name, _ = plan_document(plan=plan, fmt="docx")
            out[plan.bloc.province.name] = {
                "plan": plan,
                "profile": plan.format_profile,
                "pdf": pdf,
                "docx": docx_bytes,
                "names": (pdf_name, docx_name),
                "expected": expected_body(plan),
                "pages": read_pages(pdf, float(plan.format_profile.margin_top_mm)),
                "text": full_text(pdf),
            }
    return out


def expected_body(plan: Plan) -> str:
    """The plan's own text (sections in order, labels, titles, paragraphs) without markup, its
    linked dates read from the schedule."""
    values = schedule_values(plan)
    rows = list(plan.sections.order_by("order", "id"))
    children: dict = {}
    for s in rows:
        children.setdefault(s.parent_id, []).append(s)
    parts: list[str] = []

    def walk(parent, level):
        for s in children.get(parent, []):
            label = s.label
            if level == 1:
                label = label.rstrip(".-–") + ("-" if plan.format_profile.is_party else ".")
            parts.append(f"{label} {s.title.upper() if level == 1 else s.title}")
            parts[-1] = resolve(parts[-1], values)
            parts.append(resolve(s.content, values))
            walk(s.pk, level + 1)

    walk(None, 1)
    return re.sub(r"\*+", "", "\n".join(parts))


def check_seed_pdf_is_a4_inside_margins_with_times_fonts(seeds):
    for province in PROVINCES:
        _test_seed_pdf_is_a4_inside_margins_with_times_fonts(seeds, province)


def _test_seed_pdf_is_a4_inside_margins_with_times_fonts(seeds, province):
    s = seeds[province]
    p = s["profile"]
    left, right = float(p.margin_left_mm) * MM - 1, A4[0] - float(p.margin_right_mm) * MM + 1
    top, bottom = float(p.margin_top_mm) * MM - 1, A4[1] - float(p.margin_bottom_mm) * MM + 1
    assert len(s["pages"]) >= 2
    for page in s["pages"]:
        assert abs(page.width - A4[0]) <= 1 and abs(page.height - A4[1]) <= 1
        for c in page.chars:
            if c["bottom"] <= top + 1:
                continue  # the page number, in the top margin
            assert left <= c["x0"] and c["x1"] <= right, (province, page.number, c["text"])
            assert c["bottom"] <= bottom, (province, page.number, c["text"])
    for name in embedded_fonts(s["pdf"]):
        assert name.replace("-", "").startswith(("LiberationSerif", "TimesNewRoman")), name


def check_seed_pdf_numbers_pages_two_to_n_at_top_centre(seeds):
    for province in PROVINCES:
        _test_seed_pdf_numbers_pages_two_to_n_at_top_centre(seeds, province)


def _test_seed_pdf_numbers_pages_two_to_n_at_top_centre(seeds, province):
    pages = seeds[province]["pages"]
    assert pages[0].header.strip() == ""
    assert [p.header.strip() for p in pages[1:]] == [str(n) for n in range(2, len(pages) + 1)]


def check_seed_pdf_body_equals_the_plan_text(seeds):
    for province in PROVINCES:
        _test_seed_pdf_body_equals_the_plan_text(seeds, province)


def _test_seed_pdf_body_equals_the_plan_text(seeds, province):
    s = seeds[province]
    printed = squash("".join(page.body for page in s["pages"]))
    expected = squash(s["expected"])
    head, tail = expected[:25], expected[-25:]
    start, end = printed.index(head), printed.rindex(tail) + len(tail)
    ratio = SequenceMatcher(None, printed[start:end], expected, autojunk=False).ratio()
    assert ratio >= 0.98, (province, ratio)


def check_party_markers_only_in_the_party_seed(seeds):
    for province in PROVINCES:
        _test_party_markers_only_in_the_party_seed(seeds, province)


def _test_party_markers_only_in_the_party_seed(seeds, province):
    text = seeds[province]["text"]
    party = province == "Hà Giang"
    assert ("ĐẢNG CỘNG SẢN VIỆT NAM" in text) is party
    assert ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text) is not party
    assert ("Độc lập - Tự do - Hạnh phúc" in text) is not party
    assert ("-----" in text) is party
    assert bool(re.search(r"^I- MỤC ĐÍCH", text, re.M)) is party
    assert bool(re.search(r"^I\. MỤC ĐÍCH", text, re.M)) is not party


def check_seed_000_prints_its_number_date_and_military_signer(seeds):
    s = seeds["Tuyên Quang"]
    text = s["text"]
    assert "Số: 11/KH-KTĐNC" in text
    assert "Tuyên Quang, ngày 24 tháng 01 năm 2022" in text
    assert "Đại tá Hà Đình Khiêm" in text and "(Dự thảo)" not in text
    assert s["names"][0].startswith("KH-11-") and s["names"][0].endswith(".pdf")


def check_seed_drafts_print_blank_number_and_draft_marker(seeds):
    for province in ("Hà Tĩnh", "Tây Ninh", "Hà Giang", "Quảng Trị"):
        text = seeds[province]["text"]
        assert "(Dự thảo)" in text, province
    assert re.search(r"Số:\s+/KH-SNV", seeds["Hà Tĩnh"]["text"])
    assert re.search(r"Số\s+-KH/KTĐ", seeds["Hà Giang"]["text"])
    assert "TM. KHỐI THI ĐUA" in seeds["Quảng Trị"]["text"]


def check_seed_docx_reads_back_with_times_and_the_text(seeds):
    for province in PROVINCES:
        _test_seed_docx_reads_back_with_times_and_the_text(seeds, province)


def _test_seed_docx_reads_back_with_times_and_the_text(seeds, province):
    s = seeds[province]
    document = docx.Document(io.BytesIO(s["docx"]))
    section = document.sections[0]
    assert abs(section.page_width.mm - 210) < 1 and abs(section.page_height.mm - 297) < 1
    assert abs(section.left_margin.mm - float(s["profile"].margin_left_mm)) < 0.5
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    body = squash("\n".join(texts))
    assert squash(s["plan"].title.splitlines()[0])[:30] in body
    expected = squash(s["expected"])
    assert expected[:25] in body and expected[-25:] in body
    fonts = {r.font.name for p in document.paragraphs for r in p.runs if r.font.name}
    assert fonts <= {"Times New Roman"}, fonts


def header_left_lines(s) -> list[str]:
    """The lines printed in the header's left column (issuer block and number) of page 1."""
    p = s["profile"]
    text_width = A4[0] - (float(p.margin_left_mm) + float(p.margin_right_mm)) * MM
    right = float(p.margin_left_mm) * MM + text_width * 0.38
    with pdfplumber.open(io.BytesIO(s["pdf"])) as doc:
        text = doc.pages[0].crop((0, 0, right, 70 * MM)).extract_text() or ""
    return [line.strip() for line in text.splitlines()]


def check_issuer_lines_never_break_a_word(seeds):
    assert header_left_lines(seeds["Tây Ninh"])[1:3] == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ TÂY NINH"]
    for province in PROVINCES:
        # the browser engine wraps nothing: each line the builder laid out prints as one line
        ctx = build_plan_context(seeds[province]["plan"])
        printed = header_left_lines(seeds[province])
        for line in ctx.parent_issuer_lines + ctx.issuer_lines:
            assert line in printed, (province, line, printed)


def test_the_five_seed_plans_print_as_official_documents(seeds):
    """One demo build, every check (building the demo and rendering five plans takes ~9 s)."""
    check_seed_pdf_is_a4_inside_margins_with_times_fonts(seeds)
    check_seed_pdf_numbers_pages_two_to_n_at_top_centre(seeds)
    check_seed_pdf_body_equals_the_plan_text(seeds)
    check_party_markers_only_in_the_party_seed(seeds)
    check_seed_000_prints_its_number_date_and_military_signer(seeds)
    check_seed_drafts_print_blank_number_and_draft_marker(seeds)
    check_seed_docx_reads_back_with_times_and_the_text(seeds)
    check_issuer_lines_never_break_a_word(seeds)
