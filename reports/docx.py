"""The Word (.docx) version of a document, built from the SAME context as the PDF: same header
table, Times New Roman at the profile's sizes, the profile's margins, page numbers top-centre from
page 2, Nơi nhận beside the signature in a borderless table that does not split."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell

from reports.documents import Block, PlanDocContext, ProfileNumbers, Run
from reports.textfit import FINAL_LEFT_SHARE, LEFT_SHARE, text_width_pt

FONT = "Times New Roman"
CENTER, JUSTIFY, LEFT = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
    WD_ALIGN_PARAGRAPH.LEFT,
)


def _para(
    container: Any,
    runs: list[Run],
    size: float,
    *,
    align: Any = CENTER,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    indent_mm: float = 0,
    after_pt: float = 0,
    line: float | Any = 1.0,
) -> Any:
    fresh = isinstance(container, _Cell) and len(container.paragraphs) == 1
    if fresh and len(container.paragraphs[0]._p) == 0:  # a new cell's empty paragraph: reuse it
        para = container.paragraphs[0]
    else:
        para = container.add_paragraph()
    fmt = para.paragraph_format
    fmt.alignment, fmt.space_before, fmt.space_after, fmt.line_spacing = (
        align,
        Pt(0),
        Pt(after_pt),
        line,
    )
    if indent_mm:
        fmt.first_line_indent = Mm(indent_mm)
    for r in runs:
        run = para.add_run(r.text)
        run.bold, run.italic, run.underline = bold or r.bold, italic or r.italic, underline or None
        run.font.size, run.font.name = Pt(size), FONT
    return para


def _mm(points: float) -> float:
    return points * 25.4 / 72


def _text(container: Any, text: str, size: float, **kwargs: Any) -> Any:
    return _para(container, [Run(text)], size, **kwargs)


def _rule(container: Any, width_pt: float, box_pt: float, *, gap_pt: float = 1) -> None:
    """A centred horizontal rule `width_pt` long inside a box `box_pt` wide."""
    para = _para(container, [], 1, line=Pt(gap_pt + 1))
    side = max((box_pt - width_pt) / 2, 0)
    para.paragraph_format.left_indent = para.paragraph_format.right_indent = Pt(side)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "0"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    para._p.get_or_add_pPr().append(borders)


def _table(doc: Any, widths_mm: list[float], *, keep_together: bool = False) -> Table:
    table = doc.add_table(rows=1, cols=len(widths_mm))
    table.alignment, table.autofit = WD_TABLE_ALIGNMENT.CENTER, False
    props = table._tbl.tblPr
    borders, margins = OxmlElement("w:tblBorders"), OxmlElement("w:tblCellMar")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    props.append(borders)
    props.append(margins)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    if keep_together:
        for row in table.rows:
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return table


def _page_number(section: Any, size: float) -> None:
    para = section.header.paragraphs[0]
    para.alignment = CENTER
    for kind, text in (("begin", ""), ("", " PAGE "), ("end", "")):
        run = para.add_run()
        run.font.size, run.font.name = Pt(size), FONT
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _setup(doc: Any, p: ProfileNumbers) -> float:
    """Page, margins, default font; returns the text width in pt."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(p.margin_top_mm), Mm(p.margin_bottom_mm)
    section.left_margin, section.right_margin = Mm(p.margin_left_mm), Mm(p.margin_right_mm)
    section.header_distance = Mm(min(8.0, p.margin_top_mm / 2))
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # an empty header on page 1
    _page_number(section, p.page_number_pt)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(p.body_pt)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    return Mm(210 - p.margin_left_mm - p.margin_right_mm).pt


def _block(doc: Any, block: Block, p: ProfileNumbers, *, keep_with_next: bool = False) -> None:
    runs = list(block.runs)
    if block.kind == "heading" and block.label:
        runs.insert(0, Run(f"{block.label} ", bold=True))
    elif block.kind == "bullet":
        runs.insert(0, Run(f"{block.marker} ", italic=bool(runs and runs[0].italic)))
    para = _para(
        doc,
        runs,
        p.body_pt,
        align=JUSTIFY,
        indent_mm=p.first_line_indent_mm,
        after_pt=p.paragraph_spacing_pt,
        line=p.line_height,
    )
    para.paragraph_format.keep_with_next = keep_with_next or block.kind == "heading"


