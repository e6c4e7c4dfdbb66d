"""Edits of a plan that is not issued: header, body, lists, schedule.

Every edit follows one pattern: lock the plan row, check its status and the editor's revision
token inside the lock (a stale form is refused, never merged), compare with what is stored and
write only what changed (an unchanged save writes and records nothing), bump the revision, send
an approved plan back to draft (it must be approved again), and audit old → new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from blocs import audit, rowchecks
from blocs.prefetch import lists_read, read_lists, set_prefetched
from plans import datelinks, rules
from plans.importer import ParsedSection
from plans.models import LegalBasis, Milestone, Phase, Plan, Recipient, Section, SignatureLine

S = Plan.Status
FROZEN_MESSAGE = "Kế hoạch đã ban hành không được sửa; hãy tạo văn bản sửa đổi, bổ sung."
STALE_MESSAGE = (
    "Kế hoạch vừa được người khác thay đổi sau khi bạn mở trang này, nên thay đổi của bạn chưa "
    "được lưu. Trang dưới đây hiển thị nội dung hiện tại; nội dung bạn đã nhập được giữ ở ô bên "
    "cạnh để bạn nhập lại."
)
HEADER_FIELDS = (
    "format_profile",
    "issuer_kind",
    "parent_issuer",
    "issuer",
    "doc_type",
    "symbol",
    "place",
    "draft_month",
    "title",
    "bases_style",
    "preamble",
    "theme",
    "closing",
)


class StaleEditError(ValidationError):
    """The form was read at an older revision of the plan than the stored one."""


def log(plan: Plan, action: str, actor: Any, **data: Any) -> None:
    audit.record(actor=actor, action=action, obj=plan, bloc=plan.bloc, year=plan.year, data=data)


def lock_for_edit(
    plan: Plan | int,
    revision: int | None,
    *,
    lists: Sequence[str] = (),
    check: Callable[[Plan], None] | None = None,
) -> Plan:
    """The plan row (or the plan of that id), locked; refused when frozen or when `revision`
    is not the stored one. Its format profile comes in the same query (the header's audit shows
    it) but is not locked: only the plan and its bloc rows are. `lists`: child rows the save
    compares (blocs.prefetch.read_lists: in the same query when the save carries a
    revision); `check`: the view's gate, run on the locked row first (a 404/403 there: the
    request reads the plan once)."""
    qs = Plan.objects.select_for_update(of=("self", "bloc")).select_related(
        "bloc", "format_profile"
    )
    locked = read_lists(qs, lists, revision).get(pk=plan if isinstance(plan, int) else plan.pk)
    if check is not None:
        check(locked)
    if locked.is_frozen:
        raise ValidationError(FROZEN_MESSAGE, code="frozen")
    if revision is not None and int(revision) != locked.revision:
        raise StaleEditError(STALE_MESSAGE, code="stale")
    return lists_read(locked, lists, revision)


def touch(locked: Plan, actor: Any, *fields: str) -> None:
    """Save the changed `fields` with a new revision; an approved plan goes back to draft."""
    names = [*fields, "revision", "updated_at"]
    locked.revision += 1
    if locked.status == S.APPROVED:
        locked.status = S.DRAFT
        names.append("status")
        log(locked, "plan.revise", actor, old=S.APPROVED, new=S.DRAFT, reason="edited")
    locked.save(update_fields=names)


def _keyed(old: dict[str, str], new: dict[str, str]) -> dict[str, Any]:
    """Added / removed / changed entries of two keyed listings (for the audit)."""
    out: dict[str, Any] = {}
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    changed = {k: {"old": old[k], "new": new[k]} for k in new if k in old and old[k] != new[k]}
    if added:
        out["added"] = {k: new[k] for k in added}
    if removed:
        out["removed"] = {k: old[k] for k in removed}
    if changed:
        out["changed"] = changed
    return out


# ---------------------------------------------------------------- header


@transaction.atomic
def plan_update(*, plan: Plan, actor: Any, revision: int | None = None, **fields: Any) -> Plan:
    """Change header fields of a plan that is not issued; only changed fields are written."""
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise ValueError(f"Not header fields: {sorted(unknown)}")
    locked = lock_for_edit(plan, revision)
    old = audit.snapshot(locked, fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    diff = audit.changes(old, audit.snapshot(locked, fields))
    if not diff:
        return locked
    # An unchanged foreign key is known to be valid: not checked again (a query each).
    unchanged = [f.name for f in locked._meta.fields if f.is_relation and f.name not in diff]
    clean_plan(locked, known=unchanged)
    touch(locked, actor, *diff)
    log(locked, "plan.update", actor, changes=diff)
    return locked


# The plan's check constraints, tested in Python (full_clean runs a query for each): rowchecks.
PLAN_CHECKS: rowchecks.Checks = {
    "plan_draft_month_range": lambda p: p.draft_month is not None and not 1 <= p.draft_month <= 12,
    "issued_plan_has_number_and_date": lambda p: (
        p.status == S.ISSUED and (p.number is None or p.issue_date is None)
    ),
}
PHASE_CHECKS: rowchecks.Checks = {"phase_end_after_start": lambda ph: ph.end < ph.start}
MILESTONE_CHECKS: rowchecks.Checks = {
    "milestone_data_period_ordered": lambda m: bool(
        m.data_from and m.data_to and m.data_to < m.data_from
    ),
    "milestone_month_range": lambda m: m.due_month is not None and not 1 <= m.due_month <= 12,
}


def clean_plan(plan: Plan, *, known: Iterable[str] = ()) -> None:
    """full_clean without its queries: the foreign keys `known` to be valid (objects in hand,
    or unchanged under the lock) are not looked up again, and the check constraints are
    PLAN_CHECKS."""
    rowchecks.clean(plan, PLAN_CHECKS, exclude=known, unique=True)


# ---------------------------------------------------------------- body


def section_tree(plan: Plan) -> list[ParsedSection]:
    """The plan's sections as a tree of ParsedSection (one query, none when the plan's
    sections were prefetched in order: plans.selectors.plan_with_children)."""
    nodes: dict[int, ParsedSection] = {}
    roots: list[ParsedSection] = []
    if "sections" in getattr(plan, "_prefetched_objects_cache", {}):
        rows = list(plan.sections.all())
    else:
        rows = Section.objects.filter(plan=plan).order_by("order", "id")
    for s in rows:
        node = ParsedSection(
            label=s.label,
            title=s.title,
            paragraphs=[p for p in s.content.split("\n\n") if p],
            children=[],
        )
        nodes[s.pk] = node
        (nodes[s.parent_id].children if s.parent_id in nodes else roots).append(node)
    return roots


def _flat(sections: Sequence[ParsedSection], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for i, node in enumerate(sections):
        key = f"{prefix}{node.label or f'#{i + 1}'}"
        while key in out:
            key += "'"
        out[key] = " ".join([node.title, *node.paragraphs]).strip()[:300]
        out.update(_flat(node.children, key + " "))
    return out


def save_sections(plan: Plan, sections: Sequence[ParsedSection]) -> int:
    """Write a parsed section tree; returns the number of rows (bulk per level: bounded queries)."""
    counter = 0
    level: list[tuple[Section | None, ParsedSection]] = [(None, s) for s in sections]
    while level:
        rows = []
        for parent, parsed in level:
            counter += 1
            rows.append(
                Section(
                    plan=plan,
                    parent=parent,
                    order=counter,
                    label=parsed.label,
                    title=parsed.title,
                    content="\n\n".join(parsed.paragraphs),
                )
            )
        Section.objects.bulk_create(rows)
        level = [
            (row, child)
            for row, (_, parsed) in zip(rows, level, strict=True)
            for child in parsed.children
        ]
    return counter


def schedule_records(plan: Plan) -> dict[str, datelinks.Record]:
    return datelinks.by_key(datelinks.records(plan.phases.all(), plan.milestones.all(), plan.year))


def _check_tokens(text: str, values: dict[str, datelinks.Record], *, where: str) -> None:
    missing = datelinks.describe(text, values)
    if missing:
        raise ValidationError(
            f"{where} dùng ngày của mốc không có trong tiến độ ({missing}); hãy sửa mã ngày "
            "hoặc thêm đợt, mốc tương ứng ở trang Đợt thi đua và mốc thời gian."
        )


@transaction.atomic
def plan_replace_body(
    *,
    plan: Plan | int,
    sections: Sequence[ParsedSection],
    actor: Any,
    revision: int | None = None,
    check: Callable[[Plan], None] | None = None,
) -> None:
    """Replace the body tree (the editor saves the whole outline at once) when it changed."""
    # The plan locked with its old sections and the schedule the new text's date codes must
    # name: one query.
    locked = lock_for_edit(plan, revision, lists=("sections", "phases", "milestones"), check=check)
    old = _flat(section_tree(locked))
    new = _flat(sections)
    if list(old.items()) == list(new.items()):
        return
    text = "\n".join(new.values())
    _check_tokens(text, schedule_records(locked), where="Nội dung")
    # Every section of the plan goes in one statement: no row outside the plan's sections
    # refers to one, so the collector's reads of parents and children are not needed.
    Section.objects.filter(plan=locked)._raw_delete(Section.objects.db)
    count = save_sections(locked, sections)
    touch(locked, actor)
    log(locked, "plan.body", actor, sections=count, changes=_keyed(old, new))


# ---------------------------------------------------------------- lists


@transaction.atomic
def plan_set_lists(
    *,
    plan: Plan | int,
    actor: Any,
    bases: Iterable[str] | None = None,
    recipients: Iterable[tuple[str, str, bool]] | None = None,
    signature: Iterable[tuple[str, str, bool]] | None = None,
    revision: int | None = None,
    check: Callable[[Plan], None] | None = None,
) -> None:
    """Replace the legal bases, the recipients (name, purpose, is_archive) and/or the signature
    lines (role, text, after_gap); lists that did not change are left alone."""
    lists = ("bases", "recipients", "signature_lines")
    locked = lock_for_edit(plan, revision, lists=lists, check=check)  # one query
    data: dict[str, Any] = {}
    if bases is not None:
        new_b = [t for t in bases]
        old_b = [b.text for b in locked.bases.all()]
        if new_b != old_b:
            locked.bases.all().delete()
            LegalBasis.objects.bulk_create(
                LegalBasis(plan=locked, order=i, text=t) for i, t in enumerate(new_b)
            )
            data["bases"] = audit.list_changes(old_b, new_b)
    if recipients is not None:
        new_r = [tuple(r) for r in recipients]
        old_r = [(r.name, r.purpose, r.is_archive) for r in locked.recipients.all()]
        if new_r != old_r:
            locked.recipients.all().delete()
            Recipient.objects.bulk_create(
                Recipient(plan=locked, order=i, name=n, purpose=p, is_archive=a)
                for i, (n, p, a) in enumerate(new_r)
            )
            data["recipients"] = audit.list_changes(old_r, new_r, label=_recipient_label)
    if signature is not None:
        new_s = [tuple(s) for s in signature]
        old_s = [(s.role, s.text, s.after_gap) for s in locked.signature_lines.all()]
        if new_s != old_s:
            rows = [
                SignatureLine(plan=locked, order=i, role=r, text=t, after_gap=g)
                for i, (r, t, g) in enumerate(new_s)
            ]
            for row in rows:
                row.full_clean(exclude=["plan"])
            locked.signature_lines.all().delete()
            SignatureLine.objects.bulk_create(rows)
            data["signature"] = audit.list_changes(old_s, new_s, label=lambda s: s[1])
    if data:
        touch(locked, actor)
        log(locked, "plan.lists", actor, **data)


def _recipient_label(row: tuple[str, str, bool]) -> str:
    name, purpose, _ = row
    return f"{name} ({purpose})" if purpose else name


# ---------------------------------------------------------------- schedule


def _phase_key(p: dict[str, Any]) -> tuple:
    return (p["seq"], p["name"], p["start"], p["end"], p.get("commemorations", ""))


MILESTONE_FIELDS = (
    "kind",
    "phase_seq",
    "due",
    "due_month",
    "due_year",
    "data_from",
    "data_to",
    "addressee",
    "place",
    "with_score_sheet",
)


def _milestone_row(data: dict[str, Any]) -> tuple:
    return tuple(data.get(f) or None for f in MILESTONE_FIELDS)


def _milestone_values(m: Milestone) -> dict[str, Any]:
    return {f: getattr(m, f) for f in MILESTONE_FIELDS if f != "phase_seq"}


def _stored_schedule(plan: Plan) -> tuple[list[tuple], list[tuple]]:
    """The plan's phases and milestones (prefetched) as the form's rows compare."""
    seqs = {p.pk: p.seq for p in plan.phases.all()}
    phases = [
        _phase_key(
            {
                "seq": p.seq,
                "name": p.name,
                "start": p.start,
                "end": p.end,
                "commemorations": p.commemorations,
            }
        )
        for p in plan.phases.all()
    ]
    milestones = [
        _milestone_row(
            {
                **_milestone_values(m),
                "phase_seq": seqs.get(m.phase_id),
            }
        )
        for m in sorted(plan.milestones.all(), key=lambda m: m.pk)
    ]
    return phases, milestones


def _new_rows(
    plan: Plan,
    phases: Sequence[dict[str, Any]],
    milestones: Sequence[dict[str, Any]],
    *,
    check: bool = True,
) -> tuple[dict[int, Phase], list[Milestone]]:
    """The schedule's rows, built and checked, not written: the phases by number, and the
    milestones (each names its phase by `phase_seq`, which must exist when `check`). The plan
    is locked: each row's constraints are tested here, without the queries full_clean runs (a
    phase three, a milestone four)."""
    by_seq: dict[int, Phase] = {}
    for data in phases:
        phase = Phase(plan=plan, **data)
        phase.full_clean(exclude=["plan"], validate_constraints=False)
        _check_phase(phase, by_seq)
        by_seq[phase.seq] = phase
    rows = []
    for i, data in enumerate(milestones, start=1):
        data = dict(data)
        seq = data.pop("phase_seq", None)
        if seq is not None and seq not in by_seq and check:
            raise ValidationError(
                f"Mốc thứ {i} ({_kind_label(data.get('kind'))}) thuộc Đợt {seq}, nhưng kế hoạch "
                "không có đợt này."
            )
        milestone = Milestone(plan=plan, phase=by_seq.get(seq), **data)
        milestone.full_clean(exclude=["plan", "phase"], validate_constraints=False)
        rowchecks.check(milestone, MILESTONE_CHECKS)
        rows.append(milestone)
    return by_seq, rows


def _cached_schedule(plan: Plan, phases: list[Phase], milestones: list[Milestone]) -> None:
    """The rows just written (with their keys) are the plan's whole schedule: they replace the
    old rows in its prefetch cache without being read back, and the rules check them."""
    set_prefetched(plan, "phases", phases)
    set_prefetched(plan, "milestones", milestones)
    rules.check_schedule(plan)


def write_schedule(
    plan: Plan,
    phases: Sequence[dict[str, Any]],
    milestones: Sequence[dict[str, Any]],
    *,
    check: bool = True,
) -> None:
    """Create phases and milestones (milestones name their phase by `phase_seq`, which must
    exist), then check the rules across them; the caller's transaction makes a bad schedule
    save nothing. The plan's old schedule is already deleted, so the rows are written in two
    bulk INSERTs, the same queries at any number of phases and milestones."""
    by_seq, rows = _new_rows(plan, phases, milestones, check=check)
    Phase.objects.bulk_create(by_seq.values())
    Milestone.objects.bulk_create(rows)
    if check:
        _cached_schedule(plan, list(by_seq.values()), rows)


PHASE_FIELDS = ("name", "start", "end", "commemorations")


def _update_schedule(
    plan: Plan, by_seq: dict[int, Phase], rows: list[Milestone]
) -> tuple[list[Callable[[], Any]], list[Phase], list[Milestone]]:
    """The statements that turn the plan's stored schedule (prefetched) into the new one in
    place: phases matched by their number (a changed one keeps its key, and its description),
    milestones as equal rows (a kept one keeps its key and note); at most one statement of
    each kind (delete milestones, delete phases, update phases, insert phases, insert
    milestones), with the schedule's rows after them."""
    old_phases = {p.seq: p for p in plan.phases.all()}
    changed, added, final = [], [], []
    for seq, new in by_seq.items():
        old = old_phases.get(seq)
        if old is None:
            added.append(new)
            final.append(new)
            continue
        if any(getattr(old, f) != getattr(new, f) for f in PHASE_FIELDS):
            for f in PHASE_FIELDS:
                setattr(old, f, getattr(new, f))
            changed.append(old)
        by_seq[seq] = old  # the new milestones of this phase point to the stored row
        final.append(old)
    gone_phases = [p.pk for s, p in old_phases.items() if s not in by_seq]
    seqs = {p.pk: p.seq for p in old_phases.values()}
    stored: dict[tuple, list[Milestone]] = {}
    for m in sorted(plan.milestones.all(), key=lambda m: m.pk):
        key = _milestone_row({**_milestone_values(m), "phase_seq": seqs.get(m.phase_id)})
        stored.setdefault(key, []).append(m)
    new_ms, kept = [], []
    for m in rows:
        seq = m.phase.seq if m.phase else None
        m.phase = by_seq.get(seq) if seq is not None else None
        same = stored.get(_milestone_row({**_milestone_values(m), "phase_seq": seq}))
        if same:
            kept.append(same.pop(0))
            kept[-1].phase = m.phase  # its stored phase, in hand (the rules read it)
        else:
            new_ms.append(m)
    gone_ms = [m.pk for ms in stored.values() for m in ms]
    writes: list[Callable[[], Any]] = []
    if gone_ms:
        writes.append(
            lambda: Milestone.objects.filter(pk__in=gone_ms)._raw_delete(Milestone.objects.db)
        )
    if gone_phases:
        writes.append(
            lambda: Phase.objects.filter(pk__in=gone_phases)._raw_delete(Phase.objects.db)
        )
    if changed:
        writes.append(lambda: Phase.objects.bulk_update(changed, PHASE_FIELDS))
    if added:
        writes.append(lambda: Phase.objects.bulk_create(added))
    if new_ms:
        writes.append(lambda: Milestone.objects.bulk_create(new_ms))
    return writes, final, kept + new_ms


