"""Writes on criteria templates: create, copy last year's, settings and bands, the criteria tree
(add, change, delete, move, replace from a file), lock, and new versions after the giao ước.

Each edit locks the template row, refuses a locked template and a stale page (revision), writes
only what changed, checks the whole tree (children above their parent, top-level points above the
maximum) before it commits, bumps the revision and records old → new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Max, Value, When
from django.utils import timezone

from blocs import audit, rowchecks
from blocs.models import Bloc
from scoring import calc, selectors
from scoring.models import Criterion, Entry, RatingBand, Template

LOCKED_MESSAGE = (
    "Thang điểm đã được chốt khi ký kết giao ước, không sửa trực tiếp được; hãy tạo phiên bản "
    "mới (áp dụng cho các kỳ sau)."
)
IN_USE_MESSAGE = (
    "Đơn vị đã lập bảng tự chấm điểm theo các tiêu chí này, nên không xóa hay thay được tiêu chí; "
    "hãy sửa nội dung, hoặc chốt thang điểm rồi tạo phiên bản mới."
)
STALE_MESSAGE = (
    "Thang điểm vừa được người khác thay đổi sau khi bạn mở trang này, nên thay đổi của bạn chưa "
    "được lưu. Hãy xem lại nội dung hiện tại rồi nhập lại."
)
SETTINGS_FIELDS = (
    "title",
    "max_total",
    "bonus_cap",
    "penalty_cap",
    "allow_exceed_max",
    "allow_children_over",
    "late_penalty",
    "tie_break",
)
CRITERION_FIELDS = (
    "code",
    "content",
    "kind",
    "max_points",
    "guidance",
    "evidence_required",
    "step",
    "points_per",
    "formula",
    "source",
)


class StaleTemplateError(ValidationError):
    """The page was read at an older revision of the template."""


def log(template: Template, action: str, actor: Any, **data: Any) -> None:
    audit.record(
        actor=actor, action=action, obj=template, bloc=template.bloc, year=template.year, data=data
    )


def lock_for_edit(template: Template, revision: int | None) -> Template:
    locked = Template.objects.select_for_update().select_related("bloc").get(pk=template.pk)
    if locked.is_locked:
        raise ValidationError(LOCKED_MESSAGE, code="locked")
    if revision is not None and int(revision) != locked.revision:
        raise StaleTemplateError(STALE_MESSAGE, code="stale")
    return locked


def ensure_not_scored(criteria_ids: Any) -> None:
    """A criterion that a unit's sheet has a line for is kept (the line refers to it)."""
    if Entry.objects.filter(criterion_id__in=criteria_ids).exists():
        raise ValidationError(IN_USE_MESSAGE, code="in_use")


def touch(locked: Template, *fields: str) -> None:
    locked.revision += 1
    locked.save(update_fields=[*fields, "revision"])


def check_tree(template: Template, *, field: str = "max_points") -> None:
    """Refuse (roll back) when the stored tree breaks a rule: the first problem is shown next to
    `field`, all of them are listed."""
    roots = selectors.build_nodes(selectors.criteria_of(template))
    problems = calc.tree_problems(
        roots, max_total=template.max_total, allow_children_over=template.allow_children_over
    )
    if problems:
        raise ValidationError({field: [p.message for p in problems]})


def _settings_rules(template: Template) -> None:
    if template.bonus_cap is not None and template.bonus_cap > template.max_total:
        raise ValidationError(
            {"bonus_cap": "Điểm thưởng tối đa không được vượt tổng điểm tối đa của thang điểm."}
        )
    unknown = [t for t in template.tie_break or [] if t not in calc._TIE_KEYS]
    if unknown:
        raise ValidationError({"tie_break": f"Tiêu chí xét bằng điểm không hợp lệ: {unknown}"})


# ---------------------------------------------------------------- create


@transaction.atomic
def template_create(*, bloc: Bloc, year: int, actor: Any, **fields: Any) -> Template:
    """A blank template (version 1) for a bloc-year that has none."""
    if Template.objects.select_for_update().filter(bloc=bloc, year=year).exists():
        raise ValidationError("Khối đã có thang điểm cho năm này.")
    template = Template(bloc=bloc, year=year, **fields)
    _settings_rules(template)
    template.full_clean()
    template.save()
    log(template, "template.create", actor, version=1)
    return template


