"""The unit's self-scoring sheet as an official document: BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM …
(NĐ 30 layout, the UNIT as issuer, its parent body above it, its signer), printed landscape
because the table has up to seven columns (NĐ 30 allows landscape for tables).

The table shows the criteria in tree order with their maxima, the unit's points and explanation;
once a reviewer has scored a line, the reviewed points; once the sheet is final, the final points;
group subtotals, the late penalty when the unit was late, and the total. A sheet that the unit can
still edit prints "(Dự thảo)". Nothing here writes; the sheet is read in a fixed number of queries
(scoring.selectors_sheets.sheet_view).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from blocs.access import BlocScope
from blocs.models import Unit
from plans import services as plan_services
from reports.documents import (
    DRAFT_MARKER,
    PlanDocContext,
    Recipients,
    Signature,
    SignLine,
    ascii_slug,
    caps,
    nfc,
    profile_numbers,
    vn_month,
)
from reports.services import CONTENT_TYPES, live_body
from reports.textfit import header_lines, left_column_pt
from scoring import calc
from scoring.models import Submission
from scoring.selectors import build_nodes
from scoring.selectors_sheets import SheetRow, SheetView, sheet_view

A4_LANDSCAPE_WIDTH_MM = 297
DEFAULT_SIGNER = "THỦ TRƯỞNG ĐƠN VỊ"
MINUS = "−"


def sheet_columns(view: SheetView) -> tuple[bool, bool]:
    """(reviewed column shown, final column shown): the reviewed points once any line has been
    reviewed, the final points once the sheet is final."""
    reviewed = any(r.reviews for r in view.leaves)
    return reviewed, view.scores is not None and view.scores.final is not None


def _pools(view: SheetView) -> dict[int, str]:
    """criterion id → the total it counts toward (base, bonus, penalty)."""
    out: dict[int, str] = {}

    def walk(nodes: Any, inherited: str | None) -> None:
        for node in nodes:
            kind = inherited or calc.pool(node)
            out[int(node.key)] = kind
            walk(node.children, kind if kind != calc.BASE else None)

    walk(build_nodes([r.criterion for r in view.rows]), None)
    return out


def _points(value: Decimal | None, pool: str) -> str:
    text = calc.fmt(value)
    return f"{MINUS}{text}" if pool == calc.PENALTY_POOL and value else text


def _explanation(row: SheetRow) -> str:
    if row.entry is None:
        return ""
    parts = [nfc(row.entry.explanation).strip()]
    if row.files:
        parts.append("Minh chứng: " + ", ".join(nfc(f.name) for f in row.files))
    return "\n".join(p for p in parts if p)


def sheet_table(view: SheetView) -> dict[str, Any]:
    """The printed table: headers, column shares and alignment, and rows {"style": group /
    leaf / total, "cells": [...]}."""
    reviewed, final = sheet_columns(view)
    headers = ["TT", "Nội dung tiêu chí", "Điểm tối đa", "Điểm tự chấm", "Giải trình, minh chứng"]
    if reviewed:
        headers.append("Điểm thẩm định")
    if final:
        headers.append("Điểm thống nhất")
    # the score columns after the explanation: none, one (reviewed or agreed only) or both
    shares = {
        5: [0.06, 0.38, 0.08, 0.08, 0.40],
        6: [0.06, 0.34, 0.08, 0.08, 0.34, 0.10],
        7: [0.06, 0.30, 0.08, 0.08, 0.30, 0.09, 0.09],
    }[len(headers)]
    pools = _pools(view)
    rows, styles = [], []
    for r in view.rows:
        pool = pools.get(r.criterion.pk, calc.BASE)
        cells = [
            nfc(r.criterion.code),
            nfc(r.criterion.content),
            calc.fmt(r.criterion.max_points),
            _points(r.self_points, pool),
            _explanation(r),
        ]
        if reviewed:
            cells.append(_points(r.reviewed_points, pool) if r.is_group or r.reviews else "")
        if final:
            cells.append(_points(r.final_points, pool))
        rows.append(cells)
        styles.append("group" if r.is_group else "leaf")
    rows, styles = _total_rows(view, rows, styles, reviewed, final)
    align = ["center", "left", "center", "center", "left", "center", "center"][: len(headers)]
    return {
        "headers": headers,
        "rows": [{"style": s, "cells": c} for s, c in zip(styles, rows, strict=True)],
        "shares": shares,
        "align": align,
    }


def _total_rows(
    view: SheetView, rows: list, styles: list, reviewed: bool, final: bool
) -> tuple[list, list]:
    sub, scores = view.submission, view.scores
    if scores is None:
        return rows, styles
    width = 5 + reviewed + final
    if sub.late and sub.late_penalty:
        penalty = f"{MINUS}{calc.fmt(sub.late_penalty)}"
        cells = ["", "Trừ điểm do nộp báo cáo muộn hạn", "", penalty, ""]
        rows.append((cells + [penalty] * (width - 5))[:width])
        styles.append("leaf")
    totals = [calc.fmt(scores.self.total.total), ""]
    if reviewed:
        totals.append(calc.fmt(scores.reviewed.total.total))
    if final:
        totals.append(calc.fmt(scores.final.total.total))
    max_total = calc.fmt(sub.template.max_total)
    rows.append(["", "TỔNG ĐIỂM", max_total, *totals])
    styles.append("total")
    return rows, styles


def _place_date(sub: Submission, unit: Unit, draft: bool) -> str:
    place = nfc(unit.province.name)
    when = sub.submitted_at
    if draft or when is None:
        return f"{place}, ngày {' ' * 4} tháng {' ' * 4} năm {sub.round.year}"
    d = timezone.localtime(when).date()
    return f"{place}, ngày {d.day:02d} tháng {vn_month(d.month)} năm {d.year}"


def _signature(sub: Submission) -> Signature:
    position = caps(sub.signer_position).strip() or DEFAULT_SIGNER
    after = [SignLine("name", nfc(sub.signer_name).strip())] if sub.signer_name.strip() else []
    return Signature([SignLine("position", position)], after)


def build_sheet_context(submission: Submission, scope: BlocScope | None = None) -> PlanDocContext:
    """BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM … of a unit's submission, ready to print (PDF, DOCX);
    `scope`: the gate's (see sheet_view)."""
    view = sheet_view(submission, scope)
    sub = view.submission
    unit = sub.unit  # with its province and parent (submissions_qs)
    if not {"province", "parent"} <= unit._state.fields_cache.keys():
        unit = Unit.objects.select_related("province", "parent").get(pk=sub.unit_id)
    bloc, year = sub.round.bloc, sub.round.year
    profile = plan_services.default_profile()
    draft = sub.is_editable
    column = left_column_pt(
        float(profile.margin_left_mm),
        float(profile.margin_right_mm),
        page_width_mm=A4_LANDSCAPE_WIDTH_MM,
    )
    size = float(profile.issuer_pt)
    parent = caps(unit.parent.name) if unit.parent else ""
    addressee = nfc(sub.round.addressee).strip() or "Trưởng khối"
    stem = f"Bang-tu-cham-diem-{ascii_slug(unit.short_name or unit.name)}-{year}"
    return PlanDocContext(
        profile=profile_numbers(profile),
        parent_issuer_lines=header_lines(parent, width_pt=column, size_pt=size) if parent else [],
        issuer_lines=header_lines(caps(unit.name), width_pt=column, size_pt=size, bold=True),
        national_title=caps(profile.national_title),
        motto=nfc(profile.motto),
        number_text="",
        is_draft=draft,
        draft_marker=DRAFT_MARKER if draft else "",
        place_date_text=_place_date(sub, unit, draft),
        doc_type_name=f"BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {year}",
        title_lines=[nfc(bloc.name), f"({nfc(sub.round.name)})"],
        bases_style="paragraph",
        bases=[],
        preamble=[],
        theme="",
        body=[],
        closing=[],
        recipients=Recipients(
            "Nơi nhận:", False, [f"- {addressee} {nfc(bloc.name)};", "- Lưu: VT."]
        ),
        signature=_signature(sub),
        filename_stem=("Du-thao-" if draft else "") + stem,
        kind="sheet",
        extra={
            "landscape": True,
            "table": sheet_table(view),
            "submission_id": sub.pk,
            "status": sub.status,
        },
    )


def sheet_document(
    submission: Submission, fmt: str, scope: BlocScope | None = None
) -> tuple[bytes | str, str, str]:
    """(body, filename, content type) of a unit's sheet in `fmt` ("pdf", "docx", "html"),
    rendered from the live rows (a PDF of an unchanged sheet comes from the draft cache)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unsupported document format: {fmt}")
    if not submission.has_sheet:
        raise ValueError("This round has no self-scoring sheet.")
    return live_body(build_sheet_context(submission, scope), fmt)
