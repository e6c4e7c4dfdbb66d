"""Writes of a member unit on its report and self-scoring sheet in a round (DOMAIN §6.2):

    (none) → DRAFT → SUBMITTED (locked; flagged late after the due date) …
    RETURNED (reason) → DRAFT → SUBMITTED again

A unit writes only its own submission, only while it is due in the round, only in DRAFT or
RETURNED. Every write locks the submission row, checks the state and the revision the user saw
inside the lock, writes only what changed and audits old → new. Line saves carry the line's own
revision, so two people on different lines do not block each other, and two on the same line
never silently overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone

from blocs import audit
from blocs.models import AuditEvent, Unit
from blocs.text import strip_controls
from scoring import calc, files, selectors, sheets
from scoring.models import Attachment, Criterion, Entry, Review, Round, Submission, Template

S = Submission.Status
STALE_MESSAGE = (
    "Báo cáo vừa được người khác thay đổi sau khi bạn mở trang, nên thay đổi của bạn chưa được "
    "lưu. Giá trị hiện tại đang hiển thị; hãy xem lại rồi nhập lại."
)
LINE_STALE_MESSAGE = (
    "Dòng này vừa được người khác lưu sau khi bạn mở trang, nên thay đổi của bạn chưa được lưu. "
    "Giá trị hiện tại đang hiển thị; hãy xem lại rồi nhập lại."
)
ENTRY_FIELDS = ("value", "passed", "explanation", "self_score")


class StaleSheetError(ValidationError):
    """The user saw an older revision; `current` is what is stored now."""

    def __init__(self, message: str, current: Any = None):
        super().__init__(message, code="stale")
        self.current = current


def log(sub: Submission, action: str, actor: Any, **data: Any) -> None:
    audit.record(
        actor=actor, action=action, obj=sub, bloc=sub.round.bloc, year=sub.round.year, data=data
    )


def lock(submission: Submission | int, revision: int | None = None) -> Submission:
    """The submission row, locked for this transaction; refuses a stale revision."""
    pk = submission if isinstance(submission, int) else submission.pk
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("round", "round__bloc", "unit", "template")
        .get(pk=pk)
    )
    if revision is not None and int(revision) != locked.revision:
        raise StaleSheetError(STALE_MESSAGE, current=locked)
    return locked


def ensure_editable(sub: Submission) -> None:
    if sub.status == S.FINAL:
        raise ValidationError("Kết quả đã được chốt; báo cáo không sửa được nữa.", code="final")
    if not sub.is_editable:
        raise ValidationError(
            f"Báo cáo đang ở trạng thái “{sub.get_status_display()}”, đơn vị không sửa được. "
            "Nếu cần sửa, hãy đề nghị Trưởng khối trả lại.",
            code="state",
        )


def is_due(round: Round, unit: Unit) -> bool:
    return any(u.pk == unit.pk for u in selectors.units_due(round=round))


def _period_start(round: Round) -> dt.date:
    return round.data_from or dt.date(round.year, 1, 1)


def sheet_template(round: Round, annotate: dict | None = None) -> Template | None:
    """The template version that applies to the round's data period (a version changed later
    applies only to periods starting after its date); `annotate`: see template_for_date."""
    return selectors.template_for_date(
        bloc_id=round.bloc_id, year=round.year, day=_period_start(round), annotate=annotate
    )


def _sheet_leaves(round: Round) -> tuple[Template | None, list[Criterion]]:
    """sheet_template(round) and its leaf criteria, read in one query (each leaf with its
    template); only a version without leaves costs a second."""
    version = selectors.versions_applying(
        bloc_id=round.bloc_id, year=round.year, day=_period_start(round)
    ).values("pk")[:1]
    leaves = list(
        Criterion.objects.filter(template=Subquery(version))
        .exclude(kind=Criterion.Kind.GROUP)
        .select_related("template")
    )
    return (leaves[0].template if leaves else sheet_template(round)), leaves


@transaction.atomic
def submission_open(*, round: Round, unit: Unit, actor: Any) -> Submission:
    """The unit's submission in the round, created (with one line per leaf criterion of the
    template version that applies) the first time the unit opens it."""
    existing = Submission.objects.filter(round=round, unit=unit).first()
    if existing is not None:
        return existing
    if not round.active:
        raise ValidationError("Kỳ báo cáo này không còn trong kế hoạch.", code="inactive")
    if not is_due(round, unit):
        raise ValidationError(
            f"{unit} không phải nộp báo cáo kỳ “{round.name}” (không là thành viên của khối "
            "trong kỳ số liệu).",
            code="not_due",
        )
    template, leaves = None, []
    if round.with_score_sheet:
        template, leaves = _sheet_leaves(round)
        if template is None:
            raise ValidationError(
                "Khối chưa có thang điểm năm này nên chưa lập được bảng tự chấm điểm.",
                code="no_template",
            )
    # Two first opens at once: the unique constraint keeps one; the loser reads it.
    try:
        with transaction.atomic():
            sub = Submission.objects.create(round=round, unit=unit, template=template)
    except IntegrityError:
        return Submission.objects.get(round=round, unit=unit)
    Entry.objects.bulk_create([Entry(submission=sub, criterion=c) for c in leaves])
    log(sub, "submission.create", actor, round=round.key, unit=unit.name)
    return sub


def _read_value(criterion: Criterion, value: object, passed: object) -> tuple[Any, Any]:
    if criterion.kind == Criterion.Kind.PASS_FAIL:
        if value not in (None, ""):
            raise ValidationError(
                {"value": "Tiêu chí đạt/không đạt chỉ chọn “Đạt” hoặc “Không đạt”, không nhập số."}
            )
        return None, passed
    if passed is not None:
        raise ValidationError({"passed": "Chỉ tiêu chí đạt/không đạt mới chọn “Đạt”."})
    try:
        return sheets.parse_value(criterion, value), None
    except calc.ScoreError as exc:
        raise ValidationError({"value": str(exc)}) from None


def _line_values(
    sub: Submission,
    line: Entry,
    *,
    value: object,
    passed: bool | None,
    explanation: str,
    targets: dict[int, Any] | None = None,
) -> dict[str, Any]:
    """What `line` stores for this input, its points computed (ValidationError per field)."""
    crit = line.criterion
    value, passed = _read_value(crit, value, passed)
    target = None
    if crit.kind == Criterion.Kind.QUANTITATIVE:
        target = (sheets.targets_for(sub) if targets is None else targets).get(crit.pk)
    try:
        score = sheets.leaf_score(crit, value=value, passed=passed, target=target)
    except calc.ScoreError as exc:
        raise ValidationError({"value": str(exc)}) from None
    explanation = strip_controls(explanation or "").strip()
    if len(explanation) > 4000:
        raise ValidationError({"explanation": "Giải trình dài quá 4.000 ký tự."})
    return {"value": value, "passed": passed, "explanation": explanation, "self_score": score}


def _line_change(
    sub: Submission, line: Entry, new: dict[str, Any], actor: Any, **extra: Any
) -> AuditEvent | None:
    """Set on `line` the fields that differ from `new` (its revision moves on) and return the
    audit event that says so, not yet written: the caller writes both. None when unchanged."""
    diff = audit.changes(audit.snapshot(line, ENTRY_FIELDS), new)
    if not diff:
        return None
    for name in diff:
        setattr(line, name, new[name])
    line.revision += 1
    data = {"criterion": line.criterion.code, "line": line.pk, "changes": diff, **extra}
    return audit.event(
        actor=actor, action="sheet.line", obj=sub, bloc=sub.round.bloc, year=sub.round.year,
        data=data,
    )  # fmt: skip


def _write_line(sub: Submission, line: Entry, new: dict[str, Any], actor: Any) -> dict[str, Any]:
    """Write the fields of `line` that differ from `new` and audit them; {} when unchanged."""
    event = _line_change(sub, line, new, actor)
    if event is None:
        return {}
    line.save(update_fields=[*event.data["changes"], "revision"])
    event.save()
    return event.data["changes"]


def _write_lines(sub: Submission, planned: Sequence[tuple[Entry, dict[str, Any]]], actor: Any,
                 **extra: Any) -> list[Entry]:  # fmt: skip
    """_write_line for many lines: one UPDATE for the lines that changed the same fields (a
    handful of kinds of change at most) and one INSERT of their audit rows, at any number of
    lines. Returns the lines that changed."""
    events, changed, by_fields = [], [], {}
    for line, new in planned:
        event = _line_change(sub, line, new, actor, **extra)
        if event is not None:
            events.append(event)
            changed.append(line)
            by_fields.setdefault(tuple(event.data["changes"]), []).append(line)
    for fields, lines in by_fields.items():
        Entry.objects.bulk_update(lines, [*fields, "revision"])
    audit.record_many(events)
    return changed


def _after_lines(sub: Submission, scores: sheets.SheetScores | None = None) -> None:
    """The sheet's totals follow its lines (`scores`: computed from the lines read inside the
    lock, else read now); a returned sheet being corrected is a draft again. One UPDATE."""
    fields = sheets.refresh_totals(sub, scores)
    if sub.status == S.RETURNED:
        sub.status = S.DRAFT
        fields.append("status")
    if fields:
        sub.save(update_fields=fields)


@dataclass
class SavedLine:
    """A line save as read inside the lock: the submission (totals and state as stored now),
    the line, what changed ({} when nothing), and the whole sheet the totals were computed from
    (criteria, lines with their criteria, reviews, scores). `targets` is loaded only for a
    quantitative line (the registered targets it is scored against), else empty."""

    submission: Submission
    line: Entry
    changes: dict[str, Any]
    criteria: list[Criterion]
    entries: list[Entry]
    reviews: dict[int, list[Review]]
    scores: sheets.SheetScores
    targets: dict[int, Any]


@transaction.atomic
def line_save(
    *,
    entry: Entry,
    actor: Any,
    value: object = None,
    passed: bool | None = None,
    explanation: str = "",
    revision: int | None = None,
) -> Entry:
    """Save one line as the unit typed it: the value (score, actual, count) or pass/fail, and an
    explanation. The line's points are computed here; the sheet's totals follow."""
    saved = sheet_line_save(
        submission_id=entry.submission_id,
        entry_id=entry.pk,
        actor=actor,
        value=value,
        passed=passed,
        explanation=explanation,
        revision=revision,
    )
    return saved.line


@transaction.atomic
def sheet_line_save(
    *,
    submission_id: int,
    entry_id: int,
    actor: Any,
    value: object = None,
    passed: bool | None = None,
    explanation: str = "",
    revision: int | None = None,
    check: Callable[[Submission], None] | None = None,
) -> SavedLine:
    """line_save, returning the sheet as it stands after the save (what the htmx answer shows),
    in a fixed number of queries at any sheet size: the submission locked, the sheet read
    once inside the lock (the line with it), the line's changed fields, the audit row and the
    totals (one UPDATE, only when they change). An unchanged line writes nothing. `check`: the
    caller's gate, run on the locked row before anything else (a view's 404/403: the request
    reads the submission once). Submission.DoesNotExist or Entry.DoesNotExist when the
    submission or the line (of that submission) is not there."""
    sub = lock(submission_id)
    if check is not None:
        check(sub)
    ensure_editable(sub)
    # Read after the lock: every writer of a sheet's lines and reviews holds it, so these are
    # the lines the totals must equal, the saved line among them (no lock of its own needed).
    criteria, entries, reviews = sheets.load_joined(sub)
    line = next((e for e in entries if e.pk == int(entry_id)), None)
    if line is None:
        raise Entry.DoesNotExist(f"Dòng {entry_id} không thuộc bảng điểm này.")
    if revision is not None and int(revision) != line.revision:
        raise StaleSheetError(LINE_STALE_MESSAGE, current=line)
    quantitative = line.criterion.kind == Criterion.Kind.QUANTITATIVE
    targets = sheets.targets_for(sub) if quantitative else {}
    new = _line_values(
        sub, line, value=value, passed=passed, explanation=explanation, targets=targets
    )
    diff = _write_line(sub, line, new, actor)
    scores = sheets.compute(sub, criteria, entries, reviews)
    if diff:
        _after_lines(sub, scores)
    line.submission = sub
    return SavedLine(sub, line, diff, criteria, entries, reviews, scores, targets)


@dataclass(frozen=True)
class LineInput:
    """One line of a batch save: the entry, what the unit typed, and the revision it saw."""

    entry_id: int
    value: object = None
    passed: bool | None = None
    explanation: str = ""
    revision: int | None = None


def shown_value(line: Entry) -> str:
    """What a line holds as the unit typed it ("Đạt", "12,5"; "" when empty)."""
    if line.passed is not None:
        return "Đạt" if line.passed else "Không đạt"
    return calc.fmt(line.value) if line.value is not None else ""


def _stale_line(line: Entry) -> str:
    current = f"“{shown_value(line)}”" if shown_value(line) else "trống"
    return (
        "Dòng này đã được sửa trên hệ thống sau khi bạn lấy số liệu (giá trị hiện tại: "
        f"{current}); hãy tải bảng điểm mới rồi nhập lại."
    )


class LinesError(ValidationError):
    """Bad or stale lines of a batch save: `lines` maps entry id → field → messages (fields:
    value, passed, explanation, revision, entry)."""

    def __init__(self, lines: dict[int, dict[str, list[str]]]):
        self.lines = lines
        flat = [m for fields in lines.values() for msgs in fields.values() for m in msgs]
        super().__init__(flat, code="lines")


def _check_lines(
    sub: Submission, lines: Sequence[LineInput], by_id: dict[int, Entry]
) -> tuple[list[tuple[Entry, dict[str, Any]]], dict[int, dict[str, list[str]]]]:
    """(line, new values) of every good input, and the problems of every bad one."""
    targets = sheets.targets_for(sub)
    planned: list[tuple[Entry, dict[str, Any]]] = []
    errors: dict[int, dict[str, list[str]]] = {}
    for item in lines:
        line = by_id.get(item.entry_id)
        if line is None:
            errors[item.entry_id] = {"entry": ["Dòng này không thuộc bảng điểm."]}
            continue
        stale = item.revision is not None and int(item.revision) != line.revision
        try:
            new = _line_values(
                sub,
                line,
                value=item.value,
                passed=item.passed,
                explanation=item.explanation,
                targets=targets,
            )
        except ValidationError as exc:
            errors[line.pk] = {"revision": [_stale_line(line)]} if stale else exc.message_dict
            continue
        # A line changed since the user's copy is refused only when the copy would change it.
        if stale and audit.changes(audit.snapshot(line, ENTRY_FIELDS), new):
            errors[line.pk] = {"revision": [_stale_line(line)]}
        else:
            planned.append((line, new))
    return planned, errors


def _lines_of(sub: Submission, lines: Sequence[LineInput], *, locked: bool) -> dict[int, Entry]:
    qs = Entry.objects.select_related("criterion").filter(
        submission=sub, pk__in=[item.entry_id for item in lines]
    )
    if locked:
        qs = qs.select_for_update(of=("self",))
    return {e.pk: e for e in qs}


def lines_check(*, submission: Submission, lines: Sequence[LineInput]) -> dict:
    """The problems `lines_save` would find now (entry id → field → messages), without saving:
    an upload reports them with the cells' rows and columns before anything is written."""
    _planned, errors = _check_lines(submission, lines, _lines_of(submission, lines, locked=False))
    return errors


