"""Writes on what gates a unit's award in a year (DOMAIN §1.4, §9.4): the compliance flags of
other agencies and the bloc (discipline, inspection, investigation, complaints, violations) and
the bloc-year's own rules (registration gate, vote threshold, quotas).

Flags may be recorded and cleared at any time (an inspection that clears a unit after the
meeting allows a late proposal); they change a ranking only when it is computed again, and an
adopted ranking never changes. The year's rules are fixed once the ranking is adopted.
Lock → check → write what changed → audit old → new, as every service.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from blocs import audit
from blocs.models import Bloc, Unit
from blocs.text import strip_controls
from scoring import calc, selectors
from scoring.models import ComplianceFlag, Ranking, YearRules

FLAG_FIELDS = ("unit", "kind", "source", "effect", "points", "note", "cleared_on")
RULE_FIELDS = (
    "registration_required",
    "vote_threshold_pct",
    "vote_threshold_basis",
    "co_tinh_quota",
    "co_tinh_basis",
    "bang_khen_pct",
    "bang_khen_basis",
)
RULES_FROZEN = (
    "Kết quả xếp hạng năm nay đã được thông qua; quy định xét thi đua năm không sửa được."
)


def rules_for(*, bloc_id: int, year: int) -> YearRules:
    """The bloc-year's rules, or the defaults (unsaved) when the secretariat kept them."""
    return YearRules.objects.filter(bloc_id=bloc_id, year=year).first() or YearRules(
        bloc_id=bloc_id, year=year
    )


def is_adopted(bloc_id: int, year: int) -> bool:
    return Ranking.objects.filter(
        bloc_id=bloc_id, year=year, status=Ranking.Status.ADOPTED
    ).exists()


def _text(value: Any, field: str, label: str, *, limit: int, required: bool = True) -> str:
    text = strip_controls(str(value or "")).strip()
    if required and not text:
        raise ValidationError({field: f"Hãy nhập {label}."})
    if len(text) > limit:
        raise ValidationError(
            {field: f"{label.capitalize()} dài quá {limit:,} ký tự.".replace(",", ".")}
        )
    return text


def _flag_values(bloc: Bloc, year: int, fields: dict[str, Any]) -> dict[str, Any]:
    """The checked values of a flag (every message next to its field)."""
    unit = fields.get("unit")
    if not isinstance(unit, Unit) or not selectors.is_member(
        bloc_id=bloc.pk, year=year, unit_id=unit.pk
    ):
        raise ValidationError({"unit": f"Chọn một đơn vị thành viên của khối năm {year}."})
    kind, effect = fields.get("kind"), fields.get("effect")
    if kind not in ComplianceFlag.Kind.values:
        raise ValidationError({"kind": "Chọn loại thông tin."})
    if effect not in ComplianceFlag.Effect.values:
        raise ValidationError({"effect": "Chọn hệ quả đối với việc xét khen thưởng."})
    points = fields.get("points")
    if effect == ComplianceFlag.Effect.DEDUCT:
        try:
            points = calc.to_decimal(points) if points not in (None, "") else None
        except calc.ScoreError:
            points = None
        if points is None or points <= 0 or points > 1000:
            raise ValidationError({"points": "Trừ điểm: nhập số điểm trừ lớn hơn 0."})
        points = calc.round_points(points)
    else:
        points = None  # only a deduction carries points
    cleared = fields.get("cleared_on")
    if cleared is not None and not isinstance(cleared, dt.date):
        raise ValidationError({"cleared_on": "Ngày không hợp lệ."})
    if cleared is not None and not (dt.date(year, 1, 1) <= cleared <= dt.date(year + 2, 12, 31)):
        raise ValidationError({"cleared_on": f"Ngày giải quyết phải từ năm {year} trở đi."})
    return {
        "unit": unit,
        "kind": kind,
        "effect": effect,
        "points": points,
        "source": _text(fields.get("source"), "source", "cơ quan thông báo", limit=200),
        "note": _text(fields.get("note"), "note", "nội dung", limit=4000),
        "cleared_on": cleared,
    }


def _log(flag: ComplianceFlag, action: str, actor: Any, **data: Any) -> None:
    audit.record(actor=actor, action=action, obj=flag, bloc=flag.bloc, year=flag.year, data=data)


