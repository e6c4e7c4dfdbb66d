"""The secretariat's pages through the views: the board (states, counts, filter, overdue, a fixed
number of queries), the review of a sheet line by line (with and without htmx), the decisions
and their refusals (clear message, nothing half-saved), cross-scoring by assignment, the round's
finalisation at the meeting and the review setup."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs import services as bloc_services
from blocs.models import AuditEvent
from scoring import calc
from scoring.models import CrossAssignment, Review, ReviewSetup, Submission
from scoring.services import reviews as review_services
from tests.factories import make_unit
from tests.scoring.conftest import make_round
from tests.scoring.test_sheet_services import entry, open_sheet, submitted

S = Submission.Status


def url(name, sub=None, **kw):
    kwargs = {"bloc_id": sub.round.bloc_id, "year": sub.round.year} if sub else {}
    if sub is not None and name not in ("scoring:board", "scoring:review_setup"):
        kwargs["submission_id"] = sub.pk
    return reverse(name, kwargs=kwargs | kw)


def line_data(line, score, comment="", revision=None):
    data = {f"dong{line.pk}-score": score, f"dong{line.pk}-comment": comment}
    if revision is not None:
        data[f"dong{line.pk}-revision"] = revision
    return data


def reviewed(world, sub):
    """Deputy and head finish their layers without changing anything: REVIEWED."""
    sub = review_services.layer_done(submission=sub, actor=world.users["deputy"])
    return review_services.layer_done(submission=sub, actor=world.users["chair"])


def events(sub):
    return AuditEvent.objects.filter(object_type="scoring.submission", object_id=str(sub.pk))


# ---------------------------------------------------------------- the board


def test_board_shows_every_member_and_state_with_links(world, client_for, tong_ket, so_ket):
    sub = submitted(world, tong_ket, "unit_a")
    open_sheet(world, tong_ket, "unit_b")
    board = url("scoring:board", sub)
    html = client_for("chair").get(board).content.decode()
    assert "Đã nộp đúng hạn" in html and "Đang soạn" in html and "Chưa bắt đầu" in html
    assert url("scoring:review", sub) in html
    assert "Đã nộp đúng hạn: 1" in html and "Chưa bắt đầu: 2" in html
    filtered = client_for("reviewer").get(board, {"trang-thai": "submitted"}).content.decode()
    assert 'data-unit="Sở Tư pháp Thử"' in filtered
    assert 'data-unit="Tòa án nhân dân tỉnh Thử"' not in filtered


def test_board_marks_overdue_cells(world, client_for, template):
    past = make_round(world, key="bao_cao_qua_han", due=dt.date.today() - dt.timedelta(days=3))
    response = client_for("chair").get(
        reverse("scoring:board", args=[world.bloc.pk, world.year]), {"trang-thai": "overdue"}
    )
    html = response.content.decode()
    assert html.count('data-testid="overdue"') == 4 and "4 đơn vị quá hạn" in html
    assert past.name in html


def test_a_member_unit_cannot_open_the_board(world, client_for, tong_ket):
    response = client_for("unit_a").get(reverse("scoring:board", args=[world.bloc.pk, world.year]))
    assert response.status_code == 403


def _add_members(world, rnd, start, n):
    for i in range(start, start + n):
        unit = make_unit(world.province, f"Đơn vị thêm {i:03d}")
        bloc_services.membership_add(bloc=world.bloc, unit=unit, joined_on=dt.date(2025, 1, 1))
        Submission.objects.create(round=rnd, unit=unit, status=S.SUBMITTED)


def test_board_query_count_does_not_grow_with_units(world, client, tong_ket, so_ket):
    client.force_login(world.users["chair"])
    board = reverse("scoring:board", args=[world.bloc.pk, world.year])
    _add_members(world, tong_ket, 0, 1)  # 5 units
    with CaptureQueriesContext(connection) as small:
        assert client.get(board).status_code == 200
    _add_members(world, tong_ket, 1, 45)  # 50 units
    with CaptureQueriesContext(connection) as large:
        response = client.get(board)
    assert response.content.decode().count("data-unit=") == 50
    assert len(large) == len(small) <= 12


# ---------------------------------------------------------------- the review page


def test_review_page_shows_lines_and_inputs_only_to_the_current_reviewer(
    world, client_for, tong_ket
):
    sub = submitted(world, tong_ket)
    page = url("scoring:review", sub)
    deputy = client_for("deputy").get(page).content.decode()
    assert "Phó khối kiểm tra" in deputy and "Có số liệu kèm theo" in deputy
    assert 'data-testid="review-line"' in deputy and "Hoàn thành bước thẩm định" in deputy
    assert "Chốt kết quả" not in deputy and "Trả lại đơn vị" not in deputy
    province = client_for("reviewer").get(page).content.decode()
    assert 'data-testid="review-line"' not in province and "Hoàn thành bước" not in province
    chair = client_for("chair").get(page).content.decode()
    assert "Trả lại đơn vị" in chair and 'data-testid="review-line"' in chair
    assert "Mở lại" not in chair and "Chốt kết quả" not in chair


def test_the_review_form_suggests_the_points_the_line_has_now(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    cut, kept = entry(sub, "I.2"), entry(sub, "II.1")  # the unit gave 15 and 5
    review_services.review_line(entry=cut, actor=world.users["deputy"], score="12")
    review_services.layer_done(submission=sub, actor=world.users["deputy"])
    html = client_for("chair").get(url("scoring:review", sub)).content.decode()
    assert f'id="id_dong{cut.pk}-score" value="12"' in html  # the deputy's
    assert f'id="id_dong{kept.pk}-score" value="5"' in html  # the unit's own


def test_a_line_saved_without_javascript(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    line = entry(sub, "I.2")  # self 15
    response = client_for("deputy").post(
        url("scoring:review_line", sub, entry_id=line.pk), line_data(line, "12,5", "Thiếu")
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#dong-{line.pk}")
    review = Review.objects.get(entry=line)
    assert review.layer == "deputy" and review.score == Decimal("12.5")
    sub.refresh_from_db()
    assert sub.status == S.IN_REVIEW and sub.reviewed_total == sub.self_total - Decimal("2.5")


def test_a_line_saved_with_htmx_returns_the_row_and_the_totals(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    line = entry(sub, "I.2")
    response = client_for("chair").post(
        url("scoring:review_line", sub, entry_id=line.pk),
        line_data(line, "13", "Thống nhất", revision=0),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<tr")
    assert 'data-testid="line-saved"' in html
    assert 'id="review-totals"' in html and 'hx-swap-oob="true">Đang thẩm định</span>' in html
    assert f'data-testid="reviewed-total">{calc.fmt(sub.self_total - 2)}<' in html


@pytest.mark.parametrize(
    ("score", "message"),
    [("16", "từ 0 đến 15"), ("-1", "0"), ("mười", "không phải là số"), ("", "Nhập điểm")],
)
def test_a_bad_review_score_is_shown_next_to_the_field(world, client_for, tong_ket, score, message):
    sub = submitted(world, tong_ket)
    line = entry(sub, "I.2")
    before = events(sub).count()
    for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client_for("chair").post(
            url("scoring:review_line", sub, entry_id=line.pk), line_data(line, score), **htmx
        )
        html = response.content.decode()
        assert response.status_code == 200 and "invalid-feedback" in html and message in html
    assert not Review.objects.exists() and events(sub).count() == before
    assert Submission.objects.get(pk=sub.pk).status == S.SUBMITTED


def test_a_stale_review_save_shows_the_current_values(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    line = entry(sub, "I.2")
    review_services.review_line(entry=line, actor=world.users["deputy"], score="11", comment="A")
    response = client_for("chair").post(  # the chair's page was read before the deputy saved
        url("scoring:review_line", sub, entry_id=line.pk),
        line_data(line, "9", "B", revision=0),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "vừa được người khác lưu" in html
    assert f'name="dong{line.pk}-score" id="id_dong{line.pk}-score" value="11"' in html
    assert f'name="dong{line.pk}-revision" value="1"' in html
    assert Review.objects.get(entry=line).score == Decimal("11")


def test_a_reviewer_outside_the_current_layer_is_refused(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    line = entry(sub, "I.2")
    review_services.layer_done(submission=sub, actor=world.users["deputy"])  # → head
    client = client_for("deputy")
    assert (
        'data-testid="review-line"' not in client.get(url("scoring:review", sub)).content.decode()
    )
    response = client.post(url("scoring:review_line", sub, entry_id=line.pk), line_data(line, "1"))
    assert response.status_code == 403 and not Review.objects.exists()
    assert client.post(url("scoring:review_layer_done", sub)).status_code == 403


# ---------------------------------------------------------------- decisions


def test_layers_then_finalise_through_the_views(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    first = {"revision": sub.revision}
    assert (
        client_for("deputy").post(url("scoring:review_layer_done", sub), first).status_code == 302
    )
    client = client_for("chair")
    second = {"revision": sub.revision + 1}
    assert client.post(url("scoring:review_layer_done", sub), second).status_code == 302
    assert Submission.objects.get(pk=sub.pk).status == S.REVIEWED
    response = client.post(url("scoring:review_finalize", sub), {"note": "Hội nghị tổng kết"})
    sub.refresh_from_db()
    assert response.status_code == 302 and sub.status == S.FINAL
    assert sub.final_total == sub.self_total and sub.final_note == "Hội nghị tổng kết"
    html = client.get(url("scoring:review", sub)).content.decode()
    assert (
        "Mở lại" in html
        and "Trả lại đơn vị" not in html
        and 'data-testid="review-line"' not in html
    )


def test_return_needs_a_reason(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    client = client_for("chair")
    response = client.post(url("scoring:review_return", sub), {"reason": "  "})
    assert response.status_code == 200
    assert "Hãy nêu lý do trả lại" in response.content.decode()
    assert Submission.objects.get(pk=sub.pk).status == S.SUBMITTED
    assert not events(sub).filter(action="submission.return").exists()
    response = client.post(url("scoring:review_return", sub), {"reason": "Thiếu minh chứng I.2"})
    sub.refresh_from_db()
    assert response.status_code == 302 and sub.status == S.RETURNED
    assert "Thiếu minh chứng I.2" in client.get(url("scoring:review", sub)).content.decode()


def test_finalising_a_sheet_not_reviewed_is_refused(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    response = client_for("chair").post(url("scoring:review_finalize", sub), {"note": "x"})
    assert response.status_code == 200
    assert "Chỉ chốt được bảng điểm đã thẩm định xong" in response.content.decode()
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED and sub.final_note == "" and sub.final_total is None


def test_a_deputy_cannot_finalise_return_or_reopen(world, client_for, tong_ket):
    sub = reviewed(world, submitted(world, tong_ket))
    client = client_for("deputy")
    assert "Chốt kết quả" not in client.get(url("scoring:review", sub)).content.decode()
    assert client.post(url("scoring:review_finalize", sub)).status_code == 403
    assert client.post(url("scoring:review_return", sub), {"reason": "x"}).status_code == 403
    assert client.post(url("scoring:review_reopen", sub), {"reason": "x"}).status_code == 403
    assert Submission.objects.get(pk=sub.pk).status == S.REVIEWED


def test_reopen_only_a_final_sheet_and_with_a_reason(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    client = client_for("chair")
    response = client.post(url("scoring:review_reopen", sub), {"reason": "Sai số liệu"})
    assert "Chỉ mở lại được bảng điểm đã chốt" in response.content.decode()
    assert Submission.objects.get(pk=sub.pk).status == S.SUBMITTED
    sub = review_services.submission_finalize(
        submission=reviewed(world, sub), actor=world.users["chair"]
    )
    response = client.post(url("scoring:review_reopen", sub), {"reason": ""})
    assert "Hãy nêu lý do mở lại" in response.content.decode()
    assert Submission.objects.get(pk=sub.pk).status == S.FINAL
    response = client.post(url("scoring:review_reopen", sub), {"reason": "Sai số liệu"})
    sub.refresh_from_db()
    assert response.status_code == 302 and sub.status == S.IN_REVIEW
    assert sub.reopened_reason == "Sai số liệu" and sub.final_total is None


def test_a_decision_on_a_stale_page_is_refused(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    seen = sub.revision
    review_services.layer_done(submission=sub, actor=world.users["deputy"])
    response = client_for("chair").post(
        url("scoring:review_return", sub), {"reason": "Thiếu", "revision": seen}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "vừa được người khác thay đổi" in html
    assert Submission.objects.get(pk=sub.pk).status == S.IN_REVIEW


# ---------------------------------------------------------------- cross-scoring, setup, round


def _ring(world):
    members = [world.head, world.deputy_unit, world.unit_a, world.unit_b]
    return {members[i].pk: members[(i + 1) % 4].pk for i in range(4)}


def test_the_cross_unit_reviews_only_its_assigned_unit(world, client_for, tong_ket):
    review_services.review_setup_save(
        bloc=world.bloc, year=world.year, actor=None, mode="cross", assignments=_ring(world)
    )
    sub_a = submitted(world, tong_ket, "unit_a")  # scored by unit_b
    sub_b = submitted(world, tong_ket, "unit_b")  # scored by the head unit
    client = client_for("unit_b")
    page = client.get(url("scoring:review", sub_a)).content.decode()
    assert "Chấm chéo" in page and 'data-testid="review-line"' in page
    assert "Trả lại đơn vị" not in page
    line = entry(sub_a, "I.2")
    response = client.post(
        url("scoring:review_line", sub_a, entry_id=line.pk), line_data(line, "9")
    )
    assert response.status_code == 302
    assert Review.objects.get(entry=line).reviewer_unit == world.unit_b
    assert client.get(url("scoring:review", sub_b)).status_code == 403  # its own sheet
    own_line = entry(sub_b, "I.2")
    response = client.post(
        url("scoring:review_line", sub_b, entry_id=own_line.pk), line_data(own_line, "1")
    )
    assert response.status_code == 403 and not Review.objects.filter(entry=own_line).exists()
    assert client_for("unit_a").get(url("scoring:review", sub_a)).status_code == 403


def test_review_setup_errors_next_to_the_fields_then_saved(world, client_for):
    page = reverse("scoring:review_setup", args=[world.bloc.pk, world.year])
    client = client_for("chair")
    data = {f"reviewer_{a}": b for a, b in _ring(world).items()}
    data[f"reviewer_{world.unit_b.pk}"] = ""
    response = client.post(page, {"mode": "cross", **data})
    html = response.content.decode()
    assert response.status_code == 200 and "Chọn đơn vị chấm chéo cho đơn vị này" in html
    data[f"reviewer_{world.unit_b.pk}"] = world.unit_b.pk  # itself
    html = client.post(page, {"mode": "cross", **data}).content.decode()
    assert "không tự chấm cho mình" in html
    assert not ReviewSetup.objects.exists() and not CrossAssignment.objects.exists()
    data = {f"reviewer_{a}": b for a, b in _ring(world).items()}
    assert client.post(page, {"mode": "cross", **data}).status_code == 302
    assert review_services.layers_for(world.bloc.pk, world.year) == ["cross", "head"]
    assert CrossAssignment.objects.count() == 4
    assert re.search(r'value="cross"[^>]*checked', client.get(page).content.decode())


def test_round_finalisation_lists_who_is_left_out_then_agrees_the_reviewed(
    world, client_for, tong_ket
):
    done = reviewed(world, submitted(world, tong_ket, "unit_a"))
    pending = submitted(world, tong_ket, "unit_b")
    page = reverse("scoring:review_round_finalize", args=[world.bloc.pk, world.year, tong_ket.pk])
    client = client_for("chair")
    html = client.get(page).content.decode()
    ready, rest = html.split('data-testid="ready"')[1].split('data-testid="not-reviewed"')
    assert (
        "Sở Tư pháp Thử" in ready and "Tòa án nhân dân tỉnh Thử" in rest.split("not-submitted")[0]
    )
    assert "Bộ Chỉ huy Quân sự tỉnh Thử" in rest.split("not-submitted")[1]
    response = client.post(page, {"note": "Hội nghị tổng kết 20/12"}, follow=True)
    assert "Đã chốt kết quả 1 bảng điểm" in response.content.decode()
    assert "Tòa án nhân dân tỉnh Thử" in response.content.decode()
    assert Submission.objects.get(pk=done.pk).status == S.FINAL
    assert Submission.objects.get(pk=pending.pk).status == S.SUBMITTED


def test_review_pages_of_another_bloc_year_are_404(world, client_for, tong_ket):
    sub = submitted(world, tong_ket)
    other = reverse("scoring:review", args=[world.bloc.pk, world.year + 1, sub.pk])
    assert client_for("admin").get(other).status_code == 404
    rnd = reverse("scoring:review_round_finalize", args=[world.bloc.pk, world.year, 999999])
    assert client_for("chair").get(rnd).status_code == 404


def _widen(sub, n):
    """Add `n` graded lines (with the unit's score and a head's review) to `sub`'s sheet."""
    from scoring.models import Criterion, Entry

    group = Criterion.objects.filter(template=sub.template, kind="group").first()
    made = Criterion.objects.bulk_create(
        Criterion(
            template=sub.template,
            parent=group,
            order=1000 + i,
            code=f"X{i}",
            content=f"Tiêu chí bổ sung {i}",
            kind="graded",
            max_points=1,
        )
        for i in range(n)
    )
    entries = Entry.objects.bulk_create(
        Entry(submission=sub, criterion=c, self_score=1, explanation="Có") for c in made
    )
    Review.objects.bulk_create(Review(entry=e, layer="head", score=1) for e in entries)


