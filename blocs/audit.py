"""One function every service calls to leave a trace of a state change."""

from __future__ import annotations

from typing import Any

from django.db import models

from blocs.models import AuditEvent, Bloc


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    bloc: Bloc | None = None,
    year: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write an audit event; `actor` may be None for system actions (seeding, import)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        bloc=bloc,
        year=year,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )
