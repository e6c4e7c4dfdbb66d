"""The bloc-year backup and transfer format ("thiduakhenthuong.bloc-year", version 1).

One JSON file holds everything about one bloc in one year, keyed by natural keys (province and
bloc by name, unit by name within the province, user by username, format profile by code), never
by database ids, and sorted so that export → import into an empty database → export gives the
same bytes. docs/export.md describes every key.

The core here owns the envelope, the province, the bloc, units, users and the audit log. The
year-scoped rows of each app are a *section* listed in `SECTIONS` by dotted path and imported
lazily, so `blocs` never imports `plans` at module load and an app whose section does not exist
yet is simply skipped.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from blocs import audit
from blocs.models import AuditEvent, Bloc, BlocTerm, Membership, Province, Unit, User

FORMAT = "thiduakhenthuong.bloc-year"
VERSION = 1
# Sections in dependency order (blocs ← plans ← scoring ← reports); missing modules are skipped.
SECTIONS = [
    "blocs.exchange:BlocsSection",
    "plans.exchange:PlansSection",
    "reports.exchange:ReportsSection",
]
CORE_KEYS = ("format", "version", "year", "province", "bloc", "units", "users", "audit", "notes")
UNIT_FIELDS = ("short_name", "symbol", "kind")
UNIT_DATES = ("valid_from", "valid_to")
BLOC_FIELDS = ("kind", "level", "symbol", "decision_number", "decision_issuer")
BLOC_DATES = ("decision_date", "active_from", "active_to")
MEMBERSHIP_FIELDS = ("join_reason", "leave_reason", "decision_ref")
USER_FIELDS = ("username", "full_name", "email", "is_active")
AUDIT_FIELDS = ("action", "object_type")


class ExchangeError(Exception):
    """A file that cannot be exported or imported; the message is Vietnamese, for the user."""


# ---------------------------------------------------------------- plain values


def to_json(value: Any) -> Any:
    """A model field value as JSON: ISO dates and datetimes, Decimals as strings, bytes as base64."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def fields_json(obj: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a row as JSON values."""
    return {name: to_json(getattr(obj, name)) for name in names}


def parse_date(value: Any, where: str) -> dt.date | None:
    """An ISO "YYYY-MM-DD" string (or null) from the file."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ExchangeError(
            f"{where}: ngày “{value}” không hợp lệ (cần dạng YYYY-MM-DD)."
        ) from None


def values_from(
    row: dict[str, Any], names: tuple[str, ...], where: str, dates: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The named fields of a file row as model values, with the `dates` parsed."""
    return {**{n: row[n] for n in names}, **{n: parse_date(row[n], where) for n in dates}}


def parse_datetime(value: Any, where: str) -> dt.datetime | None:
    """An ISO datetime with its UTC offset (or null) from the file."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ExchangeError(f"{where}: thời điểm “{value}” không hợp lệ (cần dạng ISO có múi giờ).")
    return parsed


def parse_bytes(value: Any, where: str) -> bytes:
    """Base64 text from the file as bytes."""
    try:
        return base64.b64decode(value, validate=True)
    except (TypeError, ValueError):
        raise ExchangeError(f"{where}: dữ liệu base64 không hợp lệ.") from None


def save_clean(obj: models.Model, where: str) -> None:
    """full_clean() then save, turning a ValidationError into an ExchangeError that says where."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ExchangeError(f"{where}: {'; '.join(exc.messages)}") from None
    obj.save()


def dumps(data: dict[str, Any]) -> str:
    """The canonical text of an export: the same data always gives the same bytes."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def loads(text: str) -> dict[str, Any]:
    """Parse a file's text, refusing anything that is not a JSON object."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ExchangeError(f"Tệp không phải JSON hợp lệ: {exc}.") from None
    if not isinstance(data, dict):
        raise ExchangeError("Tệp không đúng định dạng sao lưu khối - năm.")
    return data


# ---------------------------------------------------------------- contexts and sections


@dataclass
class ExportContext:
    """What sections share while exporting: the scope, the refs they hand out, and notes."""

    bloc: Bloc
    year: int
    units: set[Unit] = field(default_factory=set)
    users: set[User] = field(default_factory=set)
    refs: dict[str, dict[int, str]] = field(default_factory=dict)  # model label → pk → key
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
    sections = []
    for path in SECTIONS:
        module_name, _, class_name = path.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        sections.append(getattr(module, class_name)())
    return sections


