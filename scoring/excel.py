"""A criteria template in and out of Excel (.xlsx), in the layout a secretariat types by hand:
one row per criterion — Mã, Nội dung, Điểm tối đa, Loại, Hướng dẫn chấm (and optional columns) —
with the tree read from the codes (I → 1 → 1.1 → a). Optional sheets "Thiết lập" (settings) and
"Xếp loại" (rating bands). The layout is documented in docs/template-excel.md.

Reading treats the file as untrusted: size and unpacked size are capped, openpyxl reads in
read-only mode, rows and columns are capped, and every bad row is reported with its number.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from scoring import calc
from scoring.models import Criterion, Template, TieBreak
from scoring.services.templates import CriterionRow

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_CRITERIA = 1000
MAX_SCAN_ROWS = MAX_CRITERIA + 200  # blank rows included
MAX_COLS = 30
SHEET = "Thang điểm"
SETTINGS_SHEET = "Thiết lập"
BANDS_SHEET = "Xếp loại"

# field, header as exported, other headers accepted (compared without accents and case)
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("code", "Mã", ("ma so", "stt", "so tt", "ma tieu chi")),
    ("content", "Nội dung", ("noi dung tieu chi", "tieu chi", "ten tieu chi")),
    ("max_points", "Điểm tối đa", ("diem chuan", "diem", "thang diem", "diem toi da")),
    ("kind", "Loại", ("loai tieu chi", "kieu")),
    ("guidance", "Hướng dẫn chấm", ("huong dan", "cach cham")),
    ("evidence_required", "Minh chứng", ("bat buoc minh chung", "can minh chung")),
    ("step", "Bước điểm", ("buoc",)),
    ("points_per", "Điểm mỗi lần", ("diem moi lan", "diem/lan")),
    ("formula", "Công thức", ("cong thuc tinh",)),
    ("source", "Nguồn số liệu", ("nguon",)),
]
REQUIRED = ("code", "content", "max_points", "kind")

KIND_LABELS = {
    Criterion.Kind.GROUP: "Nhóm",
    Criterion.Kind.GRADED: "Chấm theo mức",
    Criterion.Kind.PASS_FAIL: "Đạt/Không đạt",
    Criterion.Kind.QUANTITATIVE: "Định lượng",
    Criterion.Kind.PER_OCCURRENCE: "Theo số lần",
    Criterion.Kind.DEDUCTION: "Điểm trừ",
    Criterion.Kind.BONUS: "Điểm thưởng",
}
FORMULA_LABELS = {Criterion.Formula.RATIO: "Tỷ lệ", Criterion.Formula.LEADER: "Dẫn đầu"}
SOURCE_LABELS = {Criterion.Source.SELF: "Đơn vị", Criterion.Source.OTHER_AGENCY: "Cơ quan khác"}
YES, NO = "Có", "Không"

SETTINGS = [
    ("title", "Tên thang điểm", "text"),
    ("max_total", "Tổng điểm tối đa", "number"),
    ("bonus_cap", "Điểm thưởng tối đa", "number?"),
    ("penalty_cap", "Điểm trừ tối đa", "number?"),
    ("allow_exceed_max", "Cho phép tổng điểm vượt tối đa", "bool"),
    ("allow_children_over", "Cho phép tiêu chí con vượt tiêu chí cha", "bool"),
    ("late_penalty", "Điểm trừ mỗi báo cáo nộp muộn", "number"),
    ("tie_break", "Thứ tự xét bằng điểm", "ties"),
]
BAND_HEADERS = ("Xếp loại", "Tổng điểm từ", "Mỗi nhóm tối thiểu (%)")


class TemplateFileError(Exception):
    """The file cannot be imported; `errors` lists every problem (row numbers included)."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def plain(text: Any) -> str:
    """Lower case, no accents, single spaces: how headers and labels are compared."""
    s = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "d")
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", s).strip().lower()


