"""What the province generator (bench/province.py) types in: names of blocs, units and people, a
criteria template of any number of lines, and the values, explanations and reviews each unit
gives. Pure data and small functions: no database access here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from scoring.models import Criterion
from scoring.services.templates import CriterionRow

K = Criterion.Kind
YEAR = 2022  # the year of plan seed 000, whose text every generated plan starts from
PASSWORD = "bench12345"

THEMES = [
    "các cơ quan Nội chính",
    "các cơ quan Tổng hợp",
    "Kinh tế - Kỹ thuật",
    "Văn hóa - Xã hội",
    "các cơ quan Đảng, Mặt trận và đoàn thể",
    "các Doanh nghiệp nhà nước",
    "các Trường Cao đẳng, Trung học chuyên nghiệp",
    "các đơn vị sự nghiệp",
    "các huyện, thành phố",
    "Ngân hàng, Tài chính",
]
UNIT_TYPES = [
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Xây dựng",
    "Sở Giao thông vận tải",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Tài nguyên và Môi trường",
    "Sở Khoa học và Công nghệ",
    "Sở Thông tin và Truyền thông",
    "Sở Lao động - Thương binh và Xã hội",
    "Thanh tra tỉnh",
    "Ban Quản lý các khu công nghiệp",
    "Đài Phát thanh và Truyền hình",
    "Cục Thuế",
    "Kho bạc Nhà nước",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quốc", "Thanh", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phương"]
POSITIONS = ["Giám đốc", "Chánh Thanh tra", "Trưởng ban", "Cục trưởng", "Chánh Văn phòng"]

SIGNED_ON = dt.date(YEAR, 2, 18)  # the giao ước signing
ISSUED_ON = dt.date(YEAR, 1, 24)  # the plan
MEETING_ON = dt.date(YEAR, 12, 20)  # the bình xét meeting
NEXT_ISSUED_ON = dt.date(YEAR + 1, 1, 20)
NEXT_SIGNED_ON = dt.date(YEAR + 1, 2, 17)


def bloc_name(b: int) -> str:
    return f"Khối thi đua {THEMES[b % len(THEMES)]} số {b + 1}"


def unit_name(b: int, u: int) -> str:
    """Unique in the province: the agency type and the bloc it belongs to."""
    return f"{UNIT_TYPES[u % len(UNIT_TYPES)]} {u // len(UNIT_TYPES) + 1} (khối số {b + 1})"


def username(b: int, u: int) -> str:
    return f"k{b:03d}d{u:02d}"


def person(n: int) -> str:
    """A plausible Vietnamese full name, different for neighbouring n."""
    return (
        f"{SURNAMES[n % len(SURNAMES)]} {MIDDLE[(n // 3) % len(MIDDLE)]} "
        f"{GIVEN[(n // 7) % len(GIVEN)]}"
    )


def position(u: int) -> str:
    return POSITIONS[u % len(POSITIONS)]


# ---------------------------------------------------------------- the criteria template

# group code, content, points, share of the lines, kind of its lines
GROUPS = [
    ("I", "Thực hiện nhiệm vụ chính trị, chuyên môn được giao", D(60), D("0.40"), "base"),
    ("II", "Xây dựng Đảng, đoàn thể, nội bộ đoàn kết, kỷ luật kỷ cương", D(15), D("0.20"), "base"),
    ("III", "Tổ chức phong trào thi đua và công tác khen thưởng", D(15), D("0.15"), "base"),
    ("IV", "Tham gia các hoạt động chung của Khối", D(10), D("0.15"), "base"),
    ("+", "Điểm thưởng", D(5), D("0.05"), K.BONUS),
    ("-", "Điểm trừ", D(10), D("0.05"), K.DEDUCTION),
]
STEP = D("0.25")
TOPICS = [
    "Hoàn thành chỉ tiêu công tác chuyên môn",
    "Cải cách hành chính, chuyển đổi số",
    "Chấp hành chế độ thông tin, báo cáo",
    "Thực hành tiết kiệm, chống lãng phí",
    "Phòng, chống tham nhũng, tiêu cực",
    "Công tác dân vận chính quyền",
    "Xây dựng tổ chức cơ sở Đảng trong sạch, vững mạnh",
    "Ứng dụng công nghệ thông tin trong quản lý",
    "Công tác cán bộ, đào tạo, bồi dưỡng",
    "Tham gia hoạt động văn nghệ, thể thao của Khối",
    "Xây dựng, nhân rộng điển hình tiên tiến",
    "Công tác an sinh xã hội, từ thiện nhân đạo",
]


def _counts(lines: int) -> list[int]:
    counts = [max(1, int(share * lines)) for *_, share, _kind in GROUPS]
    counts[0] += lines - sum(counts)
    if counts[0] < 1:
        raise ValueError(f"at least {len(GROUPS)} criteria lines are needed")
    return counts


def _split(points: D, n: int) -> list[D]:
    """`points` over n lines on the STEP grid, the remainder on the first lines."""
    base = (points / n / STEP).to_integral_value(rounding="ROUND_FLOOR") * STEP
    out = [base] * n
    rest = points - base * n
    i = 0
    while rest > 0:
        out[i] += STEP
        rest -= STEP
        i = (i + 1) % n
    return out


def _per(points: D) -> D:
    """Points per occurrence: half the line (two occurrences reach it) when that fits two
    decimals, else the whole line."""
    half = points / 2
    return half if half == half.quantize(D("0.01")) else points


def _base_line(i: int, points: D) -> tuple[str, dict]:
    """The kind of the i-th line of a base group: the first measured against the unit's
    registered target (with evidence), then graded lines with a pass/fail and a per-occurrence
    line now and then."""
    if i == 0:
        return K.QUANTITATIVE, {"formula": "ratio", "evidence_required": True}
    if i % 5 == 4:
        return K.PASS_FAIL, {}
    if i % 7 == 6 and points >= 2 * STEP:
        return K.PER_OCCURRENCE, {"points_per": _per(points)}
    return K.GRADED, {"step": STEP}


def criteria_rows(lines: int) -> list[CriterionRow]:
    """A 100-point template (60/15/15/10 with bonus and penalty groups) with `lines` leaves."""
    rows: list[CriterionRow] = []
    for (code, content, points, _share, kind), count in zip(GROUPS, _counts(lines), strict=True):
        rows.append(CriterionRow(code=code, content=content, kind=K.GROUP, max_points=points))
        parent = len(rows) - 1
        for i, leaf_points in enumerate(_split(points, count)):
            extra: dict = {}
            if kind == "base":
                leaf_kind, extra = _base_line(i, leaf_points)
            else:
                leaf_kind, extra = kind, {"points_per": _per(leaf_points)}
            rows.append(
                CriterionRow(
                    code=str(i + 1),
                    content=f"{TOPICS[(len(rows) + i) % len(TOPICS)]} ({code}.{i + 1})",
                    kind=leaf_kind,
                    max_points=leaf_points,
                    parent_index=parent,
                    guidance="Chấm theo kết quả thực hiện, có văn bản minh chứng.",
                    **extra,
                )
            )
    return rows


SETTINGS = {
    "title": "Thang điểm thi đua Khối (100 điểm)",
    "max_total": D(100),
    "bonus_cap": D(5),
    "penalty_cap": D(10),
    "late_penalty": D(1),
}
BANDS = [
    {"label": "Hoàn thành xuất sắc nhiệm vụ", "min_total": D(90), "floor_pct": D(85)},
    {"label": "Hoàn thành tốt nhiệm vụ", "min_total": D(80), "floor_pct": D(80)},
    {"label": "Hoàn thành nhiệm vụ", "min_total": D(70), "floor_pct": D(70)},
    {"label": "Không hoàn thành nhiệm vụ", "min_total": D(0), "floor_pct": None},
]


# ---------------------------------------------------------------- what units enter


def line_input(c: Criterion, u: int, n: int) -> tuple[D | None, bool | None]:
    """What unit `u` enters on its n-th line: close to the maximum (totals between about 93 and
    100), different by unit and line, so that totals differ and ties are rare but happen."""
    if c.kind == K.PASS_FAIL:
        return None, (u + n) % 23 != 5
    if c.kind == K.GRADED:
        lose = (u * 7 + n * 3) % 10 < u % 4 + 1  # 10 to 40 % of the lines, by unit
        return max(c.max_points - (c.step or STEP) * lose, D(0)), None
    if c.kind == K.QUANTITATIVE:
        return D(100 - (u * 3 + n) % 5), None
    if c.kind == K.PER_OCCURRENCE:
        return D(2 - ((u + n) % 4 == 0)), None
    if c.kind == K.BONUS:
        return D((u + n) % 3 == 0), None
    return D((u + n) % 9 == 0), None  # deduction


EXPLAIN = {
    K.QUANTITATIVE: "Đạt {value} % chỉ tiêu đăng ký; số liệu tại Báo cáo thống kê năm {year}.",
    K.GRADED: "Hoàn thành đầy đủ, đúng tiến độ; có văn bản triển khai và báo cáo kết quả.",
    K.PASS_FAIL: "Theo kết quả đánh giá, xếp loại năm {year} của cấp có thẩm quyền.",
    K.PER_OCCURRENCE: "{value} lần; có văn bản, hình ảnh minh chứng kèm theo.",
    K.BONUS: "{value} lần được khen thưởng, biểu dương trong năm {year}.",
    K.DEDUCTION: "{value} lần vi phạm bị nhắc nhở trong năm.",
}
TARGETS = [
    ("Hoàn thành 100 % nhiệm vụ chính trị, chuyên môn được giao", "%", D(100)),
    ("Giải quyết đơn thư, khiếu nại đúng hạn", "%", D(95)),
    ("Tổ chức hội nghị chuyên đề, tập huấn nghiệp vụ", "hội nghị", D(4)),
    ("Ứng dụng công nghệ thông tin, hồ sơ trực tuyến", "%", D(80)),
]
REPORT = (
    "BÁO CÁO {round} CÔNG TÁC THI ĐUA, KHEN THƯỞNG NĂM {year}\n{unit}\n\n"
    "I. KẾT QUẢ THỰC HIỆN\n"
    "1. Công tác chỉ đạo, tổ chức phong trào thi đua: đơn vị đã ban hành kế hoạch, phát động "
    "các đợt thi đua theo chuyên đề, ký kết giao ước thi đua đúng thời gian quy định.\n"
    "2. Kết quả thực hiện nhiệm vụ chính trị, chuyên môn: hoàn thành các chỉ tiêu đã đăng ký.\n\n"
    "II. TỒN TẠI, HẠN CHẾ\nViệc nhân rộng điển hình tiên tiến có lúc còn chậm.\n\n"
    "III. PHƯƠNG HƯỚNG\nTiếp tục đẩy mạnh các phong trào thi đua."
)
REVIEW_COMMENT = "Minh chứng chưa thể hiện đủ kết quả đã kê khai; đề nghị tính theo số có văn bản."
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
