"""Several small child lists of one object read in one query.

`prefetch_related` reads each reverse relation with a query of its own. A page that shows a
plan's legal bases, recipients and signature lines pays three queries for a few short rows
each. `prefetch_together` asks the same rows as one UNION ALL: each list's rows become a JSON
object of their columns (Django's JSONObject, on SQLite and PostgreSQL alike), tagged with the
list they belong to, and are put back into the object's prefetch cache in the model's ordering,
so `plan.bases.all()` and the rest read no more queries, exactly as after prefetch_related.

`with_lists` goes one step further for a single row read anyway (a save's locked row): each
list comes as a column of that row's own query, a JSON array of its rows (a correlated
subquery: JSONB_AGG on PostgreSQL, JSON_GROUP_ARRAY on SQLite), and `unpack_lists` puts them
into the prefetch cache, so the lock and its children cost one query. A locking save asks for
them through `read_lists` / `lists_read`, which do so only when the save carries the form's
revision (why: the comment above read_lists).

For lists of plain columns (text, numbers, booleans, dates): every value is read back through
its field's to_python. Not for large lists or binary columns: those keep their own query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models import Aggregate, IntegerField, JSONField, OuterRef, Subquery, Value
from django.db.models.functions import JSONObject

LIST_COLUMN = "prefetch_list"
ROW_COLUMN = "prefetch_row"


def _ordered(model: type[models.Model], rows: list[models.Model], db: str) -> list[models.Model]:
    """`rows` in the model's Meta.ordering (stable sorts from the last key to the first), with
    NULLs where the database puts them (last when ascending on PostgreSQL, first on SQLite)."""
    nulls_largest = connections[db].features.nulls_order_largest

    def key(attname: str):
        def value(row: models.Model) -> tuple:
            v = getattr(row, attname)
            return ((v is None) == nulls_largest, 0 if v is None else v)

        return value

    for term in reversed(model._meta.ordering or ["pk"]):
        name = str(term).lstrip("-")
        attname = "pk" if name == "pk" else model._meta.get_field(name).attname
        rows = sorted(rows, key=key(attname), reverse=str(term).startswith("-"))
    return rows


def _columns(model: type[models.Model], extra: dict[str, str] | None = None) -> JSONObject:
    """A row's columns as a JSON object, with `extra` {key: lookup} (a related row's column)."""
    return JSONObject(
        **{f.attname: f.attname for f in model._meta.concrete_fields}, **(extra or {})
    )


def _from_json(
    obj: models.Model, rel: Any, row: dict, db: str, extra: Iterable[str] = ()
) -> models.Model:
    """One child row of `obj` from its JSON object (the values through their fields; the
    `extra` keys as plain attributes)."""
    model = rel.related_model
    fields = model._meta.concrete_fields
    values: list[Any] = [f.to_python(row[f.attname]) for f in fields]
    item = model.from_db(db, [f.attname for f in fields], values)
    rel.field.set_cached_value(item, obj)
    for key in extra:
        setattr(item, key, row[key])
    return item


class JSONRows(Aggregate):
    """The JSON array of a group's values (here: one JSON object per child row)."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def _lists_column(name: str) -> str:
    return f"{LIST_COLUMN}_{name}"


def with_lists(
    qs: models.QuerySet, *names: str, extra: dict[str, dict[str, str]] | None = None
) -> models.QuerySet:
    """`qs` with the reverse foreign keys `names` of each row as columns of its own query (a
    JSON array each); `unpack_lists` puts them into the row's prefetch cache. `extra`: {name:
    {attribute: lookup}}, a related row's column given to each child row (e.g. its
    criterion's code), with the same `extra` for unpack_lists."""
    out = {}
    for name in names:
        rel = qs.model._meta.get_field(name)
        fk = rel.field.attname
        rows = (
            rel.related_model._default_manager.filter(**{fk: OuterRef("pk")})
            .order_by()
            .values(fk)
            .annotate(rows=JSONRows(_columns(rel.related_model, (extra or {}).get(name))))
            .values("rows")
        )
        out[_lists_column(name)] = Subquery(rows, output_field=JSONField())
    return qs.annotate(**out)


