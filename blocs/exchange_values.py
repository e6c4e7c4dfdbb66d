"""Values of the bloc-year file, both ways, and the reading of its rows as untrusted input.

Every row of a file is read through `read_row` with the row type's schema: only documented keys
are read (an unknown key is refused by name, so a stray "plan_id" or "id" can never attach a row
to another object), each value has the documented JSON type, and every text loses its control
characters. Errors are `ExchangeError`s in Vietnamese that say where.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from blocs.text import check_year_window, strip_controls


class ExchangeError(Exception):
    """A file that cannot be exported or imported; the message is Vietnamese, for the user."""


# ---------------------------------------------------------------- export side


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


def dumps(data: dict[str, Any]) -> str:
    """The canonical text of an export: the same data always gives the same bytes."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def canonical_json(value: Any) -> bytes:
    """The bytes a checksum of JSON data covers: sorted keys, no spaces, UTF-8."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


# ---------------------------------------------------------------- import side


def loads(text: str) -> dict[str, Any]:
    """Parse a file's text, refusing anything that is not a JSON object."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ExchangeError(f"Tệp không phải JSON hợp lệ: {exc}.") from None
    if not isinstance(data, dict):
        raise ExchangeError("Tệp không đúng định dạng sao lưu khối - năm.")
    return data


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


def clean_json(value: Any) -> Any:
    """Free JSON (audit data): every string in it, keys too, without control characters."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {strip_controls(str(k)): clean_json(v) for k, v in value.items()}
    return value


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# kind → (accepts the JSON value, what the message calls it, converts it)
KINDS: dict[str, tuple[Callable[[Any], bool], str, Callable[[Any, str], Any]]] = {
    "text": (lambda v: isinstance(v, str), "một chuỗi", lambda v, w: strip_controls(v)),
    "code": (lambda v: isinstance(v, str), "một mã", lambda v, w: strip_controls(v)),
    "int": (_is_int, "một số nguyên", lambda v, w: v),
    "bool": (lambda v: isinstance(v, bool), "true/false", lambda v, w: v),
    "date": (lambda v: isinstance(v, str), "một ngày YYYY-MM-DD", parse_date),
    "datetime": (lambda v: isinstance(v, str), "một thời điểm ISO", parse_datetime),
    "list": (lambda v: isinstance(v, list), "một danh sách", lambda v, w: v),
    "dict": (lambda v: isinstance(v, dict), "một đối tượng", lambda v, w: v),
    "json": (lambda v: True, "JSON", lambda v, w: clean_json(v)),
}


def read_row(
    row: Any, schema: dict[str, str], where: str, optional: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The documented keys of one file row, typed and cleaned.

    `schema` maps each key to a kind of `KINDS`; a kind ending in "?" also takes null. Keys of
    `optional` may be absent (a file written before they existed) and take that default. An
    unknown or missing key, or a value of another type, is an ExchangeError naming it.
    """
    optional = optional or {}
    if not isinstance(row, dict):
        raise ExchangeError(f"{where}: phải là một đối tượng JSON.")
    unknown = sorted(str(k) for k in row if k not in schema)
    if unknown:
        names = ", ".join(f"“{strip_controls(k)[:60]}”" for k in unknown)
        raise ExchangeError(f"{where}: trường {names} không có trong định dạng tệp.")
    out: dict[str, Any] = {}
    for key, kind in schema.items():
        if key not in row:
            if key in optional:
                out[key] = optional[key]
                continue
            raise ExchangeError(f"{where}: thiếu trường “{key}”.")
        value, nullable = row[key], kind.endswith("?")
        accepts, label, convert = KINDS[kind.rstrip("?")]
        if value is None and (nullable or kind in ("date", "datetime")):
            out[key] = None
        elif value is None or not accepts(value):
            raise ExchangeError(f"{where}: trường “{key}” phải là {label}.")
        else:
            out[key] = convert(value, where)
    return out


def read_rows(rows: Any, where: str) -> list[Any]:
    """A list of rows from the file (each row is then read with `read_row`)."""
    if not isinstance(rows, list):
        raise ExchangeError(f"{where}: phải là một danh sách.")
    return rows


def in_window(date: dt.date | None, year: int, where: str, label: str) -> None:
    """A date of a bloc-year's row must lie near that year (blocs.text.year_window)."""
    try:
        check_year_window(date, year, label=label)
    except ValidationError as exc:
        raise ExchangeError(f"{where}: {exc.messages[0]}") from None


def save_clean(obj: models.Model, where: str, exclude: list[str] | None = None) -> None:
    """full_clean() then save, turning a ValidationError into an ExchangeError that says where.
    `exclude`: fields that may be empty in a file though a form requires them (a person who
    left: null)."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ExchangeError(f"{where}: {'; '.join(exc.messages)}") from None
    obj.save()