def test_review_page_query_count_does_not_grow_with_criteria(world, client, tong_ket):
    sub = submitted(world, tong_ket)
    client.force_login(world.users["chair"])
    page = url("scoring:review", sub)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page).status_code == 200
    _widen(sub, 190)
    with CaptureQueriesContext(connection) as large:
        html = client.get(page).content.decode()
    assert html.count('data-testid="review-line"') == sub.entries.count() > 190
    assert len(large) == len(small) <= 18


def _statements(queries) -> int:
    """The statements production runs (the test's wrapping transaction adds the savepoints)."""
    return sum("SAVEPOINT" not in q["sql"] for q in queries)


def test_the_review_saves_cost_at_most_ten_statements(world, client_for, tong_ket):
    """A reviewed line (and an unchanged one), the layers, finalising and reopening, each with
    the data it writes (the permission matrix's sheet is refused at finalise and reopen)."""
    sub = submitted(world, tong_ket)
    line = entry(sub, "I.2")
    chair = client_for("chair")
    counts = {}
    posts = [
        ("line", url("scoring:review_line", sub, entry_id=line.pk), line_data(line, "12")),
        ("same line", url("scoring:review_line", sub, entry_id=line.pk), line_data(line, "12")),
        ("deputy done", url("scoring:review_layer_done", sub), {}),
        ("head done", url("scoring:review_layer_done", sub), {}),
        ("finalize", url("scoring:review_finalize", sub), {"note": "Hội nghị"}),
        ("reopen", url("scoring:review_reopen", sub), {"reason": "Sai số liệu"}),
    ]
    for name, address, data in posts:
        with CaptureQueriesContext(connection) as queries:
            assert chair.post(address, data).status_code == 302, name
        counts[name] = _statements(queries)
    sub.refresh_from_db()
    assert sub.status == S.IN_REVIEW and sub.final_total is None
    assert Review.objects.get(entry=line).score == Decimal("12")
    assert all(n <= 10 for n in counts.values()), counts
