"""The bloc-year backup and transfer format ("thiduakhenthuong.bloc-year", version 1).

One JSON file holds everything about one bloc in one year, keyed by natural keys (province and
bloc by name, unit by name within the province, user by username, format profile by code), never
by database ids, and sorted so that export → import into an empty database → export gives the
same bytes. docs/export.md describes every key.

The core here owns the envelope, the province, the bloc, units, users and the audit log. The
year-scoped rows of each app (blocs' own term and memberships: blocs/exchange_term.py) are a
*section* listed in `SECTIONS` by dotted path and imported lazily, so `blocs` never imports
`plans` at module load and an app whose section does not exist yet is simply skipped. A file is untrusted input: every row is read through
`blocs.exchange_values.read_row` (documented keys only, typed, control characters removed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, models, transaction

from blocs import audit, optional
from blocs.access import ADMIN, SECRETARIAT, BlocScope
from blocs.exchange_values import (
    ExchangeError,
    clean_json,
    dumps,
    fields_json,
    loads,
    read_row,
    read_rows,
    save_clean,
)
from blocs.models import AuditEvent, Bloc, Membership, Province, Unit, User

__all__ = ["Audience", "ExchangeError", "dumps", "export_bloc_year", "import_bloc_year", "loads"]

FORMAT = "thiduakhenthuong.bloc-year"
VERSION = 1
# Sections in dependency order (blocs ← plans ← scoring ← reports); missing modules are skipped.
SECTIONS = [
    "blocs.exchange_term:BlocsSection",
    "plans.exchange:PlansSection",
    "scoring.exchange:ScoringSection",
    "scoring.exchange_rounds:RoundsSection",
    "scoring.exchange_sheets:SheetsSection",
    "scoring.exchange_ranking:RankingSection",
    "scoring.exchange_proposals:ProposalsSection",
    "reports.exchange:CompiledReportsSection",
    "reports.exchange:ReportsSection",
]
CORE_KEYS = ("format", "version", "year", "province", "bloc", "units", "users", "audit", "notes")
UNIT_FIELDS = ("short_name", "symbol", "kind")
UNIT_DATES = ("valid_from", "valid_to")
BLOC_FIELDS = ("kind", "level", "symbol", "decision_number", "decision_issuer")
BLOC_DATES = ("decision_date", "active_from", "active_to")
USER_FIELDS = ("username", "full_name", "email", "is_active")
AUDIT_FIELDS = ("action", "object_type")

# What each row of the file may hold (blocs.exchange_values.read_row); docs/export.md.
PROVINCE_ROW = {"name": "text", "reviewer_label": "text"}
BLOC_ROW = {
    "name": "text",
    "kind": "code",
    "level": "code",
    "symbol": "text",
    "decision_number": "text",
    "decision_issuer": "text",
    **dict.fromkeys(BLOC_DATES, "date"),
}
UNIT_ROW = {
    "name": "text",
    "short_name": "text",
    "symbol": "text",
    "kind": "code",
    **dict.fromkeys(UNIT_DATES, "date"),
    "parent": "text?",
    "successor": "text?",
}
USER_ROW = {
    "username": "text",
    "full_name": "text",
    "email": "text",
    "is_active": "bool",
    "unit": "text?",
    "reviewer_province": "text?",
}
AUDIT_ROW = {
    "at": "datetime",
    "actor": "text?",
    "action": "code",
    "object_type": "code",
    "object": "text?",
    "data": "dict",
}


@dataclass(frozen=True)
class Audience:
    """Who the export is for. The full backup (command line, secretariat, administrator) holds
    everything; a reviewer's export follows what the pages show them: no plan they may not open
    (unshared drafts), no imported source text of a plan that is not issued, and no e-mails."""

    drafts: bool = True
    emails: bool = True

    @classmethod
    def for_scope(cls, scope: BlocScope) -> Audience:
        return cls(
            drafts=scope.can("plan.view_draft"), emails=bool(scope.roles & {SECRETARIAT, ADMIN})
        )

    @property
    def full(self) -> bool:
        return self.drafts and self.emails


FULL = Audience()


# ---------------------------------------------------------------- contexts and sections


@dataclass
class ExportContext:
    """What sections share while exporting: the scope, the refs they hand out, and notes."""

    bloc: Bloc
    year: int
    audience: Audience = FULL
    units: set[Unit] = field(default_factory=set)
    users: set[User] = field(default_factory=set)
    refs: dict[str, dict[int, str]] = field(default_factory=dict)  # model label → pk → key
    hidden: dict[str, set[int]] = field(default_factory=dict)  # model label → pks left out
    notes: list[str] = field(default_factory=list)

    def unit_ref(self, unit: Unit | None) -> str | None:
        """The portable reference to a unit (its name); the unit joins the export."""
        if unit is None:
            return None
        if unit.province_id != self.bloc.province_id:
            self.notes.append(f"Đơn vị “{unit.name}” thuộc tỉnh khác: không xuất, để trống.")
            return None
        self.units.add(unit)
        return unit.name

    def user_ref(self, user: User | None) -> str | None:
        """The portable reference to a user (the username); the user joins the export."""
        if user is None:
            return None
        self.users.add(user)
        return user.username

    def hide(self, obj: models.Model) -> None:
        """Record that `obj` is left out for this audience: its audit events stay out too."""
        self.hidden.setdefault(obj._meta.label_lower, set()).add(obj.pk)

    def remember(self, obj: models.Model, key: str) -> str:
        """Record the key under which `obj` appears, so audit events can point at it."""
        self.refs.setdefault(obj._meta.label_lower, {})[obj.pk] = key
        return key


@dataclass
class ImportContext:
    """What sections share while importing: the scope, resolved rows, new pks, counters."""

    bloc: Bloc
    year: int
    units: dict[str, Unit]
    users: dict[str, User]
    pks: dict[str, dict[str, int]] = field(default_factory=dict)  # model label → key → pk
    created: Counter[str] = field(default_factory=Counter)  # Vietnamese label → rows created

    def unit(self, name: str | None, where: str) -> Unit | None:
        if name is None:
            return None
        if name not in self.units:
            raise ExchangeError(f"{where}: đơn vị “{name}” không có trong danh sách đơn vị.")
        return self.units[name]

    def user(self, username: str | None, where: str) -> User | None:
        if username is None:
            return None
        if username not in self.users:
            raise ExchangeError(f"{where}: người dùng “{username}” không có trong danh sách.")
        return self.users[username]

    def remember(self, obj: models.Model, key: str) -> None:
        self.pks.setdefault(obj._meta.label_lower, {})[key] = obj.pk


class Section:
    """One app's year-scoped rows. Subclasses set `keys` (the top-level keys they own) and
    `audit_refs` (audit data keys holding pks of a model label), and override the methods."""

    keys: tuple[str, ...] = ()
    audit_refs: dict[str, str] = {}

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        """True when the database already holds this section's rows for the bloc-year."""
        return False

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        """Return {key: value} for each of `keys`."""
        return {}

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        """Create the rows from the file's data (full_clean on each)."""

    def validate(self, ctx: ImportContext) -> None:
        """Check the rules across rows once everything is created."""


