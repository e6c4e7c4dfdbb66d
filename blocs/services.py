"""Writes that matter for provinces, units, blocs, terms and memberships.

Every function is keyword-only, runs in a transaction, validates with full_clean(), checks the
rules across rows and leaves an audit event. Errors are Vietnamese ValidationErrors keyed by field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from blocs import audit
from blocs.models import Bloc, BlocTerm, Membership, Province, Unit

HOSTED_KINDS = {Bloc.Kind.NOI_BO, Bloc.Kind.DIA_BAN}


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


@transaction.atomic
def membership_end(
    *,
    membership: Membership,
    left_on: dt.date,
    leave_reason: str,
    successor: Unit | None = None,
    actor: Any = None,
) -> Membership:
    """End a membership (rút, sáp nhập…). On a merger the successor unit continues the history:
    the old unit gets valid_to and a successor link, the successor joins the bloc the next day."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError({"left_on": "Đơn vị đã rời khối trước đó."})
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": "Ngày rời khối phải sau ngày tham gia."})
    if successor is not None and successor.pk == membership.unit_id:
        raise ValidationError({"successor": "Đơn vị kế thừa phải khác đơn vị rời khối."})
    membership.left_on = left_on
    membership.leave_reason = leave_reason
    membership.full_clean()
    membership.save()
    if successor is not None:
        unit = membership.unit
        unit.valid_to = left_on
        unit.successor = successor
        unit.full_clean()
        unit.save()
        next_day = left_on + dt.timedelta(days=1)
        if not _overlapping(membership.bloc, successor, next_day, None).exists():
            membership_add(
                bloc=membership.bloc,
                unit=successor,
                joined_on=next_day,
                join_reason=Membership.Reason.SAP_NHAP,
                decision_ref=f"Kế thừa {unit.name}",
                actor=actor,
            )
    audit.record(
        actor=actor,
        action="membership.end",
        obj=membership,
        bloc=membership.bloc,
        year=left_on.year,
        data={"left_on": left_on.isoformat(), "reason": leave_reason},
    )
    return membership


def _check_term_units(bloc: Bloc, year: int, head: Unit, deputies: list[Unit]) -> None:
    if head in deputies:
        raise ValidationError(
            {"deputy_units": "Đơn vị Trưởng khối không thể đồng thời là Phó khối."}
        )
    if bloc.kind in HOSTED_KINDS:
        return  # an agency's or government's own plan: the host unit heads it without membership
    members = set(
        Membership.objects.for_year(year).filter(bloc=bloc).values_list("unit_id", flat=True)
    )
    if head.pk not in members:
        raise ValidationError(
            {"head_unit": f"Đơn vị Trưởng khối phải là thành viên của khối năm {year}."}
        )
    outside = [d.name for d in deputies if d.pk not in members]
    if outside:
        raise ValidationError(
            {"deputy_units": "Phó khối phải là thành viên của khối: " + ", ".join(outside) + "."}
        )


@transaction.atomic
def term_set(
    *,
    bloc: Bloc,
    year: int,
    head_unit: Unit,
    deputy_units: Iterable[Unit] = (),
    basis: str = "",
    basis_date: dt.date | None = None,
    actor: Any = None,
) -> BlocTerm:
    """Create the term of a bloc-year (one head per bloc-year; the constraint backs this up)."""
    deputies = list(deputy_units)
    if BlocTerm.objects.filter(bloc=bloc, year=year).exists():
        raise ValidationError({"year": f"Khối đã có Trưởng khối cho năm {year}."})
    _check_term_units(bloc, year, head_unit, deputies)
    term = BlocTerm(bloc=bloc, year=year, head_unit=head_unit, basis=basis, basis_date=basis_date)
    term.full_clean()
    term.save()
    term.deputy_units.set(deputies)
    audit.record(
        actor=actor,
        action="term.set",
        obj=term,
        bloc=bloc,
        year=year,
        data={"head": head_unit.name, "deputies": sorted(d.name for d in deputies), "basis": basis},
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
        actor=actor,
    )