def unpack_lists(
    obj: models.Model, *names: str, extra: dict[str, dict[str, str]] | None = None
) -> models.Model:
    """Fill `obj`'s prefetch cache for `names` from the columns `with_lists` asked for."""
    db = obj._state.db or router.db_for_read(type(obj), instance=obj)
    for name in names:
        rel = obj._meta.get_field(name)
        keys = (extra or {}).get(name, {})
        rows = obj.__dict__.pop(_lists_column(name)) or []  # no rows: NULL on PostgreSQL
        set_prefetched(obj, name, [_from_json(obj, rel, row, db, keys) for row in rows])
    return obj


# A locked row's lists read in its own query are those of the statement's start: on PostgreSQL a
# SELECT … FOR UPDATE that waits for another writer gets that writer's row back (the lock
# re-reads it) but not its children, which the subqueries read before the wait. So the lists
# come with the lock only for a save that carries the form's revision: every writer of those
# lists bumps the revision under the same lock, so a row whose revision is the form's was last
# changed before the form was read, before this statement began (a stale one is refused, its
# lists unused). A save without a revision reads them after the lock (bench/concurrency.py and
# tests/plans/test_races.py found the mixed schedules the other way gave).


def read_lists(qs: models.QuerySet, names: Sequence[str], revision: Any, **kw: Any):
    """`qs` (a locking query) with the lists `names` in it when `revision` is given."""
    return with_lists(qs, *names, **kw) if revision is not None and names else qs


def lists_read(obj: models.Model, names: Sequence[str], revision: Any, **kw: Any):
    """`obj` (read by read_lists' query, locked) with the lists in its prefetch cache: those
    its query read, or (without a revision) read now, after the lock, in one query."""
    if not names:
        return obj
    if revision is not None:
        return unpack_lists(obj, *names, **kw)
    return prefetch_together(obj, *names, **kw)


def prefetch_together(
    obj: models.Model, *names: str, extra: dict[str, dict[str, str]] | None = None
) -> models.Model:
    """Fill `obj`'s prefetch cache for the reverse foreign keys `names` in one query (those
    already in it are kept, as prefetch_related keeps them); `extra` as for with_lists."""
    extra = extra or {}
    done = getattr(obj, "_prefetched_objects_cache", {})
    rels = [obj._meta.get_field(name) for name in names if name not in done]
    if not rels:
        return obj
    parts = []
    for i, rel in enumerate(rels):
        parts.append(
            rel.related_model._default_manager.filter(**{rel.field.attname: obj.pk})
            .order_by()
            .annotate(
                **{LIST_COLUMN: Value(i, output_field=IntegerField())},
                **{ROW_COLUMN: _columns(rel.related_model, extra.get(rel.get_accessor_name()))},
            )
            .values_list(LIST_COLUMN, ROW_COLUMN)
        )
    found: list[list[models.Model]] = [[] for _ in rels]
    db = router.db_for_read(type(obj), instance=obj)
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for i, row in query:
        found[i].append(
            _from_json(obj, rels[i], row, db, extra.get(rels[i].get_accessor_name(), {}))
        )
    for rel, items in zip(rels, found, strict=True):
        set_prefetched(obj, rel.get_accessor_name(), items)
    return obj


def set_prefetched(obj: models.Model, name: str, items: list[models.Model]) -> None:
    """Put `items`, all the rows of `obj`'s reverse foreign key `name` (read, or just written),
    into its prefetch cache in the model's ordering, as prefetch_related would leave them."""
    qs = getattr(obj, name).get_queryset()
    db = router.db_for_read(type(obj), instance=obj)
    # what prefetch_related itself leaves on the manager's queryset (prefetch_one_level)
    qs._result_cache = _ordered(qs.model, items, db)
    qs._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs
