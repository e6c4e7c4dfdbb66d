"""Header lines fit the left column and never split a word ("THÀNH / PHỐ TÂY NINH")."""

from __future__ import annotations

import pytest

from reports.documents import build_plan_context
from reports.textfit import fit_line, header_lines, left_column_pt, text_width_pt
from tests.reports.plan_data import make_plan

STATE_COLUMN = left_column_pt(30, 15)  # NĐ 30 margins: left 30 mm, right 15 mm


def fit(text: str, size: float = 13, bold: bool = True) -> list[str]:
    return fit_line(text, width_pt=STATE_COLUMN, size_pt=size, bold=bold)


def test_a_city_government_breaks_before_the_city_never_inside_thanh_pho():
    assert fit("ỦY BAN NHÂN DÂN THÀNH PHỐ TÂY NINH") == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ TÂY NINH"]


def test_a_long_bloc_name_breaks_after_the_comma_and_before_the_province():
    lines = fit("KHỐI CÁC CƠ QUAN THAM MƯU, TỔNG HỢP TỈNH QUẢNG TRỊ")
    assert lines == ["KHỐI CÁC CƠ QUAN", "THAM MƯU, TỔNG HỢP", "TỈNH QUẢNG TRỊ"]
    assert all(text_width_pt(x, 13, bold=True) <= STATE_COLUMN for x in lines)


@pytest.mark.parametrize(
    "text",
    [
        "BAN TUYÊN GIÁO TỈNH ỦY HÀ GIANG",
        "BỘ CHỈ HUY QUÂN SỰ TỈNH TUYÊN QUANG",
        "HỘI CỰU CHIẾN BINH THÀNH PHỐ HỒ CHÍ MINH",
        "ỦY BAN NHÂN DÂN HUYỆN ĐỒNG VĂN",
    ],
)
def test_the_place_name_stays_on_one_line(text):
    lines = fit(text)
    assert len(lines) == 2
    place = lines[-1].split()
    assert place[0] in {"TỈNH", "THÀNH", "HUYỆN"}, lines
    assert " ".join(lines) == text


def test_a_line_that_fits_is_kept_and_the_users_own_lines_are_kept():
    assert fit("SỞ NỘI VỤ TỈNH HÀ TĨNH") == ["SỞ NỘI VỤ TỈNH HÀ TĨNH"]
    text = "KHỐI GIAO ƯỚC THI ĐUA\n\nCÁC BAN ĐẢNG TỈNH ỦY"
    assert header_lines(text, width_pt=STATE_COLUMN, size_pt=13, bold=True) == [
        "KHỐI GIAO ƯỚC THI ĐUA",
        "CÁC BAN ĐẢNG TỈNH ỦY",
    ]


def test_a_word_wider_than_the_column_gets_a_line_of_its_own():
    lines = fit_line("SỞ " + "W" * 40 + " TỈNH", width_pt=STATE_COLUMN, size_pt=13, bold=True)
    assert lines == ["SỞ", "W" * 40, "TỈNH"]


def test_the_builder_splits_the_issuer_for_the_left_column(db):
    plan = make_plan()
    plan.issuer = "Ủy ban nhân dân thành phố Tây Ninh"
    plan.parent_issuer = "Ủy ban nhân dân tỉnh Tây Ninh"
    plan.save(update_fields=["issuer", "parent_issuer"])
    ctx = build_plan_context(plan)
    assert ctx.issuer_lines == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ TÂY NINH"]
    assert ctx.parent_issuer_lines == ["ỦY BAN NHÂN DÂN", "TỈNH TÂY NINH"]
