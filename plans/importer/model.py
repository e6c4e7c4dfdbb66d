"""What the importer understood, as plain dataclasses (no database): the review page shows them and
plans.services saves them. Every other importer module may import this one; it imports none."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class PlanImportError(ValueError):
    """The input is not a plan (or cannot be read); the message is Vietnamese, for the user."""


@dataclass
class ParsedSection:
    label: str
    title: str
    paragraphs: list[str]
    children: list[ParsedSection]


@dataclass
class ParsedPhase:
    seq: int
    name: str
    start: dt.date
    end: dt.date
    commemorations: str = ""
    description: str = ""


# The labels of plans.models.Milestone.Kind, kept here so that the importer needs no Django model.
MILESTONE_LABELS = {
    "phat_dong": "Hội nghị phát động",
    "ky_giao_uoc": "Ký kết giao ước thi đua",
    "dang_ky": "Đăng ký thi đua",
    "bao_cao_so_ket": "Báo cáo sơ kết",
    "hoi_nghi_so_ket": "Hội nghị sơ kết",
    "bao_cao_tong_ket": "Báo cáo tổng kết",
    "hoi_nghi_tong_ket": "Hội nghị tổng kết",
    "binh_xet": "Bình xét, xếp hạng",
}


@dataclass
class ParsedMilestone:
    kind: str
    phase_seq: int | None = None
    due: dt.date | None = None
    due_month: int | None = None
    due_year: int | None = None
    data_from: dt.date | None = None
    data_to: dt.date | None = None
    addressee: str = ""
    place: str = ""
    with_score_sheet: bool = False
    note: str = ""

    @property
    def kind_label(self) -> str:
        """The Vietnamese name shown on the review page (never the internal code)."""
        return MILESTONE_LABELS.get(self.kind, "Mốc khác")


@dataclass
class ParsedRecipient:
    name: str
    purpose: str
    is_archive: bool


@dataclass
class ParsedSignatureLine:
    role: str
    text: str
    after_gap: bool


@dataclass
class ParsedPlan:
    format_family: str = "state"
    parent_issuer: str = ""
    issuer: str = ""
    doc_type: str = "KH"
    symbol: str = ""
    number: int | None = None
    is_draft_marked: bool = False
    place: str = ""
    issue_date: dt.date | None = None
    draft_month: int | None = None
    year: int = 0
    doc_type_name: str = "KẾ HOẠCH"
    title: str = ""
    bases_style: str = "paragraph"
    bases: list[str] = field(default_factory=list)
    preamble: str = ""
    theme: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    closing: str = ""
    recipients: list[ParsedRecipient] = field(default_factory=list)
    signature: list[ParsedSignatureLine] = field(default_factory=list)
    phases: list[ParsedPhase] = field(default_factory=list)
    milestones: list[ParsedMilestone] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def number_display(self) -> str:
        """The number as printed ("11/KH-KTĐNC", "Số 15-KH/BTGTU" → "15-KH/BTGTU"), a blank
        number as "…", and a plain sentence when the text carries no symbol at all."""
        if not self.symbol:
            return "Không thấy số, ký hiệu"
        number = str(self.number) if self.number is not None else "…"
        if self.format_family == "party":
            return f"{number}-{self.doc_type}/{self.symbol}"
        return f"{number}/{self.doc_type}-{self.symbol}"

    @property
    def is_issued_text(self) -> bool:
        """The text carries both a number and a full date: it can be taken as an issued plan."""
        return self.number is not None and self.issue_date is not None
