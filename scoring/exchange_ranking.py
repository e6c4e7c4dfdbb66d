"""The bình xét part of the bloc-year file: the year's rules, the compliance flags, the bình xét
meeting (with the number of its minutes) and the ranking with its vote and every row as stored
(total, subtotals, band, eligibility, reasons, trace, tie vote). Rows are copied, never
recomputed, so an adopted ranking comes back exactly as it was adopted and `manage.py ranking`
prints the same on the copy. A file older than these keys skips the section. docs/export.md."""

from __future__ import annotations

from typing import Any

from blocs.exchange import ExportContext, ImportContext, Section
from blocs.exchange_values import (
    ExchangeError,
    fields_json,
    in_window,
    read_row,
    read_rows,
    save_clean,
)
from blocs.models import Bloc
from scoring import calc, selectors
from scoring.exchange import _points  # one reader of decimal strings for the scoring file
from scoring.models import ComplianceFlag, Meeting, Ranking, RankingRow, Round, YearRules
from scoring.services.compliance import RULE_FIELDS

RULES_ROW = {
    "registration_required": "bool",
    "vote_threshold_pct": "text",
    "vote_threshold_basis": "text",
    "co_tinh_quota": "int",
    "co_tinh_basis": "text",
    "bang_khen_pct": "text",
    "bang_khen_basis": "text",
}
FLAG_FIELDS = ("kind", "source", "effect", "note")
FLAG_ROW = {
    "unit": "text",
    **dict.fromkeys(FLAG_FIELDS, "text"),
    "points": "text?",
    "cleared_on": "date",
    "created_by": "text?",
}
MEETING_FIELDS = ("place", "chair", "secretary", "note")
MEETING_ROW = {
    "date": "date",
    **dict.fromkeys(MEETING_FIELDS, "text"),
    "number": "int?",
    "attending": "list",
}
VOTES = ("vote_for", "vote_against", "vote_total")
RANKING_ROW = {
    "round": "code",
    "status": "code",
    "method": "text",
    "tie_break": "list",
    "computed_at": "datetime",
    "adopted_at": "datetime",
    "adopted_by": "text?",
    **dict.fromkeys(VOTES, "int?"),
    "rows": "list",
}
ROW_FIELDS = ("position", "rank", "band", "eligible", "eligible_for_co", "partial_year")
LINE_ROW = {
    "unit": "text",
    "position": "int",
    "rank": "int",
    "total": "text?",
    "subtotals": "dict",
    "bonus": "text",
    "penalty": "text",
    "band": "text",
    "eligible": "bool",
    "eligible_for_co": "bool",
    "reasons": "list",
    "trace": "json",
    "partial_year": "bool",
    "tie_vote": "int?",
}
KEYS = ("year_rules", "compliance_flags", "ranking_meeting", "ranking")