@transaction.atomic
def lines_save(
    *, submission: Submission, actor: Any, lines: Sequence[LineInput], source: str = ""
) -> list[Entry]:
    """Save many lines of one sheet at once (a sheet filled in Excel): all or nothing. Every line
    is checked inside the lock, against the revision the user saw too; every bad or stale line is
    reported in one LinesError and nothing is saved. Each changed line is audited as a
    "sheet.line" event (with `source`). Returns the lines that changed."""
    sub = lock(submission)
    ensure_editable(sub)
    planned, errors = _check_lines(sub, lines, _lines_of(sub, lines, locked=True))
    if errors:
        raise LinesError(errors)
    extra = {"source": source} if source else {}
    changed = _write_lines(sub, planned, actor, **extra)
    if changed:
        _after_lines(sub)
    return changed


@transaction.atomic
def report_save(
    *, submission: Submission, actor: Any, body: str, revision: int | None = None
) -> Submission:
    """The report written in the browser (plain text with line breaks)."""
    sub = lock(submission, revision)
    ensure_editable(sub)
    body = strip_controls(body or "").strip()
    if len(body) > 200_000:
        raise ValidationError({"body": "Báo cáo dài quá 200.000 ký tự; hãy tải lên tệp PDF/DOCX."})
    if body == sub.body:
        return sub
    old = sub.body
    sub.body = body
    sub.revision += 1
    fields = ["body", "revision"]
    if sub.status == S.RETURNED:
        sub.status = S.DRAFT
        fields.append("status")
    sub.save(update_fields=fields)
    log(sub, "submission.report", actor, changes={"body": {"old": old, "new": body}})
    return sub


