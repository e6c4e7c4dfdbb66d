"""Writes that matter for provinces, units, blocs, terms and memberships.

Every function is keyword-only, runs in a transaction, validates with full_clean(), checks the
rules across rows and leaves an audit event. Errors are Vietnamese ValidationErrors keyed by field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Value

from blocs import audit, rowchecks
from blocs.access import is_provincial_authority
from blocs.models import Bloc, BlocTerm, Membership, Province, Unit

HOSTED_KINDS = {Bloc.Kind.NOI_BO, Bloc.Kind.DIA_BAN}
MEMBERSHIP_END_FIELDS = ("left_on", "leave_reason")
UNIT_MERGE_FIELDS = ("valid_to", "successor")
TERM_FIELDS = (
    "head_unit",
    "basis",
    "basis_date",
    "head_display",
    "signer_position",
    "signer_rank",
    "signer_name",
)


@transaction.atomic
def province_create(*, name: str, reviewer_label: str = "", actor: Any = None) -> Province:
    """Create a province; the reviewer label defaults to the seeds' "Ban Thi đua - Khen thưởng tỉnh"."""
    province = Province(name=name.strip())
    if reviewer_label:
        province.reviewer_label = reviewer_label.strip()
    province.full_clean()
    province.save()
    audit.record(actor=actor, action="province.create", obj=province)
    return province


@transaction.atomic
def unit_create(*, province: Province, name: str, actor: Any = None, **fields: Any) -> Unit:
    """Create a unit (cơ quan, đơn vị) of a province."""
    unit = Unit(province=province, name=name.strip(), **fields)
    if unit.parent_id and unit.parent.province_id != province.pk:
        raise ValidationError({"parent": "Cơ quan chủ quản phải thuộc cùng tỉnh."})
    unit.full_clean()
    unit.save()
    audit.record(actor=actor, action="unit.create", obj=unit)
    return unit


@transaction.atomic
def bloc_create(*, province: Province, name: str, actor: Any = None, **fields: Any) -> Bloc:
    """Create a bloc with the decision that established it (number, date, issuer)."""
    bloc = Bloc(province=province, name=name.strip(), **fields)
    bloc.full_clean()
    bloc.save()
    audit.record(actor=actor, action="bloc.create", obj=bloc, bloc=bloc)
    return bloc


def _overlapping(bloc: Bloc, unit: Unit, start: dt.date, end: dt.date | None, exclude_pk=None):
    qs = Membership.objects.filter(bloc=bloc, unit=unit)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    qs = qs.filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
    if end is not None:
        qs = qs.filter(joined_on__lte=end)
    return qs


@transaction.atomic
def membership_add(
    *,
    bloc: Bloc,
    unit: Unit,
    joined_on: dt.date,
    join_reason: str = Membership.Reason.THANH_LAP,
    decision_ref: str = "",
    left_on: dt.date | None = None,
    actor: Any = None,
) -> Membership:
    """Add a unit to a bloc from a date. A unit cannot hold two overlapping memberships of a bloc."""
    if unit.province_id != bloc.province_id:
        raise ValidationError({"unit": "Đơn vị không thuộc tỉnh của khối thi đua."})
    if unit.valid_to and joined_on > unit.valid_to:
        raise ValidationError({"joined_on": "Đơn vị đã ngừng hoạt động trước ngày này."})
    membership = Membership(
        bloc=bloc,
        unit=unit,
        joined_on=joined_on,
        join_reason=join_reason,
        decision_ref=decision_ref,
        left_on=left_on,
    )
    membership.full_clean()
    if _overlapping(bloc, unit, joined_on, left_on).exists():
        raise ValidationError(
            {"unit": "Đơn vị đã là thành viên của khối trong khoảng thời gian này."}
        )
    membership.save()
    audit.record(
        actor=actor,
        action="membership.add",
        obj=membership,
        bloc=bloc,
        year=joined_on.year,
        data={"unit": unit.name, "joined_on": joined_on.isoformat(), "reason": join_reason},
    )
    return membership