class RankingSection(Section):
    keys = KEYS

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        return (
            Ranking.objects.filter(bloc=bloc, year=year).exists()
            or ComplianceFlag.objects.filter(bloc=bloc, year=year).exists()
            or Meeting.objects.filter(bloc=bloc, year=year).exists()
            or YearRules.objects.filter(bloc=bloc, year=year).exists()
        )

    # ------------------------------------------------------------ export

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        rules = YearRules.objects.filter(bloc=ctx.bloc, year=ctx.year).first()
        flags = ComplianceFlag.objects.filter(bloc=ctx.bloc, year=ctx.year).select_related(
            "unit", "created_by"
        )
        meeting = Meeting.objects.filter(bloc=ctx.bloc, year=ctx.year).first()
        ranking = (
            Ranking.objects.filter(bloc=ctx.bloc, year=ctx.year)
            .select_related("round", "adopted_by")
            .first()
        )
        return {
            "year_rules": fields_json(rules, RULE_FIELDS) if rules else None,
            "compliance_flags": [self._dump_flag(f, ctx) for f in flags.order_by("id")],
            "ranking_meeting": self._dump_meeting(meeting, ctx) if meeting else None,
            "ranking": self._dump_ranking(ranking, ctx) if ranking else None,
        }

    def _dump_flag(self, f: ComplianceFlag, ctx: ExportContext) -> dict[str, Any]:
        return {
            "unit": ctx.unit_ref(f.unit),
            **fields_json(f, (*FLAG_FIELDS, "points", "cleared_on")),
            "created_by": ctx.user_ref(f.created_by),
        }

    def _dump_meeting(self, m: Meeting, ctx: ExportContext) -> dict[str, Any]:
        ctx.remember(m, str(m.year))
        return {
            **fields_json(m, ("date", *MEETING_FIELDS, "number")),
            "attending": sorted(ctx.unit_ref(u) for u in m.attending.all()),
        }

    def _dump_ranking(self, r: Ranking, ctx: ExportContext) -> dict[str, Any]:
        ctx.remember(r, str(r.year))
        rows = r.rows.select_related("unit").order_by("position")
        return {
            "round": r.round.key,
            **fields_json(r, ("status", "method", "computed_at", "adopted_at", *VOTES)),
            "tie_break": list(r.tie_break or []),
            "adopted_by": ctx.user_ref(r.adopted_by),
            "rows": [
                {
                    "unit": ctx.unit_ref(x.unit),
                    **fields_json(x, (*ROW_FIELDS, "total", "bonus", "penalty", "tie_vote")),
                    "subtotals": dict(x.subtotals),
                    "reasons": list(x.reasons),
                    "trace": list(x.trace),
                }
                for x in rows
            ],
        }

    # ------------------------------------------------------------ import

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        if data["year_rules"] is not None:
            row = read_row(data["year_rules"], RULES_ROW, "Quy định xét thi đua năm")
            for name in ("vote_threshold_pct", "bang_khen_pct"):
                row[name] = _points(row[name], "Quy định xét thi đua năm")
            save_clean(YearRules(bloc=ctx.bloc, year=ctx.year, **row), "Quy định xét thi đua năm")
        for i, raw in enumerate(read_rows(data["compliance_flags"], "compliance_flags"), start=1):
            self._load_flag(read_row(raw, FLAG_ROW, f"Thông tin chấp hành thứ {i}"), ctx)
        if data["ranking_meeting"] is not None:
            self._load_meeting(
                read_row(data["ranking_meeting"], MEETING_ROW, "Hội nghị bình xét"), ctx
            )
        if data["ranking"] is not None:
            self._load_ranking(read_row(data["ranking"], RANKING_ROW, "Kết quả xếp hạng"), ctx)

    def _member(self, name: str, ctx: ImportContext, where: str):
        unit = ctx.unit(name, where)
        if not selectors.is_member(bloc_id=ctx.bloc.pk, year=ctx.year, unit_id=unit.pk):
            raise ExchangeError(f"{where}: “{name}” không phải thành viên của khối trong năm.")
        return unit

    def _load_flag(self, row: dict[str, Any], ctx: ImportContext) -> None:
        where = f"Thông tin chấp hành của “{row['unit']}”"
        flag = ComplianceFlag(
            bloc=ctx.bloc,
            year=ctx.year,
            unit=self._member(row["unit"], ctx, where),
            points=_points(row["points"], where),
            cleared_on=row["cleared_on"],
            created_by=ctx.user(row["created_by"], where),
            **{k: row[k] for k in FLAG_FIELDS},
        )
        save_clean(flag, where)
        ctx.created["thông tin chấp hành"] += 1

    def _load_meeting(self, row: dict[str, Any], ctx: ImportContext) -> None:
        where = "Hội nghị bình xét"
        if row["date"] is None:
            raise ExchangeError(f"{where}: thiếu ngày họp.")
        in_window(row["date"], ctx.year, where, "Ngày họp")
        meeting = Meeting(
            bloc=ctx.bloc,
            year=ctx.year,
            date=row["date"],
            number=row["number"],
            **{k: row[k] for k in MEETING_FIELDS},
        )
        save_clean(meeting, where)
        names = read_rows(row["attending"], where)
        meeting.attending.set([self._member(str(n), ctx, where) for n in names])
        ctx.remember(meeting, str(ctx.year))
        ctx.created["hội nghị bình xét"] += 1

    def _load_ranking(self, row: dict[str, Any], ctx: ImportContext) -> None:
        where = "Kết quả xếp hạng"
        round_ = Round.objects.filter(bloc=ctx.bloc, year=ctx.year, key=row["round"]).first()
        if round_ is None:
            raise ExchangeError(f"{where}: không có kỳ báo cáo “{row['round']}” trong tệp.")
        if row["status"] not in Ranking.Status.values or row["computed_at"] is None:
            raise ExchangeError(f"{where}: trạng thái hoặc thời điểm tính không hợp lệ.")
        ranking = Ranking(
            bloc=ctx.bloc,
            year=ctx.year,
            round=round_,
            status=row["status"],
            method=row["method"],
            tie_break=[str(t) for t in row["tie_break"] if t in calc._TIE_KEYS],
            computed_at=row["computed_at"],
            adopted_at=row["adopted_at"],
            adopted_by=ctx.user(row["adopted_by"], where),
            meeting=Meeting.objects.filter(bloc=ctx.bloc, year=ctx.year).first(),
            **{k: row[k] for k in VOTES},
        )
        save_clean(ranking, where)
        ctx.remember(ranking, str(ctx.year))
        ctx.created["kết quả xếp hạng"] += 1
        for i, raw in enumerate(read_rows(row["rows"], where), start=1):
            line = read_row(raw, LINE_ROW, f"{where}, dòng {i}")
            self._load_line(line, ranking, ctx, f"{where}, dòng {i}")

    def _load_line(self, line: dict[str, Any], ranking: Ranking, ctx, where: str) -> None:
        subtotals = {
            str(code): str(_points(value, where)) for code, value in line["subtotals"].items()
        }
        reasons = [str(x) for x in read_rows(line["reasons"], where)]
        trace = read_rows(line["trace"], where)
        if not all(isinstance(step, dict) for step in trace):
            raise ExchangeError(f"{where}: cách phân định phải là danh sách đối tượng.")
        save_clean(
            RankingRow(
                ranking=ranking,
                unit=self._member(line["unit"], ctx, where),
                total=_points(line["total"], where),
                bonus=_points(line["bonus"], where),
                penalty=_points(line["penalty"], where),
                subtotals=subtotals,
                reasons=reasons,
                trace=trace,
                tie_vote=line["tie_vote"],
                **{k: line[k] for k in ROW_FIELDS},
            ),
            where,
        )