def _copy_tree(source: Template, target: Template) -> dict[int, Criterion]:
    mapping: dict[int, Criterion] = {}
    for c in selectors.criteria_of(source):
        mapping[c.pk] = Criterion(
            template=target,
            parent=mapping.get(c.parent_id),
            order=c.order,
            **{name: getattr(c, name) for name in CRITERION_FIELDS},
        )
    _write_tree(list(mapping.values()), check=False)  # the source's rows passed these checks
    RatingBand.objects.bulk_create(
        RatingBand(template=target, label=b.label, min_total=b.min_total, floor_pct=b.floor_pct)
        for b in source.bands.all()
    )
    return mapping


def _settings_of(template: Template) -> dict[str, Any]:
    return {name: getattr(template, name) for name in SETTINGS_FIELDS}


@transaction.atomic
def template_copy(*, source: Template, bloc: Bloc, year: int, actor: Any) -> Template:
    """Copy a template (usually last year's) into a bloc-year that has none: settings, bands and
    the criteria tree; the copy is version 1 and not locked."""
    template = template_create(bloc=bloc, year=year, actor=actor, **_settings_of(source))
    _copy_tree(source, template)
    log(template, "template.copy", actor, source=str(source), source_id=source.pk)
    return template


# ---------------------------------------------------------------- settings


# The template's check constraints, tested in Python (full_clean runs a query for each): the
# settings saves change neither the bloc nor the version, so neither is looked up (rowchecks).
TEMPLATE_CHECKS: rowchecks.Checks = {
    "template_max_total_positive": lambda t: t.max_total <= 0,
    "template_bonus_cap_range": lambda t: (
        t.bonus_cap is not None and not 0 <= t.bonus_cap <= t.max_total
    ),
    "template_penalty_cap_positive": lambda t: t.penalty_cap is not None and t.penalty_cap < 0,
    "template_late_penalty_positive": lambda t: t.late_penalty < 0,
}


