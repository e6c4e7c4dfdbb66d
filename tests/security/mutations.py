"""Hypothesis strategies that break valid files the way the world does: plan texts edited by
hand (lines cut, numbers and dates made absurd, control characters, huge lines), Office files
(.docx, .xlsx) truncated, with bytes flipped, with zip members replaced, removed, duplicated or
with their XML text nodes made hostile, spreadsheet cells set to absurd values and rows moved,
and JSON trees with wrong types, deep nesting, duplicate keys and rows, and names of other
blocs. Each starts from a valid file, so most inputs get far into the importer."""

from __future__ import annotations

import copy
import io
import json
import re
import unicodedata
import warnings
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.security.strategies import (
    BOMB,
    DATE_WORDS,
    NUMBER_WORDS,
    ZIPS,
    broken_bytes,
    hostile_date,
    hostile_number,
    hostile_text,
    mixed_text,
    vietnamese,
    weird_char,
)


class Blob(bytes):
    """A valid file given to a strategy: shown by its size, not its bytes, in reports."""

    def __repr__(self) -> str:
        return f"<{len(self):,} bytes>"


# ---------------------------------------------------------------- plain text


def _at(text: str, where: float) -> int:
    return min(len(text), int(len(text) * where))


def _insert(text: str, where: float, what: str) -> str:
    i = _at(text, where)
    return text[:i] + what + text[i:]


def _cut(text: str, where: float, length: float) -> str:
    i = _at(text, where)
    return text[:i] + text[i + int(len(text) * length / 4) :]


def _dup(text: str, where: float, length: float) -> str:
    i = _at(text, where)
    j = i + int(len(text) * length / 4)
    return text[:j] + text[i:j] + text[j:]


def _nth_sub(pattern: str, text: str, nth: int, new: str) -> str:
    found = list(re.finditer(pattern, text))
    if not found:
        return text + new
    m = found[nth % len(found)]
    return text[: m.start()] + new + text[m.end() :]


def _every_line(text: str, what: str) -> str:
    return "\n".join(what + line for line in text.split("\n"))


DATE_RE = r"\b\d{1,2}/\d{1,2}/\d{4}\b"
NUMBER_RE = r"\b\d+\b"


@st.composite
def text_edit(draw, text: str) -> str:
    """One edit of a plan text."""
    how = draw(st.sampled_from(["insert", "insert", "cut", "dup", "number", "date", "line",
                                "every_line", "truncate", "newlines", "nfd"]))  # fmt: skip
    where = draw(st.floats(0, 1))
    if how == "insert":
        return _insert(text, where, draw(hostile_text | weird_char | mixed_text))
    if how == "cut":
        return _cut(text, where, draw(st.floats(0, 1)))
    if how == "dup":
        return _dup(text, where, draw(st.floats(0, 1)))
    if how == "number":
        return _nth_sub(NUMBER_RE, text, draw(st.integers(0, 500)), draw(hostile_number))
    if how == "date":
        new = draw(hostile_date | st.sampled_from(DATE_WORDS))
        return _nth_sub(DATE_RE, text, draw(st.integers(0, 100)), new)
    if how == "line":
        huge = draw(st.sampled_from(["Đ", "a ", "**", "1/1/2026 ", "\u0301"])) * draw(
            st.sampled_from([5_000, 60_000, 300_000])
        )
        return _insert(text, where, "\n" + huge + "\n")
    if how == "every_line":
        return _every_line(text, draw(weird_char))
    if how == "truncate":
        return text[: _at(text, where)]
    if how == "newlines":
        return text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\u2028", "\n\n\n", "\x0b"])))
    return unicodedata.normalize("NFD", text)


@st.composite
def mutated_text(draw, text: str) -> str:
    for _ in range(draw(st.integers(1, 4))):
        text = draw(text_edit(text))
    return text


# ---------------------------------------------------------------- zip members (docx, xlsx)


