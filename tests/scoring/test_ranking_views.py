"""The ranking pages as people use them: the secretariat computes, records the meeting and the
vote, adopts (the minutes are issued); members see nothing of other units' scores before that
and everything after; bad input stays on the form with its message; the page's query count
does not grow with the number of units."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs.models import Unit
from reports.models import IssuedDocument
from scoring.models import ComplianceFlag, Meeting, Ranking
from tests.reports.pdfread import A4, embedded_fonts, full_text, squash
from tests.scoring.ranking_data import bulk_ranking, ranked_world


def url(world, name, **kw):
    return reverse(f"scoring:{name}", kwargs={"bloc_id": world.bloc.pk, "year": world.year, **kw})


def doc_url(world, doc, fmt):
    kwargs = {"bloc_id": world.bloc.pk, "year": world.year, "doc": doc, "fmt": fmt}
    return reverse("reports:ranking_document", kwargs=kwargs)


MEETING = {
    "date": "20/12/2026",
    "place": "Hội trường Bộ CHQS tỉnh",
    "chair": "Đại tá Nguyễn Văn Trưởng, Chỉ huy trưởng",
    "secretary": "Trần Thị Phó",
}


@pytest.fixture
def scored(world, tong_ket):
    return ranked_world(world, tong_ket, {"unit_a": "15", "unit_b": "14", "chair": "13"})


def adopt_through_pages(world, client):
    assert client.post(url(world, "ranking_compute")).status_code == 302
    units = [world.head.pk, world.deputy_unit.pk, world.unit_a.pk, world.unit_b.pk]
    assert client.post(url(world, "meeting"), MEETING | {"attending": units}).status_code == 302
    votes = {"vote_total": "4", "vote_for": "4", "vote_against": "0"}
    assert client.post(url(world, "ranking_vote"), votes).status_code == 302
    return client.post(url(world, "ranking_adopt"), {})


def test_secretariat_computes_meets_votes_and_adopts(scored, client_for):
    client = client_for("chair")
    page = client.get(url(scored, "ranking")).content.decode()
    assert "Chưa tính kết quả xếp hạng" in page
    response = adopt_through_pages(scored, client)
    assert response.status_code == 302
    ranking = Ranking.objects.get()
    assert ranking.status == Ranking.Status.ADOPTED and ranking.vote_for == 4
    minutes = IssuedDocument.objects.get(kind="bien_ban")
    assert minutes.number_text == "Số: 01/BB-KTĐNC" and minutes.meeting.number == 1
    page = client.get(url(scored, "ranking")).content.decode()
    assert "Đã thông qua" in page and "Tính lại" not in page
    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page
    assert "Sở Tư pháp Thử: " in page  # the chart's description names every value
    assert "dẫn đầu" in page and "Bảng điểm chưa chốt" in page


def test_members_see_no_scores_before_adoption_and_everything_after(scored, client_for):
    chair = client_for("chair")
    chair.post(url(scored, "ranking_compute"))
    member = client_for("unit_b")
    reads = [
        url(scored, "ranking"),
        url(scored, "ranking_excel"),
        doc_url(scored, "bang-tong-hop", "pdf"),
        doc_url(scored, "bang-tong-hop", "html"),
        doc_url(scored, "bang-tong-hop", "docx"),
    ]
    for address in reads:
        response = member.get(address)
        assert response.status_code == 403, address
        assert b"S\xe1\xbb\x9f T\xc6\xb0 ph\xc3\xa1p Th\xe1\xbb\xad" not in response.content
    assert "chưa được hội nghị bình xét thông qua" in member.get(reads[0]).content.decode()
    adopt_through_pages(scored, client_for("chair"))
    member = client_for("unit_b")
    for address in [*reads, doc_url(scored, "bien-ban", "pdf")]:
        assert member.get(address).status_code == 200, address
    assert "Sở Tư pháp Thử" in member.get(reads[0]).content.decode()
    assert member.get(url(scored, "compliance")).status_code == 403  # the flags list stays inside


def test_meeting_form_keeps_bad_input_with_messages(scored, client_for):
    client = client_for("chair")
    data = MEETING | {"place": "", "attending": [scored.unit_a.pk, scored.other_unit.pk]}
    response = client.post(url(scored, "meeting"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Đơn vị không thuộc khối trong năm này." in page
    assert 'value="Đại tá Nguyễn Văn Trưởng, Chỉ huy trưởng"' in page  # the input is kept
    assert not Meeting.objects.exists()


def test_vote_over_attendance_is_refused_next_to_the_field(scored, client_for):
    client = client_for("chair")
    client.post(url(scored, "ranking_compute"))
    client.post(url(scored, "meeting"), MEETING | {"attending": [scored.unit_a.pk, scored.head.pk]})
    response = client.post(
        url(scored, "ranking_vote"), {"vote_total": "4", "vote_for": "4", "vote_against": "0"}
    )
    assert response.status_code == 200
    assert "Tổng số phiếu phải từ 1 đến 2 (số đơn vị dự họp)." in response.content.decode()
    assert Ranking.objects.get().vote_total is None


def test_adopt_refused_below_the_threshold_says_why(scored, client_for):
    client = client_for("chair")
    client.post(url(scored, "ranking_compute"))
    units = [scored.head.pk, scored.deputy_unit.pk, scored.unit_a.pk, scored.unit_b.pk]
    client.post(url(scored, "meeting"), MEETING | {"attending": units})
    client.post(
        url(scored, "ranking_vote"), {"vote_total": "4", "vote_for": "3", "vote_against": "1"}
    )
    response = client.post(url(scored, "ranking_adopt"), {}, follow=True)
    assert "Tỷ lệ tán thành 75 % chưa đạt 80 %" in response.content.decode()
    assert Ranking.objects.get().status == Ranking.Status.COMPUTED
    assert not IssuedDocument.objects.filter(kind="bien_ban").exists()


def test_compliance_flag_added_shown_and_errors_next_to_fields(scored, client_for):
    client = client_for("reviewer")
    bad = {"unit": scored.unit_a.pk, "kind": "violation", "effect": "deduct", "source": "Cục Thuế"}
    response = client.post(url(scored, "compliance"), bad | {"note": "Nợ thuế"})
    assert "Trừ điểm: nhập số điểm trừ lớn hơn 0." in response.content.decode()
    assert not ComplianceFlag.objects.exists()
    response = client.post(url(scored, "compliance"), bad | {"note": "Nợ thuế", "points": "2,5"})
    assert response.status_code == 302
    flag = ComplianceFlag.objects.get()
    assert str(flag.points) == "2.50"
    page = client_for("deputy").get(url(scored, "compliance")).content.decode()
    assert "Nợ thuế" in page and "Ghi nhận thông tin" not in page


def test_excel_has_one_row_per_unit_in_rank_order(scored, client_for):
    from openpyxl import load_workbook

    client = client_for("chair")
    client.post(url(scored, "ranking_compute"))
    response = client.get(url(scored, "ranking_excel"))
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [r[1] for r in rows] == [
        "Sở Tư pháp Thử",
        "Tòa án nhân dân tỉnh Thử",
        "Bộ Chỉ huy Quân sự tỉnh Thử",
        "Công an tỉnh Thử",
    ]
    assert rows[0][0] == 1 and rows[0][2] > rows[1][2] and rows[3][2] is None
    assert rows[3][-2] == "Bảng điểm chưa chốt"


def test_documents_read_back(scored, client_for):
    client = client_for("chair")
    adopt_through_pages(scored, client)
    table = client.get(doc_url(scored, "bang-tong-hop", "pdf")).content
    text = squash(full_text(table))
    assert squash("BẢNG TỔNG HỢP") in text and squash("Sở Tư pháp Thử") in text
    assert squash("Bảng điểm chưa chốt") in text
    assert not any("DejaVu" in f for f in embedded_fonts(table))
    import pdfplumber

    with pdfplumber.open(io.BytesIO(table)) as d:  # landscape A4
        assert (round(d.pages[0].width), round(d.pages[0].height)) == (round(A4[1]), round(A4[0]))
        # the bar chart, drawn as vectors: one coloured bar per unit with a total, longest first
        bars = [
            r for r in d.pages[0].rects if r.get("non_stroking_color") not in (None, (0.0,) * 3)
        ]
        assert [round(b["width"]) for b in bars] == sorted(
            (round(b["width"]) for b in bars), reverse=True
        )
        assert len(bars) == 3  # Công an has no final sheet: no bar
    minutes = client.get(doc_url(scored, "bien-ban", "pdf")).content
    text = squash(full_text(minutes))
    for part in (
        "BIÊN BẢN",
        "Số: 01/BB-KTĐNC",
        "là đơn vị dẫn đầu Khối thi đua Nội chính Thử",
        "4/4, đạt tỷ lệ 100 %",
        "Công an tỉnh Thử: Bảng điểm chưa chốt",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ):
        assert squash(part) in text, part
    frozen = IssuedDocument.objects.get(kind="bien_ban")
    assert bytes(frozen.pdf) == minutes  # served from the frozen bytes
    from docx import Document

    word = Document(io.BytesIO(client.get(doc_url(scored, "bien-ban", "docx")).content))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert "Sở Tư pháp Thử" in cells and "CHỦ TRÌ" in "\n".join(cells)


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_minutes_before_the_meeting_are_404(scored, client_for, fmt):
    assert client_for("chair").get(doc_url(scored, "bien-ban", fmt)).status_code == 404


def _page_queries(client, world, units):
    Ranking.objects.all().delete()
    bulk_ranking(world.bloc, world.year, world.round, units, adopted=True)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(world, "ranking"))
    assert response.status_code == 200
    assert response.content.decode().count("<tr data-unit=") == len(units)
    return len(ctx.captured_queries)


def test_ranking_page_queries_do_not_grow_with_units(world, tong_ket, client_for):
    world.round = tong_ket
    units = Unit.objects.bulk_create(
        Unit(province=world.province, name=f"Đơn vị thử {i:03d}") for i in range(300)
    )
    client = client_for("unit_a")
    small = _page_queries(client, world, units[:5])
    large = _page_queries(client, world, units)
    assert small == large and large <= 20


def test_a_tie_shows_how_it_was_broken_in_one_line_and_every_step_on_demand(
    world, tong_ket, client_for
):
    ranked_world(world, tong_ket, {"unit_a": "14", "unit_b": "14", "chair": "13"})
    client = client_for("chair")
    assert client.post(url(world, "ranking_compute")).status_code == 302
    units = [world.head.pk, world.deputy_unit.pk, world.unit_a.pk, world.unit_b.pk]
    assert client.post(url(world, "meeting"), MEETING | {"attending": units}).status_code == 302
    votes = {f"vote_{world.unit_a.pk}": "3", f"vote_{world.unit_b.pk}": "1"}
    assert client.post(url(world, "ranking_tie_votes"), votes).status_code == 302
    page = client.get(url(world, "ranking")).content.decode()
    assert "Phân định bằng “Kết quả biểu quyết tại hội nghị” (3 phiếu)" in page
    assert "Phân định bằng “Kết quả biểu quyết tại hội nghị” (1 phiếu)" in page
    assert "<summary>Cách phân định (5 bước)</summary>" in page  # four criteria, then the vote
    assert "Xét “Ít điểm trừ hơn”" in page  # each step is still there, folded


def test_another_units_sheet_and_evidence_stay_closed_through_the_whole_year(scored, client_for):
    """Unit B never opens unit A's sheet, its report or any evidence file: not while A's sheet
    is final and the ranking is computed, nor after the results are published (the ranking is
    then open to every member; the sheets and their files stay with their unit and the
    secretariat)."""
    from scoring.models import Submission

    sub = Submission.objects.get(unit=scored.unit_a)
    files = list(sub.files.all())
    assert files and {f.purpose for f in files} == {"evidence"}
    kw = {"submission_id": sub.pk}
    closed = [url(scored, n, **kw) for n in ("submission", "submission_history", "sheet_pdf")]
    closed += [url(scored, "sheet_docx", **kw), url(scored, "sheet_xlsx", **kw)]
    closed += [url(scored, "submission_file", file_id=f.pk, **kw) for f in files]

    def only_the_owner_and_secretariat_read():
        for persona, expected in (("unit_b", 403), ("unit_a", 200), ("chair", 200)):
            client = client_for(persona)
            for address in closed:
                assert client.get(address).status_code == expected, (persona, address)

    only_the_owner_and_secretariat_read()
    client_for("chair").post(url(scored, "ranking_compute"))
    only_the_owner_and_secretariat_read()
    adopt_through_pages(scored, client_for("chair"))
    assert client_for("unit_b").get(url(scored, "ranking")).status_code == 200
    only_the_owner_and_secretariat_read()
