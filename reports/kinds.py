"""The document kinds that can be issued: for each, how it is built, printed and written to Word,
where its number comes from, what must hold before it is issued, and what issuing does to the
row it belongs to (its "subject"). reports.services.issue_document is the one caller.

Scoring will add its sheets, ranking tables, minutes and proposals here the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from blocs.models import Bloc
from plans import rules as plan_rules
from plans import services as plan_services
from plans.models import Plan
from reports.compiled_documents import DOC_TYPE as BAO_CAO_DOC_TYPE
from reports.compiled_documents import build_compiled_context
from reports.documents import PlanDocContext, build_plan_context
from reports.docx import render_docx
from reports.models import CompiledReport, IssuedDocument
from reports.proposal_documents import DOC_TYPE as TO_TRINH_DOC_TYPE
from reports.proposal_documents import build_to_trinh_context
from reports.ranking_documents import MINUTES_DOC_TYPE, build_minutes_context
from reports.registers import Issuer
from reports.scoring_documents import build_giao_uoc_context
from scoring.models import Dossier, Meeting, Ranking, SigningMeeting
from scoring.services.rounds import rounds_sync

GIAO_UOC_DOC_TYPE = "GƯ"  # the symbol the giao ước prints: "Số: 01/GƯ-KTĐNC"


@dataclass(frozen=True)
class Numbering:
    issuer: Issuer
    doc_type: str
    per_term: bool


@dataclass(frozen=True)
class DocumentKind:
    code: str
    model: type[models.Model]
    subject_field: str  # the IssuedDocument foreign key naming the subject
    build: Callable[[Any], PlanDocContext]
    template: str
    write_docx: Callable[[PlanDocContext], bytes]
    numbering: Callable[[Any], Numbering]
    # (subject, issue_date, archived=…) raises ValidationError
    check_complete: Callable[..., None]
    # (subject, actor, number, issue_date) → subject, with its status, number and date set
    transition: Callable[..., Any]
    replaced: Callable[[Any], Any | None]  # the subject an amendment replaces
    owner: Callable[[Any], tuple[Bloc, int]]  # bloc and year the document is filed under


def _plan_transition(plan: Plan, actor: Any, number: int, issue_date: dt.date) -> Plan:
    plan = plan_services.issue_transition(
        plan=plan, actor=actor, number=number, issue_date=issue_date
    )
    rounds_sync(plan=plan, actor=actor)  # the year's reporting rounds follow the issued plan
    return plan


PLAN = DocumentKind(
    code=IssuedDocument.Kind.PLAN,
    model=Plan,
    subject_field="plan",
    build=build_plan_context,
    template="reports/print/plan.html",
    write_docx=render_docx,
    numbering=lambda plan: Numbering(
        issuer=Issuer(bloc=plan.bloc),
        doc_type=plan.doc_type,
        per_term=plan.format_profile.number_per_term,
    ),
    check_complete=plan_rules.check_ready_to_issue,
    transition=_plan_transition,
    replaced=lambda plan: plan.replaces,
    owner=lambda plan: (plan.bloc, plan.year),
)


def _giao_uoc_check(
    meeting: SigningMeeting, issue_date: dt.date, *, archived: bool = False
) -> None:
    if meeting.number is not None:
        raise ValidationError("Giao ước của lần ký kết này đã được ban hành.")
    if issue_date != meeting.date:
        raise ValidationError({"issue_date": "Giao ước mang ngày của hội nghị ký kết."})


def _numbered(subject: Any, actor: Any, number: int, issue_date: dt.date) -> Any:
    """The giao ước and the minutes keep their number on the meeting they record."""
    subject.number = number
    subject.save(update_fields=["number"])
    return subject


GIAO_UOC = DocumentKind(
    code=IssuedDocument.Kind.GIAO_UOC,
    model=SigningMeeting,
    subject_field="signing",
    build=lambda meeting: build_giao_uoc_context(meeting.bloc, meeting.year),
    template="reports/print/scoring_giao_uoc.html",
    write_docx=render_docx,
    numbering=lambda meeting: Numbering(
        issuer=Issuer(bloc=meeting.bloc), doc_type=GIAO_UOC_DOC_TYPE, per_term=False
    ),
    check_complete=_giao_uoc_check,
    transition=_numbered,
    replaced=lambda meeting: None,
    owner=lambda meeting: (meeting.bloc, meeting.year),
)


def _bao_cao_check(report: CompiledReport, issue_date: dt.date, *, archived: bool = False) -> None:
    if report.number is not None:
        raise ValidationError("Báo cáo này đã được ban hành.")
    year = report.round.year
    if issue_date.year not in (year, year + 1):
        raise ValidationError(
            {"issue_date": f"Báo cáo của năm {year} ban hành trong năm {year} hoặc {year + 1}."}
        )
    if not report.body.strip():
        raise ValidationError({"body": "Hãy viết phần đánh giá chung trước khi ban hành."})


def _bao_cao_transition(
    report: CompiledReport, actor: Any, number: int, issue_date: dt.date
) -> CompiledReport:
    report.number, report.issue_date = number, issue_date
    report.save(update_fields=["number", "issue_date", "updated_at"])
    return report


BAO_CAO = DocumentKind(
    code=IssuedDocument.Kind.BAO_CAO,
    model=CompiledReport,
    subject_field="compiled_report",
    build=build_compiled_context,
    template="reports/print/compiled_report.html",
    write_docx=render_docx,
    numbering=lambda report: Numbering(
        issuer=Issuer(bloc=report.round.bloc), doc_type=BAO_CAO_DOC_TYPE, per_term=False
    ),
    check_complete=_bao_cao_check,
    transition=_bao_cao_transition,
    replaced=lambda report: None,
    owner=lambda report: (report.round.bloc, report.round.year),
)


def _minutes_check(meeting: Meeting, issue_date: dt.date, *, archived: bool = False) -> None:
    if meeting.number is not None:
        raise ValidationError("Biên bản của hội nghị này đã được ban hành.")
    adopted = Ranking.objects.filter(
        bloc_id=meeting.bloc_id, year=meeting.year, status=Ranking.Status.ADOPTED
    ).exists()
    if not adopted:
        raise ValidationError("Biên bản chỉ ban hành khi hội nghị đã thông qua kết quả xếp hạng.")
    if issue_date != meeting.date:
        raise ValidationError({"issue_date": "Biên bản mang ngày của hội nghị bình xét."})


MINUTES = DocumentKind(
    code=IssuedDocument.Kind.MINUTES,
    model=Meeting,
    subject_field="meeting",
    build=lambda meeting: build_minutes_context(meeting, number=meeting.number),
    template="reports/print/ranking_minutes.html",
    write_docx=render_docx,
    numbering=lambda meeting: Numbering(
        issuer=Issuer(bloc=meeting.bloc), doc_type=MINUTES_DOC_TYPE, per_term=False
    ),
    check_complete=_minutes_check,
    transition=_numbered,
    replaced=lambda meeting: None,
    owner=lambda meeting: (meeting.bloc, meeting.year),
)


def _to_trinh_check(dossier: Dossier, issue_date: dt.date, *, archived: bool = False) -> None:
    if dossier.number is not None:
        raise ValidationError("Tờ trình của hồ sơ này đã được ban hành.")
    if issue_date != dossier.date:
        raise ValidationError({"issue_date": "Tờ trình mang ngày trình hồ sơ."})


def _to_trinh_transition(dossier: Dossier, actor: Any, number: int, issue_date: dt.date) -> Dossier:
    dossier.number = number
    dossier.save(update_fields=["number"])
    return dossier


TO_TRINH = DocumentKind(
    code=IssuedDocument.Kind.TO_TRINH,
    model=Dossier,
    subject_field="dossier",
    build=lambda dossier: build_to_trinh_context(dossier.bloc, dossier.year, dossier=dossier),
    template="reports/print/to_trinh.html",
    write_docx=render_docx,
    numbering=lambda dossier: Numbering(
        issuer=Issuer(bloc=dossier.bloc), doc_type=TO_TRINH_DOC_TYPE, per_term=False
    ),
    check_complete=_to_trinh_check,
    transition=_to_trinh_transition,
    replaced=lambda dossier: None,  # a later dossier adds to the earlier ones, it replaces none
    owner=lambda dossier: (dossier.bloc, dossier.year),
)


KINDS: dict[str, DocumentKind] = {
    PLAN.code: PLAN,
    GIAO_UOC.code: GIAO_UOC,
    BAO_CAO.code: BAO_CAO,
    MINUTES.code: MINUTES,
    TO_TRINH.code: TO_TRINH,
}
