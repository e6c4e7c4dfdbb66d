"""The bloc-year backup format: export → wipe → import → export gives the same bytes; bad files
are refused in Vietnamese and leave the database as it was."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from blocs.exchange import ExchangeError, dumps, export_bloc_year, import_bloc_year, loads
from blocs.models import AuditEvent, Bloc, BlocTerm, Membership, Province, Unit, User
from plans import services as plan_services
from plans.models import (
    LegalBasis,
    Milestone,
    Phase,
    Plan,
    PlanComment,
    Recipient,
    Section,
    SignatureLine,
)
from reports.models import IssuedDocument, NumberRegister, RegisterEntry
from tests.blocs.conftest import YEAR, export_text
from tests.factories import wipe_bloc_rows as _wipe

MODELS: list[type[models.Model]] = [
    Province,
    Unit,
    User,
    Bloc,
    BlocTerm,
    Membership,
    Plan,
    LegalBasis,
    Section,
    Recipient,
    SignatureLine,
    Phase,
    Milestone,
    PlanComment,
    IssuedDocument,
    NumberRegister,
    RegisterEntry,
    AuditEvent,
]


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


_export_text = export_text


def test_export_import_export_is_byte_identical(bloc_year):
    first = _export_text()
    _wipe()
    assert set(_counts().values()) == {0}
    result = import_bloc_year(data=loads(first))
    assert result.created["kế hoạch"] == 2
    assert _export_text() == first


def test_export_has_the_documented_shape(bloc_year):
    data = export_bloc_year(bloc=bloc_year.bloc, year=YEAR)
    assert data["format"] == "thiduakhenthuong.bloc-year" and data["version"] == 1
    assert data["province"]["name"] == "Tỉnh Thử Sao Lưu"
    units = [u["name"] for u in data["units"]]
    assert units == sorted(units)
    assert "UBND tỉnh Thử" in units  # a parent, though not a member
    assert "Sở Y tế" not in units  # another bloc's member
    merged = next(u for u in data["units"] if u["name"] == "Sở Kế hoạch và Đầu tư")
    assert merged["successor"] == "Sở Tài chính" and merged["valid_to"] == "2026-02-28"
    assert data["term"]["deputy_units"] == ["Công an tỉnh", "Sở Tư pháp"]
    joined = {m["unit"]: m["joined_on"] for m in data["memberships"]}
    assert joined["Thanh tra tỉnh"] == "2026-04-01" and joined["Sở Tài chính"] == "2026-03-01"
    usernames = [u["username"] for u in data["users"]]
    assert "sonoivu.thamdinh" in usernames and "yte.tdkt" not in usernames
    first, second = data["plans"]
    assert (first["key"], first["status"], first["number"]) == ("2026/v1/1", "issued", 1)
    assert second["replaces"] == "2026/v1/1" and second["status"] == "draft"
    assert first["format_profile"] == "ND30_2020"
    assert [s["label"] for s in first["sections"][0]["children"]] == ["1.", "2."]
    assert first["sections"][0]["children"][0]["children"][0]["label"] == "a)"
    assert [s["after_gap"] for s in first["signature"]] == [False, False, False, True, True]
    report = next(m for m in first["milestones"] if m["kind"] == "bao_cao_so_ket")
    assert (report["phase"], report["data_from"]) == (1, "2025-12-15")
    assert first["comments"][0]["author"] == "tuphap.tdkt"
    assert first["comments"][0]["unit"] == "Sở Tư pháp"
    assert data["registers"] == [
        {
            "doc_type": "KH",
            "period": "2026",
            "last_number": 1,
            "entries": [{"number": 1, "issued_on": "2026-01-20", "document": "doc/1"}],
        }
    ]
    amend = next(e for e in data["audit"] if e["action"] == "plan.amend")
    assert amend["object"] == "2026/v2/2" and amend["data"]["replaces"] == "2026/v1/1"
    assert data["notes"] == []
    text = dumps(data)
    assert "password" not in text and "md5$" not in text


def test_imported_users_cannot_log_in_until_reset(bloc_year):
    text = _export_text()
    _wipe()
    import_bloc_year(data=loads(text))
    user = User.objects.get(username="bchqs.vanthu")
    assert not user.has_usable_password()
    assert not User.objects.get(username="khdt.cu").is_active
    assert User.objects.get(username="sonoivu.thamdinh").reviewer_province.name == (
        "Tỉnh Thử Sao Lưu"
    )


def test_commands_export_by_name_or_id_and_import(bloc_year, tmp_path, capsys):
    by_name, by_id = tmp_path / "a.json", tmp_path / "b.json"
    call_command("export_year", "Khối thi đua Nội chính", str(YEAR), "-o", str(by_name))
    call_command("export_year", str(bloc_year.bloc.pk), str(YEAR), "-o", str(by_id))
    assert by_name.read_bytes() == by_id.read_bytes()
    _wipe()
    capsys.readouterr()
    call_command("import_year", str(by_name))
    out = capsys.readouterr().out
    assert "Đã nhập Khối thi đua Nội chính năm 2026." in out
    assert "kế hoạch: 2" in out and "đơn vị: 7" in out


def test_export_refuses_an_unknown_bloc(db):
    with pytest.raises(CommandError, match="Không tìm thấy khối thi đua"):
        call_command("export_year", "Khối không có", str(YEAR))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "khac"}, "không phải bản sao lưu khối - năm"),
        ({"version": 2}, "Phiên bản tệp 2 không được hỗ trợ"),
        ({"scores": [{"x": 1}]}, "phần dữ liệu chưa hỗ trợ: scores"),
    ],
)
def test_import_refuses_a_wrong_format_or_version(bloc_year, change, message):
    data = {**export_bloc_year(bloc=bloc_year.bloc, year=YEAR), **change}
    _wipe()
    with pytest.raises(ExchangeError, match=message):
        import_bloc_year(data=data)
    assert set(_counts().values()) == {0}


def test_import_of_an_existing_bloc_year_is_refused_and_changes_nothing(bloc_year, tmp_path):
    path = tmp_path / "khoi.json"
    path.write_text(_export_text(), encoding="utf-8")
    before = _counts()
    with pytest.raises(CommandError, match="đã có dữ liệu năm 2026: không nhập đè"):
        call_command("import_year", str(path))
    assert _counts() == before


def test_a_bad_date_rolls_back_the_whole_import(bloc_year):
    data = json.loads(_export_text())
    data["plans"][1]["milestones"][0]["due"] = "2026-02-30"
    _wipe()
    with pytest.raises(ExchangeError, match="ngày “2026-02-30” không hợp lệ"):
        import_bloc_year(data=data)
    assert set(_counts().values()) == {0}  # province, units, users and plan 1 were undone too


def test_a_missing_field_is_reported_not_crashed(bloc_year):
    data = json.loads(_export_text())
    del data["plans"][0]["title"]
    _wipe()
    with pytest.raises(ExchangeError, match="Kế hoạch thứ 1: thiếu trường “title”"):
        import_bloc_year(data=data)
    assert set(_counts().values()) == {0}


def test_replaces_outside_the_export_becomes_null_with_a_note(bloc_year):
    old = plan_services.plan_create_blank(bloc=bloc_year.bloc, year=YEAR - 1, actor=None)
    Plan.objects.filter(pk=bloc_year.amendment.pk).update(replaces=None)
    Plan.objects.filter(pk=bloc_year.plan.pk).update(replaces=old)
    data = export_bloc_year(bloc=bloc_year.bloc, year=YEAR)
    assert data["plans"][0]["replaces"] is None
    assert data["notes"] == [
        "Kế hoạch 2026/v1/1 thay thế kế hoạch năm 2025 phiên bản 1 không có trong tệp: "
        "để trống “replaces”."
    ]


def test_a_file_without_a_section_imports_the_rest(bloc_year):
    """A file written before a section existed (here: no plans, documents, registers) imports."""
    data = json.loads(_export_text())
    del data["plans"], data["documents"], data["registers"]
    _wipe()
    result = import_bloc_year(data=data)
    assert result.created["nhiệm kỳ khối"] == 1 and "kế hoạch" not in result.created
    assert Plan.objects.count() == 0
    assert AuditEvent.objects.filter(action="plan.amend", object_id="").exists()
