"""A unit's self-scoring sheet in and out of Excel (.xlsx); the layout is docs/sheet-excel.md.

Download: one sheet "Bảng tự chấm": the bloc, the unit and the round in rows 2–4, the column
headers in row 6, then one row per criterion in tree order. Groups are bold with nothing to type;
on a leaf the unit types its value in column F (a score, an actual, a count, or Đạt / Không đạt)
and its explanation in column G. Everything else is protected, and data validation guides typing.

Upload: the file is untrusted. Sizes are capped (scoring.excel.open_workbook), only the one sheet
and columns A–I are accepted, formulas are refused (never evaluated), each cell is read by its row
and column, every bad cell is reported ("Dòng 12, cột F: …") and nothing is saved until all are
right; then every line is saved in one transaction by scoring.services.sheets.lines_save.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from blocs.access import BlocScope
from scoring import calc, excel, sheets
from scoring.models import Criterion, Submission
from scoring.selectors_sheets import SheetRow, sheet_view
from scoring.services import sheets as sheet_services

K = Criterion.Kind
SHEET = "Bảng tự chấm"
HEADER_ROW = 6
FIRST_ROW = HEADER_ROW + 1
# (field, header); the unit types only in F (value) and G (explanation); I is hidden.
COLUMNS = [
    ("code", "Mã"),
    ("content", "Nội dung tiêu chí"),
    ("kind", "Loại"),
    ("max_points", "Điểm tối đa"),
    ("how", "Cách nhập"),
    ("value", "Kết quả / điểm tự chấm"),
    ("explanation", "Giải trình"),
    ("score", "Điểm (lúc tải về)"),
    ("revision", "Phiên bản dòng"),
]
COL = {name: i for i, (name, _) in enumerate(COLUMNS, start=1)}
LETTER = {name: get_column_letter(i) for name, i in COL.items()}
WIDTHS = (7, 60, 15, 10, 34, 16, 50, 11, 8)
# Rows 2–4: what the file is about (checked on upload).
IDENTITY = {2: "Khối thi đua:", 3: "Đơn vị:", 4: "Kỳ báo cáo:"}
PASSED = {"dat": True, "co": True, "x": True, "khong dat": False, "khong": False}
MAX_EXTRA_ROWS = 200
MAX_ERRORS = 300
# What a service error on a field points at.
FIELD_COLUMN = {"value": "value", "passed": "value", "explanation": "explanation"}
FIELD_COLUMN |= {"revision": "revision", "entry": "code"}


class SheetFileError(excel.TemplateFileError):
    """The upload cannot be saved; `errors` lists every problem with its row and column."""


# ---------------------------------------------------------------- download


def how_to_fill(criterion: Criterion, target: Decimal | None = None) -> str:
    """What the unit types on a line (column E)."""
    kind, mx = criterion.kind, calc.fmt(criterion.max_points)
    if kind == K.GROUP:
        return ""
    if kind == K.PASS_FAIL:
        return f"Chọn “Đạt” ({mx} điểm) hoặc “Không đạt”"
    if kind == K.GRADED:
        step = f", bước {calc.fmt(criterion.step)}" if criterion.step else ""
        return f"Điểm tự chấm, từ 0 đến {mx}{step}"
    if kind == K.QUANTITATIVE:
        aim = f" (chỉ tiêu đăng ký: {calc.fmt(target)})" if target is not None else ""
        return f"Kết quả thực hiện{aim}"
    per = calc.fmt(criterion.points_per or calc.ZERO)
    return f"{sheets.value_label(criterion)} ({per} điểm/lần, tối đa {mx})"


def _value_cell(row: SheetRow) -> Any:
    entry = row.entry
    if entry is None:
        return None
    if row.criterion.kind == K.PASS_FAIL:
        return None if entry.passed is None else ("Đạt" if entry.passed else "Không đạt")
    return entry.value


def export_sheet(submission: Submission, scope: BlocScope | None = None) -> bytes:
    """The sheet as .xlsx with the unit's current entries (`scope`: the gate's, see
    sheet_view)."""
    view = sheet_view(submission, scope)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _write_head(ws, submission)
    validations: dict[tuple, DataValidation] = {}
    for number, row in enumerate(view.rows, start=FIRST_ROW):
        c = row.criterion
        ws.append(
            [
                c.code,
                c.content,
                excel.KIND_LABELS[c.kind],
                c.max_points,
                how_to_fill(c, row.target),
                _value_cell(row),
                row.entry.explanation if row.entry else None,
                row.self_points,
                row.entry.revision if row.entry else None,
            ]
        )
        ws.cell(number, COL["content"]).alignment = Alignment(
            wrap_text=True, vertical="top", indent=row.depth
        )
        if row.is_group:
            for cell in ws[number]:
                cell.font = Font(bold=True)
            continue
        for name in ("value", "explanation"):
            cell = ws.cell(number, COL[name])
            cell.protection = Protection(locked=False)
            cell.fill = PatternFill("solid", fgColor="FFF8DC")
        _validate(ws, validations, c, number)
    for dv in validations.values():
        ws.add_data_validation(dv)
    ws.protection.sheet = True
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.column_dimensions[LETTER["revision"]].hidden = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_head(ws, sub: Submission) -> None:
    ws.append([f"BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {sub.round.year}"])
    ws["A1"].font = Font(bold=True, size=13)
    due = f"hạn nộp {sub.round.due:%d/%m/%Y}" if sub.round.due else ""
    for number, value in ((2, sub.round.bloc.name), (3, sub.unit.name), (4, sub.round.name)):
        ws.append([IDENTITY[number], value, due if number == 4 else None])
    ws.append(
        [
            "Chỉ nhập ở cột F (kết quả, điểm hoặc Đạt/Không đạt) và cột G (giải trình); không "
            "thêm, xóa hay đổi thứ tự dòng, không dùng công thức. Điểm được tính lại khi tải lên."
        ]
    )
    ws.append([header for _, header in COLUMNS])
    for cell in ws[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _validate(ws, validations: dict[tuple, DataValidation], c: Criterion, number: int) -> None:
    """Excel's own guard on the unit's cells (the upload checks again: Excel can be bypassed)."""
    mx = str(c.max_points)
    if c.kind == K.PASS_FAIL:
        spec = ("list", None, '"Đạt,Không đạt"', None, "Chọn Đạt hoặc Không đạt.")
    elif c.kind == K.GRADED:
        spec = ("decimal", "between", "0", mx, f"Điểm từ 0 đến {calc.fmt(c.max_points)}.")
    elif c.kind == K.QUANTITATIVE:
        spec = ("decimal", "greaterThanOrEqual", "0", None, "Nhập một số không âm.")
    else:
        spec = ("whole", "greaterThanOrEqual", "0", None, "Số lần là số nguyên không âm.")
    for key, column in ((spec, "value"), (("explanation",), "explanation")):
        if key not in validations:
            validations[key] = _data_validation(key)
        validations[key].add(f"{LETTER[column]}{number}")


def _data_validation(spec: tuple) -> DataValidation:
    if spec == ("explanation",):
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="4000")
        dv.error = "Giải trình tối đa 4.000 ký tự."
    else:
        kind, operator, first, second, message = spec
        dv = DataValidation(type=kind, operator=operator, formula1=first, formula2=second)
        dv.error = message
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = "Giá trị không hợp lệ"
    return dv


# ---------------------------------------------------------------- upload


@dataclass
class Problems:
    """Every bad cell: (row, column letter, message), reported sorted."""

    items: list[tuple[int, str, str]]

    def add(self, row: int, column: str, message: str) -> None:
        self.items.append((row, column, message))

    def texts(self) -> list[str]:
        ordered = sorted(set(self.items), key=lambda t: (t[0], len(t[1]), t[1], t[2]))
        out = [f"Dòng {r}, cột {c}: {m}" if c else f"Dòng {r}: {m}" for r, c, m in ordered]
        if len(out) > MAX_ERRORS:
            out = out[:MAX_ERRORS] + [f"… và {len(out) - MAX_ERRORS} lỗi khác."]
        return out


def _rows(ws, last: int) -> list[tuple[int, list[Any]]]:
    """(row number, cells A…) of rows 1 to `last` (at most MAX_COLS columns); a damaged sheet
    is a SheetFileError."""
    try:
        with excel.reading_rows():
            rows = ws.iter_rows(min_row=1, max_row=last, max_col=excel.MAX_COLS)
            return [(number, list(cells)) for number, cells in enumerate(rows, start=1)]
    except excel.TemplateFileError as exc:
        raise SheetFileError(exc.errors) from None


def read_sheet(data: bytes, submission: Submission) -> list[tuple[int, sheet_services.LineInput]]:
    """The lines of an uploaded sheet as (row number, input); SheetFileError lists every bad
    cell. Checks the shape and each cell's type here, and each value against its criterion
    with scoring.services.sheets.lines_check (the same rules the save applies)."""
    try:
        wb = excel.open_workbook(data, data_only=False)
    except excel.TemplateFileError as exc:
        raise SheetFileError(exc.errors) from None
    problems = Problems([])
    expected = sheet_view(submission).rows
    try:
        extra = [name for name in wb.sheetnames if name != SHEET]
        if extra or SHEET not in wb.sheetnames:
            names = ", ".join(f"“{excel.clean_cell(n)}”" for n in extra)
            raise SheetFileError(
                [f"Tệp chỉ được có một trang “{SHEET}” như bảng điểm tải về (thừa: {names})."]
            )
        ws = wb[SHEET]
        last = FIRST_ROW + len(expected) - 1
        lines = _read_rows(ws, submission, expected, last, problems)
    finally:
        wb.close()
    _check_values(submission, lines, problems)  # the rows that read well, even beside bad ones
    if problems.items:
        raise SheetFileError(problems.texts())
    return lines


def _read_rows(ws, sub, expected: list[SheetRow], last: int, problems: Problems):
    lines: list[tuple[int, sheet_services.LineInput]] = []
    width = len(COLUMNS)
    for number, cells in _rows(ws, last + MAX_EXTRA_ROWS + 1):
        formula = False
        for cell in cells:
            if cell.value in (None, ""):
                continue
            if getattr(cell, "data_type", "") == "f":
                formula = True
                problems.add(
                    number, _letter(cell), "ô có công thức; hãy nhập giá trị, không dùng công thức."
                )
            elif cell.column > width:
                problems.add(number, _letter(cell), "cột thừa; bảng điểm chỉ có các cột A–I.")
        values = [excel.clean_cell(c.value) for c in cells[:width]]
        values += [None] * (width - len(values))
        if number in IDENTITY:
            _check_identity(number, values, sub, problems)
        elif number == HEADER_ROW:
            _check_header(values, problems)
        elif FIRST_ROW <= number <= last and not formula:
            line = _read_line(number, values, expected[number - FIRST_ROW], problems)
            if line is not None:
                lines.append((number, line))
        elif number > last and any(v not in (None, "") for v in values):
            if number > last + MAX_EXTRA_ROWS:
                problems.add(number, "", "tệp có quá nhiều dòng so với bảng điểm.")
                break
            problems.add(number, "", "dòng thừa ở dưới bảng tiêu chí; hãy xóa dòng này.")
    return lines


def _letter(cell) -> str:
    return get_column_letter(cell.column)


def _check_identity(number: int, values: list[Any], sub: Submission, problems: Problems) -> None:
    want = {2: sub.round.bloc.name, 3: sub.unit.name, 4: sub.round.name}[number]
    if str(values[1] or "") != want:
        problems.add(
            number,
            "B",
            f"tệp ghi “{values[1] or ''}”, bảng điểm này là của “{want}”; hãy tải đúng bảng "
            "điểm của đơn vị và kỳ báo cáo này.",
        )


def _check_header(values: list[Any], problems: Problems) -> None:
    for (name, header), value in zip(COLUMNS, values, strict=True):
        if excel.plain(value) != excel.plain(header):
            problems.add(HEADER_ROW, LETTER[name], f"tiêu đề cột phải là “{header}”.")


def _read_line(number: int, values: list[Any], row: SheetRow, problems: Problems):
    cell = dict(zip(COL, values, strict=True))
    code = str(cell["code"] if cell["code"] is not None else "")
    if code != row.criterion.code:
        problems.add(
            number,
            "A",
            f"cần tiêu chí “{row.criterion.code}” ({row.criterion.content[:60]}), tệp ghi "
            f"“{code}”; không thêm, xóa hay đổi thứ tự dòng.",
        )
        return None
    if row.is_group:
        for name in ("value", "explanation"):
            if cell[name] not in (None, ""):
                problems.add(number, LETTER[name], "dòng nhóm tiêu chí không nhập; điểm tự cộng.")
        return None
    before = len(problems.items)
    value, passed = _read_value(number, row.criterion, cell["value"], problems)
    explanation = _read_text(cell["explanation"])
    revision = _read_revision(number, cell["revision"], problems)
    if len(problems.items) > before:
        return None
    return sheet_services.LineInput(
        entry_id=row.entry.pk,
        value=value,
        passed=passed,
        explanation=explanation,
        revision=revision,
    )


def _read_value(number: int, criterion: Criterion, raw: Any, problems: Problems):
    """(value, passed) from column F, refusing what is not a number or Đạt / Không đạt."""
    where = (number, LETTER["value"])
    if raw in (None, ""):
        return None, None
    is_number = isinstance(raw, int | float | Decimal) and not isinstance(raw, bool)
    if criterion.kind == K.PASS_FAIL:
        if is_number:
            problems.add(
                *where, "tiêu chí đạt/không đạt chỉ chọn “Đạt” hoặc “Không đạt”, không nhập số."
            )
        elif excel.plain(raw) not in PASSED:
            problems.add(*where, f"“{raw}” không hợp lệ; chọn “Đạt” hoặc “Không đạt”.")
        else:
            return None, PASSED[excel.plain(raw)]
        return None, None
    if isinstance(raw, dt.date | dt.time | bool):
        problems.add(*where, f"“{raw}” không phải là số.")
    elif excel.plain(raw) in PASSED and not is_number:
        problems.add(*where, "chỉ tiêu chí đạt/không đạt mới chọn “Đạt”; dòng này nhập số.")
    else:
        return raw, None
    return None, None


def _read_text(raw: Any) -> str:
    """The explanation as text (a number or a date typed alone is kept as the unit sees it)."""
    if raw is None:
        return ""
    if isinstance(raw, dt.date):
        return f"{raw:%d/%m/%Y}"
    if isinstance(raw, float) and raw == int(raw):
        return str(int(raw))
    return str(raw)


def _read_revision(number: int, raw: Any, problems: Problems) -> int | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw >= 0 and raw == int(raw):
        return int(raw)
    problems.add(number, LETTER["revision"], "cột ẩn “Phiên bản dòng” bị sửa; hãy tải lại tệp.")
    return None


def _check_values(sub: Submission, lines, problems: Problems) -> None:
    rows = {line.entry_id: number for number, line in lines}
    errors = sheet_services.lines_check(submission=sub, lines=[line for _, line in lines])
    add_line_errors(errors, rows, problems)


def add_line_errors(errors: dict, rows: dict[int, int], problems: Problems) -> None:
    """Service errors (entry id → field → messages) as cells (row, column)."""
    for entry_id, fields in errors.items():
        for field_name, messages in fields.items():
            column = LETTER[FIELD_COLUMN.get(field_name, "value")]
            for message in messages:
                problems.add(rows.get(entry_id, 0), column, message)


def import_sheet(data: bytes, submission: Submission, actor: Any) -> int:
    """Read an uploaded sheet and save every line of it in one transaction; returns how many
    lines changed. SheetFileError (every bad cell) or ValidationError (the sheet is not
    editable) otherwise, and nothing is saved."""
    if not submission.has_sheet:
        raise ValidationError("Kỳ báo cáo này không có bảng tự chấm điểm.", code="no_sheet")
    sheet_services.ensure_editable(submission)
    lines = read_sheet(data, submission)
    try:
        changed = sheet_services.lines_save(
            submission=submission, actor=actor, lines=[line for _, line in lines], source="excel"
        )
    except sheet_services.LinesError as exc:  # changed between the check and the lock
        problems = Problems([])
        add_line_errors(exc.lines, {line.entry_id: n for n, line in lines}, problems)
        raise SheetFileError(problems.texts()) from None
    return len(changed)
