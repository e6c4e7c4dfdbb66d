"""The history of a submission as people read it: its audit events (and the due-date moves of its
round), each with who, when, the action in Vietnamese and what changed, old → new, with the
reason. Reads the audit trail that the services write; writes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q

from blocs.models import AuditEvent
from scoring import calc
from scoring.models import Attachment, Entry, Review, Submission

ACTIONS = {
    "submission.create": "Mở báo cáo",
    "submission.report": "Sửa nội dung báo cáo",
    "submission.file_add": "Tải lên tệp",
    "submission.file_remove": "Xóa tệp",
    "submission.submit": "Nộp báo cáo",
    "sheet.line": "Tự chấm",
    "sheet.review": "Thẩm định",
    "submission.layer_done": "Hoàn thành bước thẩm định",
    "submission.return": "Trả lại báo cáo",
    "submission.finalize": "Chốt kết quả",
    "submission.reopen": "Mở lại bảng điểm đã chốt",
    "round.update": "Kế hoạch sửa đổi thay đổi kỳ báo cáo",
}
FIELDS = {
    "value": "Giá trị nhập",
    "passed": "Đạt/không đạt",
    "explanation": "Giải trình",
    "self_score": "Điểm tự chấm",
    "score": "Điểm thẩm định",
    "comment": "Nhận xét",
    "body": "Nội dung báo cáo",
    "status": "Trạng thái",
    "late": "Nộp muộn",
    "late_penalty": "Điểm trừ nộp muộn",
    "layer": "Bước thẩm định",
    "due": "Hạn nộp",
    "data_from": "Số liệu từ",
    "data_to": "Số liệu đến",
    "name": "Tên kỳ báo cáo",
    "addressee": "Gửi về",
    "with_score_sheet": "Kèm bảng tự chấm điểm",
    "active": "Còn trong kế hoạch",
}
DECIMALS = {"value", "self_score", "score", "late_penalty"}
DATES = {"due", "data_from", "data_to"}
LABELS = {
    "status": dict(Submission.Status.choices),
    "layer": dict(Review.Layer.choices),
    "purpose": dict(Attachment.Purpose.choices),
}
LONG = 300  # a changed report text is shown cut to this many characters


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryItem:
    event: AuditEvent
    action: str
    subject: str = ""  # the line (criterion code) or the file the event is about
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # reason, note, totals


def show(name: str, value: Any) -> str:
    """One stored value as a person reads it."""
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool):
        if name == "passed":
            return "Đạt" if value else "Không đạt"
        return "Có" if value else "Không"
    if name in LABELS:
        return LABELS[name].get(value, str(value))
    if name in DECIMALS:
        try:
            return calc.fmt(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if name in DATES:
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    text = str(value)
    return text if len(text) <= LONG else text[:LONG] + f"… ({len(text):,} ký tự)".replace(",", ".")


def _changes(data: dict) -> list[Change]:
    out = []
    for name, pair in (data.get("changes") or {}).items():
        if isinstance(pair, dict) and "old" in pair:
            out.append(
                Change(FIELDS.get(name, name), show(name, pair["old"]), show(name, pair["new"]))
            )
    if "old" in data and "new" in data:  # return, finalise, reopen store the status move
        out.append(
            Change(FIELDS["status"], show("status", data["old"]), show("status", data["new"]))
        )
    return out


def _notes(data: dict) -> list[str]:
    notes = []
    if data.get("reason"):
        notes.append(f"Lý do: {data['reason']}")
    if data.get("note"):
        notes.append(f"Ghi chú: {data['note']}")
    if data.get("layer") and not data.get("changes", {}).get("layer"):
        notes.append(f"Bước: {show('layer', data['layer'])}")
    for key, label in (("self_total", "Tổng tự chấm"), ("final_total", "Tổng điểm chốt")):
        if data.get(key) not in (None, ""):
            notes.append(f"{label}: {show('score', data[key])}")
    if data.get("self_score") not in (None, "") and "changes" in data:
        notes.append(f"Đơn vị tự chấm: {show('score', data['self_score'])}")
    if data.get("replaced"):
        notes.append("Thay tệp: " + ", ".join(data["replaced"]))
    if data.get("version"):
        notes.append(f"Kế hoạch phiên bản {data['version']}")
    return notes


def _subject(data: dict, paths: dict[int, str]) -> str:
    code = paths.get(data.get("line") or 0) or data.get("criterion") or ""
    if data.get("name") and data.get("purpose"):
        where = f" – tiêu chí {code}" if code else ""
        return f"{show('purpose', data['purpose'])}: {data['name']}{where}"
    return f"Tiêu chí {code}" if code else ""


def item(event: AuditEvent, paths: dict[int, str] | None = None) -> HistoryItem:
    data = event.data or {}
    return HistoryItem(
        event=event,
        action=ACTIONS.get(event.action, event.action),
        subject=_subject(data, paths or {}),
        changes=_changes(data),
        notes=_notes(data),
    )


def line_paths(sub: Submission) -> dict[int, str]:
    """line id → its criterion's code with its group's ("I.2"): codes repeat across groups."""
    out = {}
    for e in Entry.objects.filter(submission=sub).select_related("criterion__parent"):
        parent = e.criterion.parent
        out[e.pk] = f"{parent.code}.{e.criterion.code}" if parent else e.criterion.code
    return out


def submission_history(sub: Submission) -> list[HistoryItem]:
    """The submission's events and its round's due-date moves, newest first (two queries)."""
    events = (
        AuditEvent.objects.filter(
            Q(object_type="scoring.submission", object_id=str(sub.pk))
            | Q(object_type="scoring.round", object_id=str(sub.round_id), action="round.update")
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )
    paths = line_paths(sub)
    return [item(e, paths) for e in events]
