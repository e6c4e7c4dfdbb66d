"""The suy tôn part of the bloc-year file: the award proposals of the adopted ranking (award, basis,
votes, status, the province's return reason and decision, reward) and the dossiers that carried
them to the province (sequence, date, number of the tờ trình, which proposals). Proposals are keyed
"award/unit" (one per unit and award in a bloc-year), dossiers by their sequence; the tờ trình
itself travels in the reports section, pointing at its dossier. Rows are copied as stored, never
regenerated. A file older than these keys skips the section. docs/export.md."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
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
from scoring import selectors
from scoring.exchange import _points
from scoring.models import Dossier, Proposal, Ranking

VOTES = ("vote_for", "vote_against", "vote_total")
TEXTS = ("achievements", "returned_reason", "decision_number", "decision_issuer")
PROPOSAL_ROW = {
    "unit": "text",
    "award": "code",
    "status": "code",
    "rank": "int",
    "total": "text",
    **dict.fromkeys(TEXTS, "text"),
    "decision_date": "date",
    "reward_amount": "text?",
    "submitted_at": "datetime",
    **dict.fromkeys(VOTES, "int?"),
}
DOSSIER_ROW = {
    "seq": "int",
    "date": "date",
    "number": "int?",
    "submitted_at": "datetime",
    "submitted_by": "text?",
    "proposals": "list",
}
MAX_AMOUNT = Decimal(10) ** 12  # 14 digits, no decimals (the model's field)


def proposal_key(p: Proposal) -> str:
    return f"{p.award}/{p.unit.name}"


class ProposalsSection(Section):
    keys = ("proposals", "dossiers")

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        return Proposal.objects.filter(bloc=bloc, year=year).exists()

    # ------------------------------------------------------------ export

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        proposals = Proposal.objects.filter(bloc=ctx.bloc, year=ctx.year).select_related("unit")
        dossiers = (
            Dossier.objects.filter(bloc=ctx.bloc, year=ctx.year)
            .select_related("submitted_by")
            .prefetch_related("proposals__unit")
            .order_by("seq")
        )
        rows = []
        for p in proposals.order_by("rank", "award", "unit__name"):
            rows.append(
                {
                    "unit": ctx.unit_ref(p.unit),
                    **fields_json(
                        p,
                        (
                            "award",
                            "status",
                            "rank",
                            "total",
                            *TEXTS,
                            "decision_date",
                            "reward_amount",
                            "submitted_at",
                            *VOTES,
                        ),
                    ),
                }
            )
            ctx.remember(p, proposal_key(p))
        out = []
        for d in dossiers:
            ctx.remember(d, str(d.seq))
            out.append(
                {
                    **fields_json(d, ("seq", "date", "number", "submitted_at")),
                    "submitted_by": ctx.user_ref(d.submitted_by),
                    "proposals": sorted(proposal_key(p) for p in d.proposals.all()),
                }
            )
        return {"proposals": rows, "dossiers": out}

    # ------------------------------------------------------------ import

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        rows = read_rows(data["proposals"], "proposals")
        dossiers = read_rows(data["dossiers"], "dossiers")
        if not rows and not dossiers:
            return
        ranking = Ranking.objects.filter(bloc=ctx.bloc, year=ctx.year).first()
        if ranking is None or ranking.status != Ranking.Status.ADOPTED:
            raise ExchangeError("Đề nghị khen thưởng: tệp không có kết quả xếp hạng đã thông qua.")
        made: dict[str, Proposal] = {}
        for i, raw in enumerate(rows, start=1):
            p = self._load_proposal(read_row(raw, PROPOSAL_ROW, f"Đề nghị thứ {i}"), ranking, ctx)
            key = proposal_key(p)
            if key in made:
                raise ExchangeError(f"Đề nghị thứ {i}: “{key}” trùng một đề nghị khác.")
            made[key] = p
            ctx.remember(p, key)
            ctx.created["đề nghị khen thưởng"] += 1
        for i, raw in enumerate(dossiers, start=1):
            row = read_row(raw, DOSSIER_ROW, f"Hồ sơ đề nghị thứ {i}")
            self._load_dossier(row, ranking, made, ctx)

    def _load_proposal(self, row: dict[str, Any], ranking: Ranking, ctx: ImportContext):
        where = f"Đề nghị khen thưởng “{row['unit']}”"
        unit = ctx.unit(row["unit"], where)
        if not selectors.is_member(bloc_id=ctx.bloc.pk, year=ctx.year, unit_id=unit.pk):
            raise ExchangeError(f"{where}: đơn vị không phải thành viên của khối trong năm.")
        if row["award"] not in Proposal.AWARDS or row["status"] not in Proposal.Status.values:
            raise ExchangeError(f"{where}: hình thức hoặc trạng thái không hợp lệ.")
        if row["decision_date"] is not None:
            in_window(row["decision_date"], ctx.year, where, "Ngày quyết định")
        for name in VOTES:
            if row[name] is not None and not 0 <= row[name] <= 10_000:
                raise ExchangeError(f"{where}: số phiếu không hợp lệ.")
        p = Proposal(
            bloc=ctx.bloc,
            year=ctx.year,
            ranking=ranking,
            unit=unit,
            award=row["award"],
            status=row["status"],
            rank=row["rank"],
            total=_points(row["total"], where),
            decision_date=row["decision_date"],
            reward_amount=_amount(row["reward_amount"], where),
            submitted_at=row["submitted_at"],
            **{k: row[k] for k in (*TEXTS, *VOTES)},
        )
        save_clean(p, where)
        return p

    def _load_dossier(self, row, ranking: Ranking, made: dict[str, Proposal], ctx) -> None:
        where = f"Hồ sơ đề nghị lần {row['seq']}"
        if row["date"] is None or row["submitted_at"] is None:
            raise ExchangeError(f"{where}: thiếu ngày tờ trình hoặc thời điểm trình.")
        in_window(row["date"], ctx.year, where, "Ngày tờ trình")
        keys = [str(k) for k in read_rows(row["proposals"], where)]
        missing = [k for k in keys if k not in made]
        if missing:
            raise ExchangeError(f"{where}: đề nghị “{missing[0]}” không có trong tệp.")
        dossier = Dossier(
            bloc=ctx.bloc,
            year=ctx.year,
            ranking=ranking,
            seq=row["seq"],
            date=row["date"],
            number=row["number"],
            submitted_at=row["submitted_at"],
            submitted_by=ctx.user(row["submitted_by"], where),
        )
        save_clean(dossier, where)
        dossier.proposals.set([made[k] for k in keys])
        ctx.remember(dossier, str(row["seq"]))
        ctx.created["hồ sơ đề nghị khen thưởng"] += 1


def _amount(value: str | None, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ExchangeError(f"{where}: tiền thưởng không hợp lệ.") from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT or amount != int(amount):
        raise ExchangeError(f"{where}: tiền thưởng không hợp lệ.")
    return amount