def load_sections() -> list[Section]:
    """Instantiate the sections of `SECTIONS` whose module exists."""
    return [section() for section in optional.load_all(SECTIONS)]


# ---------------------------------------------------------------- export


def export_bloc_year(
    bloc: Bloc,
    year: int,
    *,
    audience: Audience = FULL,
    on_step: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Everything about `bloc` in `year` that `audience` may see, as plain JSON data (write it
    with `dumps`). The full backup by default; `Audience.for_scope(scope)` for a web export.
    `on_step(done, total)` hears of each part done (the task worker's progress)."""
    ctx = ExportContext(bloc=bloc, year=year, audience=audience)
    ctx.remember(bloc, bloc.name)
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "year": year}
    sections = load_sections()
    total = len(sections) + 2  # the sections, the audit log, the people and units
    step = on_step or (lambda done, total: None)
    for done, section in enumerate(sections, 1):
        data.update(section.dump(ctx))
        step(done, total)
    data["audit"] = _dump_audit(ctx, sections)
    step(total - 1, total)
    province = bloc.province
    data["province"] = {"name": province.name, "reviewer_label": province.reviewer_label}
    data["bloc"] = {"name": bloc.name, **fields_json(bloc, BLOC_FIELDS + BLOC_DATES)}
    members = Membership.objects.for_year(year).filter(bloc=bloc).select_related("unit")
    member_units = {m.unit for m in members}
    users = (
        set(User.objects.filter(unit__in=member_units | ctx.units).select_related("unit"))
        | set(User.objects.filter(reviewer_province=province))
        | ctx.users
    )
    data["users"] = [_dump_user(u, ctx) for u in sorted(users, key=lambda u: u.username)]
    data["units"] = _dump_units(ctx)
    if not audience.emails:
        ctx.notes.append("Bản xuất theo quyền người xuất: không gồm địa chỉ e-mail.")
    data["notes"] = sorted(set(ctx.notes))
    step(total, total)
    return data


def _dump_user(user: User, ctx: ExportContext) -> dict[str, Any]:
    reviewer = user.reviewer_province_id
    return {
        **fields_json(user, USER_FIELDS),
        "email": user.email if ctx.audience.emails else "",
        "unit": ctx.unit_ref(user.unit),
        "reviewer_province": ctx.bloc.province.name if reviewer == ctx.bloc.province_id else None,
    }


def _dump_units(ctx: ExportContext) -> list[dict[str, Any]]:
    """Every referenced unit, plus their parents and successors (transitively)."""
    pending = list(ctx.units)
    while pending:
        unit = pending.pop()
        for linked in (unit.parent, unit.successor):
            if linked is not None and linked not in ctx.units and ctx.unit_ref(linked):
                pending.append(linked)
    return [
        {
            "name": u.name,
            **fields_json(u, UNIT_FIELDS + UNIT_DATES),
            "parent": ctx.unit_ref(u.parent),
            "successor": ctx.unit_ref(u.successor),
        }
        for u in sorted(ctx.units, key=lambda u: u.name)
    ]


def _map_refs(data: dict[str, Any], sections: list[Section], table: dict, kind: type) -> dict:
    """Swap the ids that audit data holds (per the sections' `audit_refs`) through `table`:
    pk → key on export, key → pk on import; anything unknown becomes None."""
    data = dict(data)
    for key, label in ((k, v) for s in sections for k, v in s.audit_refs.items()):
        value = data.get(key)
        if isinstance(value, kind) and not isinstance(value, bool):
            data[key] = table.get(label, {}).get(value)
    return data


def _dump_audit(ctx: ExportContext, sections: list[Section]) -> list[dict[str, Any]]:
    events = []
    rows = AuditEvent.objects.filter(bloc=ctx.bloc, year=ctx.year).select_related("actor")
    for e in rows.order_by("at", "id"):
        if _is_hidden(e, ctx, sections):
            continue
        refs = ctx.refs.get(e.object_type, {})
        events.append(
            {
                **fields_json(e, AUDIT_FIELDS + ("at",)),
                "actor": ctx.user_ref(e.actor),
                "object": refs.get(int(e.object_id)) if e.object_id.isdigit() else None,
                "data": _map_refs(e.data, sections, ctx.refs, int),
            }
        )
    return events


def _is_hidden(event: AuditEvent, ctx: ExportContext, sections: list[Section]) -> bool:
    """An event about an object left out for the audience (or pointing at one) is left out."""
    if not ctx.hidden:
        return False
    pointers = [(event.object_type, event.object_id)]
    pointers += [
        (label, event.data.get(key)) for s in sections for key, label in s.audit_refs.items()
    ]
    return any(str(pk).isdigit() and int(pk) in ctx.hidden.get(label, ()) for label, pk in pointers)


# ---------------------------------------------------------------- import


@dataclass
class ImportResult:
    bloc: Bloc
    year: int
    created: dict[str, int]


def import_bloc_year(*, data: dict[str, Any], actor: Any = None) -> ImportResult:
    """Create a bloc-year from exported data in one transaction: all of it or nothing.

    Province, units and users are matched by natural key when they exist (and left as they are);
    the bloc is refused when it already holds data for that year. Raises ExchangeError.
    """
    if data.get("format") != FORMAT:
        raise ExchangeError(f"Tệp không phải bản sao lưu khối - năm (format phải là “{FORMAT}”).")
    if data.get("version") != VERSION:
        raise ExchangeError(
            f"Phiên bản tệp {data.get('version')!r} không được hỗ trợ (chỉ nhận phiên bản {VERSION})."
        )
    sections = load_sections()
    known = set(CORE_KEYS) | {k for s in sections for k in s.keys}
    unknown = sorted(k for k, v in data.items() if k not in known and v not in (None, [], {}))
    if unknown:
        raise ExchangeError(f"Tệp có phần dữ liệu chưa hỗ trợ: {', '.join(unknown)}.")
    try:
        with transaction.atomic():
            return _import(data, sections, actor)
    except (KeyError, TypeError, AttributeError, ValueError, DatabaseError) as exc:
        # Every known shape is checked by read_row; this is the net under it: never a 500.
        raise ExchangeError(f"Tệp thiếu hoặc sai trường dữ liệu: {exc}.") from exc


def _import(data: dict[str, Any], sections: list[Section], actor: Any) -> ImportResult:
    created: Counter[str] = Counter()
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise ExchangeError("Năm trong tệp không hợp lệ (cần một năm từ 2000 đến 2100).")
    row = read_row(data.get("province"), PROVINCE_ROW, "Tỉnh")
    province = Province.objects.filter(name=row["name"]).first()
    if province is None:
        province = Province(**row)
        save_clean(province, f"Tỉnh “{province.name}”")
        created["tỉnh"] += 1
    units = _load_units(read_rows(data.get("units"), "units"), province, created)
    users = _load_users(read_rows(data.get("users"), "users"), province, units, created)
    bloc = _load_bloc(data.get("bloc"), province, year, sections, created)
    ctx = ImportContext(bloc=bloc, year=year, units=units, users=users, created=created)
    ctx.remember(bloc, bloc.name)
    for section in sections:
        if any(k in data for k in section.keys):  # a file older than the section has none
            missing = [k for k in section.keys if k not in data]
            if missing:
                raise ExchangeError(f"Tệp thiếu phần dữ liệu: {', '.join(missing)}.")
            section.load({k: data[k] for k in section.keys}, ctx)
    _load_audit(read_rows(data.get("audit"), "audit"), ctx, sections)
    for section in sections:
        section.validate(ctx)
    audit.record(
        actor=actor,
        action="bloc_year.import",
        bloc=bloc,
        data={"year": year, "created": dict(sorted(created.items()))},
    )
    return ImportResult(bloc=bloc, year=year, created=dict(created))


def _load_units(rows: list[Any], province: Province, created: Counter[str]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    new: list[tuple[Unit, dict[str, Any]]] = []
    for i, raw in enumerate(rows, start=1):
        row = read_row(raw, UNIT_ROW, f"Đơn vị thứ {i}")
        links = {"parent": row.pop("parent"), "successor": row.pop("successor")}
        unit = Unit.objects.filter(province=province, name=row["name"]).first()
        if unit is None:
            unit = Unit(province=province, **row)
            save_clean(unit, f"Đơn vị “{unit.name}”")
            new.append((unit, links))
            created["đơn vị"] += 1
        units[unit.name] = unit
    for unit, links in new:  # links once every unit exists
        where = f"Đơn vị “{unit.name}”"
        unit.parent = units.get(links["parent"]) if links["parent"] else None
        unit.successor = units.get(links["successor"]) if links["successor"] else None
        if (links["parent"] and not unit.parent) or (links["successor"] and not unit.successor):
            raise ExchangeError(f"{where}: đơn vị chủ quản hoặc kế thừa không có trong tệp.")
        save_clean(unit, where)
    return units


def _load_users(
    rows: list[Any], province: Province, units: dict[str, Unit], created: Counter[str]
) -> dict[str, User]:
    users: dict[str, User] = {}
    for i, raw in enumerate(rows, start=1):
        row = read_row(raw, USER_ROW, f"Người dùng thứ {i}")
        where = f"Người dùng “{row['username']}”"
        if row["reviewer_province"] not in (None, province.name):
            raise ExchangeError(f"{where}: chỉ thẩm định được cho tỉnh của tệp ({province.name}).")
        if row["unit"] is not None and row["unit"] not in units:
            raise ExchangeError(f"{where}: đơn vị “{row['unit']}” không có trong danh sách đơn vị.")
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            user = User(
                **{k: row[k] for k in USER_FIELDS},
                unit=units[row["unit"]] if row["unit"] else None,
                reviewer_province=province if row["reviewer_province"] else None,
            )
            user.set_unusable_password()  # passwords never travel; an admin resets them
            save_clean(user, where)
            created["người dùng"] += 1
        users[user.username] = user
    return users


def _load_bloc(
    raw: Any, province: Province, year: int, sections: list[Section], created: Counter[str]
) -> Bloc:
    row = read_row(raw, BLOC_ROW, "Khối thi đua")
    bloc = Bloc.objects.filter(province=province, name=row["name"]).first()
    if bloc is None:
        bloc = Bloc(province=province, **row)
        save_clean(bloc, f"Khối “{bloc.name}”")
        created["khối thi đua"] += 1
        return bloc
    has_audit = AuditEvent.objects.filter(bloc=bloc, year=year).exists()
    if has_audit or any(s.has_data(bloc=bloc, year=year) for s in sections):
        raise ExchangeError(
            f"Khối “{bloc.name}” đã có dữ liệu năm {year}: không nhập đè. "
            "Hãy nhập vào một cơ sở dữ liệu khác hoặc xóa dữ liệu năm đó trước."
        )
    return bloc


def _load_audit(rows: list[Any], ctx: ImportContext, sections: list[Section]) -> None:
    for i, raw in enumerate(rows, start=1):
        row = read_row(raw, AUDIT_ROW, f"Nhật ký thứ {i}")
        where = f"Nhật ký “{row['action']}”"
        pk = ctx.pks.get(row["object_type"], {}).get(row["object"]) if row["object"] else None
        event = AuditEvent(
            **{k: row[k] for k in AUDIT_FIELDS},
            actor=ctx.user(row["actor"], where),
            bloc=ctx.bloc,
            year=ctx.year,
            object_id=str(pk) if pk is not None else "",
            data=_map_refs(clean_json(row["data"]), sections, ctx.pks, str),
        )
        save_clean(event, where)
        # `at` is auto_now_add: restore the recorded moment with an update.
        AuditEvent.objects.filter(pk=event.pk).update(at=row["at"])
        ctx.created["nhật ký"] += 1
