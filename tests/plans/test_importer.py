"""Each seed imported and compared with ../shared/DOMAIN.md §5 — any difference fails."""

import datetime as dt
import io
from pathlib import Path

import docx
import pytest

from plans.importer import (
    PlanImportError,
    extract_text_from_upload,
    parse_plan_text,
    parse_plan_upload,
)

SEEDS = Path(__file__).resolve().parents[2] / "plans" / "seeds"
D = dt.date


def seed(code: str) -> str:
    return next(SEEDS.glob(f"{code}_*.txt")).read_text(encoding="utf-8")


def labels(sections):
    return [(s.label, s.title) for s in sections]


def child_labels(section):
    return [c.label for c in section.children]


def milestones(plan):
    return {
        (m.kind, m.phase_seq): (m.due, m.due_month, m.due_year, m.data_from, m.data_to)
        for m in plan.milestones
    }


def test_seed_000_state_bloc_plan():
    p = parse_plan_text(seed("000"))
    assert (p.format_family, p.number, p.doc_type, p.symbol) == ("state", 11, "KH", "KTĐNC")
    assert (p.place, p.issue_date, p.year) == ("Tuyên Quang", D(2022, 1, 24), 2022)
    assert p.title == "Phát động phong trào thi đua Khối Nội chính tỉnh Tuyên Quang năm 2022"
    assert p.issuer == "" and "686" not in p.preamble  # the incoming stamp is ignored
    assert labels(p.sections) == [
        ("I.", "MỤC ĐÍCH, YÊU CẦU"),
        ("II.", "NỘI DUNG THI ĐUA NĂM 2022"),
        ("III.", "CÁC GIẢI PHÁP CHỦ YẾU"),
        ("IV.", "TỔ CHỨC THỰC HIỆN"),
    ]
    i, ii, iii, iv = p.sections
    assert child_labels(i) == ["1.", "2."]
    assert child_labels(ii) == ["1.", "2.", "3."]
    assert child_labels(ii.children[0]) == ["1.1.", "1.2.", "1.3.", "1.4.", "1.5.", "1.6."]
    assert child_labels(ii.children[1]) == ["2.1.", "2.2.", "2.3."]
    assert child_labels(iii) == ["1.", "2.", "3.", "4.", "5."]
    assert labels(iv.children) == [
        ("1.", "Tiến độ tổ chức thực hiện"),
        ("2.", "Trách nhiệm tổ chức thực hiện"),
    ]
    assert child_labels(iv.children[1]) == ["2.1.", "2.2.", "2.3."]
    assert [(x.seq, x.start, x.end) for x in p.phases] == [
        (1, D(2022, 1, 1), D(2022, 5, 31)),
        (2, D(2022, 6, 1), D(2022, 11, 30)),
    ]
    assert milestones(p) == {
        ("bao_cao_so_ket", 1): (D(2022, 6, 15), None, None, D(2021, 12, 1), D(2022, 5, 31)),
        ("hoi_nghi_so_ket", 1): (None, 7, 2022, None, None),
        ("bao_cao_tong_ket", 2): (D(2022, 12, 15), None, None, D(2021, 12, 1), D(2022, 11, 30)),
        ("hoi_nghi_tong_ket", 2): (None, 1, 2023, None, None),
    }
    report = next(m for m in p.milestones if m.kind == "bao_cao_so_ket")
    assert report.addressee == "Bộ CHQS tỉnh - Trưởng Khối thi đua"
    assert next(m for m in p.milestones if m.kind == "bao_cao_tong_ket").with_score_sheet
    assert [(r.name, r.purpose, r.is_archive) for r in p.recipients] == [
        ("Ban TĐKT tỉnh", "Báo cáo", False),
        ("Các cơ quan trong Khôi thi đua", "T/hiện", False),
        ("Thủ trưởng Bộ CHQS tỉnh", "", False),
        ("Lưu: VT, TH. H15", "", True),
    ]
    assert [(s.role, s.text, s.after_gap) for s in p.signature] == [
        ("position", "TRƯỞNG KHÔI THI ĐUA", False),
        ("position", "BỘ CHQS TỈNH TUYÊN QUANG", False),
        ("position", "CHÍNH ỦY", True),
        ("rank", "Đại tá", True),
        ("name", "Hà Đình Khiêm", True),
    ]
    assert p.closing.startswith("Trên đây là Kế hoạch") and p.closing.endswith("/.")


