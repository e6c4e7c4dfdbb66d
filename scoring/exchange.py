"""The scoring section of the bloc-year file: the criteria templates (every version, with their
tree, settings and bands), the registrations (targets, titles) and the giao ước signing meeting.

A template is keyed "vN" (its version); a criterion by its version and the path of codes from the
top ("v1:I/1"), which is unique because codes are unique within a group; a registration by its
unit's name. Points are decimal strings. docs/export.md describes every key.
"""

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
    to_json,
)
from blocs.models import Bloc
from scoring import calc, selectors
from scoring.models import (
    Criterion,
    RatingBand,
    Registration,
    SigningMeeting,
    Target,
    Template,
    TitleGoal,
)

TEMPLATE_FIELDS = ("version", "title", "allow_exceed_max", "allow_children_over", "change_note")
TEMPLATE_POINTS = ("max_total", "bonus_cap", "penalty_cap", "late_penalty")
CRITERION_FIELDS = ("code", "content", "kind", "guidance", "evidence_required", "formula", "source")
CRITERION_POINTS = ("max_points", "step", "points_per")
REG_FIELDS = ("status", "note", "returned_reason")
REG_TIMES = ("submitted_at", "first_submitted_at", "reviewed_at")
TEMPLATE_ROW = {
    "key": "text",
    "version": "int",
    "title": "text",
    **dict.fromkeys(TEMPLATE_POINTS, "text?"),
    "allow_exceed_max": "bool",
    "allow_children_over": "bool",
    "change_note": "text",
    "tie_break": "list",
    "applies_from": "date",
    "locked_at": "datetime",
    "criteria": "list",
    "bands": "list",
}
CRITERION_ROW = {
    **dict.fromkeys(CRITERION_FIELDS, "text"),
    "evidence_required": "bool",
    **dict.fromkeys(CRITERION_POINTS, "text?"),
    "children": "list",
}
BAND_ROW = {"label": "text", "min_total": "text", "floor_pct": "text?"}
REGISTRATION_ROW = {
    "unit": "text",
    **dict.fromkeys(REG_FIELDS, "text"),
    **dict.fromkeys(REG_TIMES, "datetime"),
    "reviewed_by": "text?",
    "targets": "list",
    "titles": "list",
}
TARGET_ROW = {"content": "text", "measure": "text", "target_value": "text?", "criterion": "text?"}
TITLE_ROW = {"title": "code", "count": "int"}
SIGNING_ROW = {
    "date": "date",
    "number": "int?",
    "place": "text",
    "attending": "list",
    "note": "text",
    "signed_by": "text?",
}
MAX_DEPTH = 8


def _points(value: Any, where: str) -> Any:
    if value is None:
        return None
    try:
        return calc.to_decimal(value)
    except calc.ScoreError:
        raise ExchangeError(f"{where}: “{value}” không phải là số điểm.") from None