def _check_phase(phase: Phase, written: dict[int, Phase]) -> None:
    """The phase's constraints (Phase.Meta.constraints), with the messages full_clean gives."""
    if phase.seq in written:
        raise ValidationError(phase.unique_error_message(Phase, ("plan", "seq")))
    rowchecks.check(phase, PHASE_CHECKS)


def _kind_label(kind: str | None) -> str:
    try:
        return Milestone.Kind(kind).label
    except ValueError:
        return "mốc"


@transaction.atomic
def plan_set_schedule(
    *,
    plan: Plan | int,
    actor: Any,
    phases: Sequence[dict[str, Any]],
    milestones: Sequence[dict[str, Any]],
    revision: int | None = None,
    check: Callable[[Plan], None] | None = None,
) -> None:
    """Replace phases and milestones together when they changed; the rules in plans.rules are
    checked before commit, and so are the dates the text links to, so a bad schedule saves
    nothing. Milestones name their phase by `phase_seq`."""
    # The plan locked with its old schedule and the body whose date codes must stay in it: one
    # query.
    lists = ("phases", "milestones", "sections")
    locked = lock_for_edit(plan, revision, lists=lists, check=check)
    old_p, old_m = _stored_schedule(locked)
    new_p = sorted(_phase_key(p) for p in phases)
    new_m = [_milestone_row(m) for m in milestones]
    if old_p == new_p and sorted(old_m, key=repr) == sorted(new_m, key=repr):
        return
    # Written in place (a statement per kind of change, a stored row keeps its key), or, when
    # that takes more statements, replaced whole: no row outside the schedule refers to its
    # phases or milestones, so one DELETE each without the collector's reads, two INSERTs.
    by_seq, rows = _new_rows(locked, phases, milestones)
    replace = int(bool(old_m)) + int(bool(old_p)) + int(bool(by_seq)) + int(bool(rows))
    writes, final_phases, final_milestones = _update_schedule(locked, by_seq, rows)
    if len(writes) <= replace:
        for write in writes:
            write()
        _cached_schedule(locked, final_phases, final_milestones)
    else:
        for model in (Milestone, Phase):
            model.objects.filter(plan=locked)._raw_delete(model.objects.db)
        write_schedule(locked, phases, milestones)
    values = schedule_records(locked)
    body = "\n".join(f"{s.title}\n{s.content}" for s in locked.sections.all())
    _check_tokens(body, values, where="Nội dung kế hoạch")
    touch(locked, actor)
    log(
        locked,
        "plan.schedule",
        actor,
        phases=_keyed(_labels(old_p, _phase_label), _labels(new_p, _phase_label)),
        milestones=_keyed(_labels(old_m, _ms_label), _labels(new_m, _ms_label)),
    )


