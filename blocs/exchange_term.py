"""The blocs section of the bloc-year file: the year's term and the memberships covering it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from blocs.exchange import ExportContext, ImportContext, Section
from blocs.exchange_values import (
    ExchangeError,
    fields_json,
    in_window,
    read_row,
    read_rows,
    save_clean,
)
from blocs.models import Bloc, BlocTerm, Membership

MEMBERSHIP_FIELDS = ("join_reason", "leave_reason", "decision_ref")
TERM_TEXTS = ("basis", "head_display", "signer_position", "signer_rank", "signer_name")
TERM_ROW = {
    "head_unit": "text",
    "deputy_units": "list",
    "basis_date": "date",
    **dict.fromkeys(TERM_TEXTS, "text"),
}
TERM_SIGNER_DEFAULTS = dict.fromkeys(TERM_TEXTS[1:], "")  # files written before these existed
MEMBERSHIP_ROW = {
    "unit": "text",
    "joined_on": "date",
    "left_on": "date",
    "join_reason": "code",
    "leave_reason": "code",
    "decision_ref": "text",
}


class BlocsSection(Section):
    """The bloc's term for the year (head, deputies, basis, signer) and the memberships
    covering the year."""

    keys = ("term", "memberships")

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        return BlocTerm.objects.filter(bloc=bloc, year=year).exists()

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        term = (
            BlocTerm.objects.filter(bloc=ctx.bloc, year=ctx.year)
            .select_related("head_unit")
            .first()
        )
        term_data = None
        if term is not None:
            ctx.remember(term, str(ctx.year))
            term_data = {
                "head_unit": ctx.unit_ref(term.head_unit),
                "deputy_units": sorted(ctx.unit_ref(u) for u in term.deputy_units.all()),
                **fields_json(term, TERM_TEXTS + ("basis_date",)),
            }
        memberships = []
        rows = Membership.objects.for_year(ctx.year).filter(bloc=ctx.bloc).select_related("unit")
        for m in sorted(rows, key=lambda m: (m.unit.name, m.joined_on)):
            ctx.remember(m, f"{m.unit.name} @ {m.joined_on.isoformat()}")
            fields = MEMBERSHIP_FIELDS + ("joined_on", "left_on")
            memberships.append({"unit": ctx.unit_ref(m.unit), **fields_json(m, fields)})
        return {"term": term_data, "memberships": memberships}

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        for i, raw in enumerate(read_rows(data["memberships"], "memberships"), start=1):
            row = read_row(raw, MEMBERSHIP_ROW, f"Thành viên thứ {i}")
            where = f"Thành viên “{row['unit']}”"
            unit = ctx.unit(row.pop("unit"), where)
            joined_on = row.pop("joined_on")
            m = Membership.objects.filter(bloc=ctx.bloc, unit=unit, joined_on=joined_on).first()
            if m is None:
                m = Membership(bloc=ctx.bloc, unit=unit, joined_on=joined_on, **row)
                save_clean(m, where)
                ctx.created["thành viên khối"] += 1
            elif any(getattr(m, k) != v for k, v in row.items()):
                raise ExchangeError(f"{where}: đã có trong khối với thông tin khác tệp.")
            if not m.covers_year(ctx.year):
                raise ExchangeError(f"{where}: không thuộc khối trong năm {ctx.year} của tệp.")
            ctx.remember(m, f"{unit.name} @ {joined_on.isoformat()}")
        if data["term"] is not None:
            self._load_term(data["term"], ctx)

    def _load_term(self, raw: Any, ctx: ImportContext) -> None:
        where = "Nhiệm kỳ"
        row = read_row(raw, TERM_ROW, where, optional=TERM_SIGNER_DEFAULTS)
        in_window(row["basis_date"], ctx.year, where, "Ngày căn cứ")
        deputies = [ctx.unit(n, "Phó khối") for n in read_rows(row.pop("deputy_units"), where)]
        head = ctx.unit(row.pop("head_unit"), where)
        term = BlocTerm(bloc=ctx.bloc, year=ctx.year, head_unit=head, **row)
        save_clean(term, where)
        term.deputy_units.set(deputies)
        ctx.remember(term, str(ctx.year))
        ctx.created["nhiệm kỳ khối"] += 1

    def validate(self, ctx: ImportContext) -> None:
        from blocs.services import _check_term_units, _overlapping, _read_term_units

        for m in Membership.objects.filter(bloc=ctx.bloc).select_related("unit"):
            if _overlapping(ctx.bloc, m.unit, m.joined_on, m.left_on, exclude_pk=m.pk).exists():
                raise ExchangeError(
                    f"Thành viên “{m.unit.name}”: các thời gian tham gia chồng nhau."
                )
        term = BlocTerm.objects.filter(bloc=ctx.bloc, year=ctx.year).first()
        if term is not None:
            try:
                members, deputies, _ = _read_term_units(ctx.bloc, ctx.year, [term.head_unit], term)
                _check_term_units(ctx.bloc, ctx.year, term.head_unit, deputies, members)
            except ValidationError as exc:
                raise ExchangeError(f"Nhiệm kỳ: {'; '.join(exc.messages)}") from None
