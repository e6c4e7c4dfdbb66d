"""The importer against the five seed plans (../shared/DOMAIN.md §5): any difference fails.

Pure Python, no database. The seeds are shipped in plans/seeds so the tests run from any clone.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest

from plans.importer import (
    ParsedPlan,
    ParsedSection,
    PlanImportError,
    extract_text_from_upload,
    parse_plan_text,
    parse_plan_upload,
)

SEEDS = Path(__file__).resolve().parents[2] / "plans" / "seeds"
D = dt.date
VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def seed(code: str) -> str:
    return next(SEEDS.glob(f"{code}_*.txt")).read_text(encoding="utf-8")


def tree(sections: list[ParsedSection]) -> list[tuple]:
    return [(s.label, s.title, tree(s.children)) for s in sections]


def leaf(*labels: str) -> list[tuple]:
    return [(label, "", []) for label in labels]


def phases(p: ParsedPlan) -> list[tuple]:
    return [(x.seq, x.name, x.start, x.end) for x in p.phases]


def milestones(p: ParsedPlan) -> list[tuple]:
    return [
        (m.kind, m.phase_seq, m.due, m.due_month, m.due_year, m.data_from, m.data_to)
        for m in p.milestones
    ]


def recipients(p: ParsedPlan) -> list[tuple]:
    return [(r.name, r.purpose, r.is_archive) for r in p.recipients]


def signature(p: ParsedPlan) -> list[tuple]:
    return [(s.role, s.text, s.after_gap) for s in p.signature]


def header(p: ParsedPlan) -> tuple:
    return (p.format_family, p.number, p.doc_type, p.symbol, p.place, p.issue_date)


def is_vietnamese(message: str) -> bool:
    return bool(set(message.lower()) & VIETNAMESE)


# ------------------------------------------------------------------ the five seeds


def test_seed_000_state_bloc_plan() -> None:
    p = parse_plan_text(seed("000"))
    assert header(p) == ("state", 11, "KH", "KTĐNC", "Tuyên Quang", D(2022, 1, 24))
    assert (p.year, p.draft_month, p.is_draft_marked) == (2022, None, False)
    assert p.title == "Phát động phong trào thi đua Khối Nội chính tỉnh Tuyên Quang năm 2022"
    assert tree(p.sections) == [
        ("I.", "MỤC ĐÍCH, YÊU CẦU", [("1.", "Mục đích", []), ("2.", "Yêu cầu", [])]),
        (
            "II.",
            "NỘI DUNG THI ĐUA NĂM 2022",
            [
                ("1.", "Phong trào thi đua năm 2022", leaf(*(f"1.{n}." for n in range(1, 7)))),
                ("2.", "Phong trào thi đua giai đoạn", leaf("2.1.", "2.2.", "2.3.")),
                ("3.", "Các phong trào thi đua khác", []),
            ],
        ),
        ("III.", "CÁC GIẢI PHÁP CHỦ YẾU", leaf("1.", "2.", "3.", "4.", "5.")),
        (
            "IV.",
            "TỔ CHỨC THỰC HIỆN",
            [
                ("1.", "Tiến độ tổ chức thực hiện", []),
                ("2.", "Trách nhiệm tổ chức thực hiện", leaf("2.1.", "2.2.", "2.3.")),
            ],
        ),
    ]
    assert phases(p) == [
        (1, "Đợt 1", D(2022, 1, 1), D(2022, 5, 31)),
        (2, "Đợt 2", D(2022, 6, 1), D(2022, 11, 30)),
    ]
    assert milestones(p) == [
        ("bao_cao_so_ket", 1, D(2022, 6, 15), None, None, D(2021, 12, 1), D(2022, 5, 31)),
        ("hoi_nghi_so_ket", 1, None, 7, 2022, None, None),
        ("bao_cao_tong_ket", 2, D(2022, 12, 15), None, None, D(2021, 12, 1), D(2022, 11, 30)),
        ("hoi_nghi_tong_ket", 2, None, 1, 2023, None, None),
    ]
    so_ket, _, tong_ket, _ = p.milestones
    assert (so_ket.addressee, so_ket.with_score_sheet) == (
        "Bộ CHQS tỉnh - Trưởng Khối thi đua",
        False,
    )
    assert (tong_ket.addressee, tong_ket.with_score_sheet) == (
        "Bộ CHQS tỉnh - Trường Khôi thi đua",  # the OCR typo is kept as printed
        True,
    )
    assert recipients(p) == [
        ("Ban TĐKT tỉnh", "Báo cáo", False),
        ("Các cơ quan trong Khôi thi đua", "T/hiện", False),
        ("Thủ trưởng Bộ CHQS tỉnh", "", False),
        ("Lưu: VT, TH. H15", "", True),
    ]
    assert signature(p) == [
        ("position", "TRƯỞNG KHÔI THI ĐUA", False),
        ("position", "BỘ CHQS TỈNH TUYÊN QUANG", False),
        ("position", "CHÍNH ỦY", True),
        ("rank", "Đại tá", True),
        ("name", "Hà Đình Khiêm", True),
    ]
    assert p.closing.startswith("Trên đây là Kế hoạch phát động phong trào thi đua năm 2022")
    assert p.closing.endswith("thiết thực. /.")
    assert p.bases_style == "paragraph" and p.preamble.startswith("Hưởng ứng phong trào")
    assert p.bases == [
        "phong trào thi đua yêu nước năm 2022 do Ủy ban nhân dân tỉnh Tuyên Quang phát động với "
        'chủ đề "Đảng bộ, chính quyền và nhân dân các dân tộc tỉnh Tuyên Quang quyết tâm thi đua '
        'thực hiện thắng lợi nhiệm vụ phát triển kinh tế - xã hội năm 2022"'
    ]
    assert p.theme.startswith("Đảng bộ, chính quyền và nhân dân các dân tộc tỉnh Tuyên Quang")
    assert any("OCR" in w for w in p.warnings)


def test_seed_001_agency_internal_plan() -> None:
    p = parse_plan_text(seed("001"))
    assert header(p) == ("state", None, "KH", "SNV", "Hà Tĩnh", None)
    assert (p.year, p.draft_month, p.parent_issuer, p.issuer) == (2022, 1, "", "")
    assert p.title == (
        "phát động phong trào thi đua thực hiện thắng lợi nhiệm vụ phát triển kinh tế - xã hội "
        "năm 2022"
    )
    assert tree(p.sections) == [
        ("I.", "MỤC ĐÍCH, YÊU CẦU", [("1.", "Mục đích", []), ("2.", "Yêu cầu", [])]),
        (
            "II.",
            "CHỦ ĐỀ, NỘI DUNG, MỤC TIÊU THI ĐUA",
            [
                ("1.", "Chủ đề thi đua năm 2022", []),
                ("2.", "Nội dung thi đua", []),
                (
                    "3.",
                    "Mục tiêu thi đua",
                    [("a)", "Đối với các tập thể", []), ("b)", "Đối với cá nhân", [])],
                ),
            ],
        ),
        ("III.", "THỜI GIAN TỔ CHỨC VÀ CÁC ĐỢT THI ĐUA", leaf("a)", "b)")),
        (
            "IV.",
            "TỔ CHỨC THỰC HIỆN",
            [
                ("1.", "Các phòng, ban, trung tâm thuộc và trực thuộc Sở", []),
                ("2.", "Văn phòng Sở", []),
                ("3.", "Ban Chấp hành Công đoàn cơ quan Sở", []),
            ],
        ),
    ]
    assert (
        p.theme == "Đoàn kết, đổi mới, thi đua hoàn thành vượt mức các chỉ tiêu, nhiệm vụ năm 2022"
    )
    assert phases(p) == [
        (1, "Đợt thi đua thứ nhất", D(2022, 1, 1), D(2022, 6, 30)),
        (2, "Đợt thi đua thứ hai", D(2022, 7, 1), D(2022, 12, 31)),
    ]
    assert p.phases[0].commemorations.startswith("kỷ niệm 92 năm Ngày thành lập Đảng")
    assert milestones(p) == [
        ("bao_cao_so_ket", 1, D(2022, 7, 15), None, None, None, None),
        ("bao_cao_tong_ket", 2, D(2022, 12, 31), None, None, None, None),
    ]
    assert p.bases == [
        "Chỉ thị số 34/2014/CT-TW ngày 07/04/2014 của Bộ Chính trị về tiếp tục đổi mới công tác "
        "thi đua, khen thưởng",
        "Chỉ thị số 41-CT-TU ngày 09/9/2014 của Ban Thường vụ Tỉnh ủy về tăng cường lãnh đạo, chỉ "
        "đạo đổi mới công tác thi đua, khen thưởng",
        "Luật Thi đua, khen thưởng, các văn bản hướng dẫn thi hành",
        "Chỉ thị số 02/CT-UBND ngày 19/01/2022 của Ủy ban nhân dân tỉnh về việc phát động phong "
        "trào thi đua thực hiện thắng lợi nhiệm vụ phát triển kinh tế - xã hội năm 2022",
    ]
    assert recipients(p) == [
        ("UBND tỉnh", "để b/c", False),
        ("Giám đốc, các PGĐ Sở", "", False),
        ("Các phòng, ban, trung tâm thuộc Sở", "", False),
        ("Lưu: VT, VP", "", True),
    ]
    assert signature(p) == [("position", "GIÁM ĐỐC", False), ("name", "Phan Thị Tô Hoa", True)]
    assert p.closing.startswith("Yêu cầu toàn thể cán bộ") and p.closing.endswith("được giao./.")


def test_seed_002_city_plan_without_phases() -> None:
    p = parse_plan_text(seed("002"))
    assert header(p) == ("state", None, "KH", "UBND", "TP. Tây Ninh", None)
    assert (p.year, p.draft_month) == (2022, None)
    assert p.title == (
        "Phát động phong trào thi đua thực hiện thắng lợi nhiệm vụ phát triển kinh tế - xã hội, "
        "đảm bảo quốc phòng - an ninh năm 2022"
    )
    assert tree(p.sections) == [
        ("I.", "MỤC ĐÍCH, YÊU CẦU", [("1.", "Mục đích", []), ("2.", "Yêu cầu", [])]),
        (
            "II.",
            "ĐỐI TƯỢNG, NỘI DUNG THI ĐUA",
            [
                ("1.", "Đối tượng thi đua", []),
                ("2.", "Nội dung thi đua", []),
                ("3.", "Công tác khen thưởng", []),
            ],
        ),
        ("III.", "TỔ CHỨC THỰC HIỆN", leaf("1.", "2.", "3.", "4.", "5.")),
    ]
    assert p.phases == [] and p.milestones == [] and p.theme == ""
    assert p.bases == [
        "Chỉ thị số 12/CT-UBND ngày 29 tháng 12 năm 2021 của Chủ tịch UBND tỉnh Tây Ninh về phát "
        "động phong trào thi đua thực hiện thắng lợi nhiệm vụ phát triển kinh tế-xã hội, đảm bảo "
        "quốc phòng-an ninh năm 2022"
    ]
    assert recipients(p) == [
        ("Ban TĐKT Tỉnh", "", False),
        ("TT. Thành ủy", "", False),
        ("TT.HĐND thành phố", "", False),
        ("UBND thành phố", "", False),
        ("Các cơ quan tham mưu, giúp việc Thành ủy", "", False),
        ("UB.MTTQVN, các tổ chức chính trị-xã hội TP", "", False),
        ("Các đơn vị, lực lượng vũ trang thành phố", "", False),
        ("UBND phường, xã thành phố", "", False),
        ("Lưu: VT, PNV", "", True),
    ]
    assert signature(p) == [
        ("authority", "TM. ỦY BAN NHÂN DÂN", False),
        ("position", "CHỦ TỊCH", False),
    ]
    assert "Khối chữ ký chưa có họ tên người ký." in p.warnings
    assert any(w.startswith("Không thấy các đợt thi đua") for w in p.warnings)


def test_seed_003_party_plan() -> None:
    p = parse_plan_text(seed("003"))
    assert header(p) == ("party", None, "KH", "KTĐ", "Hà Giang", None)
    assert (p.year, p.draft_month, p.is_draft_marked) == (2023, 4, True)
    assert (p.parent_issuer, p.issuer) == (
        "TỈNH HÀ GIANG",
        "KHỐI GIAO ƯỚC THI ĐUA\nCÁC BAN ĐẢNG TỈNH ỦY",
    )
    assert p.title == "triển khai công tác thi đua, khen thưởng năm 2023"
    assert p.bases_style == "list"
    assert p.bases == [
        "Căn cứ Chương trình số 299/CTr-UBND, ngày 28/12/2022 của Ủy ban nhân dân tỉnh về phát "
        "động phong trào thi đua hoàn thành và hoàn thành vượt mức các chỉ tiêu, nhiệm vụ phát "
        "triển kinh tế - xã hội năm 2023",
        "Căn cứ Quyết định số 443/QĐ-UBND, ngày 21/3/2023 của Chủ tịch Ủy ban nhân dân tỉnh về "
        "việc kiện toàn các Khối thi đua trên địa bàn tỉnh Hà Giang",
    ]
    assert p.preamble.startswith("Sau khi thảo luận thống nhất") and "Căn cứ" not in p.preamble
    assert tree(p.sections) == [
        ("I-", "MỤC ĐÍCH, YÊU CẦU", [("1.", "Mục đích", []), ("2.", "Yêu cầu", [])]),
        (
            "II-",
            "NỘI DUNG THI ĐUA",
            [
                ("1.", "Tổ chức các phong trào thi đua", []),
                ("2.", "Nâng cao chất lượng công tác khen thưởng", []),
                ("3.", "Nâng cao chất lượng tham mưu thực hiện nhiệm vụ chính trị, chuyên môn", []),
                (
                    "4.",
                    "Đẩy mạnh công tác tuyên truyền, phát hiện và nhân rộng các điển hình tiên tiến",
                    [],
                ),
            ],
        ),
        (
            "III-",
            "THỜI GIAN TRIỂN KHAI THỰC HIỆN",
            [
                ("1.", "Từ ngày 01/01/2023 đến ngày 30/6/2023", []),
                ("2.", "Từ ngày 01/7/2023 đến ngày 10/12/2023", []),
            ],
        ),
        ("IV-", "TỔ CHỨC THỰC HIỆN", leaf("1.", "2.", "3.")),
    ]
    assert p.theme == (
        "Đoàn kết, chủ động, đổi mới, sáng tạo, quyết tâm hoàn thành xuất sắc nhiệm vụ công tác "
        "năm 2023"
    )
    assert phases(p) == [
        (1, "Đợt 1", D(2023, 1, 1), D(2023, 6, 30)),
        (2, "Đợt 2", D(2023, 7, 1), D(2023, 12, 10)),
    ]
    assert milestones(p) == [
        ("phat_dong", 1, None, None, None, None, None),
        ("ky_giao_uoc", 1, None, None, None, None, None),
        ("dang_ky", 1, None, None, None, None, None),
        ("hoi_nghi_so_ket", 1, None, None, None, None, None),
        ("hoi_nghi_tong_ket", 2, None, None, None, None, None),
        ("binh_xet", 2, None, None, None, None, None),
    ]
    assert recipients(p) == [
        ("Ban Thi đua - Khen thưởng tỉnh", "báo cáo", False),
        ("Các cơ quan thành viên trong Khối", "", False),
        ("Lãnh đạo Ban Tuyên giáo Tỉnh ủy", "", False),
        ("Các phòng chuyên môn thuộc BTGTU", "", False),
        ("Lưu Ban Tuyên giáo Tỉnh ủy", "", True),
    ]
    assert signature(p) == [
        ("position", "TRƯỞNG KHỐI", False),
        ("name", "Vũ Mạnh Hà", True),
        ("title", "Ủy viên dự khuyết BCH TW Đảng", True),
        ("title", "Ủy viên Ban Thường vụ Tỉnh ủy", True),
        ("title", "Trưởng Ban Tuyên giáo Tỉnh ủy", True),
    ]
    assert p.closing == ""  # the Party draft ends without "Trên đây …"


def test_seed_004_state_bloc_plan() -> None:
    p = parse_plan_text(seed("004"))
    assert header(p) == ("state", None, "KH", "KTĐ", "Quảng Trị", None)
    assert (p.year, p.draft_month) == (2022, None)
    assert p.title == (
        "Tổ chức thực hiện phong trào thi đua của Khối các cơ quan tham mưu, tổng hợp năm 2022"
    )
    assert tree(p.sections) == [
        ("I.", "MỤC ĐÍCH, YÊU CẦU", [("1.", "Mục đích", []), ("2.", "Yêu cầu", [])]),
        (
            "II.",
            "NỘI DUNG",
            [
                ("1.", "Chủ đề thi đua", []),
                ("2.", "Về nội dung thi đua", leaf(*(f"2.{n}." for n in range(1, 11)))),
                ("3.", "Về công tác thi đua, khen thưởng", []),
                ("4.", "Phát động các đợt thi đua", []),
            ],
        ),
        (
            "III.",
            "TỔ CHỨC THỰC HIỆN",
            [
                (
                    "1.",
                    "Trách nhiệm thực hiện",
                    [
                        ("1.1.", "Đối với các đơn vị trong Khối", []),
                        ("1.2.", "Đối với đơn vị Trưởng khối", []),
                        ("1.3.", "Đối với đơn vị Phó khối", []),
                    ],
                ),
                (
                    "2.",
                    "Thời gian tổ chức ký kết giao ước thi đua; sơ kết và tổng kết phong trào thi "
                    "đua của Khối",
                    [],
                ),
            ],
        ),
    ]
    assert (
        p.theme
        == "Trách nhiệm, kỷ cương - Thích ứng an toàn - Thu hút đầu tư - Thúc đẩy tăng trưởng"
    )
    assert p.sections[1].children[0].paragraphs == [
        "“Trách nhiệm, kỷ cương - Thích ứng an toàn - Thu hút đầu tư - Thúc đẩy tăng trưởng”"
    ]
    assert [b.split(" ngày ")[0] for b in p.bases] == [
        "hướng dẫn số 2556/HD-HĐTĐKT",
        "Công văn số 644/UBND-NC",
    ]
    assert phases(p) == [
        (1, "Đợt 1", D(2022, 1, 1), D(2022, 6, 30)),
        (2, "Đợt 2", D(2022, 7, 1), D(2022, 12, 31)),
    ]
    assert milestones(p) == [
        ("bao_cao_so_ket", 1, D(2022, 6, 30), None, None, None, None),
        ("bao_cao_tong_ket", 2, D(2022, 12, 20), None, None, None, None),
        ("ky_giao_uoc", None, None, None, None, None, None),
        ("hoi_nghi_tong_ket", 2, None, 12, 2022, None, None),
    ]
    so_ket, tong_ket, giao_uoc, hoi_nghi = p.milestones
    assert (so_ket.addressee, so_ket.with_score_sheet) == ("Trưởng, Phó Trưởng Khối thi đua", False)
    assert (tong_ket.addressee, tong_ket.with_score_sheet) == ("Trưởng, Phó Trưởng Khối", True)
    assert giao_uoc.place == "Văn phòng UBND tỉnh (45 Hùng Vương, Phường 1, thành phố Đông Hà)"
    assert hoi_nghi.place == "Văn phòng UBND tỉnh"
    assert recipients(p) == [
        ("UBND tỉnh", "b/c", False),
        ("Ban TĐKT tỉnh", "b/c", False),
        ("Các đơn vị trong Khối thi đua", "", False),
        ("Lưu: VT, HC-TC(Ph)", "", True),
    ]
    assert signature(p) == [
        ("authority", "TM. KHỐI THI ĐUA", False),
        ("position", "TRƯỞNG KHỐI", False),
        ("position", "CHÁNH VĂN PHÒNG UBND TỈNH", True),
        ("name", "Nguyễn Cảnh Hưng", True),
    ]
    assert p.closing.startswith("Trên đây là Kế hoạch") and p.closing.endswith("năm 2022./.")


# ------------------------------------------------------------------ text details


def test_incoming_document_stamp_is_ignored() -> None:
    p = parse_plan_text(seed("000"))
    assert (p.number, p.issue_date, p.issuer, p.parent_issuer) == (11, D(2022, 1, 24), "", "")
    everything = " ".join([p.preamble, p.title, *(w for w in p.warnings)])
    assert "686" not in everything and "SỞ TƯ PHÁP" not in everything
    with_issuer = "BỘ CHỈ HUY QUÂN SỰ\nTỈNH TUYÊN QUANG\n**KHỐI THI ĐUA NỘI CHÍNH**\n" + seed("000")
    p = parse_plan_text(with_issuer)
    assert (p.parent_issuer, p.issuer) == (
        "BỘ CHỈ HUY QUÂN SỰ\nTỈNH TUYÊN QUANG",
        "KHỐI THI ĐUA NỘI CHÍNH",
    )
    assert (p.number, p.issue_date) == (11, D(2022, 1, 24))


def test_paragraphs_keep_marks_and_bullets_and_rejoin_page_breaks() -> None:
    p = parse_plan_text(seed("000"))
    ii, iv = p.sections[1], p.sections[3]
    one_two = ii.children[0].children[1]
    assert (one_two.label, one_two.title) == ("1.2.", "")
    assert one_two.paragraphs == [
        "Các cơ quan, đơn vị trong Khối thi đua hoàn thành xuất sắc các chỉ tiêu, nhiệm vụ trọng "
        "tâm được giao năm 2022."
    ]
    one_four = ii.children[0].children[3].paragraphs[0]
    assert "theo chỉ đạo của cấp trên. Tiếp tục đẩy mạnh" in one_four  # page break re-joined
    assert (
        ii.children[1]
        .children[0]
        .paragraphs[0]
        .startswith('Phong trào thi đua "*Tuyên Quang chung sức xây dựng nông thôn mới*"')
    )
    tien_do = iv.children[0].paragraphs
    assert [x[:14] for x in tien_do] == [
        "Phong trào thi",
        "- Đợt 1: Thời ",
        "- Đợt 2: Từ 01",
        "* Kết thúc đợt",
        "* Kết thúc đợt",
    ]
    p3 = parse_plan_text(seed("003"))
    first = p3.sections[1].children[0].paragraphs
    assert "***“Đoàn kết, chủ động, đổi mới, sáng tạo" in first[0]
    assert "trong lãnh đạo, chỉ đạo, điều hành" in " ".join(first)
    assert p3.sections[3].children[0].paragraphs[0].startswith("**Lãnh đạo từng cơ quan")
    p4 = parse_plan_text(seed("004"))
    assert "Báo cáo sơ kết phong trào thi đưa 6 tháng đầu năm gửi về" in " ".join(
        p4.sections[2].children[1].paragraphs
    )
    for plan in (p, p3, p4):
        stack = list(plan.sections)
        while stack:
            section = stack.pop()
            stack.extend(section.children)
            for text in [section.title, *section.paragraphs]:
                assert not re.search(r"^#|<b>|<sub>|\\", text), text
                assert text.replace("***", "").count("**") % 2 == 0, text


def test_paragraph_style_bases_are_quoted_in_the_preamble() -> None:
    for code in ("000", "001", "002", "004"):
        p = parse_plan_text(seed(code))
        flat = p.preamble.replace("**", "").replace("*", "")
        assert p.bases_style == "paragraph" and p.bases
        assert all(b in flat for b in p.bases), code


def test_changed_dates_are_read_not_remembered() -> None:
    text = (
        seed("000")
        .replace("15/6/2022", "20/6/2022")
        .replace("01/6/2022 đến 30/11/2022", "02/6/2022 đến 05/12/2022")
        .replace("vào tháng 7/2022", "vào tháng 8/2022")
        .replace("từ ngày 01/12/2021 đến 31/5/2022", "từ ngày 15/12/2021 đến 01/6/2022")
    )
    p = parse_plan_text(text)
    assert phases(p)[1] == (2, "Đợt 2", D(2022, 6, 2), D(2022, 12, 5))
    assert milestones(p)[:2] == [
        ("bao_cao_so_ket", 1, D(2022, 6, 20), None, None, D(2021, 12, 15), D(2022, 6, 1)),
        ("hoi_nghi_so_ket", 1, None, 8, 2022, None, None),
    ]


def _shift(value: dt.date | None) -> dt.date | None:
    return value.replace(year=value.year + 1) if value else None


@pytest.mark.parametrize("code", ["000", "001", "002", "003", "004"])
def test_a_seed_with_every_year_shifted_parses_with_shifted_dates(code: str) -> None:
    text = seed(code)
    shifted = re.sub(r"\b(202[0-4])\b", lambda m: str(int(m[1]) + 1), text)
    a, b = parse_plan_text(text), parse_plan_text(shifted)
    assert (b.year, b.issue_date) == (a.year + 1, _shift(a.issue_date))
    assert [(x.start, x.end) for x in b.phases] == [
        (_shift(x.start), _shift(x.end)) for x in a.phases
    ]
    assert milestones(b) == [
        (
            m.kind,
            m.phase_seq,
            _shift(m.due),
            m.due_month,
            m.due_year + 1 if m.due_year else None,
            _shift(m.data_from),
            _shift(m.data_to),
        )
        for m in a.milestones
    ]


def test_layout_variants_give_the_same_plan() -> None:
    for code in ("000", "001", "002", "003", "004"):
        base = parse_plan_text(seed(code))
        for text in (seed(code).replace("\n", "\r\n"), re.sub(r"\n\s*\n+", "\n", seed(code))):
            p = parse_plan_text(text)
            assert header(p) == header(base) and p.title == base.title
            assert tree(p.sections) == tree(base.sections)
            assert (phases(p), milestones(p)) == (phases(base), milestones(base))
            assert recipients(p) == recipients(base)
            assert [s[:2] for s in signature(p)] == [s[:2] for s in signature(base)]
    # Without blank lines the signing space is unknown: it goes before the name group.
    squeezed = parse_plan_text(re.sub(r"\n\s*\n+", "\n", seed("004")))
    assert [s.after_gap for s in squeezed.signature] == [False, False, False, True]


def test_number_forms_columns_draft_marks_and_signature_gap() -> None:
    two_columns = seed("000").replace(
        "Số: 11 /KH-KTĐNC\n\nTuyên Quang", "Số: 11 /KH-KTĐNC\t\tTuyên Quang"
    )
    assert header(parse_plan_text(two_columns)) == header(parse_plan_text(seed("000")))
    party = parse_plan_text(seed("003").replace("Số -KH/KTĐ", "Số 12-KH/TU"))
    assert (party.format_family, party.number, party.symbol) == ("party", 12, "TU")
    state = parse_plan_text(seed("001").replace("Số: /KH-SNV", "Số: 05/KH-SNV\n\nDự thảo lần 2"))
    assert (state.number, state.is_draft_marked, state.issuer) == (5, True, "")
    one_block = seed("002").replace(
        "**TM. ỦY BAN NHÂN DÂN  \nCHỦ TỊCH**",
        "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An",
    )
    assert signature(parse_plan_text(one_block)) == [
        ("authority", "TM. ỦY BAN NHÂN DÂN", False),
        ("authority", "KT. CHỦ TỊCH", False),
        ("position", "PHÓ CHỦ TỊCH", False),
        ("name", "Nguyễn Văn An", True),
    ]


def test_year_comes_from_the_text_then_the_default() -> None:
    text = seed("002").replace("TP. Tây Ninh, ngày tháng năm 2022", "TP. Tây Ninh")
    text = text.replace("an ninh năm 2022**", "an ninh**", 1)
    assert parse_plan_text(text, default_year=2031).year == 2031
    p = parse_plan_text(text)
    assert p.year == 2022  # the most cited year of the body
    assert any("tạm lấy năm 2022" in w for w in p.warnings)
    assert parse_plan_text(seed("002"), default_year=2031).year == 2022


def test_warnings_are_in_vietnamese() -> None:
    for code in ("000", "001", "002", "003", "004"):
        assert all(is_vietnamese(w) for w in parse_plan_text(seed(code)).warnings)


# ------------------------------------------------------------------ uploads


def _docx(build: Callable[[Any], None]) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_of_seed_004_parses_like_the_text() -> None:
    def build(document: Any) -> None:
        for block in seed("004").split("\n\n"):
            document.add_paragraph(block.strip())

    from_docx = parse_plan_upload(_docx(build), "ke-hoach.docx")
    from_text = parse_plan_text(seed("004"))
    assert header(from_docx) == header(from_text) and from_docx.title == from_text.title
    assert tree(from_docx.sections) == tree(from_text.sections)
    assert (phases(from_docx), milestones(from_docx)) == (phases(from_text), milestones(from_text))
    assert recipients(from_docx) == recipients(from_text)
    assert signature(from_docx) == signature(from_text)


def _word_layout(document: Any) -> None:
    """A plan as Word prints it: header and signature in borderless tables, bold runs, Word's
    automatic numbering and bullets, empty paragraphs as the signing space."""
    left, right = document.add_table(rows=1, cols=2).rows[0].cells
    left.paragraphs[0].add_run("UBND TỈNH QUẢNG TRỊ")
    left.add_paragraph().add_run("KHỐI THI ĐUA CÁC CƠ QUAN").bold = True
    left.add_paragraph().add_run("THAM MƯU, TỔNG HỢP").bold = True
    left.add_paragraph("Số: 05/KH-KTĐ")
    right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").bold = True
    right.add_paragraph().add_run("Độc lập - Tự do - Hạnh phúc").bold = True
    right.add_paragraph().add_run("Quảng Trị, ngày 15 tháng 02 năm 2024").italic = True
    for text in ("KẾ HOẠCH", "Tổ chức thực hiện phong trào thi đua", "năm 2024"):
        document.add_paragraph().add_run(text).bold = True
    document.add_paragraph("Căn cứ Kế hoạch số 12/KH-UBND ngày 10/01/2024 của UBND tỉnh;")
    document.add_paragraph().add_run("I. MỤC ĐÍCH, YÊU CẦU").bold = True
    document.add_paragraph("Mục đích", style="List Number")
    paragraph = document.add_paragraph("Nhằm ")
    paragraph.add_run("đẩy mạnh").bold = True
    paragraph.add_run(" phong trào thi đua.")
    document.add_paragraph("Yêu cầu", style="List Number")
    document.add_paragraph("Thiết thực, hiệu quả.", style="List Bullet")
    document.add_paragraph().add_run("II. TỔ CHỨC THỰC HIỆN").bold = True
    document.add_paragraph(
        "- Đợt 1: từ ngày 01/01/2024 đến ngày 30/6/2024; các đơn vị gửi báo cáo sơ kết về Văn "
        "phòng UBND tỉnh trước ngày 05/7/2024."
    )
    document.add_paragraph(
        "- Đợt 2: từ ngày 01/7/2024 đến hết năm 2024; Hội nghị tổng kết tổ chức vào tháng 12/2024."
    )
    document.add_paragraph("Trên đây là Kế hoạch tổ chức thực hiện phong trào thi đua năm 2024./.")
    left, right = document.add_table(rows=1, cols=2).rows[0].cells
    left.paragraphs[0].add_run("Nơi nhận:").bold = True
    for item in ("- UBND tỉnh (b/c);", "- Các đơn vị trong Khối;", "- Lưu: VT."):
        left.add_paragraph(item)
    right.paragraphs[0].add_run("TM. KHỐI THI ĐUA").bold = True
    right.add_paragraph().add_run("TRƯỞNG KHỐI").bold = True
    right.add_paragraph().add_run("CHÁNH VĂN PHÒNG").bold = True
    for _ in range(3):
        right.add_paragraph("")
    right.add_paragraph().add_run("Nguyễn Văn An").bold = True


def test_docx_in_word_layout() -> None:
    data = _docx(_word_layout)
    text = extract_text_from_upload(data, "KH 05.docx")
    for expected in ("**KẾ HOẠCH**", "*Quảng Trị, ngày 15 tháng 02 năm 2024*", "1. Mục đích"):
        assert expected in text
    assert "Nhằm **đẩy mạnh** phong trào thi đua." in text and "- Thiết thực" in text
    p = parse_plan_upload(data, "KH 05.docx")
    assert (p.parent_issuer, p.issuer) == (
        "UBND TỈNH QUẢNG TRỊ",
        "KHỐI THI ĐUA CÁC CƠ QUAN\nTHAM MƯU, TỔNG HỢP",
    )
    assert header(p) == ("state", 5, "KH", "KTĐ", "Quảng Trị", D(2024, 2, 15))
    assert p.title == "Tổ chức thực hiện phong trào thi đua năm 2024"
    assert p.bases == ["Kế hoạch số 12/KH-UBND ngày 10/01/2024 của UBND tỉnh"]
    assert tree(p.sections) == [
        ("I.", "MỤC ĐÍCH, YÊU CẦU", [("1.", "Mục đích", []), ("2.", "Yêu cầu", [])]),
        ("II.", "TỔ CHỨC THỰC HIỆN", []),
    ]
    assert p.sections[0].children[0].paragraphs == ["Nhằm **đẩy mạnh** phong trào thi đua."]
    assert p.sections[0].children[1].paragraphs == ["- Thiết thực, hiệu quả."]
    assert phases(p) == [
        (1, "Đợt 1", D(2024, 1, 1), D(2024, 6, 30)),
        (2, "Đợt 2", D(2024, 7, 1), D(2024, 12, 31)),
    ]
    assert milestones(p) == [
        ("bao_cao_so_ket", 1, D(2024, 7, 5), None, None, None, None),
        ("hoi_nghi_tong_ket", 2, None, 12, 2024, None, None),
    ]
    assert p.milestones[0].addressee == "Văn phòng UBND tỉnh"
    assert recipients(p) == [
        ("UBND tỉnh", "b/c", False),
        ("Các đơn vị trong Khối", "", False),
        ("Lưu: VT", "", True),
    ]
    assert signature(p) == [
        ("authority", "TM. KHỐI THI ĐUA", False),
        ("position", "TRƯỞNG KHỐI", False),
        ("position", "CHÁNH VĂN PHÒNG", False),
        ("name", "Nguyễn Văn An", True),
    ]
    assert p.closing.endswith("năm 2024./.") and p.warnings == []


def _cp1258(text: str) -> bytes:
    """Windows-1258 spells Vietnamese with precomposed base letters and combining tone marks."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: t.encode("utf-8-sig"),
        lambda t: t.encode("utf-16"),
        lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
        _cp1258,
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1258"],
)
def test_text_files_in_every_encoding(encode: Callable[[str], bytes]) -> None:
    text = seed("002")
    assert extract_text_from_upload(encode(text), "ke-hoach.txt") == text
    assert parse_plan_upload(encode(text), "ke-hoach.md").title.startswith("Phát động")