def _lookup(labels: dict[str, str]) -> dict[str, str]:
    """label or code (compared plainly) → code."""
    out = {plain(code): code for code in labels}
    out |= {plain(label): code for code, label in labels.items()}
    return out


KINDS_IN = _lookup(KIND_LABELS) | {plain(label): code for code, label in Criterion.Kind.choices}
KINDS_IN |= {
    "dat/khong dat": "pass_fail",
    "dat, khong dat": "pass_fail",
    "thuong": "bonus",
    "tru": "deduction",
    "nhom tieu chi": "group",
    "so lan": "per_occurrence",
}
FORMULAS_IN = _lookup(FORMULA_LABELS) | {"": ""}
SOURCES_IN = _lookup(SOURCE_LABELS) | {"": Criterion.Source.SELF}
TIES_IN = _lookup(dict(TieBreak.choices))


# ---------------------------------------------------------------- export


def export_template(
    template: Template, criteria: list[Criterion], bands: list[Any] | None = None
) -> bytes:
    """The template as .xlsx: criteria (in tree order), settings and bands."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([header for _, header, _ in COLUMNS])
    for c in criteria:
        ws.append(_criterion_cells(c))
    for i, width in enumerate((8, 60, 12, 16, 50, 11, 10, 12, 11, 14), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    _write_settings(wb.create_sheet(SETTINGS_SHEET), template)
    band_rows, bands = bands, wb.create_sheet(BANDS_SHEET)
    bands.append(list(BAND_HEADERS))
    for b in template.bands.all() if band_rows is None else band_rows:
        bands.append([b.label, b.min_total, b.floor_pct])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _criterion_cells(c: Criterion) -> list[Any]:
    return [
        c.code,
        c.content,
        c.max_points,
        KIND_LABELS[c.kind],
        c.guidance,
        YES if c.evidence_required else "",
        c.step,
        c.points_per,
        FORMULA_LABELS.get(c.formula, ""),
        SOURCE_LABELS[c.source] if c.source != Criterion.Source.SELF else "",
    ]


def _write_settings(ws, template: Template) -> None:
    ws.append(["Thiết lập", "Giá trị"])
    ties = dict(TieBreak.choices)
    for name, label, kind in SETTINGS:
        value = getattr(template, name)
        if kind == "bool":
            value = YES if value else NO
        elif kind == "ties":
            value = "; ".join(ties[t] for t in value or [])
        ws.append([label, value])
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 60


def example_workbook() -> bytes:
    """docs/template-example.xlsx: the synthetic 100-point sheet, built without a database."""
    from scoring import samples
    from scoring.models import RatingBand

    rows, settings, bands = samples.sheet_100()
    template = Template(**settings)
    criteria = [Criterion(**r.fields()) for r in rows]
    return export_template(template, criteria, [RatingBand(**b) for b in bands])


# ---------------------------------------------------------------- import


@dataclass
class ParsedTemplate:
    rows: list[CriterionRow]
    settings: dict[str, Any] | None = None
    bands: list[dict[str, Any]] | None = None
    errors: list[str] = field(default_factory=list)


def read_template(data: bytes) -> ParsedTemplate:
    """Parse an uploaded .xlsx; raises TemplateFileError with every problem found."""
    wb = open_workbook(data)
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        parsed = ParsedTemplate(rows=[])
        raw = _raw_rows(ws, parsed.errors)
        if raw is not None:
            parsed.rows = _criteria(raw, parsed.errors)
        if SETTINGS_SHEET in wb.sheetnames:
            parsed.settings = _settings(wb[SETTINGS_SHEET], parsed.errors)
        if BANDS_SHEET in wb.sheetnames:
            parsed.bands = _bands(wb[BANDS_SHEET], parsed.errors)
    finally:
        wb.close()
    if not parsed.errors and not parsed.rows:
        parsed.errors.append("Tệp không có dòng tiêu chí nào.")
    if parsed.errors:
        raise TemplateFileError(parsed.errors)
    return parsed


def open_workbook(data: bytes, *, data_only: bool = True):
    """An uploaded .xlsx opened read-only after the size, type and unpacked-size checks
    (TemplateFileError otherwise). `data_only=False` keeps formulas as text, so a caller can
    refuse them instead of trusting the values Excel cached."""
    if not data:
        raise TemplateFileError(["Tệp rỗng."])
    if len(data) > MAX_BYTES:
        raise TemplateFileError(["Tệp quá lớn; chỉ nhận tệp Excel đến 5 MB."])
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TemplateFileError(
            ["Tệp Excel 97-2003 (.xls) chưa được hỗ trợ; hãy lưu lại thành .xlsx rồi tải lên."]
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            unpacked = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        raise TemplateFileError(["Tệp không phải bảng tính Excel (.xlsx)."]) from None
    if "xl/workbook.xml" not in names:
        raise TemplateFileError(["Tệp không phải bảng tính Excel (.xlsx)."])
    if unpacked > MAX_UNPACKED:
        raise TemplateFileError(["Tệp giải nén quá lớn; hãy kiểm tra lại bảng tính."])
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise TemplateFileError([DAMAGED]) from None


# What openpyxl raises while it reads a damaged sheet: in read-only mode the sheet's XML is
# parsed row by row as the rows are read, long after the workbook opened.
READ_ERRORS = (SyntaxError, ValueError, LookupError, TypeError, AttributeError, EOFError, OSError,
               zipfile.BadZipFile, zlib.error)  # fmt: skip
DAMAGED = "Không đọc được bảng tính Excel; tệp có thể bị hỏng."


@contextmanager
def reading_rows() -> Iterator[None]:
    """Around reading a sheet's rows: a damaged sheet is a TemplateFileError, never a 500."""
    try:
        yield
    except TemplateFileError:
        raise
    except READ_ERRORS:
        raise TemplateFileError([DAMAGED]) from None