@transaction.atomic
def flag_add(*, bloc: Bloc, year: int, actor: Any, **fields: Any) -> ComplianceFlag:
    """Record a compliance flag of a member unit for the year (unit, kind, source, effect,
    points for a deduction, note, optional cleared_on)."""
    values = _flag_values(bloc, year, fields)
    flag = ComplianceFlag(bloc=bloc, year=year, **values)
    flag.created_by = actor if getattr(actor, "pk", None) else None
    flag.full_clean()
    flag.save()
    _log(flag, "compliance.add", actor, changes=audit.changes({}, values))
    return flag


@transaction.atomic
def flag_update(*, flag: ComplianceFlag, actor: Any, **fields: Any) -> ComplianceFlag:
    """Correct a flag, or clear it (cleared_on: from that day it no longer gates the unit)."""
    flag = ComplianceFlag.objects.select_for_update().select_related("bloc").get(pk=flag.pk)
    old = audit.snapshot(flag, FLAG_FIELDS)
    values = _flag_values(flag.bloc, flag.year, {**old, **fields})
    diff = audit.changes(old, values)
    if not diff:
        return flag
    for name, value in values.items():
        setattr(flag, name, value)
    flag.full_clean()
    flag.save(update_fields=list(diff))
    _log(flag, "compliance.update", actor, unit=str(flag.unit), changes=diff)
    return flag


@transaction.atomic
def flag_delete(*, flag: ComplianceFlag, actor: Any) -> None:
    """Remove a flag entered by mistake (a resolved one is cleared, not deleted). Refused once
    the year's ranking is adopted: the minutes cite the flags it was adopted with."""
    flag = ComplianceFlag.objects.select_for_update().select_related("bloc").get(pk=flag.pk)
    if is_adopted(flag.bloc_id, flag.year):
        raise ValidationError(
            "Kết quả xếp hạng đã thông qua dựa trên thông tin này; chỉ ghi ngày giải quyết, "
            "không xóa được."
        )
    old = {k: audit.plain(v) for k, v in audit.snapshot(flag, FLAG_FIELDS).items()}
    audit.record(
        actor=actor,
        action="compliance.delete",
        obj=flag,
        bloc=flag.bloc,
        year=flag.year,
        data={"old": old},
    )
    flag.delete()


def _rule_values(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("vote_threshold_pct", "bang_khen_pct"):
        value = fields[name]
        try:
            number = calc.to_decimal(value)
        except calc.ScoreError:
            number = Decimal(-1)
        if not 0 <= number <= 100:
            raise ValidationError({name: "Tỷ lệ phải từ 0 đến 100 %."})
        out[name] = calc.round_points(number)
    quota = fields["co_tinh_quota"]
    if isinstance(quota, bool) or not isinstance(quota, int) or not 0 <= quota <= 20:
        raise ValidationError({"co_tinh_quota": "Số Cờ thi đua phải là số nguyên từ 0 đến 20."})
    out["co_tinh_quota"] = quota
    out["registration_required"] = bool(fields["registration_required"])
    for name in ("vote_threshold_basis", "co_tinh_basis", "bang_khen_basis"):
        out[name] = _text(fields[name], name, "căn cứ", limit=255)
    return out


@transaction.atomic
def year_rules_save(*, bloc: Bloc, year: int, actor: Any, **fields: Any) -> YearRules:
    """The bloc-year's rules (fields of RULE_FIELDS; the others keep their value): whether the
    registration gates eligibility, the vote threshold, the Cờ quota and the Bằng khen share,
    each with its legal basis. Fixed once the ranking is adopted."""
    Bloc.objects.select_for_update().get(pk=bloc.pk)
    if is_adopted(bloc.pk, year):
        raise ValidationError(RULES_FROZEN, code="adopted")
    rules = rules_for(bloc_id=bloc.pk, year=year)
    current = audit.snapshot(rules, RULE_FIELDS)
    values = _rule_values({**current, **{k: v for k, v in fields.items() if k in RULE_FIELDS}})
    diff = audit.changes(current, values)
    if not diff:  # the rules as they are (the defaults kept: still no row), nothing to write
        return rules
    for name, value in values.items():
        setattr(rules, name, value)
    rules.full_clean()
    if rules.pk:
        rules.save(update_fields=list(diff))
    else:
        rules.save()
    audit.record(actor=actor, action="year_rules.save", obj=rules, bloc=bloc, year=year, data=diff)
    return rules
