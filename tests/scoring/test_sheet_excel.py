"""A unit's sheet through Excel: the download lists the criteria with the unit's entries; the
upload saves every line at once, or reports every bad cell with its row and column and saves
nothing; the same through `import_sheet` for a clerk."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from blocs.models import AuditEvent
from scoring import excel_sheet as xs
from scoring.models import Entry, Submission
from scoring.services import sheets as sheet_services
from tests.scoring.conftest import fill_sheet, line_input

# Rows of the 100-point sample in tree order (the header is row 6).
ROW = {"I": 7, "I.1": 8, "I.2": 9, "I.3": 10, "II": 11, "II.1": 12, "III.3": 18}


@pytest.fixture
def sub(world, tong_ket):
    user = world.users["unit_a"]
    return sheet_services.submission_open(round=tong_ket, unit=user.unit, actor=user)


def workbook(sub):
    return load_workbook(io.BytesIO(xs.export_sheet(sub)))


def to_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filled(sub):
    """The downloaded sheet with every leaf typed in as a unit would."""
    wb = workbook(sub)
    ws = wb[xs.SHEET]
    for e in sub.entries.select_related("criterion"):
        row = next(
            r
            for r in range(7, ws.max_row + 1)
            if ws[f"A{r}"].value == e.criterion.code and _content(ws, r) == e.criterion.content
        )
        value, passed = line_input(e.criterion)
        ws[f"F{row}"] = "Đạt" if passed else float(value)
        ws[f"G{row}"] = f"Số liệu tại phụ lục {row}"
    return wb


def _content(ws, row):
    return ws[f"B{row}"].value


def saved_state(sub):
    return list(
        sub.entries.order_by("pk").values_list("value", "passed", "explanation", "revision")
    )


def test_download_lists_the_criteria_in_tree_order_with_the_units_entries(world, sub, template):
    graded = sub.entries.get(criterion__code="2", criterion__parent__code="I")
    sheet_services.line_save(
        entry=graded,
        actor=world.users["unit_a"],
        value="12,5",
        explanation="Hoàn thành 5/6 nhiệm vụ đột xuất",
    )
    ws = workbook(sub)[xs.SHEET]
    assert ws["B3"].value == "Sở Tư pháp Thử" and ws["B4"].value == "Báo cáo tổng kết"
    assert [c.value for c in ws[6]] == [h for _, h in xs.COLUMNS]
    codes = [ws[f"A{r}"].value for r in range(7, ws.max_row + 1)]
    assert codes[:5] == ["I", "1", "2", "3", "II"] and {"+", "-"} <= set(codes)
    assert len(codes) == template.criteria.count()
    row = ROW["I.2"]
    assert (ws[f"F{row}"].value, ws[f"G{row}"].value, ws[f"H{row}"].value) == (
        12.5,
        "Hoàn thành 5/6 nhiệm vụ đột xuất",
        12.5,
    )
    assert ws[f"E{row}"].value == "Điểm tự chấm, từ 0 đến 15, bước 0,5"
    assert ws[f"E{ROW['II.1']}"].value.startswith("Chọn “Đạt”")
    assert ws.protection.sheet and not ws[f"F{row}"].protection.locked
    assert ws[f"A{row}"].protection.locked and ws[f"F{ROW['I']}"].protection.locked
    assert ws.column_dimensions["I"].hidden
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "decimal", "whole", "textLength"} <= kinds


def test_round_trip_download_fill_upload_saves_every_line(world, sub):
    changed = xs.import_sheet(to_bytes(filled(sub)), sub, world.users["unit_a"])
    leaves = sub.entries.count()
    assert changed == leaves
    typed = fill_sheet(
        sheet_services.submission_open(
            round=sub.round, unit=world.unit_b, actor=world.users["unit_b"]
        ),
        world.users["unit_b"],
        evidence=False,
        body="",
    )
    sub.refresh_from_db()
    assert sub.self_total == typed.self_total and sub.self_total > 0
    assert all(e.self_score is not None for e in sub.entries.all())
    events = AuditEvent.objects.filter(action="sheet.line", object_id=str(sub.pk))
    lines_before = AuditEvent.objects.filter(action="sheet.line").count()
    assert events.count() == leaves and all(e.data["source"] == "excel" for e in events)
    # The same file again changes nothing and records nothing.
    assert xs.import_sheet(xs.export_sheet(sub), sub, world.users["unit_a"]) == 0
    assert AuditEvent.objects.filter(action="sheet.line").count() == lines_before


def _set(cell, value):
    return lambda wb: wb[xs.SHEET].__setitem__(cell, value)


BAD_FILES = [
    (
        "score above the maximum",
        _set(f"F{ROW['I.2']}", 16),
        f"Dòng {ROW['I.2']}, cột F: Điểm phải từ 0 đến 15",
    ),
    ("below zero", _set(f"F{ROW['I.2']}", -1), f"Dòng {ROW['I.2']}, cột F: Không nhập số âm"),
    (
        "not a number",
        _set(f"F{ROW['I.2']}", "mười"),
        f"Dòng {ROW['I.2']}, cột F: “mười” không phải là số",
    ),
    (
        "not on the step",
        _set(f"F{ROW['I.2']}", 2.25),
        f"Dòng {ROW['I.2']}, cột F: Điểm phải chấm theo bước 0,5",
    ),
    (
        "a number on a pass/fail line",
        _set(f"F{ROW['II.1']}", 5),
        f"Dòng {ROW['II.1']}, cột F: tiêu chí đạt/không đạt chỉ chọn",
    ),
    (
        "Đạt on a graded line",
        _set(f"F{ROW['I.2']}", "Đạt"),
        f"Dòng {ROW['I.2']}, cột F: chỉ tiêu chí đạt/không đạt",
    ),
    (
        "a count that is not whole",
        _set(f"F{ROW['III.3']}", 1.5),
        f"Dòng {ROW['III.3']}, cột F: Số lần phải là số nguyên",
    ),
    ("a formula", _set(f"F{ROW['I.2']}", "=10+2"), f"Dòng {ROW['I.2']}, cột F: ô có công thức"),
    (
        "a formula in the explanation",
        _set(f"G{ROW['I.3']}", "=A1"),
        f"Dòng {ROW['I.3']}, cột G: ô có công thức",
    ),
    ("an extra column", _set("J6", "Ghi chú"), "Dòng 6, cột J: cột thừa"),
    (
        "an extra column further down",
        _set(f"K{ROW['I.2']}", 3),
        f"Dòng {ROW['I.2']}, cột K: cột thừa",
    ),
    (
        "an extra sheet",
        lambda wb: wb.create_sheet("Ghi chú"),
        "Tệp chỉ được có một trang “Bảng tự chấm” như bảng điểm tải về (thừa: “Ghi chú”)",
    ),
    ("a renamed header", _set("F6", "Điểm"), "Dòng 6, cột F: tiêu đề cột phải là"),
    (
        "another unit's file",
        _set("B3", "Sở Tư pháp Khác"),
        "Dòng 3, cột B: tệp ghi “Sở Tư pháp Khác”",
    ),
    ("a row moved", _set(f"A{ROW['I.2']}", "3"), f"Dòng {ROW['I.2']}, cột A: cần tiêu chí “2”"),
    ("a value on a group row", _set(f"F{ROW['II']}", 15), f"Dòng {ROW['II']}, cột F: dòng nhóm"),
    ("a row below the table", _set("B40", "Tiêu chí tự thêm"), "Dòng 40: dòng thừa"),
    (
        "the hidden revision changed",
        _set(f"I{ROW['I.2']}", "abc"),
        f"Dòng {ROW['I.2']}, cột I: cột ẩn",
    ),
]


@pytest.mark.parametrize(
    "change, message", [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES]
)
def test_a_bad_cell_is_reported_with_its_row_and_column_and_nothing_is_saved(
    world, sub, change, message
):
    wb = filled(sub)
    change(wb)
    before, events = saved_state(sub), AuditEvent.objects.count()
    with pytest.raises(xs.SheetFileError) as exc:
        xs.import_sheet(to_bytes(wb), sub, world.users["unit_a"])
    assert any(e.startswith(message) for e in exc.value.errors), exc.value.errors
    assert saved_state(sub) == before and AuditEvent.objects.count() == events


def test_every_bad_cell_is_reported_at_once(world, sub):
    wb = filled(sub)
    ws = wb[xs.SHEET]
    ws[f"F{ROW['I.2']}"] = 99
    ws[f"F{ROW['I.3']}"] = "=5"
    ws[f"F{ROW['II.1']}"] = 1
    ws["J8"] = "x"
    with pytest.raises(xs.SheetFileError) as exc:
        xs.import_sheet(to_bytes(wb), sub, world.users["unit_a"])
    cells = [e.split(":")[0] for e in exc.value.errors]
    assert cells == ["Dòng 8, cột J", "Dòng 9, cột F", "Dòng 10, cột F", "Dòng 12, cột F"]
    assert not sub.entries.exclude(self_score=None).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"hello, not a spreadsheet", "không phải bảng tính Excel"),
        (b"", "Tệp rỗng"),
        (b"PK" + b"\0" * (5 * 1024 * 1024), "Tệp quá lớn"),
    ],
)
def test_a_file_that_is_not_a_small_xlsx_is_refused(world, sub, data, message):
    with pytest.raises(xs.SheetFileError, match=message):
        xs.import_sheet(data, sub, world.users["unit_a"])


def test_a_line_changed_online_after_the_download_is_refused(world, sub):
    wb = filled(sub)
    line = sub.entries.get(criterion__code="2", criterion__parent__code="I")
    sheet_services.line_save(entry=line, actor=world.users["unit_a"], value="7")
    with pytest.raises(xs.SheetFileError) as exc:
        xs.import_sheet(to_bytes(wb), sub, world.users["unit_a"])
    assert exc.value.errors == [
        f"Dòng {ROW['I.2']}, cột I: Dòng này đã được sửa trên hệ thống sau khi bạn lấy số liệu "
        "(giá trị hiện tại: “7”); hãy tải bảng điểm mới rồi nhập lại."
    ]
    assert Entry.objects.get(pk=line.pk).value == Decimal("7")
    assert sub.entries.exclude(self_score=None).count() == 1


def test_a_submitted_sheet_cannot_be_imported(world, sub):
    data = to_bytes(filled(sub))
    xs.import_sheet(data, sub, world.users["unit_a"])
    fill_sheet(sub, world.users["unit_a"])
    sheet_services.submission_submit(submission=sub, actor=world.users["unit_a"])
    sub.refresh_from_db()
    with pytest.raises(ValidationError, match="Đã nộp"):
        xs.import_sheet(data, sub, world.users["unit_a"])


# ---------------------------------------------------------------- the command


def test_import_sheet_command_opens_the_submission_and_saves(world, tong_ket, tmp_path):
    # The file comes from unit B's (still empty) sheet, filled in by its clerk.
    sub_b = sheet_services.submission_open(round=tong_ket, unit=world.unit_b, actor=None)
    path = tmp_path / "b.xlsx"
    path.write_bytes(to_bytes(filled(sub_b)))
    Submission.objects.filter(pk=sub_b.pk).delete()  # the command opens it again
    out = io.StringIO()
    call_command(
        "import_sheet",
        str(path),
        bloc=world.bloc.name,
        year=2026,
        unit=world.unit_b.name,
        round="bao_cao_tong_ket",
        stdout=out,
    )
    sub = Submission.objects.get(round=tong_ket, unit=world.unit_b)
    assert sub.entries.exclude(self_score=None).count() == sub.entries.count()
    assert "dòng" in out.getvalue()


def test_import_sheet_command_lists_every_error_and_saves_nothing(world, sub, tmp_path):
    wb = filled(sub)
    wb[xs.SHEET][f"F{ROW['I.2']}"] = 16
    wb[xs.SHEET][f"F{ROW['II.1']}"] = "Có lẽ"
    path = tmp_path / "a.xlsx"
    path.write_bytes(to_bytes(wb))
    with pytest.raises(CommandError) as exc:
        call_command(
            "import_sheet",
            str(path),
            bloc=str(world.bloc.pk),
            year=2026,
            unit=str(world.unit_a.pk),
            round=str(sub.round.pk),
        )
    assert f"Dòng {ROW['I.2']}, cột F" in str(exc.value)
    assert f"Dòng {ROW['II.1']}, cột F" in str(exc.value)
    assert not sub.entries.exclude(self_score=None).exists()


@pytest.mark.parametrize(
    "args, message",
    [
        ({"unit": "Sở Không Có"}, "Không tìm thấy đơn vị"),
        ({"round": "bao_cao_khac"}, "Không tìm thấy kỳ báo cáo"),
        ({"bloc": "Khối không có"}, "Không tìm thấy khối"),
    ],
)
def test_import_sheet_command_refuses_unknown_arguments(world, tong_ket, tmp_path, args, message):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"x")
    kwargs = {
        "bloc": str(world.bloc.pk),
        "year": 2026,
        "unit": "Sở Tư pháp Thử",
        "round": "bao_cao_tong_ket",
    } | args
    with pytest.raises(CommandError, match=message):
        call_command("import_sheet", str(path), **kwargs)


# ---------------------------------------------------------------- the pages


def test_the_unit_downloads_and_uploads_its_sheet_through_the_pages(world, sub, client_for):
    kwargs = {"bloc_id": world.bloc.pk, "year": 2026, "submission_id": sub.pk}
    client = client_for("unit_a")
    response = client.get(reverse("scoring:sheet_xlsx", kwargs=kwargs))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb[xs.SHEET]
    ws[f"F{ROW['I.2']}"] = 14.5
    ws[f"F{ROW['II.1']}"] = "Không đạt"
    url = reverse("scoring:sheet_xlsx_import", kwargs=kwargs)
    upload = io.BytesIO(to_bytes(wb))
    upload.name = "bang-diem.xlsx"
    response = client.post(url, {"file": upload}, follow=True)
    assert "2 dòng thay đổi" in response.content.decode()
    assert sub.entries.get(criterion__code="2", criterion__parent__code="I").self_score == 14.5


def test_a_bad_upload_shows_the_errors_table(world, sub, client_for):
    kwargs = {"bloc_id": world.bloc.pk, "year": 2026, "submission_id": sub.pk}
    wb = filled(sub)
    wb[xs.SHEET][f"F{ROW['I.2']}"] = 16
    upload = io.BytesIO(to_bytes(wb))
    upload.name = "bang-diem.xlsx"
    response = client_for("unit_a").post(
        reverse("scoring:sheet_xlsx_import", kwargs=kwargs), {"file": upload}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-errors"' in page
    assert f"Dòng {ROW['I.2']}, cột F: Điểm phải từ 0 đến 15." in page
    assert not sub.entries.exclude(self_score=None).exists()


def test_import_sheet_command_refuses_a_round_without_a_sheet(world, so_ket, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(CommandError, match="không có bảng tự chấm"):
        call_command(
            "import_sheet",
            str(path),
            bloc=str(world.bloc.pk),
            year=2026,
            unit="Sở Tư pháp Thử",
            round="bao_cao_so_ket",
        )
    assert not Entry.objects.exists()
