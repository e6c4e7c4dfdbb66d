"""A member unit's report pages: its rounds, the sheet saved line by line (htmx and plain
forms), bad input and stale lines shown next to the field with nothing saved, submit, what the
unit sees after review, files only through the gate, the history, and a sheet page whose query
count does not grow with the number of criteria."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs.models import AuditEvent
from scoring.models import Attachment, Entry, Submission
from scoring.services import reviews as review_services
from scoring.services import sheets as sheet_services
from scoring.services import templates as tpl_services
from scoring.services.templates import CriterionRow
from tests.scoring.conftest import fill_sheet, make_round, pdf_upload
from tests.scoring.test_sheet_services import entry as line
from tests.scoring.test_sheet_services import open_sheet

S = Submission.Status
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, sub, **kw):
    args = {"bloc_id": sub.round.bloc_id, "year": sub.round.year, "submission_id": sub.pk}
    return reverse(f"scoring:{name}", kwargs=args | kw)


def post_line(client, sub, entry, *, htmx=False, revision=None, **fields):
    prefix = f"l{entry.pk}"
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    data[f"{prefix}-revision"] = entry.revision if revision is None else revision
    extra = HTMX if htmx else {}
    return client.post(url("sheet_line", sub, entry_id=entry.pk), data, **extra)


# ---------------------------------------------------------------- the unit's rounds


def test_the_unit_sees_its_rounds_due_dates_and_states(world, client_for, template):
    today = dt.date.today()
    tong_ket = make_round(world, due=today + dt.timedelta(days=20))
    make_round(world, key="bao_cao_so_ket", sheet=False, due=today - dt.timedelta(days=3))
    client = client_for("unit_a")
    list_url = reverse("scoring:submission_list", args=[world.bloc.pk, world.year])
    page = client.get(list_url).content.decode()
    assert f"{tong_ket.due:%d/%m/%Y}" in page and "còn 20 ngày" in page
    assert page.count("Chưa bắt đầu") == 2
    assert "quá hạn 3 ngày" in page
    response = client.post(
        reverse("scoring:submission_open", args=[world.bloc.pk, world.year, tong_ket.pk])
    )
    sub = Submission.objects.get(round=tong_ket, unit=world.unit_a)
    assert response["Location"] == url("submission", sub)
    page = client.get(list_url).content.decode()
    assert "Đang soạn" in page and "Tiếp tục" in page


def test_a_unit_that_joined_after_the_period_is_not_due(world, client_for, so_ket):
    from blocs.models import Membership

    Membership.objects.filter(unit=world.unit_b).update(joined_on=dt.date(2026, 7, 1))
    client = client_for("unit_b")
    page = client.get(reverse("scoring:submission_list", args=[world.bloc.pk, world.year]))
    assert "Không phải nộp" in page.content.decode()
    response = client.post(
        reverse("scoring:submission_open", args=[world.bloc.pk, world.year, so_ket.pk])
    )
    assert response.status_code == 302
    assert not Submission.objects.filter(unit=world.unit_b).exists()


def test_a_moved_due_date_is_shown_old_to_new(world, client_for):
    from plans import services as plan_services
    from tests.factories import issue_plan
    from tests.plans.test_services import P1, P2
    from tests.scoring.test_rounds import SO_KET, issued

    chair = world.users["chair"]
    plan = issued(world, [SO_KET])
    amendment = plan_services.plan_amend(plan=plan, actor=chair)
    plan_services.plan_set_schedule(
        plan=amendment,
        actor=chair,
        phases=[P1, P2],
        milestones=[{**SO_KET, "due": dt.date(2026, 6, 30)}],
    )
    plan_services.plan_approve(plan=amendment, actor=chair)
    issue_plan(plan=amendment, actor=chair, issue_date=dt.date(2026, 3, 1))
    page = client_for("unit_a").get(
        reverse("scoring:submission_list", args=[world.bloc.pk, world.year])
    )
    assert "Hạn đã đổi từ 15/06/2026 sang 30/06/2026" in page.content.decode()


def test_the_home_page_shows_the_units_report_state_next_to_the_deadline(world, client_for):
    from tests.scoring.test_rounds import SO_KET, issued

    issued(world, [{**SO_KET, "due": dt.date.today() + dt.timedelta(days=5)}])
    client = client_for("unit_a")
    page = client.get(reverse("blocs:home")).content.decode()
    assert "Báo cáo của đơn vị: Chưa bắt đầu" in page


# ---------------------------------------------------------------- saving lines


def test_htmx_line_save_returns_the_line_and_the_totals_out_of_band(world, client_for, tong_ket):
    sub = open_sheet(world, tong_ket)
    entry = line(sub, "I.2")
    response = post_line(
        client_for("unit_a"), sub, entry, htmx=True, value="12,5", explanation="Đủ"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="line-{entry.pk}"' in html.split('id="sheet-totals"')[0]
    assert 'id="sheet-totals"' in html and 'hx-swap-oob="true"' in html
    assert 'data-testid="self-total">12,5<' in html
    assert 'data-testid="progress">1/' in html
    assert f'id="subtotal-{entry.criterion.parent_id}" hx-swap-oob="true"' in html
    assert "Đã lưu" in html
    saved = Entry.objects.get(pk=entry.pk)
    assert saved.self_score == Decimal("12.5") and saved.explanation == "Đủ"


def test_plain_form_line_save_redirects_to_the_line(world, client_for, tong_ket):
    sub = open_sheet(world, tong_ket)
    entry = line(sub, "II.1")
    client = client_for("unit_a")
    response = post_line(client, sub, entry, passed="1")
    assert response.status_code == 302
    assert response["Location"] == url("submission", sub) + f"#line-{entry.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'id="l{entry.pk}-passed-1" value="1" checked' in page
    assert Entry.objects.get(pk=entry.pk).self_score == Decimal("5")


def test_a_quantitative_line_shows_the_registered_target_and_scores_against_it(
    world, client_for, tong_ket
):
    from tests.scoring.conftest import register

    sub = open_sheet(world, tong_ket)
    entry = line(sub, "I.1")
    target = {
        "content": "Giải quyết 95 % vụ việc",
        "target_value": 95,
        "criterion": entry.criterion,
    }
    register(world, world.unit_a, submit=True, targets=[target])
    html = post_line(client_for("unit_a"), sub, entry, htmx=True, value="76").content.decode()
    assert "Chỉ tiêu đơn vị đã đăng ký: <strong>95</strong>" in html
    assert Entry.objects.get(pk=entry.pk).self_score == Decimal("32")  # 40 × 76/95


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize(
    ("path", "fields", "message"),
    [
        ("I.2", {"value": "16"}, "từ 0 đến 15"),
        ("I.2", {"value": "-1"}, "số âm"),
        ("I.2", {"value": "mười"}, "không phải là số"),
        ("I.2", {"value": "2,25"}, "bước 0,5"),
        ("II.1", {"value": "5"}, "không nhập số"),
        ("III.3", {"value": "1,5"}, "số nguyên"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    world, client_for, tong_ket, path, fields, message, htmx
):
    sub = open_sheet(world, tong_ket)
    entry = line(sub, path)
    response = post_line(client_for("unit_a"), sub, entry, htmx=htmx, explanation="x", **fields)
    assert response.status_code == 200
    html = response.content.decode()
    error = html.split('data-testid="value-error"')[1].split("</div>")[0]
    assert message in error
    assert fields["value"] in html  # what the unit typed stays in the box
    again = Entry.objects.get(pk=entry.pk)
    assert again.self_score is None and again.explanation == "" and again.revision == 0


def test_a_stale_line_shows_the_current_value_and_the_message(world, client_for, tong_ket):
    sub = open_sheet(world, tong_ket)
    entry = line(sub, "I.2")
    seen = entry.revision
    sheet_services.line_save(entry=entry, actor=world.users["unit_a"], value="10", revision=seen)
    response = post_line(client_for("unit_a"), sub, entry, htmx=True, revision=seen, value="14")
    html = response.content.decode()
    assert "vừa được người khác lưu" in html
    assert f'id="l{entry.pk}-value" value="10"' in html
    assert f'name="l{entry.pk}-revision" value="{seen + 1}"' in html
    assert Entry.objects.get(pk=entry.pk).self_score == Decimal("10")


# ---------------------------------------------------------------- submit, review, return


def test_submit_shows_what_is_missing_then_locks_the_sheet(world, client_for, tong_ket):
    sub = open_sheet(world, tong_ket)
    client = client_for("unit_a")
    page = client.get(url("submission", sub)).content.decode()
    assert "Chưa có nội dung báo cáo" in page and "Chưa chấm các tiêu chí" in page
    response = client.post(url("submission_submit", sub), {"revision": sub.revision})
    assert response.status_code == 302
    assert Submission.objects.get(pk=sub.pk).status == S.DRAFT
    assert "Chưa nộp được báo cáo" in client.get(response["Location"]).content.decode()
    sub = fill_sheet(sub, world.users["unit_a"])
    client.post(url("submission_submit", sub), {"revision": sub.revision})
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED and not sub.late
    page = client.get(url("submission", sub)).content.decode()
    assert 'data-testid="line-form"' not in page and "không sửa được" in page
    entry = sub.entries.first()
    for htmx in (False, True):  # refused, said next to the line
        page = post_line(client, sub, entry, htmx=htmx, value="1").content.decode()
        assert "Báo cáo đang ở trạng thái “Đã nộp”" in page.split('data-testid="line-error"')[1]
    assert Entry.objects.get(pk=entry.pk).revision == entry.revision


def test_a_submission_after_the_due_date_is_flagged_late(world, client_for, template):
    round = make_round(world, due=dt.date.today() - dt.timedelta(days=1))
    sub = fill_sheet(open_sheet(world, round), world.users["unit_a"])
    client = client_for("unit_a")
    page = client.get(url("submission", sub)).content.decode()
    assert f"Đã quá hạn nộp ({round.due:%d/%m/%Y})" in page
    client.post(url("submission_submit", sub), {"revision": sub.revision})
    page = client.get(url("submission", sub)).content.decode()
    assert 'data-testid="late"' in page and "trừ 1 điểm" in page


def test_the_unit_sees_the_returned_reason_and_the_reviewers_changes(world, client_for, tong_ket):
    unit, deputy, chair = (world.users[p] for p in ("unit_a", "deputy", "chair"))
    sub = fill_sheet(open_sheet(world, tong_ket), unit)
    sub = sheet_services.submission_submit(submission=sub, actor=unit)
    entry = line(sub, "I.2")
    review_services.review_line(entry=entry, actor=deputy, score="12", comment="Thiếu minh chứng")
    review_services.submission_return(submission=sub, actor=chair, reason="Bổ sung minh chứng I.2")
    page = client_for("unit_a").get(url("submission", sub)).content.decode()
    assert "Bổ sung minh chứng I.2" in page.split('data-testid="returned-reason"')[1][:300]
    reviews = page.split(f'id="line-{entry.pk}"')[1].split('data-testid="line-reviews"')[1][:400]
    assert "Phó khối kiểm tra: <strong>12</strong>" in reviews
    assert "đơn vị tự chấm 15" in reviews and "Thiếu minh chứng" in reviews
    assert 'data-testid="line-form"' in page  # returned: the unit corrects


def test_a_final_sheet_cannot_be_changed_or_submitted_again(world, client_for, tong_ket):
    unit, deputy, chair = (world.users[p] for p in ("unit_a", "deputy", "chair"))
    sub = fill_sheet(open_sheet(world, tong_ket), unit)
    sub = sheet_services.submission_submit(submission=sub, actor=unit)
    sub = review_services.layer_done(submission=sub, actor=deputy)
    sub = review_services.layer_done(submission=sub, actor=chair)
    sub = review_services.submission_finalize(submission=sub, actor=chair)
    client = client_for("unit_a")
    response = client.post(url("submission_submit", sub), {"revision": sub.revision})
    assert "đã được chốt" in client.get(response["Location"]).content.decode()
    html = post_line(client, sub, line(sub, "I.2"), htmx=True, value="1").content.decode()
    assert "đã được chốt" in html
    page = client.get(url("submission", sub)).content.decode()
    assert 'data-testid="final-total"' in page and 'data-testid="submit"' not in page
    assert Submission.objects.get(pk=sub.pk).status == S.FINAL


def test_another_unit_cannot_read_or_write_the_sheet(world, client_for, tong_ket):
    sub = open_sheet(world, tong_ket)
    entry = sub.entries.first()
    client = client_for("unit_b")
    assert client.get(url("submission", sub)).status_code == 403
    assert post_line(client, sub, entry, value="1").status_code == 403
    assert client.post(url("submission_submit", sub)).status_code == 403
    assert Entry.objects.get(pk=entry.pk).revision == 0
    chair_page = client_for("chair").get(url("submission", sub)).content.decode()
    assert "chỉ xem" in chair_page and 'data-testid="line-form"' not in chair_page


def test_a_line_of_another_submission_is_404(world, client_for, tong_ket):
    mine = open_sheet(world, tong_ket)
    theirs = open_sheet(world, tong_ket, unit="unit_b")
    response = post_line(client_for("unit_a"), mine, theirs.entries.first(), value="1")
    assert response.status_code == 404


# ---------------------------------------------------------------- report text and files


def test_report_text_saves_and_a_stale_save_keeps_both_texts(world, client_for, so_ket):
    sub = open_sheet(world, so_ket)
    client = client_for("unit_a")
    response = client.post(
        url("submission_report", sub), {"body": "Kết quả 6 tháng", "revision": 0}
    )
    assert response.status_code == 302
    response = client.post(url("submission_report", sub), {"body": "Bản của tôi", "revision": 0})
    html = response.content.decode()
    assert "vừa được người khác thay đổi" in html
    assert "Kết quả 6 tháng" in html.split('data-testid="current-body"')[1][:500]
    assert "Bản của tôi</textarea>" in html
    assert Submission.objects.get(pk=sub.pk).body == "Kết quả 6 tháng"


def test_evidence_is_uploaded_to_its_line_and_removed(world, client_for, tong_ket):
    sub = open_sheet(world, tong_ket)
    entry = line(sub, "I.1")
    client = client_for("unit_a")
    data = {"purpose": "evidence", "entry": entry.pk, "file": pdf_upload("minh-chung.pdf")}
    response = client.post(url("submission_file_add", sub), data)
    assert response["Location"].endswith(f"#line-{entry.pk}")
    att = Attachment.objects.get(submission=sub)
    assert att.entry_id == entry.pk and att.purpose == "evidence"
    page = client.get(url("submission", sub)).content.decode()
    assert "minh-chung.pdf" in page.split(f'id="line-{entry.pk}"')[1][:4000]
    client.post(url("submission_file_remove", sub, file_id=att.pk))
    assert not Attachment.objects.filter(pk=att.pk).exists()


def test_a_file_over_the_limit_is_refused_with_a_clear_message(world, client_for, so_ket, settings):
    settings.SUBMISSION_FILE_MAX_BYTES = 1024  # stands for the 20 MB limit against a 200 MB file
    sub = open_sheet(world, so_ket)
    big = pdf_upload("bao-cao-lon.pdf", b"%PDF-1.4\n" + b"0" * 4096)
    response = client_for("unit_a").post(
        url("submission_file_add", sub), {"purpose": "report", "file": big}
    )
    assert response.status_code == 200
    error = response.content.decode().split('data-testid="file-error"')[1][:300]
    assert "vượt dung lượng cho phép" in error and "bao-cao-lon.pdf" in error
    assert not Attachment.objects.exists()


def test_a_file_just_under_the_limit_is_accepted(world, client_for, so_ket, settings):
    settings.SUBMISSION_FILE_MAX_BYTES = 1024
    sub = open_sheet(world, so_ket)
    fits = pdf_upload("vua-du.pdf", b"%PDF-1.4\n" + b"0" * 1000)
    response = client_for("unit_a").post(
        url("submission_file_add", sub), {"purpose": "attachment", "file": fits}
    )
    assert response.status_code == 302
    assert Attachment.objects.get(submission=sub).size == 1009


def test_the_upload_view_still_checks_the_csrf_token(world, so_ket):
    from django.test import Client

    sub = open_sheet(world, so_ket)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["unit_a"])
    response = client.post(
        url("submission_file_add", sub), {"purpose": "report", "file": pdf_upload()}
    )
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_an_executable_renamed_pdf_is_refused(world, client_for, so_ket):
    sub = open_sheet(world, so_ket)
    exe = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = client_for("unit_a").post(
        url("submission_file_add", sub), {"purpose": "attachment", "file": exe}
    )
    error = response.content.decode().split('data-testid="file-error"')[1][:300]
    assert "không phải là tệp PDF hợp lệ" in error
    assert not Attachment.objects.exists()


def test_files_download_only_through_the_gate(world, client_for, tong_ket):
    sub = open_sheet(world, tong_ket)
    entry = line(sub, "I.1")
    att = sheet_services.file_add(
        submission=sub,
        actor=world.users["unit_a"],
        upload=pdf_upload("mc.pdf"),
        purpose="evidence",
        entry=entry,
    )
    file_url = url("submission_file", sub, file_id=att.pk)
    response = client_for("unit_a").get(file_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for persona in ("chair", "deputy", "reviewer", "admin"):
        assert client_for(persona).get(file_url).status_code == 200, persona
    assert client_for("unit_b").get(file_url).status_code == 403
    assert client_for("outsider").get(file_url).status_code == 404


def test_the_cross_scoring_unit_assigned_reads_the_evidence(world, client_for, tong_ket):
    sub = open_sheet(world, tong_ket)
    att = sheet_services.file_add(
        submission=sub, actor=world.users["unit_a"], upload=pdf_upload(), purpose="attachment"
    )
    units = (world.head, world.deputy_unit, world.unit_a, world.unit_b)
    ring = {u.pk: units[(i + 1) % 4].pk for i, u in enumerate(units)}  # unit_b reviews unit_a
    review_services.review_setup_save(
        bloc=world.bloc, year=world.year, actor=world.users["chair"], mode="cross", assignments=ring
    )
    file_url = url("submission_file", sub, file_id=att.pk)
    assert client_for("unit_b").get(file_url).status_code == 200
    assert client_for("unit_b").get(url("submission", sub)).status_code == 200


# ---------------------------------------------------------------- history


def test_history_lists_every_change_in_vietnamese(world, client_for, tong_ket):
    unit = world.users["unit_a"]
    sub = open_sheet(world, tong_ket)
    sheet_services.line_save(entry=line(sub, "I.2"), actor=unit, value="10")
    sheet_services.line_save(entry=line(sub, "I.2"), actor=unit, value="12")
    page = client_for("chair").get(url("submission_history", sub)).content.decode()
    assert "Mở báo cáo" in page and "Tự chấm" in page and "Tiêu chí I.2" in page
    assert 'Điểm tự chấm: <span class="text-muted">10</span> → <strong>12</strong>' in page
    assert "Lê Văn A" in page
    assert client_for("unit_b").get(url("submission_history", sub)).status_code == 403


# ---------------------------------------------------------------- query counts


def _template_of(world, leaves: int):
    """A template of `leaves` leaves in groups of ten (graded, pass/fail, counted lines)."""
    kinds = ["graded", "pass_fail", "per_occurrence", "graded", "quantitative"]
    rows = []
    for g in range(leaves // 10):
        group = len(rows)
        rows.append(
            CriterionRow(code=f"G{g}", content=f"Nhóm {g}", kind="group", max_points=Decimal(10))
        )
        for i in range(10):
            kind = kinds[i % len(kinds)]
            rows.append(
                CriterionRow(
                    code=str(i + 1),
                    content=f"Tiêu chí {g}.{i}",
                    kind=kind,
                    max_points=Decimal(1),
                    points_per=Decimal(1) if kind == "per_occurrence" else None,
                    formula="ratio" if kind == "quantitative" else "",
                    evidence_required=i == 0,
                    parent_index=group,
                )
            )
    settings = {"max_total": Decimal(leaves)}
    return tpl_services.template_import(
        bloc=world.bloc, year=world.year, actor=None, rows=rows, settings=settings
    )


def _page_queries(client, sub) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("submission", sub))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _sheet_of_size(world, leaves: int):
    """unit_a's sheet on a template of `leaves` leaves: graded lines entered, two evidence files."""
    _template_of(world, leaves)
    sub = open_sheet(world, make_round(world, key=f"bao_cao_{leaves}"))
    sub.entries.filter(criterion__kind="graded").update(value=1, self_score=1)
    for entry in sub.entries.filter(criterion__evidence_required=True)[:2]:
        sheet_services.file_add(
            submission=sub,
            actor=world.users["unit_a"],
            upload=pdf_upload(),
            purpose="evidence",
            entry=entry,
        )
    return sub


