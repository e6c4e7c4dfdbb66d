"""The reports and self-scoring sheets of the bloc-year file: how sheets are verified
("review_setup": the mode and the cross-scoring assignments) and every unit's submission in every
round ("submissions") with its lines, the reviewers' scores and its files. Files travel as
references (name, purpose, size, content type, sha256 and the path under PRIVATE_FILES_ROOT),
never as bytes: copy that folder alongside the file. docs/export.md describes every key.

A submission is keyed "ROUND @ UNIT" (a round's key and the unit's name), a line "ROUND @ UNIT @
vN:I/1" (its criterion as in the scoring section); audit events of sheets point at them. On import
every value is checked as the services would have (a score within its line's maximum and step, a
value of the line's kind) and the stored totals must be what the lines give.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from blocs.exchange import ExportContext, ImportContext, Section
from blocs.exchange_values import (
    ExchangeError,
    fields_json,
    read_row,
    read_rows,
    save_clean,
)
from blocs.models import Bloc
from scoring import calc, selectors, sheets
from scoring.exchange import _points
from scoring.models import (
    Attachment,
    Criterion,
    CrossAssignment,
    Entry,
    Review,
    ReviewSetup,
    Round,
    Submission,
    Template,
)
from scoring.services.sheets import is_due

SUB_TEXTS = ("status", "body", "returned_reason", "reopened_reason", "final_note")
SUB_TIMES = ("submitted_at", "first_submitted_at", "finalized_at", "created_at")
SUB_POINTS = ("late_penalty", "self_total", "reviewed_total", "final_total")
SETUP_ROW = {"mode": "code", "assignments": "list"}
ASSIGNMENT_ROW = {"reviewer": "text", "reviewed": "text"}
SUBMISSION_ROW = {
    "round": "code",
    "unit": "text",
    "template": "text?",
    **dict.fromkeys(SUB_TEXTS, "text"),
    "status": "code",
    "layer": "int",
    "late": "bool",
    **dict.fromkeys(SUB_TIMES, "datetime"),
    "finalized_by": "text?",
    **dict.fromkeys(SUB_POINTS, "text?"),
    "revision": "int",
    "entries": "list",
    "files": "list",
}
ENTRY_ROW = {
    "criterion": "text",
    "value": "text?",
    "passed": "bool?",
    "self_score": "text?",
    "explanation": "text",
    "final_score": "text?",
    "revision": "int",
    "reviews": "list",
}
REVIEW_ROW = {
    "layer": "code",
    "score": "text",
    "comment": "text",
    "reviewer": "text?",
    "reviewer_unit": "text?",
    "at": "datetime",
    "revision": "int",
}
FILE_ROW = {
    "purpose": "code",
    "criterion": "text?",
    "name": "text",
    "content_type": "text",
    "size": "int",
    "sha256": "text",
    "path": "text",
    "uploaded_by": "text?",
    "uploaded_at": "datetime",
}
SAFE_PATH = re.compile(r"^submissions/[\w.\-/ ]{1,230}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_REVISION = 10**6
# Who uploaded or reviewed may be null (a clerk's import, a deleted account).
PEOPLE = ["uploaded_by", "reviewer", "reviewer_unit"]


def criterion_paths(bloc_id: int, year: int) -> dict[int, str]:
    """criterion pk → "vN:I/1" for every template version of the bloc-year (the scoring
    section's keys)."""
    paths: dict[int, str] = {}
    for t in selectors.template_versions(bloc_id=bloc_id, year=year):
        criteria = selectors.criteria_of(t)
        by_pk = {c.pk: c for c in criteria}
        for c in criteria:
            codes, node = [], c
            while node is not None:
                codes.append(node.code)
                node = by_pk.get(node.parent_id)
            paths[c.pk] = f"v{t.version}:" + "/".join(reversed(codes))
    return paths


class SheetsSection(Section):
    keys = ("review_setup", "submissions")
    audit_refs = {"line": "scoring.entry"}

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        return (
            Submission.objects.filter(round__bloc=bloc, round__year=year).exists()
            or ReviewSetup.objects.filter(bloc=bloc, year=year).exists()
            or CrossAssignment.objects.filter(bloc=bloc, year=year).exists()
        )

    # ------------------------------------------------------------ export

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        paths = criterion_paths(ctx.bloc.pk, ctx.year)
        subs = (
            Submission.objects.filter(round__bloc=ctx.bloc, round__year=ctx.year)
            .select_related("round", "unit", "template", "finalized_by")
            .prefetch_related(
                "entries__reviews__reviewer",
                "entries__reviews__reviewer_unit",
                "files__uploaded_by",
            )
            .order_by("round__key", "unit__name")
        )
        return {
            "review_setup": self._dump_setup(ctx),
            "submissions": [self._dump_submission(s, paths, ctx) for s in subs],
        }

    def _dump_setup(self, ctx: ExportContext) -> dict[str, Any] | None:
        setup = ReviewSetup.objects.filter(bloc=ctx.bloc, year=ctx.year).first()
        pairs = CrossAssignment.objects.filter(bloc=ctx.bloc, year=ctx.year).select_related(
            "reviewer", "reviewed"
        )
        if setup is None and not pairs:
            return None
        if setup is not None:
            ctx.remember(setup, str(ctx.year))
        return {
            "mode": setup.mode if setup else ReviewSetup.Mode.HEAD_DEPUTY,
            "assignments": sorted(
                (
                    {"reviewer": ctx.unit_ref(a.reviewer), "reviewed": ctx.unit_ref(a.reviewed)}
                    for a in pairs
                ),
                key=lambda a: (a["reviewed"] or "", a["reviewer"] or ""),
            ),
        }

    def _dump_submission(self, s: Submission, paths, ctx: ExportContext) -> dict[str, Any]:
        key = ctx.remember(s, f"{s.round.key} @ {s.unit.name}")
        entries = sorted(s.entries.all(), key=lambda e: paths.get(e.criterion_id, ""))
        criterion_of = {e.pk: e.criterion_id for e in entries}  # the files' lines, prefetched
        return {
            "round": s.round.key,
            "unit": ctx.unit_ref(s.unit),
            "template": f"v{s.template.version}" if s.template else None,
            **fields_json(s, SUB_TEXTS + SUB_TIMES + SUB_POINTS + ("layer", "late", "revision")),
            "finalized_by": ctx.user_ref(s.finalized_by),
            "entries": [self._dump_entry(e, key, paths, ctx) for e in entries],
            "files": [
                {
                    "purpose": f.purpose,
                    "criterion": paths.get(criterion_of.get(f.entry_id)) if f.entry_id else None,
                    **fields_json(f, ("name", "content_type", "size", "sha256", "uploaded_at")),
                    "path": f.file.name,
                    "uploaded_by": ctx.user_ref(f.uploaded_by),
                }
                for f in sorted(s.files.all(), key=lambda f: (f.uploaded_at, f.pk))
            ],
        }

    def _dump_entry(self, e: Entry, sub_key: str, paths, ctx: ExportContext) -> dict[str, Any]:
        path = paths[e.criterion_id]
        ctx.remember(e, f"{sub_key} @ {path}")
        reviews = sorted(e.reviews.all(), key=lambda r: sheets.LAYER_ORDER.index(r.layer))
        return {
            "criterion": path,
            **fields_json(e, ("value", "passed", "self_score", "explanation", "final_score")),
            "revision": e.revision,
            "reviews": [
                {
                    **fields_json(r, ("layer", "score", "comment", "at", "revision")),
                    "reviewer": ctx.user_ref(r.reviewer),
                    "reviewer_unit": ctx.unit_ref(r.reviewer_unit),
                }
                for r in reviews
            ],
        }

    # ------------------------------------------------------------ import

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        if data["review_setup"] is not None:
            self._load_setup(read_row(data["review_setup"], SETUP_ROW, "Cách thẩm định"), ctx)
        paths = criterion_paths(ctx.bloc.pk, ctx.year)
        criteria = {
            paths[c.pk]: c
            for c in Criterion.objects.filter(template__bloc=ctx.bloc, template__year=ctx.year)
        }
        for i, raw in enumerate(read_rows(data["submissions"], "submissions"), start=1):
            row = read_row(raw, SUBMISSION_ROW, f"Báo cáo thứ {i}")
            self._load_submission(row, ctx, criteria)

    def _load_setup(self, row: dict[str, Any], ctx: ImportContext) -> None:
        where = "Cách thẩm định"
        setup = ReviewSetup(bloc=ctx.bloc, year=ctx.year, mode=row["mode"])
        save_clean(setup, where)
        ctx.remember(setup, str(ctx.year))
        members = {u.pk for u in selectors.member_units(bloc_id=ctx.bloc.pk, year=ctx.year)}
        for raw in read_rows(row["assignments"], f"{where}, phân công chấm chéo"):
            pair = read_row(raw, ASSIGNMENT_ROW, f"{where}, phân công chấm chéo")
            units = [ctx.unit(pair[k], where) for k in ("reviewer", "reviewed")]
            if any(u.pk not in members for u in units):
                raise ExchangeError(f"{where}: chỉ phân công giữa các thành viên của khối.")
            save_clean(
                CrossAssignment(bloc=ctx.bloc, year=ctx.year, reviewer=units[0], reviewed=units[1]),
                f"{where}, {pair['reviewed']}",
            )

    def _load_submission(self, row: dict[str, Any], ctx: ImportContext, criteria) -> None:
        where = f"Báo cáo “{row['round']} @ {row['unit']}”"
        round_pk = ctx.pks.get("scoring.round", {}).get(row["round"])
        if round_pk is None:
            raise ExchangeError(f"{where}: không có kỳ báo cáo “{row['round']}” trong tệp.")
        the_round = Round.objects.get(pk=round_pk)
        unit = ctx.unit(row["unit"], where)
        if not is_due(the_round, unit):
            raise ExchangeError(f"{where}: đơn vị không phải nộp báo cáo kỳ này.")
        template = None
        if row["template"] is not None:
            pk = ctx.pks.get("scoring.template", {}).get(row["template"])
            if pk is None:
                raise ExchangeError(f"{where}: không có thang điểm “{row['template']}”.")
            template = Template.objects.get(pk=pk)
        if not 0 <= row["layer"] <= 2 or not 0 <= row["revision"] <= MAX_REVISION:
            raise ExchangeError(f"{where}: lớp thẩm định hoặc lần sửa không hợp lệ.")
        sub = Submission(
            round=the_round,
            unit=unit,
            template=template,
            finalized_by=ctx.user(row["finalized_by"], where),
            **{k: row[k] for k in SUB_TEXTS + SUB_TIMES + ("layer", "late", "revision")},
            **{k: _points(row[k], where) for k in SUB_POINTS},
        )
        if sub.late_penalty is None:
            raise ExchangeError(f"{where}: thiếu điểm trừ nộp muộn.")
        save_clean(sub, where)
        Submission.objects.filter(pk=sub.pk).update(created_at=row["created_at"])
        key = f"{row['round']} @ {row['unit']}"
        ctx.remember(sub, key)
        ctx.created["báo cáo của đơn vị"] += 1
        lines = {}
        for raw in read_rows(row["entries"], f"{where}, dòng"):
            entry = self._load_entry(read_row(raw, ENTRY_ROW, f"{where}, dòng"), sub, criteria, ctx)
            lines[entry.criterion_id] = entry
        for raw in read_rows(row["files"], f"{where}, tệp"):
            self._load_file(read_row(raw, FILE_ROW, f"{where}, tệp"), sub, criteria, lines, ctx)
        if sheets.refresh_totals(sub):
            raise ExchangeError(f"{where}: tổng điểm trong tệp không khớp với các dòng.")

    def _load_entry(self, row, sub: Submission, criteria, ctx: ImportContext) -> Entry:
        where = f"Báo cáo “{sub.round.key} @ {sub.unit.name}”, dòng {row['criterion']}"
        crit = criteria.get(row["criterion"])
        if crit is None or crit.template_id != sub.template_id or crit.kind == Criterion.Kind.GROUP:
            raise ExchangeError(f"{where}: không phải tiêu chí chấm của thang điểm áp dụng.")
        entry = Entry(
            submission=sub,
            criterion=crit,
            passed=row["passed"],
            explanation=row["explanation"],
            revision=row["revision"],
            **_line_points(crit, row, where),
        )
        save_clean(entry, where)
        ctx.remember(entry, f"{sub.round.key} @ {sub.unit.name} @ {row['criterion']}")
        for raw in read_rows(row["reviews"], f"{where}, thẩm định"):
            r = read_row(raw, REVIEW_ROW, f"{where}, thẩm định")
            review = Review(
                entry=entry,
                layer=r["layer"],
                score=_checked(sheets.review_score, crit, r["score"], where),
                comment=r["comment"],
                reviewer=ctx.user(r["reviewer"], where),
                reviewer_unit=ctx.unit(r["reviewer_unit"], where),
                revision=r["revision"],
            )
            save_clean(review, f"{where}, thẩm định {r['layer']}", PEOPLE)
            Review.objects.filter(pk=review.pk).update(at=r["at"])
        return entry

    def _load_file(self, row, sub: Submission, criteria, lines, ctx: ImportContext) -> None:
        where = f"Báo cáo “{sub.round.key} @ {sub.unit.name}”, tệp “{row['name']}”"
        path, entry = row["path"], None
        if not SAFE_PATH.match(path) or ".." in path.split("/"):
            raise ExchangeError(f"{where}: đường dẫn lưu trữ “{path}” không hợp lệ.")
        if not SHA256.match(row["sha256"]) or row["size"] < 0:
            raise ExchangeError(f"{where}: mã băm SHA-256 hoặc dung lượng không hợp lệ.")
        if row["criterion"] is not None:
            crit = criteria.get(row["criterion"])
            entry = lines.get(crit.pk) if crit else None
            if entry is None:
                raise ExchangeError(f"{where}: không có dòng “{row['criterion']}” trong báo cáo.")
        att = Attachment(
            submission=sub,
            entry=entry,
            uploaded_by=ctx.user(row["uploaded_by"], where),
            file=path,
            **{k: row[k] for k in ("purpose", "name", "content_type", "size", "sha256")},
        )
        _check_stored(att, where)
        save_clean(att, where, PEOPLE)
        Attachment.objects.filter(pk=att.pk).update(uploaded_at=row["uploaded_at"])
        ctx.created["tệp đính kèm (tham chiếu)"] += 1


def _checked(check, criterion: Criterion, value: Any, where: str):
    if value is None:
        return None
    try:
        return check(criterion, value)
    except calc.ScoreError as exc:
        raise ExchangeError(f"{where}: {exc}") from None


def _within_max(criterion: Criterion, value: Any):
    return calc.graded(value, max_points=criterion.max_points)


def _line_points(criterion: Criterion, row: dict[str, Any], where: str) -> dict[str, Any]:
    """A line's value and points as the services would have stored them."""
    if criterion.kind == Criterion.Kind.PASS_FAIL and row["value"] is not None:
        raise ExchangeError(f"{where}: tiêu chí đạt/không đạt không có giá trị số.")
    if criterion.kind != Criterion.Kind.PASS_FAIL and row["passed"] is not None:
        raise ExchangeError(f"{where}: chỉ tiêu chí đạt/không đạt mới có “Đạt”.")
    return {
        "value": _checked(sheets.parse_value, criterion, row["value"], where),
        "self_score": _checked(_within_max, criterion, row["self_score"], where),
        "final_score": _checked(_within_max, criterion, row["final_score"], where),
    }


def _check_stored(att: Attachment, where: str) -> None:
    """A file already in private storage under the path must be the one the file describes."""
    storage = att.file.storage
    if not storage.exists(att.file.name):
        return  # a reference only: the bytes are copied with PRIVATE_FILES_ROOT
    digest = hashlib.sha256()
    with storage.open(att.file.name, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != att.sha256:
        raise ExchangeError(f"{where}: tệp đang lưu ở “{att.file.name}” khác mã băm trong tệp.")