def _cells(ws, min_row: int = 1) -> list[tuple[int, list[Any]]]:
    """(row number, cells) of non-empty rows, at most MAX_SCAN_ROWS rows scanned."""
    with reading_rows():
        return _read_cells(ws, min_row)


def _read_cells(ws, min_row: int) -> list[tuple[int, list[Any]]]:
    out = []
    for number, row in enumerate(
        ws.iter_rows(
            min_row=min_row, max_row=MAX_SCAN_ROWS + 1, max_col=MAX_COLS, values_only=True
        ),
        start=min_row,
    ):
        if number > MAX_SCAN_ROWS:
            raise TemplateFileError(
                [
                    f"Tệp có quá nhiều dòng; một thang điểm có tối đa {MAX_CRITERIA:,} tiêu chí.".replace(
                        ",", "."
                    )
                ]
            )
        cells = [clean_cell(v) for v in row]
        if any(v not in ("", None) for v in cells):
            out.append((number, cells))
    return out


def clean_cell(value: Any) -> Any:
    """A cell's value without control characters (texts trimmed)."""
    if isinstance(value, str):
        value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
        return value.strip()
    return value


def _raw_rows(ws, errors: list[str]) -> list[tuple[int, dict[str, Any]]] | None:
    rows = _cells(ws)
    if not rows:
        errors.append("Trang tính không có dữ liệu.")
        return None
    header_no, header = rows[0]
    index: dict[str, int] = {}
    for field_name, label, aliases in COLUMNS:
        names = {plain(label), *aliases}
        for i, cell in enumerate(header):
            if plain(cell) in names and field_name not in index:
                index[field_name] = i
    missing = [label for name, label, _ in COLUMNS if name in REQUIRED and name not in index]
    if missing:
        errors.append(
            f"Dòng {header_no} (tiêu đề): thiếu cột {', '.join(missing)}. Các cột bắt buộc: "
            + ", ".join(label for name, label, _ in COLUMNS if name in REQUIRED)
            + "."
        )
        return None
    data = [
        (n, {f: cells[i] if i < len(cells) else None for f, i in index.items()})
        for n, cells in rows[1:]
    ]
    if len(data) > MAX_CRITERIA:
        errors.append(f"Tệp có {len(data)} dòng tiêu chí; tối đa {MAX_CRITERIA} dòng.")
        return None
    return data