def test_the_sheet_page_costs_the_same_queries_at_10_and_200_criteria(world, client_for):
    personas = ("unit_a", "chair")
    small = _sheet_of_size(world, 10)
    counts = {p: _page_queries(client_for(p), small) for p in personas}
    small.delete()  # the template's tree is replaced next: no sheet may use it
    large = _sheet_of_size(world, 200)
    assert large.entries.count() == 200
    assert {p: _page_queries(client_for(p), large) for p in personas} == counts


# The htmx line save (issue: the deadline-day POST mix): the session, the user and the gate (3),
# then in the save's transaction the submission locked, the sheet read once (criteria with their
# lines, the saved one among them; reviews), the line's UPDATE, the audit row and the totals'
# UPDATE, then the files for the answer: 10 in production, and the test's savepoint adds two.
# An unchanged line writes nothing.
LINE_SAVE_QUERIES = 12
UNCHANGED_LINE_SAVE_QUERIES = 9


def _line_save_queries(client, sub, value) -> tuple[int, str]:
    entry = sub.entries.select_related("criterion").filter(criterion__kind="graded").first()
    with CaptureQueriesContext(connection) as ctx:
        response = post_line(client, sub, entry, htmx=True, value=value, explanation="Đủ")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_a_line_save_costs_the_same_queries_at_10_and_60_lines(world, client_for):
    client = client_for("unit_a")
    counts = []
    for leaves in (10, 60):
        sub = _sheet_of_size(world, leaves)
        assert sub.entries.count() == leaves
        changed, html = _line_save_queries(client, sub, "0,5")
        assert 'data-testid="line-saved"' in html
        # only the subtotal of the line's group is sent (the others cannot have moved)
        assert html.count('data-testid="subtotal"') == 1
        events, revision = AuditEvent.objects.count(), sub.entries.aggregate(Sum("revision"))
        unchanged, _html = _line_save_queries(client, sub, "0,50")
        assert AuditEvent.objects.count() == events  # nothing written, nothing audited
        assert sub.entries.aggregate(Sum("revision")) == revision
        counts.append((changed, unchanged))
        sub.delete()  # the template's tree is replaced next: no sheet may use it
    assert counts[0] == counts[1], counts
    assert counts[0][0] <= LINE_SAVE_QUERIES and counts[0][1] <= UNCHANGED_LINE_SAVE_QUERIES, counts