def _check_may_leave(membership: Membership, left_on: dt.date, successor: Unit | None) -> bool:
    """The head of this year's (or a later) term cannot leave; a later term's deputy neither:
    the term would name a unit that is no longer a member. Returns whether a merger's
    `successor` is a member of the bloc from the day after (asked in the same query)."""
    terms = BlocTerm.objects.filter(bloc_id=membership.bloc_id, year__gte=left_on.year)

    def first_year(**match: Any) -> Subquery:
        return Subquery(terms.filter(**match).order_by("year").values("year")[:1])

    joined: Any = Value(False)
    if successor is not None:
        next_day = left_on + dt.timedelta(days=1)
        joined = Exists(_overlapping(membership.bloc, successor, next_day, None))
    head_year, deputy_year, successor_joined = (
        Membership.objects.filter(pk=membership.pk)
        .order_by()
        .annotate(
            head_year=first_year(head_unit_id=membership.unit_id),
            deputy_year=first_year(year__gt=left_on.year, deputy_units=membership.unit_id),
            successor_joined=joined,
        )
        .values_list("head_year", "deputy_year", "successor_joined")
        .get()
    )
    if head_year is not None:
        raise ValidationError(
            {
                "left_on": f"Đơn vị đang là Trưởng khối năm {head_year}: hãy cử Trưởng khối "
                "khác trước khi đơn vị rời khối."
            }
        )
    if deputy_year is not None:
        raise ValidationError(
            {
                "left_on": f"Đơn vị là Phó khối năm {deputy_year}: hãy điều chỉnh nhiệm kỳ năm "
                "đó trước khi đơn vị rời khối."
            }
        )
    return bool(successor_joined)


def _close_membership(
    membership: Membership, left_on: dt.date, leave_reason: str, successor: Unit | None = None
) -> tuple[dict, bool]:
    """Set the leave date and reason on a locked membership; return the audited changes and
    whether a merger's `successor` is already a member from the day after."""
    if membership.left_on is not None:
        raise ValidationError({"left_on": "Đơn vị đã rời khối trước đó."})
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": "Ngày rời khối phải sau ngày tham gia."})
    successor_joined = _check_may_leave(membership, left_on, successor)
    old = audit.snapshot(membership, MEMBERSHIP_END_FIELDS)
    membership.left_on = left_on
    membership.leave_reason = leave_reason
    # its bloc and unit are in hand; the dates' constraint is the check above
    rowchecks.clean(membership, {}, exclude=("bloc", "unit"))
    membership.save(update_fields=list(MEMBERSHIP_END_FIELDS))
    return audit.changes(old, audit.snapshot(membership, MEMBERSHIP_END_FIELDS)), successor_joined


@transaction.atomic
def membership_end(
    *,
    membership: Membership,
    left_on: dt.date,
    leave_reason: str,
    successor: Unit | None = None,
    actor: Any = None,
) -> Membership:
    """End a membership (rút khỏi khối). With a `successor` this is a merger: see unit_merge.
    The head unit of that year's term (or a later one) cannot leave while it heads it."""
    if successor is not None:
        return unit_merge(membership=membership, left_on=left_on, successor=successor, actor=actor)
    membership = (
        Membership.objects.select_for_update(of=("self", "unit"))
        .select_related("unit", "bloc")
        .get(pk=membership.pk)
    )
    changed, _ = _close_membership(membership, left_on, leave_reason)
    audit.record(
        actor=actor,
        action="membership.end",
        obj=membership,
        bloc=membership.bloc,
        year=left_on.year,
        data={"unit": membership.unit.name, "changes": changed},
    )
    return membership


