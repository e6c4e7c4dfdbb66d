"""The reporting rounds of the bloc-year file ("rounds"): their stable keys, dates and whether the
latest plan still has them. A file written before rounds existed has no "rounds" key and skips
this section (the rounds then come back when the year's plan is next issued)."""

from __future__ import annotations

from typing import Any

from blocs.exchange import ExportContext, ImportContext, Section
from blocs.exchange_values import in_window, read_row, read_rows, save_clean, to_json
from blocs.models import Bloc
from scoring.models import Round

ROUND_ROW = {
    "key": "code",
    "kind": "code",
    "name": "text",
    "due": "date",
    "data_from": "date",
    "data_to": "date",
    "addressee": "text",
    "with_score_sheet": "bool",
    "active": "bool",
}
DATES = ("due", "data_from", "data_to")


class RoundsSection(Section):
    keys = ("rounds",)
    audit_refs = {"plan": "plans.plan"}

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        return Round.objects.filter(bloc=bloc, year=year).exists()

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        rows = []
        for r in Round.objects.filter(bloc=ctx.bloc, year=ctx.year).order_by("key"):
            ctx.remember(r, r.key)
            rows.append(
                {
                    "key": r.key,
                    "kind": r.kind,
                    "name": r.name,
                    **{f: to_json(getattr(r, f)) for f in DATES},
                    "addressee": r.addressee,
                    "with_score_sheet": r.with_score_sheet,
                    "active": r.active,
                }
            )
        return {"rounds": rows}

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        for i, raw in enumerate(read_rows(data["rounds"], "rounds"), start=1):
            row = read_row(raw, ROUND_ROW, f"Kỳ báo cáo thứ {i}")
            where = f"Kỳ báo cáo {row['key']}"
            for name in DATES:
                in_window(row[name], ctx.year, where, name)
            r = Round(bloc=ctx.bloc, year=ctx.year, **row)
            save_clean(r, where)
            ctx.remember(r, row["key"])
            ctx.created["kỳ báo cáo"] += 1