def _zip_without_word() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("notes.txt", "KẾ HOẠCH")
    return buffer.getvalue()


RECIPE = "CÔNG THỨC NẤU PHỞ\n\n1. Sơ chế xương bò\n\nRửa sạch, chần qua.\n\n2. Nấu nước dùng\n\nNinh 8 tiếng."


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t\n ",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n\nSed do eiusmod tempor.",
        RECIPE,
        "Thông báo họp\n\nCuộc họp lúc 8 giờ, phòng số 2.",
        "KẾ HOẠCH\n\nkhông có mục nào cả",
        "BÁO CÁO\n\nKết quả thi đua năm 2022\n\nI. KẾT QUẢ\n\nĐạt.\n\nII. PHƯƠNG HƯỚNG\n\nTốt.",
    ],
    ids=["empty", "blank", "lorem", "recipe", "notice", "type-only", "other-type"],
)
def test_text_that_is_not_a_plan_is_refused_in_vietnamese(text: str) -> None:
    with pytest.raises(PlanImportError) as exc:
        parse_plan_text(text)
    assert is_vietnamese(str(exc.value))


@pytest.mark.parametrize(
    "data, name",
    [
        (b"", "trong.txt"),
        (bytes(range(256)) * 100, "nhi-phan.txt"),
        (bytes(range(128, 256)) * 100, "khong-phai-utf8.txt"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "anh.txt"),
        (b"PK\x03\x04 not really a zip", "hong.docx"),
        (_zip_without_word(), "nen.docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "cu.doc"),
        (b"%PDF-1.7\n...", "ke-hoach.pdf"),
        ("KẾ HOẠCH".encode(), "ke-hoach.exe"),
        (b"KE HOACH " * (20 * 1024 * 1024 // 9), "lon.txt"),
        (RECIPE.encode(), "pho.txt"),
    ],
    ids=[
        "empty",
        "binary-nul",
        "invalid-utf8",
        "png",
        "broken-docx",
        "zip-not-word",
        "doc",
        "pdf",
        "unknown-suffix",
        "20MB",
        "recipe",
    ],
)
def test_files_that_are_not_a_plan_are_refused_in_vietnamese(data: bytes, name: str) -> None:
    with pytest.raises(PlanImportError) as exc:
        parse_plan_upload(data, name)
    assert is_vietnamese(str(exc.value))
