"""The last stage: the plan's year when the header does not give it, and what the user should
check on the review page (every doubt is a warning, never a refusal)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter

import plans.importer.lexicon as lexicon
from plans.importer.model import ParsedPlan

YEAR_IN_TEXT = re.compile(r"\bnăm\s+((?:19|20)\d{2})\b")
OCR = re.compile("|".join(lexicon.OCR_SUSPECTS))


def plan_year(
    plan: ParsedPlan, header_year: int | None, default: int | None, texts: list[str]
) -> int:
    """The header's year, else the title's, else `default`, else the most cited year."""
    if header_year:
        return header_year
    in_title = YEAR_IN_TEXT.findall(plan.title)
    if in_title:
        return int(in_title[-1])
    if default:
        return default
    years = Counter(int(y) for text in texts[:200] for y in YEAR_IN_TEXT.findall(text))
    year = years.most_common(1)[0][0] if years else dt.date.today().year
    plan.warnings.append(f"Không thấy năm của kế hoạch; tạm lấy năm {year}, hãy kiểm tra.")
    return year


def review_warnings(plan: ParsedPlan, flat: str) -> None:
    """Things the user should check before saving."""
    w = plan.warnings
    if not plan.symbol:
        w.append("Không thấy số, ký hiệu văn bản (dạng “Số: …/KH-…”); hãy nhập ký hiệu.")
    elif plan.doc_type != "KH":
        w.append(f"Ký hiệu loại văn bản là “{plan.doc_type}”, không phải “KH”; hãy kiểm tra.")
    if not plan.place:
        w.append("Không thấy địa danh, ngày tháng năm ban hành; hãy kiểm tra.")
    if not plan.title:
        w.append("Không thấy trích yếu (tên kế hoạch) dưới chữ “KẾ HOẠCH”; hãy nhập.")
    if not plan.closing:
        w.append("Không thấy đoạn kết (“Trên đây là Kế hoạch … ./.”).")
    if not plan.phases:
        w.append(
            "Không thấy các đợt thi đua (“Đợt 1: từ ngày … đến ngày …”); nếu kế hoạch có chia "
            "đợt, hãy nhập tay."
        )
    suspects = sorted({re.sub(r"\s+", " ", m[0]) for m in OCR.finditer(flat)})
    if suspects:
        w.append(
            "Có thể có lỗi nhận dạng chữ (OCR): "
            + ", ".join(f"“{s}”" for s in suspects[:5])
            + " (Khối?); hãy soát lại."
        )
    _late_bases(plan)


def _late_bases(plan: ParsedPlan) -> None:
    """A cited basis dated after the plan (DOMAIN §8.9): warn, do not block."""
    if plan.issue_date:
        limit = plan.issue_date
    elif plan.draft_month:
        limit = dt.date(
            plan.year, plan.draft_month, calendar.monthrange(plan.year, plan.draft_month)[1]
        )
    else:
        return
    for basis in plan.bases:
        for d, m, y in re.findall(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", basis):
            try:
                cited = dt.date(int(y), int(m), int(d))
            except ValueError:
                continue
            if cited > limit:
                plan.warnings.append(
                    f"Văn bản căn cứ ghi ngày {cited:%d/%m/%Y}, sau ngày của kế hoạch: “{basis}”."
                )