@transaction.atomic
def unit_merge(
    *, membership: Membership, left_on: dt.date, successor: Unit, actor: Any = None
) -> Membership:
    """A merger (sáp nhập): the unit leaves the bloc on `left_on`, the shared Unit record gets
    valid_to and its successor, and the successor joins the bloc the next day.

    It rewrites a unit that every bloc shares, so only a site administrator or the province's
    reviewer may declare it (`actor` None is the system: seeding, tests)."""
    # one query locks the membership, its unit and its bloc (the unit read as locked)
    membership = (
        Membership.objects.select_for_update().select_related("unit", "bloc").get(pk=membership.pk)
    )
    bloc = membership.bloc
    if actor is not None and not is_provincial_authority(actor, bloc.province_id):
        raise PermissionDenied(
            "Chỉ quản trị hệ thống hoặc Ban/Phòng TĐKT tỉnh được khai báo sáp nhập."
        )
    unit = membership.unit
    if successor.pk == unit.pk:
        raise ValidationError({"successor": "Đơn vị kế thừa phải khác đơn vị rời khối."})
    if successor.province_id != unit.province_id:
        raise ValidationError({"successor": "Đơn vị kế thừa phải thuộc cùng tỉnh."})
    if unit.successor_id and unit.successor_id != successor.pk:
        raise ValidationError(
            {"successor": f"Đơn vị đã được sáp nhập vào {unit.successor} trước đó."}
        )
    if unit.valid_from and left_on < unit.valid_from:
        raise rowchecks.violation(
            Unit, "unit_valid_dates_ordered"
        )  # the constraint, without its query
    changed, successor_joined = _close_membership(
        membership, left_on, Membership.Reason.SAP_NHAP, successor
    )
    old = audit.snapshot(unit, UNIT_MERGE_FIELDS)
    unit.valid_to = left_on
    unit.successor = successor
    # its province, parent and successor are in hand, its name unchanged (the unique name)
    rowchecks.clean(unit, {}, exclude=("province", "parent", "successor"))
    unit.save(update_fields=list(UNIT_MERGE_FIELDS))
    if not successor_joined:
        membership_add(
            bloc=bloc,
            unit=successor,
            joined_on=left_on + dt.timedelta(days=1),
            join_reason=Membership.Reason.SAP_NHAP,
            decision_ref=f"Kế thừa {unit.name}",
            actor=actor,
        )
    audit.record(
        actor=actor,
        action="unit.merge",
        obj=membership,
        bloc=bloc,
        year=left_on.year,
        data={
            "unit": unit.name,
            "successor": successor.name,
            "changes": {**changed, **audit.changes(old, audit.snapshot(unit, UNIT_MERGE_FIELDS))},
        },
    )
    return membership


def _read_term_units(
    bloc: Bloc, year: int, chosen: list[Unit], term: BlocTerm | None = None
) -> tuple[set[int], list[Unit], bool]:
    """One query, under the caller's lock: which of the `chosen` units (head, deputies) are
    members of the bloc in `year`, the current deputies of `term` (term_update; by name), and
    whether the bloc-year has a term already (term_set). `chosen` holds at least the head, so
    the query has a row for the last answer."""
    current = BlocTerm.deputy_units.through.objects.filter(
        blocterm_id=term.pk if term else None, unit_id=OuterRef("pk")
    )
    rows = list(
        Unit.objects.filter(Q(pk__in=[u.pk for u in chosen]) | Q(Exists(current)))
        .annotate(
            is_current=Exists(current),
            is_member=Exists(
                Membership.objects.for_year(year).filter(bloc_id=bloc.pk, unit_id=OuterRef("pk"))
            ),
            year_taken=Exists(BlocTerm.objects.filter(bloc_id=bloc.pk, year=year)),
        )
        .order_by("name")
    )
    members = {u.pk for u in rows if u.is_member}
    return members, [u for u in rows if u.is_current], bool(rows) and rows[0].year_taken