def test_seed_001_agency_internal_plan():
    p = parse_plan_text(seed("001"))
    assert (p.number, p.symbol, p.place, p.issue_date, p.draft_month, p.year) == (
        None,
        "SNV",
        "Hà Tĩnh",
        None,
        1,
        2022,
    )
    assert (
        p.title
        == "phát động phong trào thi đua thực hiện thắng lợi nhiệm vụ phát triển kinh tế - xã hội năm 2022"
    )
    assert labels(p.sections) == [
        ("I.", "MỤC ĐÍCH, YÊU CẦU"),
        ("II.", "CHỦ ĐỀ, NỘI DUNG, MỤC TIÊU THI ĐUA"),
        ("III.", "THỜI GIAN TỔ CHỨC VÀ CÁC ĐỢT THI ĐUA"),
        ("IV.", "TỔ CHỨC THỰC HIỆN"),
    ]
    assert child_labels(p.sections[1].children[2]) == ["a)", "b)"]
    assert child_labels(p.sections[2]) == ["a)", "b)"]
    assert child_labels(p.sections[3]) == ["1.", "2.", "3."]
    assert (
        p.theme == "Đoàn kết, đổi mới, thi đua hoàn thành vượt mức các chỉ tiêu, nhiệm vụ năm 2022"
    )
    assert [(x.start, x.end) for x in p.phases] == [
        (D(2022, 1, 1), D(2022, 6, 30)),
        (D(2022, 7, 1), D(2022, 12, 31)),
    ]
    assert milestones(p) == {
        ("bao_cao_so_ket", 1): (D(2022, 7, 15), None, None, None, None),
        ("bao_cao_tong_ket", 2): (D(2022, 12, 31), None, None, None, None),
    }
    assert [(r.name, r.purpose) for r in p.recipients] == [
        ("UBND tỉnh", "để b/c"),
        ("Giám đốc, các PGĐ Sở", ""),
        ("Các phòng, ban, trung tâm thuộc Sở", ""),
        ("Lưu: VT, VP", ""),
    ]
    assert [(s.role, s.text, s.after_gap) for s in p.signature] == [
        ("position", "GIÁM ĐỐC", False),
        ("name", "Phan Thị Tô Hoa", True),
    ]


def test_seed_002_city_plan_without_phases():
    p = parse_plan_text(seed("002"))
    assert (p.symbol, p.place, p.year, p.number) == ("UBND", "TP. Tây Ninh", 2022, None)
    assert labels(p.sections) == [
        ("I.", "MỤC ĐÍCH, YÊU CẦU"),
        ("II.", "ĐỐI TƯỢNG, NỘI DUNG THI ĐUA"),
        ("III.", "TỔ CHỨC THỰC HIỆN"),
    ]
    assert child_labels(p.sections[1]) == ["1.", "2.", "3."]
    assert child_labels(p.sections[2]) == ["1.", "2.", "3.", "4.", "5."]
    assert p.phases == [] and p.milestones == []
    assert len(p.recipients) == 9 and p.recipients[0].name == "Ban TĐKT Tỉnh"
    assert p.recipients[-1].is_archive and p.recipients[-1].name == "Lưu: VT, PNV"
    assert [(s.role, s.text) for s in p.signature] == [
        ("authority", "TM. ỦY BAN NHÂN DÂN"),
        ("position", "CHỦ TỊCH"),
    ]


