"""A realistic bloc-year for the exchange tests (export, import, hostile files)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from blocs import services as bloc_services
from blocs.exchange import dumps, export_bloc_year
from blocs.models import Bloc, Membership, Province, Unit, User
from plans import services as plan_services
from plans.importer import ParsedSection
from plans.models import Plan
from tests.factories import issue_plan

YEAR = 2026
D = dt.date


def export_text(name: str = "Khối thi đua Nội chính") -> str:
    return dumps(export_bloc_year(bloc=Bloc.objects.get(name=name), year=YEAR))


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
    reviewer = _user("sonoivu.thamdinh", None, "Bùi Thị Thẩm", reviewer_province=province)
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
        actor=reviewer,  # a merger is the province's act
    )
    bloc_services.term_set(
        bloc=bloc,
        year=YEAR,
        head_unit=head,
        deputy_units=[police, justice],
        basis="Biên bản hội nghị tổng kết năm 2025",
        basis_date=D(2026, 1, 10),
        head_display="Bộ CHQS tỉnh Thử",
        signer_position="Chính ủy",
        signer_rank="Đại tá",
        signer_name="Nguyễn Văn Trưởng",
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
            ("authority", "TRƯỞNG KHỐI THI ĐUA", False),
            ("position", "BỘ CHQS TỈNH THỬ", False),
            ("position", "CHÍNH ỦY", False),
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