class BlocsSection(Section):
    """The bloc's term for the year (head and deputies) and the memberships covering the year."""

    keys = ("term", "memberships")

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        return BlocTerm.objects.filter(bloc=bloc, year=year).exists()

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        term = (
            BlocTerm.objects.filter(bloc=ctx.bloc, year=ctx.year)
            .select_related("head_unit")
            .first()
        )
        term_data = None
        if term is not None:
            ctx.remember(term, str(ctx.year))
            term_data = {
                "head_unit": ctx.unit_ref(term.head_unit),
                "deputy_units": sorted(ctx.unit_ref(u) for u in term.deputy_units.all()),
                **fields_json(term, ("basis", "basis_date")),
            }
        memberships = []
        rows = Membership.objects.for_year(ctx.year).filter(bloc=ctx.bloc).select_related("unit")
        for m in sorted(rows, key=lambda m: (m.unit.name, m.joined_on)):
            ctx.remember(m, f"{m.unit.name} @ {m.joined_on.isoformat()}")
            fields = MEMBERSHIP_FIELDS + ("joined_on", "left_on")
            memberships.append({"unit": ctx.unit_ref(m.unit), **fields_json(m, fields)})
        return {"term": term_data, "memberships": memberships}

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        for row in data["memberships"]:
            where = f"Thành viên “{row['unit']}”"
            unit = ctx.unit(row["unit"], where)
            values = values_from(row, MEMBERSHIP_FIELDS, where, dates=("left_on",))
            joined_on = parse_date(row["joined_on"], where)
            m = Membership.objects.filter(bloc=ctx.bloc, unit=unit, joined_on=joined_on).first()
            if m is None:
                m = Membership(bloc=ctx.bloc, unit=unit, joined_on=joined_on, **values)
                save_clean(m, where)
                ctx.created["thành viên khối"] += 1
            elif any(getattr(m, k) != v for k, v in values.items()):
                raise ExchangeError(f"{where}: đã có trong khối với thông tin khác tệp.")
            ctx.remember(m, f"{unit.name} @ {joined_on.isoformat()}")
        term_data = data["term"]
        if term_data is not None:
            term = BlocTerm(
                bloc=ctx.bloc,
                year=ctx.year,
                head_unit=ctx.unit(term_data["head_unit"], "Nhiệm kỳ"),
                **values_from(term_data, ("basis",), "Nhiệm kỳ", dates=("basis_date",)),
            )
            save_clean(term, "Nhiệm kỳ")
            term.deputy_units.set(ctx.unit(n, "Phó khối") for n in term_data["deputy_units"])
            ctx.remember(term, str(ctx.year))
            ctx.created["nhiệm kỳ khối"] += 1

    def validate(self, ctx: ImportContext) -> None:
        from blocs.services import _check_term_units, _overlapping

        for m in Membership.objects.filter(bloc=ctx.bloc).select_related("unit"):
            if _overlapping(ctx.bloc, m.unit, m.joined_on, m.left_on, exclude_pk=m.pk).exists():
                raise ExchangeError(
                    f"Thành viên “{m.unit.name}”: các thời gian tham gia chồng nhau."
                )
        term = BlocTerm.objects.filter(bloc=ctx.bloc, year=ctx.year).first()
        if term is not None:
            try:
                _check_term_units(ctx.bloc, ctx.year, term.head_unit, list(term.deputy_units.all()))
            except ValidationError as exc:
                raise ExchangeError(f"Nhiệm kỳ: {'; '.join(exc.messages)}") from None


# ---------------------------------------------------------------- export


def export_bloc_year(bloc: Bloc, year: int) -> dict[str, Any]:
    """Everything about `bloc` in `year` as plain JSON data (write it with `dumps`)."""
    ctx = ExportContext(bloc=bloc, year=year)
    ctx.remember(bloc, bloc.name)
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "year": year}
    sections = load_sections()
    for section in sections:
        data.update(section.dump(ctx))
    data["audit"] = _dump_audit(ctx, sections)
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
    data["notes"] = sorted(set(ctx.notes))
    return data


