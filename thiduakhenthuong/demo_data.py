"""The demo world: the issuers of the five seed plans, built through the services.

Provinces, blocs and units are those of ../shared/DOMAIN.md §5; member lists are plausible
compositions of such blocs. Every seed plan is loaded through the importer; seed 000 (the only
one with a number and a date) is approved and issued with its own number, so its document is frozen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from blocs import services as bloc_services
from blocs.models import Bloc, Membership, Province, Unit, User
from plans import services as plan_services
from plans.importer import parse_plan_text
from reports import services as report_services
from thiduakhenthuong.demo_awards import build_awards_demo
from thiduakhenthuong.demo_scoring import build_scoring_demo
from thiduakhenthuong.demo_sheets import build_sheets_demo

SEEDS_DIR = Path(__file__).resolve().parent.parent / "plans" / "seeds"
DEMO_PASSWORD = "demo12345"


@dataclass
class BlocSpec:
    province: str
    name: str
    kind: str
    symbol: str
    year: int
    head: str
    deputies: list[str]
    members: list[str]
    seed: str
    decision: tuple[str, dt.date | None, str] = ("", None, "")
    joined: dt.date | None = None
    host_parent: str = ""
    unit_kind: str = Unit.Kind.SO_NGANH
    users: dict[str, str] = field(default_factory=dict)  # username -> unit name
    issue: tuple[int, dt.date] | None = None
    # How the head signs the year's documents (BlocTerm): as printed, position, rank, name.
    signer: tuple[str, str, str, str] = ("", "", "", "")


BLOCS = [
    BlocSpec(
        province="Tuyên Quang",
        name="Khối thi đua Nội chính tỉnh Tuyên Quang",
        kind=Bloc.Kind.KHOI,
        symbol="KTĐNC",
        year=2022,
        head="Bộ Chỉ huy Quân sự tỉnh Tuyên Quang",
        deputies=["Công an tỉnh Tuyên Quang"],
        members=[
            "Bộ Chỉ huy Quân sự tỉnh Tuyên Quang",
            "Công an tỉnh Tuyên Quang",
            "Tòa án nhân dân tỉnh Tuyên Quang",
            "Viện Kiểm sát nhân dân tỉnh Tuyên Quang",
            "Sở Tư pháp tỉnh Tuyên Quang",
            "Thanh tra tỉnh Tuyên Quang",
            "Cục Thi hành án dân sự tỉnh Tuyên Quang",
            "Ban Nội chính Tỉnh ủy Tuyên Quang",
            "Hội Luật gia tỉnh Tuyên Quang",
        ],
        seed="000",
        signer=("Bộ CHQS tỉnh Tuyên Quang", "Chính ủy", "Đại tá", "Hà Đình Khiêm"),
        decision=(
            "Hướng dẫn số 08/HD-HĐTĐKT",
            dt.date(2021, 11, 13),
            "Hội đồng Thi đua - Khen thưởng tỉnh Tuyên Quang",
        ),
        users={
            "truongkhoi": "Bộ Chỉ huy Quân sự tỉnh Tuyên Quang",
            "phokhoi": "Công an tỉnh Tuyên Quang",
            "donvi_a": "Sở Tư pháp tỉnh Tuyên Quang",
            "donvi_b": "Tòa án nhân dân tỉnh Tuyên Quang",
        },
        issue=(11, dt.date(2022, 1, 24)),
    ),
    BlocSpec(
        province="Hà Tĩnh",
        name="Thi đua nội bộ Sở Nội vụ tỉnh Hà Tĩnh",
        kind=Bloc.Kind.NOI_BO,
        symbol="SNV",
        year=2022,
        head="Sở Nội vụ tỉnh Hà Tĩnh",
        deputies=[],
        host_parent="Sở Nội vụ tỉnh Hà Tĩnh",
        unit_kind=Unit.Kind.PHONG_BAN,
        members=[
            "Văn phòng Sở Nội vụ Hà Tĩnh",
            "Phòng Tổ chức, biên chế và tổ chức phi chính phủ",
            "Phòng Cải cách hành chính",
            "Phòng Xây dựng chính quyền và công tác thanh niên",
            "Ban Thi đua - Khen thưởng (Sở Nội vụ Hà Tĩnh)",
            "Ban Tôn giáo (Sở Nội vụ Hà Tĩnh)",
            "Chi cục Văn thư - Lưu trữ",
            "Trung tâm Lưu trữ lịch sử",
        ],
        seed="001",
        signer=("Sở Nội vụ tỉnh Hà Tĩnh", "Giám đốc", "", "Phan Thị Tô Hoa"),
        users={
            "sonoivu_ht": "Sở Nội vụ tỉnh Hà Tĩnh",
            "vanphong_snv": "Văn phòng Sở Nội vụ Hà Tĩnh",
        },
    ),
    BlocSpec(
        province="Tây Ninh",
        name="Phong trào thi đua trên địa bàn thành phố Tây Ninh",
        kind=Bloc.Kind.DIA_BAN,
        symbol="UBND",
        year=2022,
        head="Ủy ban nhân dân thành phố Tây Ninh",
        deputies=[],
        host_parent="Ủy ban nhân dân thành phố Tây Ninh",
        members=[
            "Phòng Nội vụ thành phố Tây Ninh",
            "Phòng Tài chính - Kế hoạch thành phố Tây Ninh",
            "Phòng Giáo dục và Đào tạo thành phố Tây Ninh",
            "Trung tâm Văn hóa, Thể thao và Truyền thanh thành phố Tây Ninh",
            "Ủy ban nhân dân Phường 1",
            "Ủy ban nhân dân Phường 2",
            "Ủy ban nhân dân Phường 3",
            "Ủy ban nhân dân xã Bình Minh",
            "Ủy ban nhân dân xã Tân Bình",
        ],
        seed="002",
        signer=("Ủy ban nhân dân thành phố Tây Ninh", "Chủ tịch", "", ""),
        users={
            "ubnd_tayninh": "Ủy ban nhân dân thành phố Tây Ninh",
            "phuong1_tn": "Ủy ban nhân dân Phường 1",
        },
    ),
    BlocSpec(
        province="Hà Giang",
        name="Khối giao ước thi đua các ban Đảng Tỉnh ủy Hà Giang",
        kind=Bloc.Kind.KHOI,
        symbol="KTĐ",
        year=2023,
        head="Ban Tuyên giáo Tỉnh ủy Hà Giang",
        deputies=["Ban Dân vận Tỉnh ủy Hà Giang"],
        unit_kind=Unit.Kind.BAN_DANG,
        members=[
            "Văn phòng Tỉnh ủy Hà Giang",
            "Ban Tổ chức Tỉnh ủy Hà Giang",
            "Ban Tuyên giáo Tỉnh ủy Hà Giang",
            "Ban Dân vận Tỉnh ủy Hà Giang",
            "Ban Nội chính Tỉnh ủy Hà Giang",
            "Ủy ban Kiểm tra Tỉnh ủy Hà Giang",
            "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh Hà Giang",
            "Trường Chính trị tỉnh Hà Giang",
        ],
        seed="003",
        signer=(
            "Ban Tuyên giáo Tỉnh ủy Hà Giang",
            "Trưởng Ban Tuyên giáo Tỉnh ủy",
            "",
            "Vũ Mạnh Hà",
        ),
        decision=(
            "Quyết định số 443/QĐ-UBND",
            dt.date(2023, 3, 21),
            "Chủ tịch Ủy ban nhân dân tỉnh Hà Giang",
        ),
        joined=dt.date(2023, 3, 21),
        users={
            "btg_hagiang": "Ban Tuyên giáo Tỉnh ủy Hà Giang",
            "bdv_hagiang": "Ban Dân vận Tỉnh ủy Hà Giang",
        },
    ),
    BlocSpec(
        province="Quảng Trị",
        name="Khối các cơ quan tham mưu, tổng hợp tỉnh Quảng Trị",
        kind=Bloc.Kind.KHOI,
        symbol="KTĐ",
        year=2022,
        head="Văn phòng UBND tỉnh Quảng Trị",
        deputies=["Sở Kế hoạch và Đầu tư tỉnh Quảng Trị"],
        members=[
            "Văn phòng UBND tỉnh Quảng Trị",
            "Văn phòng Đoàn ĐBQH và HĐND tỉnh Quảng Trị",
            "Sở Kế hoạch và Đầu tư tỉnh Quảng Trị",
            "Sở Tài chính tỉnh Quảng Trị",
            "Sở Nội vụ tỉnh Quảng Trị",
            "Sở Tư pháp tỉnh Quảng Trị",
            "Thanh tra tỉnh Quảng Trị",
            "Sở Ngoại vụ tỉnh Quảng Trị",
            "Cục Thống kê tỉnh Quảng Trị",
        ],
        seed="004",
        signer=(
            "Văn phòng UBND tỉnh Quảng Trị",
            "Chánh Văn phòng UBND tỉnh",
            "",
            "Nguyễn Cảnh Hưng",
        ),
        decision=(
            "Công văn số 644/UBND-NC",
            dt.date(2022, 2, 23),
            "Ủy ban nhân dân tỉnh Quảng Trị",
        ),
        users={
            "vpubnd_quangtri": "Văn phòng UBND tỉnh Quảng Trị",
            "sokhdt_quangtri": "Sở Kế hoạch và Đầu tư tỉnh Quảng Trị",
        },
    ),
]

# The short names the seeds print (signature blocks, recipients, issuer lines).
SHORT_NAMES = {
    "Bộ Chỉ huy Quân sự tỉnh Tuyên Quang": "Bộ CHQS tỉnh Tuyên Quang",
    "Ban Thi đua - Khen thưởng (Sở Nội vụ Hà Tĩnh)": "Ban TĐKT",
    "Ban Tuyên giáo Tỉnh ủy Hà Giang": "BTGTU",
    "Ủy ban nhân dân thành phố Tây Ninh": "UBND thành phố",
    "Văn phòng UBND tỉnh Quảng Trị": "VP UBND tỉnh",
    "Sở Kế hoạch và Đầu tư tỉnh Quảng Trị": "Sở KH&ĐT",
}
# Tuyên Quang 2023: Công an tỉnh, elected at the 2022 tổng kết, signs through its director.
TQ_2023_SIGNER = ("Công an tỉnh Tuyên Quang", "Giám đốc", "Đại tá", "Lê Văn Thành")
REVIEWERS = {"thamdinh_tq": "Tuyên Quang", "thamdinh_qt": "Quảng Trị"}
# Every demo login has a real Vietnamese full name (shown in the menu, audit log and comments).
FULL_NAMES = {
    "truongkhoi": "Hà Đình Khiêm",
    "phokhoi": "Nguyễn Văn Thành",
    "donvi_a": "Lê Thị Thu Hương",
    "donvi_b": "Trần Văn Dũng",
    "thamdinh_tq": "Đỗ Thị Minh Nguyệt",
    "thamdinh_qt": "Hoàng Văn Lợi",
    "vpubnd_quangtri": "Nguyễn Thị Thanh Tâm",
    "sokhdt_quangtri": "Lê Thị Bích Ngọc",
    "btg_hagiang": "Lù Văn Sáng",
    "bdv_hagiang": "Hầu Văn Lý",
    "sonoivu_ht": "Nguyễn Thị Hồng Nhung",
    "vanphong_snv": "Phan Đức Trung",
    "ubnd_tayninh": "Trần Quốc Huy",
    "phuong1_tn": "Võ Thị Kim Loan",
    "quantri": "Phạm Minh Tuấn",
}


def _user(
    username: str,
    *,
    unit: Unit | None = None,
    province: Province | None = None,
    staff: bool = False,
) -> User:
    user = User(
        username=username,
        full_name=FULL_NAMES[username],
        unit=unit,
        reviewer_province=province,
        is_staff=staff,
        is_superuser=staff,
    )
    user.set_password(DEMO_PASSWORD)
    user.full_clean()
    user.save()
    return user


def _signer(values: tuple[str, str, str, str]) -> dict[str, str]:
    names = ("head_display", "signer_position", "signer_rank", "signer_name")
    return dict(zip(names, values, strict=True))


def seed_text(code: str) -> str:
    return next(SEEDS_DIR.glob(f"{code}_*.txt")).read_text(encoding="utf-8")


@transaction.atomic
def build_demo(*, stdout=None) -> dict[str, int]:
    """Create the demo world; refuses to run twice (the caller checks for existing data)."""
    admin = _user("quantri", staff=True)
    provinces: dict[str, Province] = {}
    for spec in BLOCS:
        province = provinces.get(spec.province) or bloc_services.province_create(
            name=spec.province, actor=admin
        )
        provinces[spec.province] = province
        units: dict[str, Unit] = {}
        parent = None
        if spec.host_parent:
            parent = bloc_services.unit_create(
                province=province,
                name=spec.host_parent,
                kind=Unit.Kind.CHINH_QUYEN
                if spec.kind == Bloc.Kind.DIA_BAN
                else Unit.Kind.SO_NGANH,
                symbol=spec.symbol,
                short_name=SHORT_NAMES.get(spec.host_parent, ""),
                actor=admin,
            )
            units[parent.name] = parent
        for name in spec.members:
            units[name] = bloc_services.unit_create(
                province=province,
                name=name,
                kind=spec.unit_kind,
                parent=parent,
                short_name=SHORT_NAMES.get(name, ""),
                actor=admin,
            )
        number, date, issuer = spec.decision
        bloc = bloc_services.bloc_create(
            province=province,
            name=spec.name,
            kind=spec.kind,
            symbol=spec.symbol,
            decision_number=number,
            decision_date=date,
            decision_issuer=issuer,
            actor=admin,
        )
        joined = spec.joined or dt.date(spec.year, 1, 1)
        for name in spec.members:
            bloc_services.membership_add(
                bloc=bloc,
                unit=units[name],
                joined_on=joined,
                join_reason=Membership.Reason.KIEN_TOAN
                if spec.joined
                else Membership.Reason.THANH_LAP,
                decision_ref=f"{number} ngày {date:%d/%m/%Y}" if date else "",
                actor=admin,
            )
        term = bloc_services.term_set(
            bloc=bloc,
            year=spec.year,
            head_unit=units[spec.head],
            deputy_units=[units[d] for d in spec.deputies],
            basis=number,
            basis_date=date,
            **_signer(spec.signer),
            actor=admin,
        )
        for username, unit_name in spec.users.items():
            _user(username, unit=units[unit_name])
        text = seed_text(spec.seed)
        parsed = parse_plan_text(text, default_year=spec.year)
        plan = plan_services.plan_create_from_import(
            bloc=bloc, parsed=parsed, actor=admin, source_text=text
        )
        if spec.issue:
            plan_services.plan_approve(plan=plan, actor=admin)
            report_services.issue_document(
                kind="plan",
                subject=plan,
                actor=admin,
                number=spec.issue[0],
                issue_date=spec.issue[1],
            )
            # The next year's head was elected at the tổng kết meeting (January 2023).
            bloc_services.term_rotate(
                term=term,
                head_unit=units["Công an tỉnh Tuyên Quang"],
                deputy_units=[units["Tòa án nhân dân tỉnh Tuyên Quang"]],
                basis="Biên bản Hội nghị tổng kết năm 2022",
                basis_date=dt.date(2023, 1, 12),
                **_signer(TQ_2023_SIGNER),
                actor=admin,
            )
        elif spec.seed == "003":
            plan_services.plan_submit_for_comment(plan=plan, actor=admin)
    for username, province_name in REVIEWERS.items():
        _user(username, province=provinces[province_name])
    build_scoring_demo(admin=admin)
    build_sheets_demo()
    build_awards_demo(admin=admin)  # after the sheets: ranks their final scores
    return {"provinces": len(provinces), "blocs": len(BLOCS), "users": User.objects.count()}