@transaction.atomic
def template_update_settings(
    *, template: Template, actor: Any, revision: int | None = None, **fields: Any
) -> Template:
    """Change the template's settings; only changed fields are written. A new maximum (or the
    children rule turned off) must still fit the tree."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not template settings: {sorted(unknown)}")
    locked = lock_for_edit(template, revision)
    old = audit.snapshot(locked, fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    diff = audit.changes(old, audit.snapshot(locked, fields))
    if not diff:
        return locked
    _settings_rules(locked)
    rowchecks.clean(locked, TEMPLATE_CHECKS, exclude=("bloc",))
    touch(locked, *diff)
    check_tree(locked, field="max_total" if "max_total" in diff else "allow_children_over")
    log(locked, "template.settings", actor, changes=diff)
    return locked


# The bands' check constraints, tested in Python for bands written in bulk (rowchecks).
BAND_CHECKS: rowchecks.Checks = {
    "band_min_not_negative": lambda b: b.min_total < 0,
    "band_floor_pct_range": lambda b: b.floor_pct is not None and not 0 <= b.floor_pct <= 100,
}


def _band_label(b: dict[str, Any]) -> str:
    floor = "" if b.get("floor_pct") is None else f", tối thiểu {calc.fmt(b['floor_pct'])} %"
    return f"{b['label']} ≥ {calc.fmt(b['min_total'])}{floor}"


@transaction.atomic
def template_set_bands(
    *, template: Template, actor: Any, bands: Sequence[dict[str, Any]], revision: int | None = None
) -> Template:
    """Replace the rating bands (label, min_total, floor_pct); an unchanged list records nothing."""
    locked = lock_for_edit(template, revision)
    old = [
        {"label": b.label, "min_total": b.min_total, "floor_pct": b.floor_pct}
        for b in locked.bands.all()
    ]
    new = sorted(bands, key=lambda b: b["min_total"], reverse=True)
    for b in new:
        if b["min_total"] > locked.max_total:
            raise ValidationError({"bands": f"Mức “{b['label']}”: điểm từ vượt tổng điểm tối đa."})
    diff = audit.list_changes(old, new, label=_band_label)
    if not diff:
        return locked
    rows = [RatingBand(template=locked, **b) for b in new]
    for band in rows:
        rowchecks.clean(band, BAND_CHECKS, exclude=("template",))
    locked.bands.all().delete()
    RatingBand.objects.bulk_create(rows)
    touch(locked)
    log(locked, "template.bands", actor, changes=diff)
    return locked


# ---------------------------------------------------------------- the tree


def _parent_in(template: Template, parent: Criterion | None) -> Criterion | None:
    if parent is None:
        return None
    if parent.template_id != template.pk or parent.kind != Criterion.Kind.GROUP:
        raise ValidationError({"parent": "Tiêu chí cha phải là một nhóm của thang điểm này."})
    return parent


def _validated(criterion: Criterion) -> None:
    if criterion.max_points is not None and criterion.max_points < 0:
        raise ValidationError({"max_points": "Điểm tối đa không được âm."})
    criterion.full_clean()


@transaction.atomic
def criterion_add(
    *,
    template: Template,
    actor: Any,
    parent: Criterion | None = None,
    revision: int | None = None,
    **fields: Any,
) -> Criterion:
    """Append a criterion (under `parent`, a group) and check the tree."""
    locked = lock_for_edit(template, revision)
    last = Criterion.objects.filter(template=locked).aggregate(m=Max("order"))["m"]
    criterion = Criterion(
        template=locked,
        parent=_parent_in(locked, parent),
        order=(last or 0) + 1,
        **{k: v for k, v in fields.items() if k in CRITERION_FIELDS},
    )
    _validated(criterion)
    criterion.save()
    check_tree(locked)
    touch(locked)
    log(locked, "criterion.add", actor, criterion=str(criterion), max=str(criterion.max_points))
    return criterion


def _descendants(criterion: Criterion) -> set[int]:
    rows = list(Criterion.objects.filter(template_id=criterion.template_id).values("pk", "parent"))
    out, frontier = set(), {criterion.pk}
    while frontier:
        out |= frontier
        frontier = {r["pk"] for r in rows if r["parent"] in frontier} - out
    return out


@transaction.atomic
def criterion_update(
    *,
    criterion: Criterion,
    actor: Any,
    revision: int | None = None,
    parent: Criterion | None | str = "keep",
    **fields: Any,
) -> Criterion:
    """Change a criterion (and optionally move it under another group); check the tree."""
    locked = lock_for_edit(criterion.template, revision)
    current = Criterion.objects.get(pk=criterion.pk, template=locked)
    names = [k for k in fields if k in CRITERION_FIELDS]
    old = audit.snapshot(current, [*names, "parent"])
    for name in names:
        setattr(current, name, fields[name])
    if parent != "keep":
        current.parent = _parent_in(locked, parent)
        if current.parent_id in _descendants(current):
            raise ValidationError({"parent": "Không thể đặt tiêu chí vào trong chính nó."})
    if current.kind != Criterion.Kind.GROUP and current.children.exists():
        raise ValidationError({"kind": "Tiêu chí đang có tiêu chí con nên phải là nhóm."})
    diff = audit.changes(old, audit.snapshot(current, [*names, "parent"]))
    if not diff:
        return current
    _validated(current)
    current.save(update_fields=[k for k in diff])
    check_tree(locked)
    touch(locked)
    log(locked, "criterion.update", actor, criterion=str(current), changes=diff)
    return current


@transaction.atomic
def criterion_delete(*, criterion: Criterion, actor: Any, revision: int | None = None) -> None:
    """Delete a criterion with its children (not once a unit's sheet has a line for it)."""
    locked = lock_for_edit(criterion.template, revision)
    current = Criterion.objects.get(pk=criterion.pk, template=locked)
    if Entry.objects.filter(criterion_id__in=_descendants(current)).exists():
        raise ValidationError(
            "Tiêu chí đã có trong bảng tự chấm điểm của đơn vị nên không xóa được.", code="used"
        )
    removed = Criterion.objects.filter(pk__in=_descendants(current)).count()
    ensure_not_scored(_descendants(current))
    label = str(current)
    current.delete()
    touch(locked)
    log(locked, "criterion.delete", actor, criterion=label, removed=removed)


@transaction.atomic
def criterion_move(
    *, criterion: Criterion, actor: Any, up: bool, revision: int | None = None
) -> Criterion:
    """Swap a criterion with its previous (or next) sibling."""
    locked = lock_for_edit(criterion.template, revision)
    current = Criterion.objects.get(pk=criterion.pk, template=locked)
    siblings = Criterion.objects.filter(template=locked, parent_id=current.parent_id)
    if up:
        other = siblings.filter(order__lt=current.order).order_by("-order").first()
    else:
        other = siblings.filter(order__gt=current.order).order_by("order").first()
    if other is None:
        return current
    current.order, other.order = other.order, current.order
    # one UPDATE for the swap (no unique constraint on the order to pass through)
    Criterion.objects.filter(pk__in=(current.pk, other.pk)).update(
        order=Case(When(pk=current.pk, then=Value(current.order)), default=Value(other.order))
    )
    touch(locked)
    log(locked, "criterion.move", actor, criterion=str(current), after=str(other) if up else "")
    return current


@dataclass(frozen=True)
class CriterionRow:
    """A criterion as read from a file: its place in the tree is the index of its parent row."""

    code: str
    content: str
    kind: str
    max_points: Decimal
    guidance: str = ""
    evidence_required: bool = False
    step: Decimal | None = None
    points_per: Decimal | None = None
    formula: str = ""
    source: str = Criterion.Source.SELF
    parent_index: int | None = None

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CRITERION_FIELDS}


