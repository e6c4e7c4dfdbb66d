"""The builder's data: numbers, dates, drafts, headings, runs, bases, closing, recipients,
signature variants, JSON round trip and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from plans.models import Plan, Section
from reports.documents import (
    PlanDocContext,
    build_plan_context,
    parse_runs,
    place_date_text,
    vn_month,
)
from tests.reports.plan_data import SHORT_BODY, Node, make_plan

ISSUED = Plan.Status.ISSUED


def texts(lines) -> list[str]:
    return [line.text for line in lines]


# ------------------------------------------------------------- number, date, draft marker


def test_draft_prints_blank_number_and_day_with_the_draft_month(state_draft):
    ctx = build_plan_context(state_draft)
    assert ctx.is_draft
    assert ctx.number_text == "Số:      /KH-KTĐNC"
    assert ctx.place_date_text == "Tuyên Quang, ngày      tháng 01 năm 2022"
    assert ctx.draft_marker == "(Dự thảo)"


def test_draft_without_month_leaves_the_month_blank_too(db):
    ctx = build_plan_context(make_plan(draft_month=None))
    assert ctx.place_date_text == "Tuyên Quang, ngày      tháng      năm 2022"


def test_party_draft_number_uses_the_hyphen_pattern(party_draft):
    ctx = build_plan_context(party_draft)
    assert ctx.number_text == "Số      -KH/KTĐ"
    assert ctx.place_date_text == "Hà Giang, ngày      tháng 4 năm 2023"
    assert ctx.draft_marker == "(Dự thảo)"


def test_issued_number_has_a_leading_zero_and_the_date_follows_nd30(state_issued):
    ctx = build_plan_context(state_issued)
    assert not ctx.is_draft and ctx.draft_marker == ""
    assert ctx.number_text == "Số: 01/KH-KTĐNC"
    assert ctx.place_date_text == "Tuyên Quang, ngày 05 tháng 02 năm 2027"


def test_party_issued_number(party_issued):
    assert build_plan_context(party_issued).number_text == "Số 01-KH/KTĐ"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2022, 1, 24), "ngày 24 tháng 01 năm 2022"),
        (dt.date(2027, 2, 5), "ngày 05 tháng 02 năm 2027"),
        (dt.date(2027, 3, 9), "ngày 09 tháng 3 năm 2027"),
        (dt.date(2027, 12, 15), "ngày 15 tháng 12 năm 2027"),
    ],
)
def test_dates_zero_pad_days_below_10_and_months_1_and_2(date, expected):
    plan = Plan(place="Tuyên Quang", issue_date=date, year=date.year)
    assert place_date_text(plan, draft=False) == f"Tuyên Quang, {expected}"


def test_month_padding_rule():
    assert [vn_month(m) for m in (1, 2, 3, 10, 12)] == ["01", "02", "3", "10", "12"]


def test_seed_000_number(long_state):
    ctx = build_plan_context(long_state)
    assert ctx.number_text == "Số: 11/KH-KTĐNC"
    assert ctx.place_date_text == "Tuyên Quang, ngày 24 tháng 01 năm 2022"
    assert ctx.filename_stem == "KH-11-KTDNC-2022-01-24"


def test_filename_of_a_draft_is_ascii(state_draft):
    assert build_plan_context(state_draft).filename_stem == "Du-thao-KH-KTDNC-2022"


def test_header_lines_and_marks(state_issued, party_issued):
    state, party = build_plan_context(state_issued), build_plan_context(party_issued)
    assert state.parent_issuer_lines == ["TỈNH TUYÊN QUANG"]
    assert state.issuer_lines == ["KHỐI THI ĐUA NỘI CHÍNH"]
    assert state.national_title == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert state.motto == "Độc lập - Tự do - Hạnh phúc"
    assert state.profile.issuer_mark == "" and state.profile.title_mark == ""
    assert party.issuer_lines == ["KHỐI GIAO ƯỚC THI ĐUA", "CÁC BAN ĐẢNG TỈNH ỦY"]
    assert party.national_title == "ĐẢNG CỘNG SẢN VIỆT NAM" and party.motto == ""
    assert party.profile.issuer_mark == "*" and party.profile.title_mark == "-----"
    assert state.doc_type_name == party.doc_type_name == "KẾ HOẠCH"


# ------------------------------------------------------------- body


def test_headings_follow_the_profile_whatever_label_was_stored(db):
    body = [Node("I-", "Mục đích, yêu cầu", ["Nội dung."]), Node("II.", "Tổ chức", [])]
    state = build_plan_context(make_plan(body=body))
    party = build_plan_context(make_plan(party=True, body=body))
    heads = [(b.label, b.text) for b in state.body if b.kind == "heading"]
    assert heads == [("I.", "MỤC ĐÍCH, YÊU CẦU"), ("II.", "TỔ CHỨC")]
    assert [b.label for b in party.body if b.kind == "heading"] == ["I-", "II-"]
    assert all(r.bold for b in state.body if b.kind == "heading" for r in b.runs)


def test_titled_items_are_bold_headings_and_untitled_items_print_their_label_inline(state_draft):
    body = build_plan_context(state_draft).body
    kinds = [(b.kind, b.level, b.label) for b in body]
    assert kinds[:3] == [("heading", 1, "I."), ("heading", 2, "1."), ("bullet", 2, "")]
    untitled = next(b for b in body if b.label == "2." and b.kind == "paragraph")
    assert untitled.runs[0].text == "2. " and not untitled.runs[0].bold
    assert untitled.text.startswith("2. Phong trào thi đua phải được phát động sâu rộng")
    titled = next(b for b in body if b.label == "1." and b.kind == "heading")
    assert titled.text == "Mục đích" and all(r.bold for r in titled.runs)


def test_bullets_and_runs(state_draft):
    body = build_plan_context(state_draft).body
    bullets = [b for b in body if b.kind == "bullet"]
    assert [b.marker for b in bullets] == ["-", "-"]
    assert bullets[0].text.startswith("Phát huy tinh thần")
    assert [(r.text, r.bold) for r in bullets[1].runs if r.bold] == [("nhân rộng", True)]
    untitled = next(b for b in body if b.label == "2." and b.kind == "paragraph")
    assert [r.text for r in untitled.runs if r.italic] == ["thiết thực"]


def test_plus_bullets_and_single_newlines(db):
    node = Node("I.", "Nội dung", ["Mở đầu:\n- Một;\n+ Hai;\nvẫn dòng hai."])
    body = build_plan_context(make_plan(body=[node])).body
    assert [(b.kind, b.marker, b.text) for b in body[1:]] == [
        ("paragraph", "", "Mở đầu:"),
        ("bullet", "-", "Một;"),
        ("bullet", "+", "Hai; vẫn dòng hai."),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a **b** c", [("a ", False, False), ("b", True, False), (" c", False, False)]),
        ("*i* and ***bi***", [("i", False, True), (" and ", False, False), ("bi", True, True)]),
        ("* Kết thúc đợt 1", [("* Kết thúc đợt 1", False, False)]),
        ("2 * 3 = 6 **", [("2 * 3 = 6 **", False, False)]),
        ("<b>x</b>", [("<b>x</b>", False, False)]),
    ],
)
def test_parse_runs(text, expected):
    assert [(r.text, r.bold, r.italic) for r in parse_runs(text)] == expected


def test_three_levels_deep_bold_italic_titles(db):
    body = [Node("I.", "A", [], [Node("1.", "B", [], [Node("1.1.", "Mục con", ["Nội dung."])])])]
    blocks = build_plan_context(make_plan(body=body)).body
    deep = next(b for b in blocks if b.label == "1.1.")
    assert deep.kind == "heading" and deep.level == 3 and deep.runs[0].bold and deep.runs[0].italic


# ------------------------------------------------------------- bases, theme, closing


def test_listed_bases_are_italic_lines_ending_with_semicolons_and_a_period(db):
    plan = make_plan(
        bases_style=Plan.BasesStyle.LIST,
        bases=["Căn cứ Chương trình số 299/CTr-UBND;", "- Căn cứ Quyết định số 443/QĐ-UBND."],
    )
    bases = build_plan_context(plan).bases
    assert [(b.kind, b.marker, b.text) for b in bases] == [
        ("bullet", "-", "Căn cứ Chương trình số 299/CTr-UBND;"),
        ("bullet", "-", "Căn cứ Quyết định số 443/QĐ-UBND."),
    ]
    assert all(r.italic for b in bases for r in b.runs)


def test_paragraph_bases_already_quoted_in_the_preamble_are_not_repeated(db):
    preamble = "Thực hiện Chỉ thị số 34-CT/TW; Khối xây dựng Kế hoạch như sau:"
    plan = make_plan(preamble=[preamble], bases=["Chỉ thị số 34-CT/TW"])
    assert build_plan_context(plan).bases == []
    plan = make_plan(preamble=[preamble], bases=["Chỉ thị số 34-CT/TW", "Luật số 06/2022/QH15"])
    assert [b.text for b in build_plan_context(plan).bases] == ["Luật số 06/2022/QH15."]


def test_theme_prints_only_when_the_text_does_not_quote_it(db):
    quoted = make_plan(
        preamble=["Với chủ đề “Đoàn kết, đổi mới”, Khối xây dựng Kế hoạch:"],
        theme="Đoàn kết, đổi mới",
    )
    assert len(build_plan_context(quoted).preamble) == 1
    alone = make_plan(theme="Đoàn kết, chủ động, sáng tạo")
    assert (
        build_plan_context(alone).preamble[-1].text
        == "Chủ đề thi đua: “Đoàn kết, chủ động, sáng tạo”"
    )


@pytest.mark.parametrize(
    ("party", "closing", "expected_end"),
    [
        (False, "đạt hiệu quả thiết thực. /.", "thiết thực./."),
        (False, "đạt hiệu quả thiết thực.", "thiết thực./."),
        (True, "thực hiện nghiêm túc./.", "nghiêm túc."),
    ],
)
def test_closing_mark_comes_from_the_profile(db, party, closing, expected_end):
    ctx = build_plan_context(make_plan(party=party, closing=f"Trên đây là Kế hoạch, {closing}"))
    assert ctx.closing[-1].text.endswith(expected_end)
    assert not ctx.closing[-1].text.endswith((" /.", " ./.", "../."))


# ------------------------------------------------------------- recipients, signature


def test_state_recipients(state_draft):
    rec = build_plan_context(state_draft).recipients
    assert rec.label == "Nơi nhận:" and not rec.underline
    assert rec.items == [
        "- Ban TĐKT tỉnh (Báo cáo);",
        "- Các cơ quan trong Khối thi đua (T/hiện);",
        "- Thủ trưởng Bộ CHQS tỉnh;",
        "- Lưu: VT, TH. H15.",
    ]


def test_party_recipients_are_underlined_and_end_with_the_archive(party_draft):
    rec = build_plan_context(party_draft).recipients
    assert rec.underline
    assert rec.items == [
        "- Ban Thi đua - Khen thưởng tỉnh (báo cáo),",
        "- Các cơ quan thành viên trong Khối,",
        "- Lưu Ban Tuyên giáo Tỉnh ủy.",
    ]


def test_archive_line_moves_last_and_gets_its_prefix(db):
    plan = make_plan(recipients=[("VT, VP", "", True), ("UBND tỉnh", "để b/c", False)])
    assert build_plan_context(plan).recipients.items == ["- UBND tỉnh (để b/c);", "- Lưu: VT, VP."]


def test_military_signature_prints_rank_and_name_on_one_line(state_draft):
    sig = build_plan_context(state_draft).signature
    assert texts(sig.before_gap) == ["TRƯỞNG KHỐI THI ĐUA", "BỘ CHQS TỈNH TUYÊN QUANG"]
    assert texts(sig.after_gap) == ["CHÍNH ỦY", "Đại tá Hà Đình Khiêm"]


def test_tm_signature_variant_and_default_gap_before_the_name(db):
    plan = make_plan(
        signature=[
            ("authority", "TM. Khối thi đua", False),
            ("position", "Trưởng khối", False),
            ("position", "Chánh Văn phòng UBND tỉnh", False),
            ("name", "Nguyễn Cảnh Hưng", False),
        ]
    )
    sig = build_plan_context(plan).signature
    assert texts(sig.before_gap) == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", "CHÁNH VĂN PHÒNG UBND TỈNH"]
    assert texts(sig.after_gap) == ["Nguyễn Cảnh Hưng"]


def test_party_signature_name_above_titles(party_draft):
    sig = build_plan_context(party_draft).signature
    assert texts(sig.before_gap) == ["TRƯỞNG KHỐI"]
    assert texts(sig.after_gap)[0] == "Vũ Mạnh Hà"
    assert [line.role for line in sig.after_gap] == ["name", "title", "title"]


# ------------------------------------------------------------- JSON, queries


def test_context_round_trips_through_json(long_state):
    ctx = build_plan_context(long_state)
    data = json.loads(json.dumps(ctx.to_dict(), ensure_ascii=False))
    assert PlanDocContext.from_dict(data) == ctx
    data["added_in_a_later_version"] = 1
    assert PlanDocContext.from_dict(data) == ctx


def test_profile_numbers_are_frozen_in_the_context(state_issued):
    profile = build_plan_context(state_issued).profile
    assert (profile.margin_top_mm, profile.margin_left_mm, profile.margin_right_mm) == (20, 30, 15)
    assert profile.national_title_pt == 13 and profile.motto_pt == 14
    assert ("--indent", "10mm") in profile.css_vars()


@pytest.mark.parametrize("sections", [3, 240])
def test_builder_query_count_is_bounded(db, django_assert_max_num_queries, sections):
    body = [
        Node(f"{i}.", f"Mục {i}", [f"Nội dung **{i}**."], [Node(f"{i}.1.", "", ["Con."])])
        for i in range(1, sections // 2 + 1)
    ]
    plan = make_plan(body=[Node("I.", "Nội dung", [], body)])
    assert Section.objects.filter(plan=plan).count() >= sections
    with django_assert_max_num_queries(7):
        ctx = build_plan_context(plan)
    assert len(ctx.body) > sections


def test_short_body_fixture_is_two_levels_deep():
    assert any(child.children == [] for node in SHORT_BODY for child in node.children)