ROMAN = re.compile(r"^[IVXLC]+$")
STYLE_RANK = {"top": 0, "int": 1, "letter": 50}


def code_style(code: str) -> str | None:
    """How a code is written: top (I, II, or a symbol such as +), int (1), dotted (1.1 → dot1,
    1.1.1 → dot2), letter (a, b, đ)."""
    if ROMAN.match(code) or re.fullmatch(r"[A-Z+\-−]", code):
        return "top"
    if re.fullmatch(r"\d+", code):
        return "int"
    if re.fullmatch(r"\d+(\.\d+)+", code):
        return f"dot{code.count('.')}"
    if re.fullmatch(r"[a-zđ]", code):
        return "letter"
    return None


def _rank(style: str) -> int:
    return int(style[3:]) + 1 if style.startswith("dot") else STYLE_RANK[style]


def _number(value: Any, where: str, errors: list[str], *, required: bool) -> Decimal | None:
    if value in ("", None):
        if required:
            errors.append(f"{where}: chưa có số.")
        return None
    try:
        number = calc.to_decimal(value)
    except calc.ScoreError:
        errors.append(f"{where}: “{value}” không phải là số.")
        return None
    if number < 0:
        errors.append(f"{where}: không được âm.")
        return None
    if number > 100000:
        errors.append(f"{where}: số quá lớn.")
        return None
    return calc.round_points(number)


def _choice(value: Any, table: dict[str, str], where: str, errors: list[str]) -> str | None:
    key = plain(value)
    if key not in table:
        errors.append(f"{where}: không hiểu “{value}”.")
        return None
    return table[key]


def _criteria(raw: list[tuple[int, dict[str, Any]]], errors: list[str]) -> list[CriterionRow]:
    codes = [str(r.get("code") or "").strip().rstrip(".)").strip() for _, r in raw]
    styles = [code_style(c) for c in codes]
    first = next((s for s in styles if s), "top")
    styles = [
        first if s == "top" and first != "top" and c in "+-−" else s
        for s, c in zip(styles, codes, strict=True)
    ]
    ranks = sorted({_rank(s) for s in styles if s})
    levels = [ranks.index(_rank(s)) if s else None for s in styles]
    kinds: list[str | None] = []
    rows: list[CriterionRow | None] = []
    parents: list[int | None] = []
    seen: dict[tuple[int | None, str], int] = {}
    for i, (number, cells) in enumerate(raw):
        where = f"Dòng {number}"
        parent = _parent_of(i, levels, codes, where, errors)
        parents.append(parent)
        key = (parent, codes[i])
        if codes[i] and key in seen:
            errors.append(f"{where}: mã “{codes[i]}” trùng với dòng {seen[key]} trong cùng nhóm.")
        seen.setdefault(key, number)
        kind_text = cells.get("kind")
        has_children = i + 1 < len(raw) and (levels[i + 1] or 0) > (levels[i] or 0)
        kind = (
            ("group" if has_children else "graded")
            if kind_text in ("", None)
            else _choice(kind_text, KINDS_IN, f"{where}, cột Loại", errors)
        )
        kinds.append(kind)
        if parent is not None and kinds[parent] not in (None, "group"):
            errors.append(f"{where}: tiêu chí cha “{codes[parent]}” không phải là nhóm.")
        rows.append(_row(number, cells, codes[i], kind, parent, errors))
    return [r for r in rows if r is not None] if not errors else []


def _parent_of(i, levels, codes, where, errors) -> int | None:
    if not codes[i]:
        errors.append(f"{where}: thiếu mã tiêu chí.")
        return None
    if levels[i] is None:
        errors.append(f"{where}: mã “{codes[i]}” không đúng kiểu (I, 1, 1.1, a).")
        return None
    if levels[i] == 0:
        return None
    for j in range(i - 1, -1, -1):
        if levels[j] is not None and levels[j] < levels[i]:
            return j
    errors.append(f"{where}: mã “{codes[i]}” không có tiêu chí cấp trên ở các dòng phía trên.")
    return None