def _write_rows(template: Template, rows: Sequence[CriterionRow]) -> None:
    made: list[Criterion] = []
    for i, row in enumerate(rows):
        parent = made[row.parent_index] if row.parent_index is not None else None
        made.append(Criterion(template=template, parent=parent, order=i + 1, **row.fields()))
    _write_tree(made)


# The criteria's check constraints, tested in Python for a tree written in bulk (rowchecks).
CRITERION_CHECKS: rowchecks.Checks = {
    "criterion_max_not_negative": lambda c: c.max_points is not None and c.max_points < 0,
    "criterion_step_positive": lambda c: c.step is not None and c.step <= 0,
    "criterion_points_per_positive": lambda c: c.points_per is not None and c.points_per <= 0,
}


def _write_tree(made: Sequence[Criterion], *, check: bool = True) -> None:
    """Write a template's new tree (parents before their children in `made`; the template is
    locked and has no criteria): checked without a query, then one INSERT per level of the
    tree, the same queries at any number of criteria (it was a save and full_clean's
    queries per criterion)."""
    levels: dict[int, list[Criterion]] = {}
    depth: dict[int, int] = {}
    codes: set[tuple[int | None, str]] = set()
    for c in made:
        depth[id(c)] = 0 if c.parent is None else depth[id(c.parent)] + 1
        levels.setdefault(depth[id(c)], []).append(c)
        if not check:
            continue
        if c.max_points is not None and c.max_points < 0:  # the field's message, as before
            raise ValidationError({"max_points": "Điểm tối đa không được âm."})
        rowchecks.clean(c, CRITERION_CHECKS, exclude=("template", "parent"))
        key = (None if c.parent is None else id(c.parent), c.code)
        if key in codes:
            unique = (
                "criterion_root_code_unique"
                if c.parent is None
                else ("criterion_code_unique_in_parent")
            )
            message = next(u for u in Criterion._meta.constraints if u.name == unique)
            raise ValidationError(message.violation_error_message, code="unique")
        codes.add(key)
    for level in sorted(levels):
        Criterion.objects.bulk_create(levels[level])  # their parents have their keys now


def _row_label(c: Any) -> str:
    return f"{c.code} | {c.content} | {calc.fmt(c.max_points)} | {c.kind}"


@transaction.atomic
def template_replace_tree(
    *,
    template: Template,
    actor: Any,
    rows: Sequence[CriterionRow],
    settings: dict[str, Any] | None = None,
    bands: Sequence[dict[str, Any]] | None = None,
    revision: int | None = None,
) -> Template:
    """Replace the whole tree (an import), and the settings and bands when the file has them:
    all rows or nothing; an identical file records nothing."""
    locked = lock_for_edit(template, revision)
    old_rows = selectors.criteria_in_tree_order(locked)
    old_shape = _shape(old_rows, {c.pk: i for i, c in enumerate(old_rows)})
    diff = audit.list_changes(old_rows, rows, label=_row_label)
    if diff or old_shape != [r.parent_index for r in rows]:
        ensure_not_scored([c.pk for c in old_rows])
        Criterion.objects.filter(template=locked).delete()
        _write_rows(locked, rows)
        touch(locked)
        log(locked, "template.import", actor, rows=len(rows), changes=diff)
    old = audit.snapshot(locked, settings or {})
    for name, value in (settings or {}).items():
        setattr(locked, name, value)
    changed = audit.changes(old, audit.snapshot(locked, settings or {}))
    if changed:
        _settings_rules(locked)
        rowchecks.clean(locked, TEMPLATE_CHECKS, exclude=("bloc",))
        touch(locked, *changed)
        log(locked, "template.settings", actor, changes=changed)
    if bands is not None:
        locked = template_set_bands(template=locked, actor=actor, bands=bands)
    check_tree(locked)
    return locked