class ScoringSection(Section):
    keys = ("score_templates", "registrations", "signing")
    audit_refs = {"source_id": "scoring.template"}

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        return (
            Template.objects.filter(bloc=bloc, year=year).exists()
            or Registration.objects.filter(bloc=bloc, year=year).exists()
        )

    # ------------------------------------------------------------ export

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        paths: dict[int, str] = {}
        templates = []
        for t in selectors.template_versions(bloc_id=ctx.bloc.pk, year=ctx.year):
            ctx.remember(t, f"v{t.version}")
            templates.append(self._dump_template(t, paths))
        regs = selectors.registrations(bloc_id=ctx.bloc.pk, year=ctx.year).select_related(
            "reviewed_by"
        )
        meeting = SigningMeeting.objects.filter(bloc=ctx.bloc, year=ctx.year).first()
        return {
            "score_templates": templates,
            "registrations": [self._dump_registration(r, paths, ctx) for r in regs],
            "signing": self._dump_signing(meeting, ctx) if meeting else None,
        }

    def _dump_template(self, t: Template, paths: dict[int, str]) -> dict[str, Any]:
        criteria = selectors.criteria_of(t)
        by_parent: dict[int | None, list[Criterion]] = {}
        for c in criteria:
            by_parent.setdefault(c.parent_id, []).append(c)

        def tree(parent_id: int | None, prefix: str) -> list[dict[str, Any]]:
            out = []
            for c in by_parent.get(parent_id, []):
                path = f"{prefix}/{c.code}" if prefix else c.code
                paths[c.pk] = f"v{t.version}:{path}"
                out.append(
                    {
                        **fields_json(c, CRITERION_FIELDS + CRITERION_POINTS),
                        "children": tree(c.pk, path),
                    }
                )
            return out

        return {
            "key": f"v{t.version}",
            **fields_json(t, TEMPLATE_FIELDS + TEMPLATE_POINTS + ("applies_from", "locked_at")),
            "tie_break": list(t.tie_break or []),
            "criteria": tree(None, ""),
            "bands": [fields_json(b, ("label", "min_total", "floor_pct")) for b in t.bands.all()],
        }

    def _dump_registration(self, r: Registration, paths, ctx: ExportContext) -> dict[str, Any]:
        ctx.remember(r, r.unit.name)
        return {
            "unit": ctx.unit_ref(r.unit),
            **fields_json(r, REG_FIELDS + REG_TIMES),
            "reviewed_by": ctx.user_ref(r.reviewed_by),
            "targets": [
                {
                    "content": t.content,
                    "measure": t.measure,
                    "target_value": to_json(t.target_value),
                    "criterion": paths.get(t.criterion_id),
                }
                for t in r.targets.all()
            ],
            "titles": [{"title": g.title, "count": g.count} for g in r.titles.all()],
        }

    def _dump_signing(self, m: SigningMeeting, ctx: ExportContext) -> dict[str, Any]:
        ctx.remember(m, str(m.year))
        return {
            "date": to_json(m.date),
            "number": m.number,
            "place": m.place,
            "attending": sorted(ctx.unit_ref(u) for u in m.attending.all()),
            "note": m.note,
            "signed_by": ctx.user_ref(m.signed_by),
        }

    # ------------------------------------------------------------ import

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        paths: dict[str, Criterion] = {}
        for i, raw in enumerate(read_rows(data["score_templates"], "score_templates"), start=1):
            self._load_template(read_row(raw, TEMPLATE_ROW, f"Thang điểm thứ {i}"), ctx, paths)
        for i, raw in enumerate(read_rows(data["registrations"], "registrations"), start=1):
            self._load_registration(read_row(raw, REGISTRATION_ROW, f"Đăng ký thứ {i}"), ctx, paths)
        if data["signing"] is not None:
            row = read_row(data["signing"], SIGNING_ROW, "Ký kết giao ước", {"number": None})
            self._load_signing(row, ctx)

    def _load_template(self, row: dict[str, Any], ctx: ImportContext, paths) -> None:
        where = f"Thang điểm {row['key']}"
        in_window(row["applies_from"], ctx.year, where, "Ngày áp dụng")
        template = Template(
            bloc=ctx.bloc,
            year=ctx.year,
            tie_break=[str(t) for t in row["tie_break"] if t in calc._TIE_KEYS],
            applies_from=row["applies_from"],
            locked_at=row["locked_at"],
            **{k: row[k] for k in TEMPLATE_FIELDS},
            **{k: _points(row[k], where) for k in TEMPLATE_POINTS},
        )
        if template.max_total is None or template.late_penalty is None:
            raise ExchangeError(f"{where}: thiếu tổng điểm tối đa hoặc điểm trừ nộp muộn.")
        save_clean(template, where)
        ctx.remember(template, row["key"])
        ctx.created["thang điểm"] += 1
        order = [0]
        self._load_criteria(row["criteria"], template, None, "", paths, order, where, depth=1)
        for raw in read_rows(row["bands"], f"{where}, xếp loại"):
            band = read_row(raw, BAND_ROW, f"{where}, mức xếp loại")
            save_clean(
                RatingBand(
                    template=template,
                    label=band["label"],
                    min_total=_points(band["min_total"], where),
                    floor_pct=_points(band["floor_pct"], where),
                ),
                f"{where}, mức “{band['label']}”",
            )
        problems = calc.tree_problems(
            selectors.build_nodes(selectors.criteria_of(template)),
            max_total=template.max_total,
            allow_children_over=template.allow_children_over,
        )
        if problems:
            raise ExchangeError(f"{where}: {problems[0].message}")

    def _load_criteria(self, rows, template, parent, prefix, paths, order, where, *, depth):
        if depth > MAX_DEPTH:
            raise ExchangeError(f"{where}: cây tiêu chí quá sâu (tối đa {MAX_DEPTH} cấp).")
        for raw in read_rows(rows, f"{where}, tiêu chí"):
            row = read_row(raw, CRITERION_ROW, f"{where}, tiêu chí")
            path = f"{prefix}/{row['code']}" if prefix else row["code"]
            order[0] += 1
            c = Criterion(
                template=template,
                parent=parent,
                order=order[0],
                **{k: row[k] for k in CRITERION_FIELDS},
                **{k: _points(row[k], f"{where}, tiêu chí {path}") for k in CRITERION_POINTS},
            )
            save_clean(c, f"{where}, tiêu chí {path}")
            paths[f"v{template.version}:{path}"] = c
            self._load_criteria(
                row["children"], template, c, path, paths, order, where, depth=depth + 1
            )

    def _load_registration(self, row: dict[str, Any], ctx: ImportContext, paths) -> None:
        where = f"Đăng ký của “{row['unit']}”"
        unit = ctx.unit(row["unit"], where)
        if not selectors.is_member(bloc_id=ctx.bloc.pk, year=ctx.year, unit_id=unit.pk):
            raise ExchangeError(f"{where}: đơn vị không phải thành viên của khối trong năm.")
        reg = Registration(
            bloc=ctx.bloc,
            year=ctx.year,
            unit=unit,
            reviewed_by=ctx.user(row["reviewed_by"], where),
            **{k: row[k] for k in REG_FIELDS + REG_TIMES},
        )
        save_clean(reg, where)
        ctx.remember(reg, row["unit"])
        ctx.created["bản đăng ký thi đua"] += 1
        for i, raw in enumerate(read_rows(row["targets"], f"{where}, chỉ tiêu")):
            t = read_row(raw, TARGET_ROW, f"{where}, chỉ tiêu {i + 1}")
            ref = t.pop("criterion")
            if ref is not None and ref not in paths:
                raise ExchangeError(f"{where}: không có tiêu chí “{ref}” trong thang điểm.")
            t["target_value"] = _points(t["target_value"], where)
            save_clean(
                Target(registration=reg, order=i, criterion=paths.get(ref), **t),
                f"{where}, chỉ tiêu {i + 1}",
            )
        for raw in read_rows(row["titles"], f"{where}, danh hiệu"):
            g = read_row(raw, TITLE_ROW, f"{where}, danh hiệu")
            save_clean(TitleGoal(registration=reg, **g), f"{where}, danh hiệu {g['title']}")

    def _load_signing(self, row: dict[str, Any], ctx: ImportContext) -> None:
        where = "Ký kết giao ước"
        in_window(row["date"], ctx.year, where, "Ngày ký kết")
        meeting = SigningMeeting(
            bloc=ctx.bloc,
            year=ctx.year,
            date=row["date"],
            number=row["number"],
            place=row["place"],
            note=row["note"],
            signed_by=ctx.user(row["signed_by"], where),
        )
        save_clean(meeting, where)
        meeting.attending.set(
            [ctx.unit(str(name), where) for name in read_rows(row["attending"], where)]
        )
        ctx.remember(meeting, str(ctx.year))
        ctx.created["hội nghị ký kết giao ước"] += 1
