"""The importer against plans written the way other provinces' offices write them (DOMAIN §3, §5,
§8): one text per habit under tests/plans/corpus/, each with the structure it must give."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plans.importer import ParsedPlan, ParsedSection, parse_plan_text

CORPUS = Path(__file__).resolve().parent / "corpus"
D = dt.date


def corpus(name: str) -> ParsedPlan:
    return parse_plan_text(next(CORPUS.glob(f"{name}_*.txt")).read_text(encoding="utf-8"))


def tree(sections: list[ParsedSection]) -> list[tuple]:
    return [(s.label, s.title, tree(s.children)) for s in sections]


def number(p: ParsedPlan) -> tuple:
    return (p.format_family, p.number, p.doc_type, p.symbol, p.place, p.issue_date)


def recipients(p: ParsedPlan) -> list[tuple]:
    return [(r.name, r.purpose, r.is_archive) for r in p.recipients]


def signature(p: ParsedPlan) -> list[tuple]:
    return [(s.role, s.text) for s in p.signature]


def milestones(p: ParsedPlan) -> list[tuple]:
    return [(m.kind, m.phase_seq, m.due, m.due_month) for m in p.milestones]


def test_two_column_ending_flattened_with_wide_spaces() -> None:
    p = corpus("01")
    assert number(p) == ("state", 7, "KH", "CTĐ", "Bình Định", D(2025, 2, 9))
    assert (p.parent_issuer, p.issuer) == ("UBND TỈNH BÌNH ĐỊNH", "CỤM THI ĐUA CÁC HUYỆN\nPHÍA BẮC")
    assert recipients(p) == [
        ("Ban TĐKT tỉnh", "b/c", False),
        ("Các đơn vị trong Cụm", "", False),
        ("Lưu: VT", "", True),
    ]
    assert signature(p) == [
        ("authority", "TM. CỤM THI ĐUA"),
        ("position", "CỤM TRƯỞNG"),
        ("position", "CHỦ TỊCH UBND HUYỆN HOÀI NHƠN"),
        ("name", "Trần Văn Bình"),
    ]
    assert p.warnings == []


def test_two_column_ending_kept_apart_by_tabs() -> None:
    p = corpus("10")
    assert recipients(p)[0] == ("Ban TĐKT tỉnh", "b/c", False) and len(p.recipients) == 3
    assert signature(p)[0] == ("authority", "TM. CỤM THI ĐUA")
    assert signature(p)[-1] == ("name", "Lý Thị Hoa")
    assert milestones(p) == [("hoi_nghi_tong_ket", None, None, 12)]


def test_two_column_ending_flattened_with_single_spaces() -> None:
    p = corpus("12")
    assert [r.name for r in p.recipients] == ["UBND thành phố", "Các phường trong Khối", "Lưu: VT"]
    assert signature(p) == [
        ("authority", "TM. KHỐI THI ĐUA"),
        ("position", "TRƯỞNG KHỐI"),
        ("position", "CHỦ TỊCH UBND PHƯỜNG THUẬN HÓA"),
        ("name", "Ngô Thị Thu"),
    ]
    assert not any("Nơi nhận" in w for w in p.warnings)


def test_party_plan_with_recipients_label_without_colon() -> None:
    p = corpus("02")
    assert number(p) == ("party", 15, "KH", "BTGTU", "Lạng Sơn", D(2025, 3, 3))
    assert p.number_display == "15-KH/BTGTU" and p.is_issued_text
    assert [s.label for s in p.sections] == ["I-", "II-", "III-"]
    assert p.bases == [
        "Hướng dẫn số 05-HD/BTGTU ngày 10/01/2025 của Ban Tuyên giáo Tỉnh ủy về công tác thi "
        "đua, khen thưởng năm 2025"
    ]
    assert recipients(p) == [
        ("Ban Thi đua - Khen thưởng tỉnh", "", False),
        ("Các phòng thuộc Ban", "", False),
        ("Lưu Văn phòng Ban", "", True),
    ]
    assert signature(p) == [
        ("authority", "T/M BAN TUYÊN GIÁO"),
        ("position", "TRƯỞNG BAN"),
        ("name", "Hoàng Thị Mai"),
    ]


def test_blank_number_and_dotted_date_with_plus_and_dot_bullets() -> None:
    p = corpus("03")
    assert number(p) == ("state", None, "KH", "UBND", "Tân Phú", None)
    assert p.number_display == "…/KH-UBND" and not p.is_issued_text
    assert "(để trống)" not in p.number_display
    assert p.sections[0].paragraphs == [
        "+ Khơi dậy tinh thần thi đua yêu nước;",
        "- Phát hiện, nhân rộng điển hình tiên tiến.",
    ]
    assert not any("số, ký hiệu" in w for w in p.warnings)


def test_dates_without_leading_zeros_and_two_phases_in_one_sentence() -> None:
    p = corpus("04")
    assert number(p) == ("state", 3, "KH", "STP", "Nam Định", D(2025, 3, 5))
    assert [(x.seq, x.start, x.end) for x in p.phases] == [
        (1, D(2025, 1, 1), D(2025, 5, 31)),
        (2, D(2025, 6, 1), D(2025, 11, 30)),
    ]
    assert milestones(p) == [("bao_cao_tong_ket", 2, D(2025, 12, 5), None)]
    assert p.milestones[0].addressee == "Văn phòng Sở"


@pytest.mark.parametrize(
    "date_line, expected",
    [
        ("Hà Nội, ngày 05/3/2025", D(2025, 3, 5)),
        ("Hà Nội, ngày 5 tháng 3 năm 2025", D(2025, 3, 5)),
        ("Hà Nội, ngày 05 tháng 03 năm 2025", D(2025, 3, 5)),
        ("Hà Nội, ngày … tháng 3 năm 2025", None),
        ("Hà Nội, ngày.....tháng.....năm 2025", None),
        ("Hà Nội, ngày ___ tháng ___ năm 2025", None),
    ],
)
def test_date_line_forms(date_line: str, expected: dt.date | None) -> None:
    p = parse_plan_text(f"Số: 05/KH-ABC\n\n{date_line}\n\nKẾ HOẠCH\nThi đua\n\nI. NỘI DUNG\n\nA.\n")
    assert (p.place, p.issue_date, p.year, p.number, p.symbol) == (
        "Hà Nội",
        expected,
        2025,
        5,
        "ABC",
    )


def test_slash_and_parenthesis_headings_and_star_and_dash_bullets() -> None:
    p = corpus("05")
    assert tree(p.sections) == [
        (
            "I.",
            "MỤC ĐÍCH, YÊU CẦU",
            [
                ("1.", "Mục đích", []),
                (
                    "2.",
                    "Yêu cầu",
                    [
                        ("a)", "Nội dung thi đua thiết thực", []),
                        ("b)", "Khen thưởng kịp thời, chính xác", []),
                    ],
                ),
            ],
        ),
        ("II.", "TỔ CHỨC THỰC HIỆN", [("1.", "Đơn vị Trưởng khối", [])]),
    ]
    assert p.sections[0].children[0].paragraphs == [
        "* Đẩy mạnh phong trào thi đua yêu nước.",
        "- Gắn thi đua với cải cách hành chính.",
    ]
    assert signature(p)[-2:] == [("rank", "Đại tá"), ("name", "Nguyễn Thanh Sơn")]
    signing = p.milestones[0]
    assert (signing.kind, signing.due_month, signing.place) == (
        "ky_giao_uoc",
        3,
        "Công an thành phố",
    )


def test_arabic_top_level_with_sub_numbers_and_letters() -> None:
    p = corpus("06")
    assert tree(p.sections)[1] == (
        "2.",
        "Nội dung thi đua",
        [
            ("2.1.", "Rút ngắn thời gian giải quyết thủ tục hành chính", []),
            ("2.2.", "Tăng tỷ lệ hồ sơ trực tuyến", []),
        ],
    )
    assert [c.label for c in p.sections[2].children] == ["a)", "b)"]
    assert milestones(p) == [("dang_ky", None, D(2025, 2, 15), None)]


def test_legal_bases_one_a_line_become_a_list() -> None:
    p = corpus("07")
    assert p.bases_style == "list"
    assert p.bases == [
        "Căn cứ Luật Thi đua, khen thưởng năm 2022",
        "Căn cứ Nghị định số 152/2025/NĐ-CP ngày 14/6/2025 của Chính phủ",
        "Căn cứ Quyết định số 300/QĐ-UBND ngày 10/01/2025 của UBND tỉnh về kiện toàn các Khối "
        "thi đua",
    ]
    assert p.preamble == "Khối thi đua các sở kinh tế xây dựng Kế hoạch như sau:"
    assert any("sau ngày của kế hoạch" in w for w in p.warnings)  # §8.9: warn, do not block


def test_legal_bases_as_a_bulleted_list_in_a_party_plan() -> None:
    p = corpus("11")
    assert number(p) == ("party", 7, "KH", "KTĐ", "Quảng Ngãi", None)
    assert p.bases_style == "list" and len(p.bases) == 2
    assert [x.name for x in p.phases] == ["Đợt thi đua thứ nhất", "Đợt thi đua thứ hai"]
    assert milestones(p) == [("bao_cao_so_ket", 1, D(2025, 7, 5), None)]
    assert recipients(p)[-1] == ("Lưu Văn phòng", "", True)


def test_a_report_deadline_after_the_last_phase_is_not_tied_to_it() -> None:
    p = corpus("08")
    assert milestones(p) == [
        ("bao_cao_so_ket", 1, D(2025, 6, 25), None),
        ("bao_cao_tong_ket", 2, D(2025, 12, 20), None),
    ]
    so_ket = p.milestones[0]
    assert (so_ket.data_from, so_ket.data_to) == (D(2025, 1, 1), D(2025, 6, 20))
    assert p.milestones[1].with_score_sheet
    assert [m.kind_label for m in p.milestones] == ["Báo cáo sơ kết", "Báo cáo tổng kết"]
    assert p.warnings == []  # a signer named Khôi is no OCR noise


def test_a_deadline_before_its_named_phase_is_a_warning_not_a_refusal() -> None:
    p = corpus("09")
    assert milestones(p) == [("bao_cao_tong_ket", 2, D(2025, 6, 15), None)]
    assert p.warnings == [
        "Báo cáo tổng kết: hạn 15/06/2025 trước ngày bắt đầu Đợt 2 (01/07/2025); hãy kiểm tra."
    ]


def test_a_sixth_month_report_under_the_last_phase_heading_goes_to_the_plan() -> None:
    text = (
        "KẾ HOẠCH\nThi đua năm 2025\n\nI. THỜI GIAN\n\n1. Đợt 1: từ 01/01/2025 đến 30/6/2025\n\n"
        "2. Đợt 2: từ 01/7/2025 đến 31/12/2025\n\nCác đơn vị gửi báo cáo sơ kết trước ngày "
        "25/6/2025.\n"
    )
    p = parse_plan_text(text)
    assert milestones(p) == [("bao_cao_so_ket", None, D(2025, 6, 25), None)]
    assert any("đã gắn vào kế hoạch chung" in w for w in p.warnings)


@pytest.mark.parametrize(
    "noise, flagged",
    [
        ("Các cơ quan trong Khôi thi đua thực hiện.", True),
        ("Trường Khôi thi đua tổng hợp.", True),
        ("Đồng chí Nguyễn Văn Khôi phụ trách.", False),
        ("Ông Khôi, Trưởng phòng, tổng hợp.", False),
    ],
)
def test_ocr_warning_fires_on_noise_only(noise: str, flagged: bool) -> None:
    text = f"KẾ HOẠCH\nThi đua năm 2025\n\nI. NỘI DUNG\n\n{noise}\n"
    assert any("OCR" in w for w in parse_plan_text(text).warnings) is flagged


def test_every_corpus_text_parses_with_vietnamese_warnings_only() -> None:
    files = sorted(CORPUS.glob("*.txt"))
    assert len(files) >= 12
    for path in files:
        p = parse_plan_text(path.read_text(encoding="utf-8"))
        assert p.sections and p.signature, path.name
        assert all("_" not in w and "Error" not in w for w in p.warnings), path.name