def test_seed_003_party_plan():
    p = parse_plan_text(seed("003"))
    assert p.format_family == "party" and p.is_draft_marked
    assert (p.parent_issuer, p.issuer) == (
        "TỈNH HÀ GIANG",
        "KHỐI GIAO ƯỚC THI ĐUA\nCÁC BAN ĐẢNG TỈNH ỦY",
    )
    assert (p.number, p.doc_type, p.symbol, p.place, p.draft_month, p.year) == (
        None,
        "KH",
        "KTĐ",
        "Hà Giang",
        4,
        2023,
    )
    assert p.title == "triển khai công tác thi đua, khen thưởng năm 2023"
    assert p.bases_style == "list" and len(p.bases) == 2
    assert "443/QĐ-UBND" in p.bases[1]
    assert labels(p.sections) == [
        ("I-", "MỤC ĐÍCH, YÊU CẦU"),
        ("II-", "NỘI DUNG THI ĐUA"),
        ("III-", "THỜI GIAN TRIỂN KHAI THỰC HIỆN"),
        ("IV-", "TỔ CHỨC THỰC HIỆN"),
    ]
    assert child_labels(p.sections[1]) == ["1.", "2.", "3.", "4."]
    assert child_labels(p.sections[2]) == ["1.", "2."]
    assert child_labels(p.sections[3]) == ["1.", "2.", "3."]
    assert [(x.start, x.end) for x in p.phases] == [
        (D(2023, 1, 1), D(2023, 6, 30)),
        (D(2023, 7, 1), D(2023, 12, 10)),
    ]
    assert sorted((m.kind, m.phase_seq) for m in p.milestones) == [
        ("binh_xet", 2),
        ("hoi_nghi_so_ket", 1),
        ("hoi_nghi_tong_ket", 2),
        ("ky_giao_uoc", 1),
    ]
    assert p.recipients[-1].name == "Lưu Ban Tuyên giáo Tỉnh ủy" and p.recipients[-1].is_archive
    assert p.recipients[0].purpose == "báo cáo"
    assert [(s.role, s.text, s.after_gap) for s in p.signature] == [
        ("position", "TRƯỞNG KHỐI", False),
        ("name", "Vũ Mạnh Hà", True),
        ("title", "Ủy viên dự khuyết BCH TW Đảng", True),
        ("title", "Ủy viên Ban Thường vụ Tỉnh ủy", True),
        ("title", "Trưởng Ban Tuyên giáo Tỉnh ủy", True),
    ]


