"""The bloc-year backup format: export → wipe → import → export gives the same bytes; bad files
are refused in Vietnamese and leave the database as it was."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from blocs import services as bloc_services
from blocs.exchange import ExchangeError, dumps, export_bloc_year, import_bloc_year, loads
from blocs.models import AuditEvent, Bloc, BlocTerm, Membership, Province, Unit, User
from plans import services as plan_services
from plans.importer import ParsedSection
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
from tests.factories import issue_plan
from tests.factories import wipe_bloc_rows as _wipe

YEAR = 2026
D = dt.date
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


@dataclass
class BlocYear:
    bloc: Bloc
    plan: Plan
    amendment: Plan


def _unit(province: Province, name: str, **fields) -> Unit:
    return bloc_services.unit_create(province=province, name=name, **fields)


def _user(username: str, unit: Unit | None, full_name: str, **fields) -> User:
    return User.objects.create_user(
        username=username,
        password="matkhau-123",
        unit=unit,
        full_name=full_name,
        email=f"{username}@tinhthu.gov.vn",
        **fields,
    )


@pytest.fixture
def bloc_year(db) -> BlocYear:
    """A realistic year of the Nội chính bloc, built through the services (so it is audited)."""
    province = bloc_services.province_create(
        name="Tỉnh Thử Sao Lưu", reviewer_label="Phòng Thi đua, khen thưởng - Sở Nội vụ"
    )
    ubnd = _unit(province, "UBND tỉnh Thử", kind=Unit.Kind.CHINH_QUYEN)
    head = _unit(
        province, "Bộ Chỉ huy Quân sự tỉnh", kind=Unit.Kind.LLVT, short_name="BCHQS", symbol="BCH"
    )
    police = _unit(province, "Công an tỉnh", kind=Unit.Kind.LLVT)
    justice = _unit(province, "Sở Tư pháp", parent=ubnd, valid_from=D(2008, 4, 1))
    planning = _unit(province, "Sở Kế hoạch và Đầu tư", parent=ubnd)
    finance = _unit(province, "Sở Tài chính", parent=ubnd)
    inspect = _unit(province, "Thanh tra tỉnh")
    outsider = _unit(province, "Sở Y tế")
    bloc = bloc_services.bloc_create(
        province=province,
        name="Khối thi đua Nội chính",
        symbol="KTĐNC",
        decision_number="443/QĐ-UBND",
        decision_date=D(2025, 3, 1),
        decision_issuer="UBND tỉnh Thử",
    )
    other_bloc = bloc_services.bloc_create(province=province, name="Khối Văn hóa - Xã hội")
    for unit in (head, police, justice, planning):
        bloc_services.membership_add(bloc=bloc, unit=unit, joined_on=D(2025, 1, 1))
    bloc_services.membership_add(bloc=other_bloc, unit=outsider, joined_on=D(2025, 1, 1))
    chair = _user("bchqs.vanthu", head, "Nguyễn Văn Trưởng")
    _user("congan.tdkt", police, "Trần Thị Phó")
    _user("tuphap.tdkt", justice, "Lê Văn Tư")
    _user("khdt.cu", planning, "Phạm Văn Cũ", is_active=False)
    _user("taichinh.tdkt", finance, "Hoàng Thị Tài")
    _user("thanhtra.tdkt", inspect, "Đỗ Văn Tra")
    _user("yte.tdkt", outsider, "Vũ Thị Ngoài")
    _user("sonoivu.thamdinh", None, "Bùi Thị Thẩm", reviewer_province=province)
    # Mid-year: Thanh tra joins; KH&ĐT merges into Tài chính, which continues its membership.
    bloc_services.membership_add(
        bloc=bloc,
        unit=inspect,
        joined_on=D(YEAR, 4, 1),
        join_reason=Membership.Reason.KIEN_TOAN,
        decision_ref="QĐ 120/QĐ-UBND ngày 25/3/2026",
    )
    bloc_services.membership_end(
        membership=Membership.objects.get(bloc=bloc, unit=planning),
        left_on=D(YEAR, 2, 28),
        leave_reason=Membership.Reason.SAP_NHAP,
        successor=finance,
        actor=chair,
    )
    bloc_services.term_set(
        bloc=bloc,
        year=YEAR,
        head_unit=head,
        deputy_units=[police, justice],
        basis="Biên bản hội nghị tổng kết năm 2025",
        basis_date=D(2026, 1, 10),
        actor=chair,
    )
    plan = plan_services.plan_create_blank(bloc=bloc, year=YEAR, actor=chair)
    plan_services.plan_set_lists(
        plan=plan,
        actor=chair,
        bases=["Luật Thi đua, khen thưởng năm 2022;", "Nghị định số 98/2023/NĐ-CP;"],
        recipients=[
            ("Ban Thi đua - Khen thưởng tỉnh", "b/c", False),
            ("Các đơn vị thành viên", "T/hiện", False),
            ("Lưu: VT", "", True),
        ],
        signature=[
            ("authority", "TM. KHỐI THI ĐUA", False),
            ("position", "TRƯỞNG KHỐI", False),
            ("rank", "Đại tá", True),
            ("name", "Nguyễn Văn Trưởng", True),
        ],
    )
    body = [
        ParsedSection(
            "I.",
            "MỤC ĐÍCH, YÊU CẦU",
            ["Đẩy mạnh phong trào thi đua."],
            [
                ParsedSection(
                    "1.",
                    "Mục đích",
                    ["- Khơi dậy tinh thần;", "+ **Đoàn kết**"],
                    [ParsedSection("a)", "Trong nội bộ", ["Nội dung a."], [])],
                ),
                ParsedSection("2.", "Yêu cầu", ["Thiết thực, hiệu quả."], []),
            ],
        ),
        ParsedSection("II.", "NỘI DUNG", ["Các phong trào thi đua."], []),
    ]
    plan_services.plan_replace_body(plan=plan, sections=body, actor=chair)
    plan_services.plan_set_schedule(
        plan=plan,
        actor=chair,
        phases=[
            {"seq": 1, "name": "Đợt 1", "start": D(YEAR, 1, 1), "end": D(YEAR, 6, 30)},
            {
                "seq": 2,
                "name": "Đợt 2",
                "start": D(YEAR, 7, 1),
                "end": D(YEAR, 12, 31),
                "commemorations": "Kỷ niệm Quốc khánh 2/9",
            },
        ],
        milestones=[
            {"kind": "ky_giao_uoc", "phase_seq": 1, "due": D(YEAR, 3, 15), "place": "Hội trường"},
            {
                "kind": "bao_cao_so_ket",
                "phase_seq": 1,
                "due": D(YEAR, 6, 10),
                "data_from": D(2025, 12, 15),
                "data_to": D(YEAR, 6, 14),
                "addressee": "Trưởng khối",
                "with_score_sheet": True,
            },
            {
                "kind": "bao_cao_tong_ket",
                "phase_seq": 2,
                "due": D(YEAR, 11, 15),
                "data_from": D(YEAR, 1, 1),
                "data_to": D(YEAR, 11, 14),
            },
            {"kind": "binh_xet", "due_month": 12, "due_year": YEAR, "note": "Tháng 12"},
        ],
    )
    plan_services.plan_submit_for_comment(plan=plan, actor=chair)
    plan_services.plan_comment_add(
        plan=plan, actor=User.objects.get(username="tuphap.tdkt"), text="Đề nghị bổ sung mục 3."
    )
    plan_services.plan_approve(plan=plan, actor=chair)
    plan = issue_plan(plan=plan, actor=chair, issue_date=D(YEAR, 1, 20))
    amendment = plan_services.plan_amend(plan=plan, actor=chair)
    return BlocYear(bloc=bloc, plan=plan, amendment=amendment)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def _export_text(name: str = "Khối thi đua Nội chính") -> str:
    return dumps(export_bloc_year(bloc=Bloc.objects.get(name=name), year=YEAR))


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
    assert [s["after_gap"] for s in first["signature"]] == [False, False, True, True]
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
    with pytest.raises(ExchangeError, match="thiếu hoặc sai trường"):
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