def _check_term_units(
    bloc: Bloc, year: int, head: Unit, deputies: list[Unit], members: set[int]
) -> None:
    """The head and deputies are distinct units of the bloc's province and members that year
    (`members`: those of them that are, see _read_term_units; an agency's or government's own
    scope: any unit of the province)."""
    if head in deputies:
        raise ValidationError(
            {"deputy_units": "Đơn vị Trưởng khối không thể đồng thời là Phó khối."}
        )
    if head.province_id != bloc.province_id:
        raise ValidationError({"head_unit": "Đơn vị Trưởng khối không thuộc tỉnh của khối."})
    foreign = [d.name for d in deputies if d.province_id != bloc.province_id]
    if foreign:
        raise ValidationError(
            {"deputy_units": "Phó khối không thuộc tỉnh của khối: " + ", ".join(foreign) + "."}
        )
    if bloc.kind in HOSTED_KINDS:
        return  # an agency's or government's own plan: the host unit heads it without membership
    if head.pk not in members:
        raise ValidationError(
            {"head_unit": f"Đơn vị Trưởng khối phải là thành viên của khối năm {year}."}
        )
    outside = [d.name for d in deputies if d.pk not in members]
    if outside:
        raise ValidationError(
            {"deputy_units": "Phó khối phải là thành viên của khối: " + ", ".join(outside) + "."}
        )


TERM_YEARS = (2000, 2100)  # the term_year_range constraint, checked in Python by term_set


def _write_deputies(term: BlocTerm, *, old: list[Unit], new: list[Unit]) -> None:
    """Replace the term's deputies `old` (as read under the lock) by `new`: what
    deputy_units.set() does, without its read of the current ones (no m2m signal listens)."""
    through = BlocTerm.deputy_units.through
    old_ids, new_ids = {u.pk for u in old}, {u.pk for u in new}
    if old_ids - new_ids:
        through.objects.filter(blocterm_id=term.pk, unit_id__in=old_ids - new_ids).delete()
    if new_ids - old_ids:
        through.objects.bulk_create(
            [through(blocterm_id=term.pk, unit_id=pk) for pk in sorted(new_ids - old_ids)]
        )


def _term_audit_data(term: BlocTerm, deputies: list[Unit]) -> dict[str, Any]:
    return {
        **{k: audit.plain(v) for k, v in audit.snapshot(term, TERM_FIELDS).items()},
        "deputy_units": sorted(d.name for d in deputies),
    }


@transaction.atomic
def term_set(
    *,
    bloc: Bloc,
    year: int,
    head_unit: Unit,
    deputy_units: Iterable[Unit] = (),
    basis: str = "",
    basis_date: dt.date | None = None,
    head_display: str = "",
    signer_position: str = "",
    signer_rank: str = "",
    signer_name: str = "",
    actor: Any = None,
) -> BlocTerm:
    """Create the term of a bloc-year: its head, deputies, basis and how the head signs that
    year's documents (one head per bloc-year; the constraint backs this up)."""
    Bloc.objects.select_for_update().filter(pk=bloc.pk).first()  # one term creation at a time
    deputies = list(deputy_units)
    members, _, year_taken = _read_term_units(bloc, year, [head_unit, *deputies])
    if year_taken:
        raise ValidationError({"year": f"Khối đã có Trưởng khối cho năm {year}."})
    _check_term_units(bloc, year, head_unit, deputies, members)
    term = BlocTerm(
        bloc=bloc,
        year=year,
        head_unit=head_unit,
        basis=basis,
        basis_date=basis_date,
        head_display=head_display,
        signer_position=signer_position,
        signer_rank=signer_rank,
        signer_name=signer_name,
    )
    if not TERM_YEARS[0] <= year <= TERM_YEARS[1]:
        raise rowchecks.violation(BlocTerm, "term_year_range")
    # the bloc and units are in hand, the bloc-year's uniqueness checked under the bloc's lock
    rowchecks.clean(term, {}, exclude=("bloc", "head_unit"))
    term.save()
    _write_deputies(term, old=[], new=deputies)
    audit.record(
        actor=actor,
        action="term.set",
        obj=term,
        bloc=bloc,
        year=year,
        data=_term_audit_data(term, deputies),
    )
    return term


KEEP: Any = object()  # term_update: leave this field as it is


TERM_STALE = (
    "Nhiệm kỳ vừa được người khác điều chỉnh sau khi anh/chị mở trang này: điều chỉnh chưa được "
    "lưu. Hãy mở lại trang để xem bản mới nhất rồi sửa lại."
)


