"""The plans section of the bloc-year file: the year's plans with their parts.

A plan is keyed "YEAR/vVERSION/POSITION" (position in the exported list, from 1); `replaces` and
audit events point at plans by that key. docs/export.md describes every key.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

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
from plans.selectors import SHARED_STATUSES

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


# What each row may hold (blocs.exchange_values.read_row): documented keys only, typed.
PLAN_ROW = {
    "key": "text",
    "issuer_kind": "code",
    "parent_issuer": "text",
    "issuer": "text",
    "doc_type": "text",
    "symbol": "text",
    "number": "int?",
    "place": "text",
    "issue_date": "date",
    "draft_month": "int?",
    "title": "text",
    "bases_style": "code",
    "preamble": "text",
    "theme": "text",
    "closing": "text",
    "status": "code",
    "version": "int",
    "consultation_deadline": "date",
    "source_text": "text",
    "format_profile": "code",
    "replaces": "text?",
    "created_by": "text?",
    "created_at": "datetime",
    **dict.fromkeys(
        ("bases", "sections", "recipients", "signature", "phases", "milestones", "comments"),
        "list",
    ),
}
BASIS_ROW = {"order": "int", "text": "text"}
SECTION_ROW = {
    "order": "int",
    "label": "text",
    "title": "text",
    "content": "text",
    "children": "list",
}
RECIPIENT_ROW = {"order": "int", "name": "text", "purpose": "text", "is_archive": "bool"}
SIGNATURE_ROW = {"order": "int", "role": "code", "text": "text", "after_gap": "bool"}
PHASE_ROW = {
    "seq": "int",
    "name": "text",
    "start": "date",
    "end": "date",
    "commemorations": "text",
    "description": "text",
}
MILESTONE_ROW = {
    "phase": "int?",
    "kind": "code",
    **dict.fromkeys(MILESTONE_DATES, "date"),
    "due_month": "int?",
    "due_year": "int?",
    "addressee": "text",
    "place": "text",
    "with_score_sheet": "bool",
    "note": "text",
}
COMMENT_ROW = {"author": "text?", "unit": "text?", "text": "text", "created_at": "datetime"}
MAX_DEPTH = 8  # of the body tree in a file (the editor makes 4 levels)
# Statuses whose imported source text everyone who may open the plan may also read.
FINAL_STATUSES = {Plan.Status.ISSUED, Plan.Status.SUPERSEDED, Plan.Status.REVOKED}


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
            .prefetch_related(*_ordered_children())
            .order_by("version", "id")
        )
        if not ctx.audience.drafts:  # what the plan pages refuse, the export leaves out
            for plan in plans:
                if plan.status not in SHARED_STATUSES:
                    ctx.hide(plan)
            plans = [p for p in plans if p.status in SHARED_STATUSES]
            ctx.notes.append(
                "Bản xuất theo quyền người xuất: không gồm dự thảo chưa gửi lấy ý kiến và văn "
                "bản gốc đã nhập của kế hoạch chưa ban hành."
            )
        for position, plan in enumerate(plans, start=1):
            ctx.remember(plan, f"{plan.year}/v{plan.version}/{position}")
        return {"plans": [self._dump_plan(plan, ctx) for plan in plans]}

    def _dump_plan(self, plan: Plan, ctx: ExportContext) -> dict[str, Any]:
        """One plan from its prefetched children (_ordered_children: a query per kind of
        child for all the plans of the year, not per plan)."""
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
        phases = list(plan.phases.all())
        seq_of = {p.pk: p.seq for p in phases}
        sections = list(plan.sections.all())
        fields = fields_json(plan, PLAN_FIELDS)
        if not ctx.audience.drafts and plan.status not in FINAL_STATUSES:
            fields["source_text"] = ""
        return {
            "key": keys[plan.pk],
            **fields,
            "format_profile": plan.format_profile.code,
            "replaces": replaces,
            "created_by": ctx.user_ref(plan.created_by),
            "created_at": to_json(plan.created_at),
            "bases": [fields_json(b, BASIS_FIELDS) for b in plan.bases.all()],
            "sections": _section_tree(sections, None),
            "recipients": [fields_json(r, RECIPIENT_FIELDS) for r in plan.recipients.all()],
            "signature": [fields_json(s, SIGNATURE_FIELDS) for s in plan.signature_lines.all()],
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
                for c in plan.comments.all()
            ],
        }

    # ------------------------------------------------------------ import

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        rows = [
            read_row(raw, PLAN_ROW, f"Kế hoạch thứ {i}")
            for i, raw in enumerate(read_rows(data["plans"], "plans"), start=1)
        ]
        plans: dict[str, Plan] = {}
        for row in rows:
            if row["key"] in plans:
                raise ExchangeError(f"Kế hoạch {row['key']}: khóa bị trùng trong tệp.")
            plans[row["key"]] = self._load_plan(row, ctx)
        for row in rows:  # links once every plan exists
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
        in_window(row["issue_date"], ctx.year, where, "Ngày ban hành")
        in_window(row["consultation_deadline"], ctx.year, where, "Hạn góp ý")
        profile = FormatProfile.objects.filter(code=row["format_profile"]).first()
        if profile is None:
            raise ExchangeError(f"{where}: không có thể thức “{row['format_profile']}”.")
        plan = Plan(
            bloc=ctx.bloc,
            year=ctx.year,
            format_profile=profile,
            created_by=ctx.user(row["created_by"], where),
            **{name: row[name] for name in PLAN_FIELDS},
        )
        save_clean(plan, where)
        plan.created_at = row["created_at"]  # auto_now_add: restored with an update
        Plan.objects.filter(pk=plan.pk).update(created_at=plan.created_at)
        ctx.remember(plan, row["key"])
        ctx.created["kế hoạch"] += 1
        self._load_lists(plan, row, ctx, where)
        self._load_sections(plan, row["sections"], None, ctx, where, depth=1)
        phases = self._load_phases(plan, row["phases"], ctx, where)
        for raw in read_rows(row["milestones"], f"{where}, mốc"):
            item = read_row(raw, MILESTONE_ROW, f"{where}, mốc thời gian")
            seq = item.pop("phase")
            m_where = f"{where}, mốc {item['kind']}"
            if seq is not None and seq not in phases:
                raise ExchangeError(f"{m_where}: không có đợt {seq}.")
            save_clean(Milestone(plan=plan, phase=phases.get(seq), **item), m_where)
            ctx.created["mốc thời gian"] += 1
        for raw in read_rows(row["comments"], f"{where}, góp ý"):
            c_where = f"{where}, góp ý"
            item = read_row(raw, COMMENT_ROW, c_where)
            comment = PlanComment(
                plan=plan,
                author=ctx.user(item["author"], c_where),
                unit=ctx.unit(item["unit"], c_where),
                text=item["text"],
            )
            save_clean(comment, c_where)
            PlanComment.objects.filter(pk=comment.pk).update(created_at=item["created_at"])
            ctx.created["góp ý"] += 1
        return plan

    def _load_lists(self, plan: Plan, row: dict[str, Any], ctx: ImportContext, where: str) -> None:
        """Bases, recipients and signature lines: flat rows of the plan."""
        lists = (
            ("bases", BASIS_ROW, LegalBasis, "căn cứ"),
            ("recipients", RECIPIENT_ROW, Recipient, "nơi nhận"),
            ("signature", SIGNATURE_ROW, SignatureLine, "dòng chữ ký"),
        )
        for key, schema, model, label in lists:
            for raw in read_rows(row[key], f"{where}, {label}"):
                item = read_row(raw, schema, f"{where}, {label}")
                save_clean(model(plan=plan, **item), f"{where}, {label}")
                ctx.created[label] += 1

    def _load_phases(
        self, plan: Plan, rows: Any, ctx: ImportContext, where: str
    ) -> dict[int, Phase]:
        phases: dict[int, Phase] = {}
        for raw in read_rows(rows, f"{where}, đợt"):
            item = read_row(raw, PHASE_ROW, f"{where}, đợt thi đua")
            phase = Phase(plan=plan, **item)
            save_clean(phase, f"{where}, đợt {item['seq']}")
            phases[phase.seq] = phase
            ctx.created["đợt thi đua"] += 1
        return phases

    def _load_sections(
        self,
        plan: Plan,
        rows: Any,
        parent: PlanSection | None,
        ctx: ImportContext,
        where: str,
        depth: int,
    ) -> None:
        if depth > MAX_DEPTH:
            raise ExchangeError(f"{where}: mục lồng nhau quá {MAX_DEPTH} cấp.")
        for raw in read_rows(rows, f"{where}, mục"):
            item = read_row(raw, SECTION_ROW, f"{where}, mục")
            children = item.pop("children")
            node = PlanSection(plan=plan, parent=parent, **item)
            save_clean(node, f"{where}, mục “{node.label}”")
            ctx.created["mục nội dung"] += 1
            self._load_sections(plan, children, node, ctx, where, depth + 1)

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


def _ordered_children() -> list[Prefetch]:
    from plans.models import LegalBasis, Phase, PlanComment, Recipient, Section, SignatureLine

    by_order = ("order", "id")
    return [
        Prefetch("phases", queryset=Phase.objects.order_by("seq")),
        Prefetch("sections", queryset=Section.objects.order_by(*by_order)),
        Prefetch("bases", queryset=LegalBasis.objects.order_by(*by_order)),
        Prefetch("recipients", queryset=Recipient.objects.order_by(*by_order)),
        Prefetch("signature_lines", queryset=SignatureLine.objects.order_by(*by_order)),
        "milestones",
        Prefetch(
            "comments",
            queryset=PlanComment.objects.select_related("author", "unit").order_by(
                "created_at", "id"
            ),
        ),
    ]