def _row(number, cells, code, kind, parent, errors) -> CriterionRow | None:
    where = f"Dòng {number}"
    before = len(errors)
    content = str(cells.get("content") or "").strip()
    if not content:
        errors.append(f"{where}: thiếu nội dung tiêu chí.")
    if len(content) > 2000 or len(code) > 20:
        errors.append(f"{where}: nội dung hoặc mã quá dài.")
    mx = _number(cells.get("max_points"), f"{where}, cột Điểm tối đa", errors, required=True)
    step = _number(cells.get("step"), f"{where}, cột Bước điểm", errors, required=False)
    per = _number(cells.get("points_per"), f"{where}, cột Điểm mỗi lần", errors, required=False)
    formula = _choice(cells.get("formula") or "", FORMULAS_IN, f"{where}, cột Công thức", errors)
    source = _choice(cells.get("source") or "", SOURCES_IN, f"{where}, cột Nguồn số liệu", errors)
    evidence = plain(cells.get("evidence_required")) in {"co", "x", "1", "true", "bat buoc"}
    if len(errors) > before or kind is None:
        return None
    return CriterionRow(
        code=code,
        content=content,
        kind=kind,
        max_points=mx,
        guidance=str(cells.get("guidance") or "").strip()[:4000],
        evidence_required=evidence,
        step=step or None,
        points_per=per or None,
        formula=formula or "",
        source=source or Criterion.Source.SELF,
        parent_index=parent,
    )


def _settings(ws, errors: list[str]) -> dict[str, Any]:
    by_label = {plain(label): (name, kind) for name, label, kind in SETTINGS}
    out: dict[str, Any] = {}
    for number, cells in _cells(ws, min_row=2):
        key = plain(cells[0])
        if key not in by_label:
            errors.append(f"Trang {SETTINGS_SHEET}, dòng {number}: không hiểu “{cells[0]}”.")
            continue
        name, kind = by_label[key]
        value = cells[1] if len(cells) > 1 else None
        where = f"Trang {SETTINGS_SHEET}, dòng {number}"
        if kind.startswith("number"):
            out[name] = _number(value, where, errors, required=kind == "number")
        elif kind == "bool":
            out[name] = plain(value) in {"co", "x", "1", "true"}
        elif kind == "ties":
            parts = [p for p in re.split(r"[;\n]", str(value or "")) if p.strip()]
            out[name] = [t for t in (_choice(p, TIES_IN, where, errors) for p in parts) if t]
        else:
            out[name] = str(value or "").strip()[:255]
    if out.get("max_total") is not None and out["max_total"] <= 0:
        errors.append(f"Trang {SETTINGS_SHEET}: tổng điểm tối đa phải lớn hơn 0.")
    cap, total = out.get("bonus_cap"), out.get("max_total")
    if cap is not None and total is not None and cap > total:
        errors.append(f"Trang {SETTINGS_SHEET}: điểm thưởng tối đa vượt tổng điểm tối đa.")
    return out


def _bands(ws, errors: list[str]) -> list[dict[str, Any]]:
    out = []
    for number, cells in _cells(ws, min_row=2):
        where = f"Trang {BANDS_SHEET}, dòng {number}"
        label = str(cells[0] or "").strip()[:100]
        min_total = _number(cells[1] if len(cells) > 1 else None, where, errors, required=True)
        pct = _number(cells[2] if len(cells) > 2 else None, where, errors, required=False)
        if not label:
            errors.append(f"{where}: thiếu tên mức xếp loại.")
        elif pct is not None and pct > 100:
            errors.append(f"{where}: tỷ lệ tối thiểu phải từ 0 đến 100 %.")
        elif min_total is not None:
            out.append({"label": label, "min_total": min_total, "floor_pct": pct})
    return out