def test_seed_004_state_bloc_plan():
    p = parse_plan_text(seed("004"))
    assert (p.symbol, p.place, p.year) == ("KTĐ", "Quảng Trị", 2022)
    assert (
        p.theme
        == "Trách nhiệm, kỷ cương - Thích ứng an toàn - Thu hút đầu tư - Thúc đẩy tăng trưởng"
    )
    assert labels(p.sections) == [
        ("I.", "MỤC ĐÍCH, YÊU CẦU"),
        ("II.", "NỘI DUNG"),
        ("III.", "TỔ CHỨC THỰC HIỆN"),
    ]
    ii, iii = p.sections[1], p.sections[2]
    assert labels(ii.children)[0] == ("1.", "Chủ đề thi đua") and child_labels(ii) == [
        "1.",
        "2.",
        "3.",
        "4.",
    ]
    assert child_labels(ii.children[1]) == [f"2.{n}." for n in range(1, 11)]
    assert child_labels(iii) == ["1.", "2."]
    assert child_labels(iii.children[0]) == ["1.1.", "1.2.", "1.3."]
    assert [(x.start, x.end) for x in p.phases] == [
        (D(2022, 1, 1), D(2022, 6, 30)),
        (D(2022, 7, 1), D(2022, 12, 31)),
    ]
    ms = {m.kind: m for m in p.milestones}
    assert (ms["bao_cao_so_ket"].due, ms["bao_cao_so_ket"].addressee) == (
        D(2022, 6, 30),
        "Trưởng, Phó Trưởng Khối thi đua",
    )
    assert (ms["bao_cao_tong_ket"].due, ms["bao_cao_tong_ket"].with_score_sheet) == (
        D(2022, 12, 20),
        True,
    )
    assert (ms["hoi_nghi_tong_ket"].due_month, ms["hoi_nghi_tong_ket"].due_year) == (12, 2022)
    assert ms["hoi_nghi_tong_ket"].place == "Văn phòng UBND tỉnh"
    assert (
        ms["ky_giao_uoc"].place
        == "Văn phòng UBND tỉnh (45 Hùng Vương, Phường 1, thành phố Đông Hà)"
    )
    assert [(r.name, r.purpose, r.is_archive) for r in p.recipients] == [
        ("UBND tỉnh", "b/c", False),
        ("Ban TĐKT tỉnh", "b/c", False),
        ("Các đơn vị trong Khối thi đua", "", False),
        ("Lưu: VT, HC-TC(Ph)", "", True),
    ]
    assert [(s.role, s.text, s.after_gap) for s in p.signature] == [
        ("authority", "TM. KHỐI THI ĐUA", False),
        ("position", "TRƯỞNG KHỐI", False),
        ("position", "CHÁNH VĂN PHÒNG UBND TỈNH", True),
        ("name", "Nguyễn Cảnh Hưng", True),
    ]


def test_changed_dates_are_read_not_remembered():
    text = (
        seed("000")
        .replace("15/6/2022", "20/6/2022")
        .replace("01/6/2022 đến 30/11/2022", "01/6/2022 đến 05/12/2022")
    )
    p = parse_plan_text(text)
    assert p.phases[1].end == D(2022, 12, 5)
    assert next(m for m in p.milestones if m.kind == "bao_cao_so_ket").due == D(2022, 6, 20)


def test_page_break_split_paragraph_is_rejoined():
    p = parse_plan_text(seed("000"))
    one_four = p.sections[1].children[0].children[3]
    assert "theo chỉ đạo của cấp trên" in " ".join(one_four.paragraphs)


def test_docx_of_a_seed_parses_the_same():
    document = docx.Document()
    for block in seed("004").split("\n\n"):
        document.add_paragraph(block.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    from_docx = parse_plan_upload(buffer.getvalue(), "ke-hoach.docx")
    from_text = parse_plan_text(seed("004"))
    assert [(x.start, x.end) for x in from_docx.phases] == [
        (x.start, x.end) for x in from_text.phases
    ]
    assert [r.name for r in from_docx.recipients] == [r.name for r in from_text.recipients]
    assert labels(from_docx.sections) == labels(from_text.sections)


@pytest.mark.parametrize(
    "data, name",
    [
        (b"", "trong.txt"),
        (
            "Lorem ipsum dolor sit amet.\n\nCông thức nấu phở: xương bò, bánh phở.".encode(),
            "pho.txt",
        ),
        (bytes(range(256)) * 100, "nhi-phan.bin"),
        (b"PK\x03\x04 not really a zip", "hong.docx"),
        (b"KE HOACH " * (20 * 1024 * 1024 // 9), "lon.txt"),
        ("KẾ HOẠCH\n\nkhông có mục nào cả".encode(), "thieu.txt"),
    ],
    ids=["empty", "random", "binary", "broken-docx", "20MB", "no-sections"],
)
def test_what_is_not_a_plan_is_refused_in_vietnamese(data, name):
    with pytest.raises(PlanImportError) as exc:
        parse_plan_upload(data, name)
    assert any(ch in str(exc.value) for ch in "ăâêôơưđ")


def test_utf16_and_cp1258_text_files_are_read():
    text = seed("002")
    assert extract_text_from_upload(text.encode("utf-16"), "a.txt") == text
