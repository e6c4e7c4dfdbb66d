"""Excel import and export of templates: the round trip, every bad row reported, nothing saved,
hostile files; and the management commands."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from scoring import excel, selectors
from scoring.models import Criterion, Template
from tests.factories import make_bloc_world
from tests.scoring.conftest import make_template

HEADER = ["Mã", "Nội dung", "Điểm tối đa", "Loại", "Hướng dẫn chấm"]


def xlsx(rows, header=HEADER, extra_sheets=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    for title, sheet_rows in (extra_sheets or {}).items():
        sheet = wb.create_sheet(title)
        for r in sheet_rows:
            sheet.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_rows(data: bytes, title: str = excel.SHEET) -> list[tuple]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(r) for r in wb[title].iter_rows(values_only=True)]


def test_hand_typed_file_reads_the_tree_from_the_codes():
    data = xlsx(
        [
            ["I", "Nhiệm vụ chuyên môn", 60, "", ""],
            ["1", "Chỉ tiêu đăng ký", 40, "", "Theo tỷ lệ"],
            ["1.1", "Chỉ tiêu a", 20, "chấm theo mức", ""],
            ["1.2", "Chỉ tiêu b", "20", "Chấm theo mức", ""],
            ["2", "Nhiệm vụ đột xuất", "20,0", "Chấm theo mức", ""],
            ["II", "Điểm thưởng", 5, "Nhóm", ""],
            ["a", "Bằng khen", 5, "Điểm thưởng", ""],
        ]
    )
    parsed = excel.read_template(data)
    assert [(r.code, r.parent_index, r.kind) for r in parsed.rows] == [
        ("I", None, "group"),
        ("1", 0, "group"),
        ("1.1", 1, "graded"),
        ("1.2", 1, "graded"),
        ("2", 0, "graded"),
        ("II", None, "group"),
        ("a", 5, "bonus"),
    ]
    assert parsed.rows[4].max_points == D(20)


def test_a_parent_that_is_not_a_group_is_reported():
    data = xlsx([["1", "Định lượng", 10, "Định lượng", ""], ["1.1", "Con", 5, "Chấm theo mức", ""]])
    with pytest.raises(
        excel.TemplateFileError, match="Dòng 3: tiêu chí cha “1” không phải là nhóm"
    ):
        excel.read_template(data)


def test_bad_rows_are_all_reported_with_their_numbers():
    data = xlsx(
        [
            ["I", "Nhóm một", 60, "Nhóm", ""],
            ["1", "Tiêu chí", "mười", "Chấm theo mức", ""],
            ["1", "Trùng mã", 5, "Chấm theo mức", ""],
            ["2", "", 5, "Chấm theo mức", ""],
            ["3", "Âm", -2, "Chấm theo mức", ""],
            ["4", "Loại lạ", 2, "Ngẫu hứng", ""],
            ["?", "Mã lạ", 2, "Chấm theo mức", ""],
        ]
    )
    with pytest.raises(excel.TemplateFileError) as exc:
        excel.read_template(data)
    text = "\n".join(exc.value.errors)
    assert "Dòng 3, cột Điểm tối đa: “mười” không phải là số" in text
    assert "Dòng 4: mã “1” trùng với dòng 3 trong cùng nhóm" in text
    assert "Dòng 5: thiếu nội dung tiêu chí" in text
    assert "Dòng 6, cột Điểm tối đa: không được âm" in text
    assert "Dòng 7, cột Loại: không hiểu “Ngẫu hứng”" in text
    assert "Dòng 8: mã “?” không đúng kiểu" in text


def test_missing_columns_are_named():
    data = xlsx([["I", "Nhóm", 10]], header=["Mã", "Nội dung", "Điểm tối đa"])
    with pytest.raises(excel.TemplateFileError, match="thiếu cột Loại"):
        excel.read_template(data)


def test_five_thousand_rows_refused():
    data = xlsx([[str(i), f"Tiêu chí {i}", 1, "Chấm theo mức", ""] for i in range(1, 5001)])
    with pytest.raises(excel.TemplateFileError, match="quá nhiều dòng"):
        excel.read_template(data)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "Tệp rỗng"),
        (b"Ma,Noi dung\nI,abc\n", "không phải bảng tính Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        (b"PK\x03\x04garbage", "không phải bảng tính Excel"),
        (b"x" * (excel.MAX_BYTES + 1), "quá lớn"),
    ],
)
def test_files_that_are_not_xlsx_are_refused(data, message):
    with pytest.raises(excel.TemplateFileError, match=message):
        excel.read_template(data)


def test_a_zip_that_is_not_a_workbook_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(excel.TemplateFileError, match="không phải bảng tính Excel"):
        excel.read_template(out.getvalue())


def test_export_import_into_another_bloc_year_export_gives_the_same_rows(world):
    template = make_template(world.bloc, world.year)
    first = excel.export_template(template, selectors.criteria_in_tree_order(template))
    bloc, _members, _term = make_bloc_world(units=2, year=2027, province=world.province)
    parsed = excel.read_template(first)
    from scoring.services import templates as services

    copy = services.template_import(
        bloc=bloc,
        year=2027,
        actor=None,
        rows=parsed.rows,
        settings=parsed.settings,
        bands=parsed.bands,
    )
    second = excel.export_template(copy, selectors.criteria_in_tree_order(copy))
    for title in (excel.SHEET, excel.SETTINGS_SHEET, excel.BANDS_SHEET):
        assert sheet_rows(first, title) == sheet_rows(second, title)
    assert copy.bonus_cap == D(5) and copy.late_penalty == D(1) and copy.bands.count() == 4


def test_import_with_errors_saves_nothing_in_an_existing_template(world):
    template = make_template(world.bloc, world.year)
    before = list(Criterion.objects.filter(template=template).values_list("code", "content"))
    bad = xlsx([["I", "Nhóm", 10, "Nhóm", ""], ["1", "Con vượt cha", 20, "Chấm theo mức", ""]])
    parsed = excel.read_template(bad)  # the file is well formed; the tree is not
    from django.core.exceptions import ValidationError

    from scoring.services import templates as services

    with pytest.raises(ValidationError, match="vượt điểm tối đa"):
        services.template_import(bloc=world.bloc, year=world.year, actor=None, rows=parsed.rows)
    after = list(Criterion.objects.filter(template=template).values_list("code", "content"))
    assert before == after


def test_settings_sheet_bonus_cap_above_total_reported():
    data = xlsx(
        [["I", "Nhóm", 100, "Chấm theo mức", ""]],
        extra_sheets={
            excel.SETTINGS_SHEET: [
                ["Thiết lập", "Giá trị"],
                ["Tổng điểm tối đa", 100],
                ["Điểm thưởng tối đa", 150],
            ]
        },
    )
    with pytest.raises(excel.TemplateFileError, match="điểm thưởng tối đa vượt"):
        excel.read_template(data)


def test_management_commands_round_trip(world, tmp_path):
    make_template(world.bloc, world.year)
    first = tmp_path / "a.xlsx"
    call_command("export_template", str(world.bloc.pk), str(world.year), "-o", str(first))
    bloc, _m, _t = make_bloc_world(units=2, year=2027, province=world.province)
    call_command("import_template", str(first), "--bloc", bloc.name, "--year", "2027")
    second = tmp_path / "b.xlsx"
    call_command("export_template", bloc.name, "2027", "-o", str(second))
    assert sheet_rows(first.read_bytes()) == sheet_rows(second.read_bytes())
    assert Template.objects.filter(bloc=bloc, year=2027).count() == 1


def test_import_command_reports_every_bad_row(world, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["I", "Nhóm", "x", "Nhóm", ""], ["1", "", 5, "Chấm theo mức", ""]]))
    with pytest.raises(CommandError) as exc:
        call_command("import_template", str(bad), "--bloc", str(world.bloc.pk), "--year", "2026")
    assert "Dòng 2" in str(exc.value) and "Dòng 3" in str(exc.value)
    assert not Template.objects.exists()


def test_commands_refuse_an_unknown_bloc(db, tmp_path):
    with pytest.raises(CommandError, match="Không tìm thấy khối"):
        call_command("export_template", "Khối không có", "2026", "-o", str(tmp_path / "x.xlsx"))


def test_docs_example_file_is_the_sample_sheet():
    from pathlib import Path

    from scoring import samples

    path = Path(__file__).resolve().parents[2] / "docs" / "template-example.xlsx"
    parsed = excel.read_template(path.read_bytes())
    rows, settings, bands = samples.sheet_100()
    assert parsed.rows == rows
    assert parsed.settings["max_total"] == settings["max_total"] == D(100)
    assert [b["label"] for b in parsed.bands] == [b["label"] for b in bands]