def _dump_user(user: User, ctx: ExportContext) -> dict[str, Any]:
    reviewer = user.reviewer_province_id
    return {
        **fields_json(user, USER_FIELDS),
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
    except (KeyError, TypeError, AttributeError) as exc:
        raise ExchangeError(f"Tệp thiếu hoặc sai trường dữ liệu: {exc}.") from exc


def _import(data: dict[str, Any], sections: list[Section], actor: Any) -> ImportResult:
    created: Counter[str] = Counter()
    year = data["year"]
    if not isinstance(year, int):
        raise ExchangeError("Năm trong tệp không hợp lệ.")
    province = Province.objects.filter(name=data["province"]["name"]).first()
    if province is None:
        province = Province(**data["province"])
        save_clean(province, f"Tỉnh “{province.name}”")
        created["tỉnh"] += 1
    units = _load_units(data["units"], province, created)
    users = _load_users(data["users"], province, units, created)
    bloc = _load_bloc(data["bloc"], province, year, sections, created)
    ctx = ImportContext(bloc=bloc, year=year, units=units, users=users, created=created)
    ctx.remember(bloc, bloc.name)
    for section in sections:
        if any(k in data for k in section.keys):  # a file older than the section has none
            section.load({k: data[k] for k in section.keys}, ctx)
    _load_audit(data["audit"], ctx, sections)
    for section in sections:
        section.validate(ctx)
    audit.record(
        actor=actor,
        action="bloc_year.import",
        bloc=bloc,
        data={"year": year, "created": dict(sorted(created.items()))},
    )
    return ImportResult(bloc=bloc, year=year, created=dict(created))


def _load_units(
    rows: list[dict[str, Any]], province: Province, created: Counter[str]
) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    new: list[tuple[Unit, dict[str, Any]]] = []
    for row in rows:
        where = f"Đơn vị “{row['name']}”"
        unit = Unit.objects.filter(province=province, name=row["name"]).first()
        if unit is None:
            values = values_from(row, UNIT_FIELDS, where, dates=UNIT_DATES)
            unit = Unit(province=province, name=row["name"], **values)
            save_clean(unit, where)
            new.append((unit, row))
            created["đơn vị"] += 1
        units[unit.name] = unit
    for unit, row in new:  # links once every unit exists
        where = f"Đơn vị “{unit.name}”"
        unit.parent = units.get(row["parent"]) if row["parent"] else None
        unit.successor = units.get(row["successor"]) if row["successor"] else None
        if (row["parent"] and not unit.parent) or (row["successor"] and not unit.successor):
            raise ExchangeError(f"{where}: đơn vị chủ quản hoặc kế thừa không có trong tệp.")
        save_clean(unit, where)
    return units


def _load_users(
    rows: list[dict[str, Any]],
    province: Province,
    units: dict[str, Unit],
    created: Counter[str],
) -> dict[str, User]:
    users: dict[str, User] = {}
    for row in rows:
        user = User.objects.filter(username=row["username"]).first()
        where = f"Người dùng “{row['username']}”"
        if row["reviewer_province"] not in (None, province.name):
            raise ExchangeError(f"{where}: chỉ thẩm định được cho tỉnh của tệp ({province.name}).")
        if user is None:
            user = User(
                **values_from(row, USER_FIELDS, where),
                unit=units[row["unit"]] if row["unit"] else None,
                reviewer_province=province if row["reviewer_province"] else None,
            )
            user.set_unusable_password()  # passwords never travel; an admin resets them
            save_clean(user, where)
            created["người dùng"] += 1
        users[user.username] = user
    return users


def _load_bloc(
    row: dict[str, Any],
    province: Province,
    year: int,
    sections: list[Section],
    created: Counter[str],
) -> Bloc:
    bloc = Bloc.objects.filter(province=province, name=row["name"]).first()
    if bloc is None:
        where = f"Khối “{row['name']}”"
        values = values_from(row, BLOC_FIELDS, where, dates=BLOC_DATES)
        bloc = Bloc(province=province, name=row["name"], **values)
        save_clean(bloc, where)
        created["khối thi đua"] += 1
        return bloc
    has_audit = AuditEvent.objects.filter(bloc=bloc, year=year).exists()
    if has_audit or any(s.has_data(bloc=bloc, year=year) for s in sections):
        raise ExchangeError(
            f"Khối “{bloc.name}” đã có dữ liệu năm {year}: không nhập đè. "
            "Hãy nhập vào một cơ sở dữ liệu khác hoặc xóa dữ liệu năm đó trước."
        )
    return bloc


def _load_audit(rows: list[dict[str, Any]], ctx: ImportContext, sections: list[Section]) -> None:
    for row in rows:
        where = f"Nhật ký “{row['action']}”"
        pk = ctx.pks.get(row["object_type"], {}).get(row["object"]) if row["object"] else None
        event = AuditEvent(
            **values_from(row, AUDIT_FIELDS, where),
            actor=ctx.user(row["actor"], where),
            bloc=ctx.bloc,
            year=ctx.year,
            object_id=str(pk) if pk is not None else "",
            data=_map_refs(row["data"], sections, ctx.pks, str),
        )
        save_clean(event, where)
        # `at` is auto_now_add: restore the recorded moment with an update.
        AuditEvent.objects.filter(pk=event.pk).update(at=parse_datetime(row["at"], where))
        ctx.created["nhật ký"] += 1