def members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def rezip(items: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name is the point of some inputs
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, body in items:
                z.writestr(name, body)
    return out.getvalue()


TEXT_NODE = rb"(<(?:w:t|t|v)(?:\s[^>]*)?>)([^<]*)(</(?:w:t|t|v)>)"
HOSTILE_XML = [
    b"",
    b"<",
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;'>"
    b"<!ENTITY c '&b;&b;&b;&b;&b;&b;'>]><x>&c;&c;&c;</x>",
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
    b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-16'?><x/>",
    b"<x>" + b"<y>" * 50_000 + b"</x>",
]


def _replace_node(body: bytes, nth: int, value: str, raw: bool) -> bytes:
    found = list(re.finditer(TEXT_NODE, body))
    if not found:
        return body + value.encode("utf-8", "surrogatepass")
    m = found[nth % len(found)]
    text = value if raw else escape(value)
    new = m.group(1) + text.encode("utf-8", "surrogatepass") + m.group(3)
    return body[: m.start()] + new + body[m.end() :]


def _cell_words() -> st.SearchStrategy[str]:
    return st.one_of(hostile_text, hostile_number, st.sampled_from(NUMBER_WORDS), vietnamese)


@st.composite
def zip_edit(draw, valid: bytes, focus: tuple[str, ...]) -> bytes:
    """`valid` with one of its zip members changed; `focus`: the members that hold the data
    (word/document.xml, xl/worksheets/sheet1.xml, xl/sharedStrings.xml), changed most often."""
    items = members(valid)
    names = [n for n, _ in items]
    hot = [n for n in names if n in focus] or names
    name = draw(st.sampled_from(hot) | st.sampled_from(names))
    i = names.index(name)
    body = items[i][1]
    how = draw(st.sampled_from(["node", "node", "node", "nodes", "body", "remove", "duplicate",
                                "add", "truncate"]))  # fmt: skip
    if how == "node":
        new = _replace_node(
            body, draw(st.integers(0, 400)), draw(_cell_words()), draw(st.booleans())
        )
        items[i] = (name, new)
    elif how == "nodes":  # many cells at once, e.g. every value made huge
        value = draw(_cell_words())
        for n in range(draw(st.integers(2, 40))):
            body = _replace_node(body, n * draw(st.integers(1, 7)), value, False)
        items[i] = (name, body)
    elif how == "body":
        items[i] = (name, draw(st.sampled_from(HOSTILE_XML) | st.binary(max_size=200)))
    elif how == "remove":
        del items[i]
    elif how == "duplicate":
        items.append((name, draw(st.sampled_from(HOSTILE_XML))))
    elif how == "add":
        extra = draw(st.sampled_from(["../../evil.xml", "/abs.xml", "xl/worksheets/sheet9.xml",
                                      "word/../../x", "customXml/item1.xml", "a" * 250]))  # fmt: skip
        items.append((extra, draw(st.sampled_from([b"x", BOMB, HOSTILE_XML[2]]))))
    else:
        items[i] = (name, body[: int(len(body) * draw(st.floats(0, 0.99)))])
    return rezip(items)


def office_file(valid: bytes, focus: tuple[str, ...]) -> st.SearchStrategy[bytes]:
    """A valid Office file broken at the byte level, or in one of its zip members."""
    valid = Blob(valid)
    return st.one_of(
        broken_bytes(valid),
        zip_edit(valid, focus),
        zip_edit(valid, focus),
        zip_edit(valid, focus),
        st.sampled_from(ZIPS),
    )


XLSX_FOCUS = ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml",
              "xl/workbook.xml")  # fmt: skip
DOCX_FOCUS = ("word/document.xml", "[Content_Types].xml", "word/_rels/document.xml.rels")

# ---------------------------------------------------------------- spreadsheet cells

CELL_VALUES = st.one_of(
    st.integers(-(10**40), 10**40),
    st.sampled_from([10**15, -1, -0.0, 0.1 + 0.2, 1e308, -1e308, 5e-324, 2**63, -(2**63)]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from(["=1/0", "=A1", '=HYPERLINK("http://x")', "=SUM(1:1048576)", "@SUM(A1)"]),
    hostile_text,
    st.sampled_from(NUMBER_WORDS),
    st.just(None),
)


def _set_cell(ws, row: int, column: int, value: Any) -> None:
    try:
        ws.cell(row, column).value = value
    except Exception:  # noqa: BLE001 - openpyxl refuses control characters: send them anyway,
        ws.cell(row, column).value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", str(value))


@st.composite
def sheet_edit(draw, valid: bytes) -> bytes:
    """`valid` (.xlsx) opened and edited as a person (or a script) would: cells set to absurd
    values, rows deleted, duplicated, moved, sheets added or renamed."""
    wb = load_workbook(io.BytesIO(valid))
    for _ in range(draw(st.integers(1, 3))):
        ws = wb.worksheets[draw(st.integers(0, len(wb.worksheets) - 1))]
        rows, cols = max(ws.max_row, 1), max(ws.max_column, 1)
        how = draw(st.sampled_from(["cell", "cell", "cell", "cell", "delete", "insert",
                                    "duplicate", "move", "sheet", "title"]))  # fmt: skip
        row = draw(st.integers(1, rows + 2))
        if how == "cell":
            _set_cell(ws, row, draw(st.integers(1, cols + 2)), draw(CELL_VALUES))
        elif how == "delete":
            ws.delete_rows(row, draw(st.integers(1, 3)))
        elif how == "insert":
            ws.insert_rows(row, draw(st.integers(1, 3)))
        elif how == "duplicate":  # a row twice: the same code, the same line
            target = draw(st.integers(1, rows + 1))
            for c in range(1, cols + 1):
                _set_cell(ws, target, c, ws.cell(row, c).value)
        elif how == "move":
            ws.move_range(f"A{row}:Z{row}", rows=draw(st.integers(1 - min(row, 4), 3)))
        elif how == "sheet":
            wb.create_sheet(draw(st.sampled_from(["Thiết lập", "Xếp loại", "Sheet", "Ghi chú"])))
        else:
            ws.title = draw(st.sampled_from(["Thang điểm", "Bảng tự chấm", "Sheet1", "x" * 31]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_file(valid: bytes) -> st.SearchStrategy[bytes]:
    valid = Blob(valid)
    return st.one_of(sheet_edit(valid), sheet_edit(valid), office_file(valid, XLSX_FOCUS))


# ---------------------------------------------------------------- JSON trees

DEEP = "\u2063deep\u2063"  # replaced by deeply nested brackets in the text
JSON_VALUES = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 1.5, -0.0, 1e308, 2**31, 2**63, 10**40, -(10**40)]),
    st.sampled_from(["", " ", "null", "true", "0", "-1", "2026", "1e309", "NaN", DEEP]),
    st.sampled_from([[], {}, [None], {"": None}, {"id": 1}, [[]], {"name": "x"}]),
    st.sampled_from(DATE_WORDS + ["2026-02-30", "2026-01-01T00:00:00", "9999-12-31"]),
    hostile_text,
    hostile_number,
)


def paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into `tree` (dict keys and list indexes)."""
    out = []
    items = (
        tree.items()
        if isinstance(tree, dict)
        else enumerate(tree)
        if isinstance(tree, list)
        else []
    )
    for key, value in items:
        out.append((*prefix, key))
        out += paths(value, (*prefix, key))
    return out


def _parent(tree: Any, path: tuple) -> Any:
    for key in path[:-1]:
        tree = tree[key]
    return tree


@st.composite
def json_edit(draw, tree: Any, names: list[str]) -> None:
    """One change to `tree`, in place: a value replaced (wrong type, absurd, a name of another
    bloc's unit or user), a key removed or added, a list row duplicated or removed."""
    path = draw(st.sampled_from(paths(tree)))
    parent, key = _parent(tree, path), path[-1]
    how = draw(st.sampled_from(["value", "value", "value", "name", "remove", "add", "duplicate"]))
    if how == "value":
        parent[key] = draw(JSON_VALUES)
    elif how == "name" and names:
        parent[key] = draw(st.sampled_from(names))
    elif how == "remove":
        del parent[key]
    elif how == "add" and isinstance(parent, dict):
        extra = draw(st.sampled_from(["id", "pk", "plan_id", "bloc_id", "unit", "__proto__", ""]))
        parent[extra] = draw(JSON_VALUES)
    elif isinstance(parent, list):  # the same row twice: duplicate natural keys
        parent.insert(key, copy.deepcopy(parent[key]))
    else:
        parent[key] = draw(JSON_VALUES)


def _dumps(tree: Any, deep: int) -> str:
    text = json.dumps(tree, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace(json.dumps(DEEP, ensure_ascii=False), "[" * deep + "]" * deep)


DUP_KEY = re.compile(r'^(\s*)"(name|year|bloc|unit|status|key|number|username)": ', re.M)


@st.composite
def duplicate_key(draw, text: str) -> str:
    """A key written twice in one object (the parser keeps the last one)."""
    found = list(DUP_KEY.finditer(text))
    if not found:
        return text
    m = found[draw(st.integers(0, len(found) - 1))]
    value = json.dumps(draw(JSON_VALUES), ensure_ascii=False).replace(
        json.dumps(DEEP, ensure_ascii=False), "[]"
    )
    line = f'{m.group(1)}"{m.group(2)}": {value},\n'
    at = m.start() if draw(st.booleans()) else text.index("\n", m.end()) + 1
    return text[:at] + line.lstrip("\n") + text[at:]


@st.composite
def json_file(draw, tree: dict, names: list[str]) -> bytes:
    """The bytes of a bloc-year file: `tree` with a few changes, then maybe the text broken."""
    data = copy.deepcopy(tree)
    for _ in range(draw(st.integers(1, 3))):
        draw(json_edit(data, names))
    text = _dumps(data, draw(st.sampled_from([2, 50, 1_100, 100_000])))
    how = draw(st.sampled_from(["tree", "tree", "tree", "dupkey", "truncate", "flip", "bom"]))
    if how == "dupkey":
        text = draw(duplicate_key(text))
    body = text.encode("utf-8", "surrogatepass")
    if how == "truncate":
        body = body[: int(len(body) * draw(st.floats(0, 0.99)))]
    elif how == "flip":
        i = int(len(body) * draw(st.floats(0, 0.99)))
        body = body[:i] + bytes([draw(st.integers(0, 255))]) + body[i + 1 :]
    elif how == "bom":
        body = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\x00"])) + body
    return body