def test_a_sheet_saved_from_excel_costs_the_same_queries_at_10_and_60_lines(world):
    """lines_save (the sheet filled in Excel): one UPDATE for the lines that changed the same
    fields and one INSERT of their audit rows (it was two statements a changed line), every
    changed line audited, the totals following."""
    counts = []
    for leaves in (10, 60):
        sub = _sheet_of_size(world, leaves)
        graded = list(sub.entries.select_related("criterion").filter(criterion__kind="graded"))
        lines = [
            sheet_services.LineInput(
                entry_id=e.pk, value="0,5", explanation=f"Giải trình {e.pk}" if i % 2 else "",
                revision=e.revision,
            )
            for i, e in enumerate(graded)
        ]  # fmt: skip
        events = AuditEvent.objects.filter(action="sheet.line").count()
        with CaptureQueriesContext(connection) as ctx:
            changed = sheet_services.lines_save(
                submission=sub, actor=world.users["unit_a"], lines=lines, source="excel"
            )
        counts.append(len(ctx.captured_queries))
        assert [e.pk for e in changed] == [e.pk for e in graded]
        assert AuditEvent.objects.filter(action="sheet.line").count() == events + len(graded)
        stored = {e.pk: e for e in sub.entries.all()}
        assert all(stored[e.pk].value == Decimal("0.5") for e in graded)
        assert stored[graded[1].pk].explanation == f"Giải trình {graded[1].pk}"
        assert stored[graded[0].pk].revision == graded[0].revision + 1
        sub.refresh_from_db()
        assert sub.self_total == sum(Decimal("0.5") for _ in graded)
        sub.delete()  # the template's tree is replaced next: no sheet may use it
    assert counts[0] == counts[1], counts