def _labels(rows: list[tuple], fmt) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in rows:
        key, value = fmt(row)
        while key in out:
            key += "'"
        out[key] = value
    return out


def _phase_label(row: tuple) -> tuple[str, str]:
    seq, name, start, end, commemorations = row
    text = f"{name}: {start:%d/%m/%Y} – {end:%d/%m/%Y}"
    return f"Đợt {seq}", f"{text}; {commemorations}" if commemorations else text


def _ms_label(row: tuple) -> tuple[str, str]:
    """The milestone as the audit shows it: every field whose change makes a save write."""
    values = dict(zip(MILESTONE_FIELDS, row, strict=True))
    when = values["due"].strftime("%d/%m/%Y") if values["due"] else ""
    if not when and values["due_month"]:
        when = f"tháng {values['due_month']}/{values['due_year'] or ''}".rstrip("/")
    parts = [when or "chưa định ngày"]
    if values["phase_seq"]:
        parts.append(f"đợt {values['phase_seq']}")
    if values["data_from"] or values["data_to"]:
        ends = (values["data_from"], values["data_to"])
        parts.append("số liệu " + " – ".join(d.strftime("%d/%m/%Y") if d else "…" for d in ends))
    if values["addressee"]:
        parts.append(f"gửi về {values['addressee']}")
    if values["place"]:
        parts.append(f"tại {values['place']}")
    if values["with_score_sheet"]:
        parts.append("kèm bảng tự chấm điểm")
    return _kind_label(values["kind"]), "; ".join(parts)


def parsed_schedule(parsed: Any) -> tuple[list[dict], list[dict]]:
    return [asdict(p) for p in parsed.phases], [asdict(m) for m in parsed.milestones]
