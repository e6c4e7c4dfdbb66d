"""The ranking table as .xlsx (openpyxl): one row per unit in rank order with its total, group
subtotals, band, eligibility with the reasons and the tie-break trace; numbers as numbers."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from scoring.selectors_ranking import RankingView


def export_ranking(view: RankingView, *, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Xếp hạng"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    status = view.ranking.get_status_display() if view.ranking else "Chưa tính"
    ws.append([f"Trạng thái: {status}"])
    heads = [
        "Hạng",
        "Đơn vị",
        "Tổng điểm",
        *[f"Nhóm {c}" for c in view.groups],
        "Điểm thưởng",
        "Điểm trừ",
        "Xếp loại",
        "Điều kiện",
        "Lý do",
        "Phân định khi bằng điểm",
    ]
    ws.append(heads)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in view.rows:
        ws.append(
            [
                r.rank,
                r.unit.name + (" (không trọn năm)" if r.partial_year else ""),
                r.total,
                *r.subtotals.values(),
                r.bonus,
                r.penalty,
                r.band,
                r.gate_label + (" – dẫn đầu" if r.leader else ""),
                "\n".join(r.reasons),
                "\n".join(step["text"] for step in r.trace),
            ]
        )
    widths = [7, 42, 11, *[9] * len(view.groups), 11, 9, 28, 22, 50, 70]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "C4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