def term_state(term: BlocTerm, deputies: Iterable[Unit] | None = None) -> str:
    """A fingerprint of the term as an editor sees it (its fields and deputies): the correction
    form carries it, and a save from a form older than the stored term is refused."""
    deputies = term.deputy_units.all() if deputies is None else deputies
    parts = [repr(getattr(term, term._meta.get_field(name).attname)) for name in TERM_FIELDS]
    parts += sorted(str(u.pk) for u in deputies)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


@transaction.atomic
def term_update(
    *,
    term: BlocTerm,
    reason: str,
    state: str | None = None,
    head_unit: Unit = KEEP,
    deputy_units: Iterable[Unit] = KEEP,
    basis: str = KEEP,
    basis_date: dt.date | None = KEEP,
    head_display: str = KEEP,
    signer_position: str = KEEP,
    signer_rank: str = KEEP,
    signer_name: str = KEEP,
    actor: Any = None,
) -> BlocTerm:
    """Correct an existing term (head, deputies, basis, signer) with a mandatory reason.

    Records "term.update" with each changed field's old and new value, the deputies added and
    removed, and the reason; a save that changes nothing records nothing. `state`: the
    term_state the editor's form was built from; a term changed since then is not overwritten."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Hãy ghi lý do điều chỉnh nhiệm kỳ."})
    term = (
        BlocTerm.objects.select_for_update(of=("self", "bloc"))
        .select_related("bloc", "head_unit")
        .get(pk=term.pk)
    )
    old = audit.snapshot(term, TERM_FIELDS)
    chosen = [term.head_unit if head_unit is KEEP else head_unit]
    chosen += [] if deputy_units is KEEP else list(deputy_units)
    members, old_deputies, _ = _read_term_units(term.bloc, term.year, chosen, term)
    if state and state != term_state(term, old_deputies):
        raise ValidationError(TERM_STALE, code="stale")
    values = {
        "head_unit": head_unit,
        "basis": basis,
        "basis_date": basis_date,
        "head_display": head_display,
        "signer_position": signer_position,
        "signer_rank": signer_rank,
        "signer_name": signer_name,
    }
    for name, value in values.items():
        if value is not KEEP:
            setattr(term, name, value)
    deputies = old_deputies if deputy_units is KEEP else sorted(chosen[1:], key=lambda u: u.name)
    _check_term_units(term.bloc, term.year, term.head_unit, deputies, members)
    changed = audit.changes(old, audit.snapshot(term, TERM_FIELDS))
    deputy_changes = audit.list_changes(old_deputies, deputies)
    if not changed and not deputy_changes:
        return term
    # the bloc and units are in hand; the bloc and year (its constraints' fields) never change
    rowchecks.clean(term, {}, exclude=("bloc", "head_unit"))
    if changed:
        term.save(update_fields=list(changed))
    if deputy_changes:
        _write_deputies(term, old=old_deputies, new=deputies)
    data: dict[str, Any] = {"changes": changed, "reason": reason.strip()}
    if deputy_changes:
        data["deputy_units"] = deputy_changes
    audit.record(
        actor=actor, action="term.update", obj=term, bloc=term.bloc, year=term.year, data=data
    )
    return term


@transaction.atomic
def term_rotate(
    *,
    term: BlocTerm,
    head_unit: Unit,
    deputy_units: Iterable[Unit] = (),
    basis: str = "",
    basis_date: dt.date | None = None,
    head_display: str = "",
    signer_position: str = "",
    signer_rank: str = "",
    signer_name: str = "",
    actor: Any = None,
) -> BlocTerm:
    """Hand the bloc to next year's head in one action. This year's term is left untouched, so
    this year's documents keep this year's head and signer."""
    return term_set(
        bloc=term.bloc,
        year=term.year + 1,
        head_unit=head_unit,
        deputy_units=deputy_units,
        basis=basis,
        basis_date=basis_date,
        head_display=head_display,
        signer_position=signer_position,
        signer_rank=signer_rank,
        signer_name=signer_name,
        actor=actor,
    )