@transaction.atomic
def template_import(
    *,
    bloc: Bloc,
    year: int,
    actor: Any,
    rows: Sequence[CriterionRow],
    settings: dict[str, Any] | None = None,
    bands: Sequence[dict[str, Any]] | None = None,
) -> Template:
    """A file's criteria (and settings, bands) into the bloc-year's newest template, created when
    there is none; refused when that version is locked."""
    template = selectors.current_template(bloc_id=bloc.pk, year=year)
    if template is None:
        template = template_create(bloc=bloc, year=year, actor=actor)
    return template_replace_tree(
        template=template, actor=actor, rows=rows, settings=settings, bands=bands
    )


def _shape(rows: Sequence[Criterion], index: dict[int, int]) -> list[int | None]:
    return [index.get(c.parent_id) if c.parent_id else None for c in rows]


# ---------------------------------------------------------------- lock and versions


def check_complete(template: Template) -> None:
    """A template can be agreed only when its tree is valid and adds up to its maximum."""
    check_tree(template, field="criteria")
    base = calc.tree_totals(selectors.build_nodes(selectors.criteria_of(template))).base
    if base != template.max_total:
        raise ValidationError(
            {
                "criteria": f"Tổng điểm các nhóm tiêu chí ({calc.fmt(base)}) chưa bằng tổng điểm "
                f"tối đa của thang điểm ({calc.fmt(template.max_total)})."
            }
        )


def lock_template(template: Template, actor: Any, *, reason: str) -> Template:
    """Lock inside the caller's transaction (the giao ước signing, or a new version applied)."""
    locked = Template.objects.select_for_update().select_related("bloc").get(pk=template.pk)
    if locked.is_locked:
        return locked
    check_complete(locked)
    locked.locked_at = timezone.now()
    touch(locked, "locked_at")
    log(locked, "template.lock", actor, version=locked.version, reason=reason)
    return locked


@transaction.atomic
def template_apply_version(*, template: Template, actor: Any) -> Template:
    """Lock a later version (2, 3…): from its date on, new sheets use it."""
    if template.version == 1:
        raise ValidationError("Phiên bản đầu tiên được chốt khi ký kết giao ước thi đua.")
    return lock_template(template, actor, reason="version applied")


@transaction.atomic
def template_new_version(
    *, template: Template, actor: Any, applies_from: dt.date, change_note: str
) -> Template:
    """A changed scale after the giao ước: a copy of the newest (locked) version that applies to
    periods starting on or after `applies_from`; sheets made earlier keep their version."""
    newest = (
        selectors.newest_first(bloc_id=template.bloc_id, year=template.year)
        .select_for_update()
        .first()
    )
    if not newest.is_locked:
        raise ValidationError("Phiên bản mới nhất chưa được chốt; hãy sửa trực tiếp phiên bản đó.")
    if not change_note.strip():
        raise ValidationError({"change_note": "Hãy nêu lý do thay đổi thang điểm."})
    if applies_from.year != template.year:
        raise ValidationError({"applies_from": f"Ngày áp dụng phải trong năm {template.year}."})
    if newest.applies_from and applies_from <= newest.applies_from:
        raise ValidationError(
            {"applies_from": "Ngày áp dụng phải sau ngày áp dụng của phiên bản trước."}
        )
    new = Template(
        bloc_id=newest.bloc_id,
        year=newest.year,
        version=newest.version + 1,
        applies_from=applies_from,
        change_note=change_note.strip(),
        **_settings_of(newest),
    )
    new.full_clean()
    new.save()
    _copy_tree(newest, new)
    log(new, "template.version", actor, version=new.version, applies_from=audit.plain(applies_from))
    return new