@transaction.atomic
def file_add(
    *,
    submission: Submission,
    actor: Any,
    upload: UploadedFile,
    purpose: str,
    entry: Entry | None = None,
) -> Attachment:
    """Attach a file: the report itself (PDF/DOCX, replaces the previous one), an attachment, or
    a line's evidence. Checked by size and content before anything is stored."""
    sub = lock(submission)
    ensure_editable(sub)
    if purpose not in Attachment.Purpose.values:
        raise ValidationError({"purpose": "Loại tệp không hợp lệ."})
    if purpose == Attachment.Purpose.EVIDENCE and (entry is None or entry.submission_id != sub.pk):
        raise ValidationError({"entry": "Minh chứng phải gắn với một dòng của bảng điểm này."})
    if purpose != Attachment.Purpose.EVIDENCE:
        entry = None
    allowed = files.REPORT_TYPES if purpose == Attachment.Purpose.REPORT else files.EVIDENCE_TYPES
    try:
        checked = files.check_upload(upload, allowed=allowed)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    replaced = []
    if purpose == Attachment.Purpose.REPORT:
        for old in sub.files.filter(purpose=purpose):
            replaced.append(old.name)
            _delete(old)
    att = Attachment(
        submission=sub,
        entry=entry,
        purpose=purpose,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    upload.seek(0)
    att.file.save(checked.name, upload, save=False)
    att.save()
    log(
        sub,
        "submission.file_add",
        actor,
        purpose=purpose,
        name=att.name,
        sha256=att.sha256,
        size=att.size,
        criterion=entry.criterion.code if entry else "",
        line=entry.pk if entry else None,
        replaced=replaced,
    )
    return att


def _delete(att: Attachment) -> None:
    name, storage = att.file.name, att.file.storage
    att.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def file_remove(*, attachment: Attachment, actor: Any) -> None:
    sub = lock(attachment.submission_id)
    ensure_editable(sub)
    att = Attachment.objects.select_related("entry__criterion").get(pk=attachment.pk)
    log(
        sub,
        "submission.file_remove",
        actor,
        purpose=att.purpose,
        name=att.name,
        sha256=att.sha256,
        criterion=att.entry.criterion.code if att.entry else "",
        line=att.entry_id,
    )
    _delete(att)


def missing_for_submit(sub: Submission) -> list[str]:
    """What still stops the unit from submitting (in Vietnamese, one item per problem)."""
    entries = list(sub.entries.select_related("criterion")) if sub.has_sheet else []
    return missing_of(sub, entries, list(sub.files.all()))


def missing_of(sub: Submission, entries: list[Entry], files: list[Attachment]) -> list[str]:
    """missing_for_submit from the sheet's lines (with their criteria) and all its files, already
    read (no query)."""
    problems = []
    if not sub.body.strip() and not any(f.purpose == Attachment.Purpose.REPORT for f in files):
        problems.append("Chưa có nội dung báo cáo (viết trực tiếp hoặc tải lên tệp PDF/DOCX).")
    if sub.has_sheet:
        entries = sorted(entries, key=lambda e: (e.criterion.order, e.criterion_id))
        empty = [e.criterion.code for e in entries if e.self_score is None]
        if empty:
            problems.append("Chưa chấm các tiêu chí: " + ", ".join(empty) + ".")
        with_files = {f.entry_id for f in files if f.purpose == Attachment.Purpose.EVIDENCE}
        need = [
            e.criterion.code
            for e in entries
            if e.criterion.evidence_required and e.pk not in with_files
        ]
        if need:
            problems.append("Thiếu minh chứng bắt buộc ở các tiêu chí: " + ", ".join(need) + ".")
    return problems


@transaction.atomic
def submission_submit(
    *,
    submission: Submission,
    actor: Any,
    revision: int | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """The unit submits: the sheet locks. After the round's due date the submission is accepted
    but flagged late, and the template's late penalty applies (judged on the first submission;
    a returned and corrected one is not late again)."""
    sub = lock(submission, revision)
    ensure_editable(sub)
    problems = missing_for_submit(sub)
    if problems:
        raise ValidationError(problems, code="incomplete")
    now = now or timezone.now()
    old = {"status": sub.status, "late": sub.late, "late_penalty": sub.late_penalty}
    fields = ["status", "layer", "submitted_at", "revision"]
    if sub.first_submitted_at is None:
        sub.first_submitted_at = now
        due = sub.round.due
        sub.late = bool(due and timezone.localdate(now) > due)
        if sub.late and sub.template is not None:
            sub.late_penalty = sub.template.late_penalty
        fields += ["first_submitted_at", "late", "late_penalty"]
    sub.status = S.SUBMITTED
    sub.layer = 0
    sub.submitted_at = now
    sub.revision += 1
    fields += sheets.refresh_totals(sub)
    sub.save(update_fields=fields)
    new = {"status": sub.status, "late": sub.late, "late_penalty": sub.late_penalty}
    log(
        sub,
        "submission.submit",
        actor,
        changes=audit.changes(old, new),
        self_total=audit.plain(sub.self_total),
    )
    return sub


SIGNER_FIELDS = ("signer_position", "signer_name")


@transaction.atomic
def signer_save(
    *,
    submission: Submission,
    actor: Any,
    signer_position: str,
    signer_name: str,
    revision: int | None = None,
) -> Submission:
    """Who signs the printed sheet for the unit (position and name under "THỦ TRƯỞNG ĐƠN VỊ"),
    set by the unit while its submission is editable; an unchanged save records nothing."""
    sub = lock(submission, revision)
    ensure_editable(sub)
    new = {
        "signer_position": strip_controls(signer_position or "").strip(),
        "signer_name": strip_controls(signer_name or "").strip(),
    }
    for name, limit in (("signer_position", 255), ("signer_name", 150)):
        if len(new[name]) > limit:
            raise ValidationError({name: f"Dài quá {limit} ký tự."})
    diff = audit.changes(audit.snapshot(sub, SIGNER_FIELDS), new)
    if not diff:
        return sub
    for name in diff:
        setattr(sub, name, new[name])
    sub.revision += 1
    sub.save(update_fields=[*diff, "revision"])
    log(sub, "submission.signer", actor, changes=diff)
    return sub


def previous_signer(sub: Submission) -> dict[str, str]:
    """The signer the unit gave on its latest other submission (to prefill an empty one)."""
    prev = (
        Submission.objects.filter(unit_id=sub.unit_id)
        .exclude(pk=sub.pk)
        .exclude(signer_name="")
        .order_by("-round__year", "-round__due", "-pk")
        .values("signer_position", "signer_name")
        .first()
    )
    return prev or {"signer_position": "", "signer_name": ""}