def _data_table(doc: Any, table: dict[str, Any], p: ProfileNumbers, width: float) -> None:
    """A ruled table after the body (registration table, giao ước)."""
    headers, rows = table["headers"], table["rows"]
    shares = table.get("shares") or [0.07, 0.23, 0.36, 0.17, 0.17][: len(headers)]
    grid = doc.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    grid.autofit = False
    size = p.recipients_label_pt
    for cell, text, share in zip(grid.rows[0].cells, headers, shares, strict=True):
        cell.width = Mm(_mm(width * share))
        _text(cell, text, size, bold=True)
    for row in rows:
        cells = grid.add_row().cells
        for cell, text, share in zip(cells, row, shares, strict=True):
            cell.width = Mm(_mm(width * share))
            for line in str(text).split("\n"):
                _text(cell, line, size, align=LEFT)
    _text(doc, "", 6)


def render_docx(ctx: PlanDocContext) -> bytes:
    """The .docx bytes of a document context."""
    p = ctx.profile
    doc = Document()
    width = _setup(doc, p)
    left, right = width * LEFT_SHARE, width * (1 - LEFT_SHARE)
    header = _table(doc, [_mm(left), _mm(right)])
    cell_l, cell_r = header.rows[0].cells
    for line in ctx.parent_issuer_lines:
        _text(cell_l, line, p.issuer_pt)
    for line in ctx.issuer_lines:
        _text(cell_l, line, p.issuer_pt, bold=True)
    if p.issuer_mark:
        _text(cell_l, p.issuer_mark, p.issuer_pt)
    else:
        widest = max(
            (text_width_pt(x, p.issuer_pt, bold=True) for x in ctx.issuer_lines), default=0
        )
        _rule(cell_l, min(widest, left) * 0.4, left)
    _text(cell_r, ctx.national_title, p.national_title_pt, bold=True)
    ruled, ruled_pt = (
        (ctx.motto, p.motto_pt) if ctx.motto else (ctx.national_title, p.national_title_pt)
    )
    if ctx.motto:
        _text(cell_r, ctx.motto, p.motto_pt, bold=True)
    _rule(cell_r, min(text_width_pt(ruled, ruled_pt, bold=True), right), right)
    row = header.add_row().cells
    _text(row[0], ctx.number_text, p.number_pt, line=1.0).paragraph_format.space_before = Pt(6)
    if ctx.draft_marker:
        _text(row[0], ctx.draft_marker, p.number_pt)
    date = _text(row[1], ctx.place_date_text, p.place_date_pt, italic=True)
    date.paragraph_format.space_before = Pt(6)

    _text(doc, ctx.doc_type_name, p.doc_type_pt, bold=True).paragraph_format.space_before = Pt(18)
    for line in ctx.title_lines:
        _text(doc, line, p.title_pt, bold=True)
    if p.title_mark:
        _text(doc, p.title_mark, p.title_pt, after_pt=12)
    else:
        _rule(doc, width * 0.3, width)
        _text(doc, "", 6)
    for block in ctx.bases + ctx.preamble + ctx.body:
        _block(doc, block, p)
    for block in ctx.closing:
        _block(doc, block, p, keep_with_next=True)
    if ctx.extra.get("table"):
        _data_table(doc, ctx.extra["table"], p, width)

    final = _table(
        doc,
        [_mm(width * FINAL_LEFT_SHARE), _mm(width * (1 - FINAL_LEFT_SHARE))],
        keep_together=True,
    )
    rec, sig = final.rows[0].cells
    underline = ctx.recipients.underline
    _text(
        rec,
        ctx.recipients.label,
        p.recipients_label_pt,
        align=LEFT,
        bold=not underline,
        italic=not underline,
        underline=underline,
    )
    for item in ctx.recipients.items:
        _text(rec, item, p.recipients_pt, align=LEFT)
    for line in ctx.signature.before_gap:
        _text(sig, line.text, p.signature_pt, bold=True)
    _para(sig, [], p.signature_pt, line=Mm(24))
    for line in ctx.signature.after_gap:
        _text(sig, line.text, p.signature_pt, bold=True)
    for para in rec.paragraphs + sig.paragraphs:
        para.paragraph_format.keep_with_next = True
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
