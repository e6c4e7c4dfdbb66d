"""One function every service calls to leave a trace of a state change, and the helpers that
say what changed (old → new) so that an unchanged save records nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import models

from blocs.models import AuditEvent, Bloc


def event(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    bloc: Bloc | None = None,
    year: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """An audit event, not yet written; `actor` may be None for system actions (seeding,
    import)."""
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        bloc=bloc,
        year=year,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )


def record(**fields: Any) -> AuditEvent:
    """Write an audit event (the arguments of `event`)."""
    written = event(**fields)
    written.save()
    return written


def record_many(events: Sequence[AuditEvent]) -> None:
    """Write the events of a save of many rows in one INSERT."""
    AuditEvent.objects.bulk_create(events)


def plain(value: Any) -> Any:
    """A value as JSON keeps it: dates ISO, decimals as text, model instances as their str."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"old": …, "new": …}} for the fields whose value differs (JSON-safe)."""
    out = {}
    for name in new:
        if old.get(name) != new[name]:
            out[name] = {"old": plain(old.get(name)), "new": plain(new[name])}
    return out


def list_changes(
    old: Sequence[Any], new: Sequence[Any], *, label: Any = str
) -> dict[str, list[Any]]:
    """What a replaced list gained, lost and kept in another place: {"added", "removed",
    "moved"}; empty keys are left out, so an unchanged list gives {}."""
    old_l = [label(x) for x in old]
    new_l = [label(x) for x in new]
    remaining = list(old_l)
    added = []
    for item in new_l:
        if item in remaining:
            remaining.remove(item)
        else:
            added.append(item)
    out: dict[str, list[Any]] = {}
    if added:
        out["added"] = [plain(x) for x in added]
    if remaining:
        out["removed"] = [plain(x) for x in remaining]
    if not added and not remaining and old_l != new_l:
        out["moved"] = [plain(x) for x in new_l]
    return out
