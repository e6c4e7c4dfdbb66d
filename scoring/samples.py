"""Two realistic criteria templates as rows (synthetic, DOMAIN §2.2, not a copy of any official
sheet): the 100-point 60/15/15/10 sheet with bonus and penalty groups, and a 1000-point scale.
The demo builds its templates from them through the services; tests use them as fixtures."""

from __future__ import annotations

from decimal import Decimal as D

from scoring.services.templates import CriterionRow

G, GR, PF, QN, PO, DE, BO = (
    "group",
    "graded",
    "pass_fail",
    "quantitative",
    "per_occurrence",
    "deduction",
    "bonus",
)

# code, content, max, kind, parent index, extra fields
_SHEET_100 = [
    ("I", "Thực hiện nhiệm vụ chính trị, chuyên môn", "60", G, None, {}),
    (
        "1",
        "Hoàn thành các chỉ tiêu đã đăng ký trong giao ước thi đua",
        "40",
        QN,
        0,
        {
            "formula": "ratio",
            "evidence_required": True,
            "guidance": "Hoàn thành 100 % chỉ tiêu đăng ký: tối đa; tính theo tỷ lệ thực hiện.",
        },
    ),
    ("2", "Thực hiện các nhiệm vụ đột xuất được giao", "15", GR, 0, {"step": "0.5"}),
    ("3", "Chấp hành chế độ thông tin, báo cáo", "5", GR, 0, {"step": "0.5"}),
    ("II", "Xây dựng Đảng, đoàn thể, nội bộ đoàn kết, kỷ luật kỷ cương", "15", G, None, {}),
    ("1", "Tổ chức Đảng đạt Hoàn thành tốt nhiệm vụ trở lên", "5", PF, 4, {}),
    ("2", "Các đoàn thể đạt vững mạnh", "5", PF, 4, {}),
    (
        "3",
        "Không có cán bộ bị kỷ luật từ khiển trách trở lên",
        "5",
        PF,
        4,
        {"source": "other_agency"},
    ),
    ("III", "Tổ chức phong trào thi đua và công tác khen thưởng", "15", G, None, {}),
    ("1", "Ban hành kế hoạch, ký kết giao ước thi đua đúng hạn", "5", PF, 8, {}),
    ("2", "Gửi báo cáo sơ kết, tổng kết đúng hạn", "5", GR, 8, {"step": "0.5"}),
    (
        "3",
        "Xây dựng, nhân rộng điển hình tiên tiến",
        "5",
        PO,
        8,
        {"points_per": "1", "guidance": "1 điểm cho mỗi điển hình được biểu dương."},
    ),
    ("IV", "Tham gia các hoạt động chung của Khối", "10", G, None, {}),
    ("1", "Dự đầy đủ các hội nghị của Khối", "4", GR, 12, {"step": "0.5"}),
    (
        "2",
        "Tham gia hoạt động văn nghệ, thể thao, an sinh xã hội",
        "6",
        PO,
        12,
        {"points_per": "2"},
    ),
    ("+", "Điểm thưởng", "5", G, None, {}),
    ("1", "Được tặng Cờ thi đua, Bằng khen cấp trên", "3", BO, 15, {"points_per": "1.5"}),
    (
        "2",
        "Có sáng kiến được công nhận; đăng cai hoạt động của Khối",
        "2",
        BO,
        15,
        {"points_per": "1"},
    ),
    ("-", "Điểm trừ", "10", G, None, {}),
    ("1", "Mỗi báo cáo nộp muộn hoặc không nộp", "5", DE, 18, {"points_per": "1"}),
    (
        "2",
        "Vi phạm do cơ quan chức năng thông báo",
        "5",
        DE,
        18,
        {"points_per": "2.5", "source": "other_agency"},
    ),
]

_SCALE_1000 = [
    ("I", "Công tác chỉ đạo, điều hành và thực hiện nhiệm vụ chuyên môn", "500", G, None, {}),
    (
        "1",
        "Kết quả thực hiện các chỉ tiêu kinh tế - xã hội được giao",
        "300",
        QN,
        0,
        {"formula": "leader", "evidence_required": True},
    ),
    ("2", "Cải cách hành chính, chuyển đổi số", "200", G, 0, {}),
    ("2.1", "Chỉ số cải cách hành chính", "120", GR, 2, {"step": "5"}),
    ("2.2", "Tỷ lệ hồ sơ trực tuyến toàn trình", "80", QN, 2, {"formula": "ratio"}),
    ("II", "Xây dựng hệ thống chính trị", "250", G, None, {}),
    ("1", "Công tác xây dựng Đảng", "150", GR, 5, {"step": "5"}),
    ("2", "Công tác dân vận, đoàn thể", "100", GR, 5, {"step": "5"}),
    ("III", "Công tác thi đua, khen thưởng", "250", G, None, {}),
    ("1", "Tổ chức phong trào, ký kết giao ước", "100", PF, 8, {}),
    ("2", "Chất lượng hồ sơ khen thưởng", "100", GR, 8, {"step": "5"}),
    ("3", "Báo cáo đúng hạn", "50", GR, 8, {"step": "5"}),
    ("+", "Điểm thưởng", "50", G, None, {}),
    ("1", "Được khen thưởng cấp Nhà nước, cấp tỉnh", "50", BO, 12, {"points_per": "25"}),
]


def _rows(table) -> list[CriterionRow]:
    out = []
    for code, content, mx, kind, parent, extra in table:
        fields = dict(extra)
        for name in ("step", "points_per"):
            if name in fields:
                fields[name] = D(fields[name])
        out.append(
            CriterionRow(
                code=code,
                content=content,
                kind=kind,
                max_points=D(mx),
                parent_index=parent,
                **fields,
            )
        )
    return out


def sheet_100() -> tuple[list[CriterionRow], dict, list[dict]]:
    """Rows, settings and rating bands of the 100-point sheet (bonus cap 5, late report −1)."""
    settings = {
        "title": "Thang điểm thi đua Khối (100 điểm)",
        "max_total": D(100),
        "bonus_cap": D(5),
        "penalty_cap": D(10),
        "late_penalty": D(1),
    }
    bands = [
        {"label": "Hoàn thành xuất sắc nhiệm vụ", "min_total": D(90), "floor_pct": D(85)},
        {"label": "Hoàn thành tốt nhiệm vụ", "min_total": D(80), "floor_pct": D(80)},
        {"label": "Hoàn thành nhiệm vụ", "min_total": D(70), "floor_pct": D(70)},
        {"label": "Không hoàn thành nhiệm vụ", "min_total": D(0), "floor_pct": None},
    ]
    return _rows(_SHEET_100), settings, bands


def scale_1000() -> tuple[list[CriterionRow], dict, list[dict]]:
    """Rows, settings and bands of a 1000-point scale whose total may exceed 1000 (Example B)."""
    settings = {
        "title": "Thang điểm 1.000 điểm",
        "max_total": D(1000),
        "bonus_cap": D(50),
        "allow_exceed_max": True,
    }
    bands = [
        {"label": "Xuất sắc", "min_total": D(900), "floor_pct": None},
        {"label": "Tốt", "min_total": D(800), "floor_pct": None},
    ]
    return _rows(_SCALE_1000), settings, bands
