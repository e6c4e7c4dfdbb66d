"""The plans section of the bloc-year file: the year's plans with their parts.

A plan is keyed "YEAR/vVERSION/POSITION" (position in the exported list, from 1); `replaces` and
audit events point at plans by that key. docs/export.md describes every key.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from blocs.exchange import (
    ExchangeError,
    ExportContext,
    ImportContext,
    Section,
    fields_json,
    parse_date,
    parse_datetime,
    save_clean,
    to_json,
)
from blocs.models import Bloc
from plans import rules
from plans.models import (
    FormatProfile,
    LegalBasis,
    Milestone,
    Phase,
    Plan,
    PlanComment,
    Recipient,
    SignatureLine,
)
from plans.models import (
    Section as PlanSection,
)

PLAN_FIELDS = (
    "issuer_kind",
    "parent_issuer",
    "issuer",
    "doc_type",
    "symbol",
    "number",
    "place",
    "issue_date",
    "draft_month",
    "title",
    "bases_style",
    "preamble",
    "theme",
    "closing",
    "status",
    "version",
    "consultation_deadline",
    "source_text",
)
PLAN_DATES = ("issue_date", "consultation_deadline")
BASIS_FIELDS = ("order", "text")
RECIPIENT_FIELDS = ("order", "name", "purpose", "is_archive")
SIGNATURE_FIELDS = ("order", "role", "text", "after_gap")
PHASE_FIELDS = ("seq", "name", "start", "end", "commemorations", "description")
MILESTONE_FIELDS = (
    "kind",
    "due",
    "due_month",
    "due_year",
    "data_from",
    "data_to",
    "addressee",
    "place",
    "with_score_sheet",
    "note",
)
MILESTONE_DATES = ("due", "data_from", "data_to")


def _milestone_order(m: Milestone) -> tuple:
    # In Python, not SQL: NULL ordering differs between SQLite and PostgreSQL.
    return (m.due is None, m.due or "", m.due_year or 0, m.due_month or 0, m.pk)


class PlansSection(Section):
    """Plans of the bloc and year (every version); their numbers' registers are in reports."""

    keys = ("plans",)
    audit_refs = {"replaces": "plans.plan", "source_plan": "plans.plan"}

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        return Plan.objects.filter(bloc=bloc, year=year).exists()

    # ------------------------------------------------------------ export

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        plans = list(
            Plan.objects.filter(bloc=ctx.bloc, year=ctx.year)
            .select_related("format_profile", "created_by", "replaces")
            .order_by("version", "id")
        )
        for position, plan in enumerate(plans, start=1):
            ctx.remember(plan, f"{plan.year}/v{plan.version}/{position}")
        return {"plans": [self._dump_plan(plan, ctx) for plan in plans]}

    def _dump_plan(self, plan: Plan, ctx: ExportContext) -> dict[str, Any]:
        keys = ctx.refs["plans.plan"]
        replaces = None
        if plan.replaces_id:
            replaces = keys.get(plan.replaces_id)
            if replaces is None:
                old = plan.replaces
                ctx.notes.append(
                    f"Kế hoạch {keys[plan.pk]} thay thế kế hoạch năm {old.year} phiên bản "
                    f"{old.version} không có trong tệp: để trống “replaces”."
                )
        phases = list(plan.phases.order_by("seq"))
        seq_of = {p.pk: p.seq for p in phases}
        sections = list(plan.sections.order_by("order", "id"))
        return {
            "key": keys[plan.pk],
            **fields_json(plan, PLAN_FIELDS),
            "format_profile": plan.format_profile.code,
            "replaces": replaces,
            "created_by": ctx.user_ref(plan.created_by),
            "created_at": to_json(plan.created_at),
            "bases": [fields_json(b, BASIS_FIELDS) for b in plan.bases.order_by("order", "id")],
            "sections": _section_tree(sections, None),
            "recipients": [
                fields_json(r, RECIPIENT_FIELDS) for r in plan.recipients.order_by("order", "id")
            ],
            "signature": [
                fields_json(s, SIGNATURE_FIELDS)
                for s in plan.signature_lines.order_by("order", "id")
            ],
            "phases": [fields_json(p, PHASE_FIELDS) for p in phases],
            "milestones": [
                {**fields_json(m, MILESTONE_FIELDS), "phase": seq_of.get(m.phase_id)}
                for m in sorted(plan.milestones.all(), key=_milestone_order)
            ],
            "comments": [
                {
                    "author": ctx.user_ref(c.author),
                    "unit": ctx.unit_ref(c.unit),
                    "text": c.text,
                    "created_at": to_json(c.created_at),
                }
                for c in plan.comments.select_related("author", "unit").order_by("created_at", "id")
            ],
        }

    # ------------------------------------------------------------ import

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        plans: dict[str, Plan] = {}
        for row in data["plans"]:
            plans[row["key"]] = self._load_plan(row, ctx)
        for row in data["plans"]:  # links once every plan exists
            if row["replaces"] is not None:
                plan = plans[row["key"]]
                plan.replaces = plans.get(row["replaces"])
                if plan.replaces is None:
                    raise ExchangeError(
                        f"Kế hoạch {row['key']}: kế hoạch được thay thế “{row['replaces']}” "
                        "không có trong tệp."
                    )
                save_clean(plan, f"Kế hoạch {row['key']}")

    def _load_plan(self, row: dict[str, Any], ctx: ImportContext) -> Plan:
        where = f"Kế hoạch {row['key']}"
        values = {name: row[name] for name in PLAN_FIELDS}
        for name in PLAN_DATES:
            values[name] = parse_date(row[name], where)
        profile = FormatProfile.objects.filter(code=row["format_profile"]).first()
        if profile is None:
            raise ExchangeError(f"{where}: không có thể thức “{row['format_profile']}”.")
        plan = Plan(
            bloc=ctx.bloc,
            year=ctx.year,
            format_profile=profile,
            created_by=ctx.user(row["created_by"], where),
            **values,
        )
        save_clean(plan, where)
        plan.created_at = parse_datetime(row["created_at"], where)
        Plan.objects.filter(pk=plan.pk).update(created_at=plan.created_at)  # auto_now_add
        ctx.remember(plan, row["key"])
        ctx.created["kế hoạch"] += 1
        for item in row["bases"]:
            save_clean(LegalBasis(plan=plan, **item), f"{where}, căn cứ")
            ctx.created["căn cứ"] += 1
        self._load_sections(plan, row["sections"], None, ctx, where)
        for item in row["recipients"]:
            save_clean(Recipient(plan=plan, **item), f"{where}, nơi nhận")
            ctx.created["nơi nhận"] += 1
        for item in row["signature"]:
            save_clean(SignatureLine(plan=plan, **item), f"{where}, chữ ký")
            ctx.created["dòng chữ ký"] += 1
        phases: dict[int, Phase] = {}
        for item in row["phases"]:
            phase_where = f"{where}, đợt {item['seq']}"
            phase = Phase(plan=plan, **item)
            phase.start = parse_date(item["start"], phase_where)
            phase.end = parse_date(item["end"], phase_where)
            save_clean(phase, phase_where)
            phases[phase.seq] = phase
            ctx.created["đợt thi đua"] += 1
        for item in row["milestones"]:
            item = dict(item)
            seq = item.pop("phase")
            m_where = f"{where}, mốc {item['kind']}"
            if seq is not None and seq not in phases:
                raise ExchangeError(f"{m_where}: không có đợt {seq}.")
            milestone = Milestone(plan=plan, phase=phases.get(seq), **item)
            for name in MILESTONE_DATES:
                setattr(milestone, name, parse_date(item[name], m_where))
            save_clean(milestone, m_where)
            ctx.created["mốc thời gian"] += 1
        for item in row["comments"]:
            c_where = f"{where}, góp ý"
            comment = PlanComment(
                plan=plan,
                author=ctx.user(item["author"], c_where),
                unit=ctx.unit(item["unit"], c_where),
                text=item["text"],
            )
            save_clean(comment, c_where)
            PlanComment.objects.filter(pk=comment.pk).update(
                created_at=parse_datetime(item["created_at"], c_where)
            )
            ctx.created["góp ý"] += 1
        return plan

    def _load_sections(
        self,
        plan: Plan,
        rows: list[dict[str, Any]],
        parent: PlanSection | None,
        ctx: ImportContext,
        where: str,
    ) -> None:
        for item in rows:
            values = {k: v for k, v in item.items() if k != "children"}
            node = PlanSection(plan=plan, parent=parent, **values)
            save_clean(node, f"{where}, mục “{node.label}”")
            ctx.created["mục nội dung"] += 1
            self._load_sections(plan, item["children"], node, ctx, where)

    def validate(self, ctx: ImportContext) -> None:
        for plan in Plan.objects.filter(bloc=ctx.bloc, year=ctx.year):
            try:
                rules.check_schedule(plan)
            except ValidationError as exc:
                raise ExchangeError(
                    f"Kế hoạch năm {plan.year} phiên bản {plan.version}: {'; '.join(exc.messages)}"
                ) from None


def _section_tree(sections: list[PlanSection], parent_id: int | None) -> list[dict[str, Any]]:
    return [
        {
            "order": s.order,
            "label": s.label,
            "title": s.title,
            "content": s.content,
            "children": _section_tree(sections, s.pk),
        }
        for s in sections
        if s.parent_id == parent_id
    ]
