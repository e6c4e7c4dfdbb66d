"""The sheet's life through the services: open, save lines (scores computed from inputs), submit
(late flag and penalty), review by layers, return and resubmit, finalise, reopen; bad input and
stale saves refused with nothing half-saved; every change audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from blocs.models import AuditEvent
from scoring import sheets
from scoring.models import Attachment, Criterion, Entry, Submission
from scoring.services import reviews as review_services
from scoring.services import sheets as sheet_services
from tests.scoring.conftest import fill_sheet, pdf_upload

S = Submission.Status
BEFORE_DUE = dt.datetime(2026, 12, 14, 9, 0, tzinfo=dt.UTC)
AFTER_DUE = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)


def open_sheet(world, round, unit="unit_a"):
    user = world.users[unit]
    return sheet_services.submission_open(round=round, unit=user.unit, actor=user)


def entry(sub, code_path):
    """The line of `sub` whose criterion is `code_path` ("I.2": group I, criterion 2)."""
    parent, code = code_path.split(".")
    return sub.entries.select_related("criterion").get(
        criterion__code=code, criterion__parent__code=parent
    )


def submitted(world, round, unit="unit_a", now=BEFORE_DUE):
    sub = fill_sheet(open_sheet(world, round, unit), world.users[unit])
    return sheet_services.submission_submit(submission=sub, actor=world.users[unit], now=now)


def test_opening_makes_one_line_per_leaf_of_the_template(world, tong_ket, template):
    sub = open_sheet(world, tong_ket)
    leaves = Criterion.objects.filter(template=template).exclude(kind="group").count()
    assert sub.template == template and sub.status == S.DRAFT
    assert sub.entries.count() == leaves
    again = open_sheet(world, tong_ket)
    assert again.pk == sub.pk and sub.entries.count() == leaves


def test_a_unit_not_due_in_the_round_cannot_open_it(world, tong_ket):
    outsider = world.users["outsider"]
    with pytest.raises(ValidationError, match="không phải nộp"):
        sheet_services.submission_open(round=tong_ket, unit=outsider.unit, actor=outsider)


def test_lines_compute_their_points_and_the_totals_follow(world, tong_ket):
    sub = open_sheet(world, tong_ket)
    actor = world.users["unit_a"]
    graded = entry(sub, "I.2")
    sheet_services.line_save(entry=graded, actor=actor, value="12,5")
    passfail = entry(sub, "II.1")
    sheet_services.line_save(entry=passfail, actor=actor, passed=True)
    count = entry(sub, "III.3")
    sheet_services.line_save(entry=count, actor=actor, value="9")  # 1 point each, capped at 5
    sub.refresh_from_db()
    assert Entry.objects.get(pk=graded.pk).self_score == Decimal("12.5")
    assert Entry.objects.get(pk=passfail.pk).self_score == Decimal("5")
    assert Entry.objects.get(pk=count.pk).self_score == Decimal("5")
    assert sub.self_total == Decimal("22.5")


@pytest.mark.parametrize(
    ("path", "value", "passed", "message"),
    [
        ("I.2", "16", None, "từ 0 đến 15"),
        ("I.2", "-1", None, "số âm"),
        ("I.2", "mười", None, "không phải là số"),
        ("I.2", "2,25", None, "bước 0,5"),
        ("II.1", "5", None, "không nhập số"),
        ("I.2", None, True, "Chỉ tiêu chí đạt/không đạt"),
        ("III.3", "1,5", None, "số nguyên"),
    ],
)
def test_bad_line_input_is_refused_and_nothing_changes(
    world, tong_ket, path, value, passed, message
):
    sub = open_sheet(world, tong_ket)
    line = entry(sub, path)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=message):
        sheet_services.line_save(
            entry=line, actor=world.users["unit_a"], value=value, passed=passed
        )
    line.refresh_from_db()
    assert line.value is None and line.passed is None and line.revision == 0
    assert AuditEvent.objects.count() == events


def test_a_stale_line_save_is_refused_with_the_current_value(world, tong_ket):
    sub = open_sheet(world, tong_ket)
    line = entry(sub, "I.2")
    sheet_services.line_save(entry=line, actor=world.users["unit_a"], value="10", revision=0)
    with pytest.raises(sheet_services.StaleSheetError) as exc:
        sheet_services.line_save(entry=line, actor=world.users["unit_a"], value="7", revision=0)
    assert exc.value.current.value == Decimal("10")
    assert Entry.objects.get(pk=line.pk).self_score == Decimal("10")


def test_an_unchanged_line_save_records_nothing(world, tong_ket):
    sub = open_sheet(world, tong_ket)
    line = entry(sub, "I.2")
    sheet_services.line_save(entry=line, actor=world.users["unit_a"], value="10")
    events = AuditEvent.objects.count()
    saved = sheet_services.line_save(entry=line, actor=world.users["unit_a"], value="10,0")
    assert saved.revision == 1 and AuditEvent.objects.count() == events


def test_a_saved_returned_line_stores_totals_equal_to_its_lines_and_reviews(world, tong_ket):
    """The line save computes the totals from the sheet it read in the lock (one joined read):
    they equal the reference three-query read, reviews included, and the sheet is a draft."""
    sub = submitted(world, tong_ket)
    chair, unit = world.users["chair"], world.users["unit_a"]
    line = entry(sub, "I.2")
    review_services.review_line(entry=line, actor=world.users["deputy"], score="12")
    review_services.submission_return(submission=sub, actor=chair, reason="Bổ sung")
    Entry.objects.filter(pk=entry(sub, "I.3").pk).update(value=None, self_score=None)  # a gap
    saved = sheet_services.sheet_line_save(
        submission_id=sub.pk, entry_id=line.pk, actor=unit, value="9", explanation="Sửa"
    )
    stored = Submission.objects.get(pk=sub.pk)
    criteria, entries, reviews = sheets.load(stored)
    joined = sheets.load_joined(stored)
    assert joined == (criteria, entries, reviews)  # the same rows in the same order (by pk)

    def columns(lines):
        return [[getattr(e, name) for name in sheets.ENTRY_COLUMNS] for e in lines]

    assert columns(joined[1]) == columns(entries) == columns(saved.entries)
    assert [e.criterion for e in saved.entries] == [e.criterion for e in entries]
    expected = sheets.compute(stored, criteria, entries, reviews)
    assert stored.status == S.DRAFT and saved.scores == expected
    assert stored.self_total == expected.self.total.total == saved.submission.self_total
    assert stored.reviewed_total == expected.reviewed.total.total
    assert saved.changes and stored.reviewed_total != stored.self_total


def test_submit_needs_every_line_and_the_required_evidence(world, tong_ket):
    sub = open_sheet(world, tong_ket)
    with pytest.raises(ValidationError) as exc:
        sheet_services.submission_submit(submission=sub, actor=world.users["unit_a"])
    text = " ".join(exc.value.messages)
    assert "Chưa có nội dung báo cáo" in text and "Chưa chấm các tiêu chí" in text
    fill_sheet(sub, world.users["unit_a"], evidence=False)
    with pytest.raises(ValidationError, match="Thiếu minh chứng bắt buộc ở các tiêu chí: 1"):
        sheet_services.submission_submit(submission=sub, actor=world.users["unit_a"])
    assert Submission.objects.get(pk=sub.pk).status == S.DRAFT


def test_submit_locks_the_sheet(world, tong_ket):
    sub = submitted(world, tong_ket)
    assert sub.status == S.SUBMITTED and not sub.late and sub.late_penalty == 0
    with pytest.raises(ValidationError, match="không sửa được"):
        sheet_services.line_save(entry=entry(sub, "I.2"), actor=world.users["unit_a"], value="1")


def test_a_late_submission_is_accepted_flagged_and_penalised(world, tong_ket, template):
    template.late_penalty = Decimal("1")
    template.save(update_fields=["late_penalty"])
    on_time = submitted(world, tong_ket, "unit_b")
    late = submitted(world, tong_ket, "unit_a", now=AFTER_DUE)
    assert late.late and late.late_penalty == Decimal("1")
    assert late.self_total == on_time.self_total - 1


def test_files_are_checked_by_content_and_size(world, tong_ket, settings):
    sub = open_sheet(world, tong_ket)
    actor = world.users["unit_a"]
    exe = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00" + b"\0" * 100)
    with pytest.raises(ValidationError, match="không phải là tệp PDF hợp lệ"):
        sheet_services.file_add(submission=sub, actor=actor, upload=exe, purpose="report")
    settings.SUBMISSION_FILE_MAX_BYTES = 1024
    big = pdf_upload(body=b"%PDF-1.4\n" + b"0" * 4096)
    with pytest.raises(ValidationError, match="vượt dung lượng"):
        sheet_services.file_add(submission=sub, actor=actor, upload=big, purpose="report")
    assert not Attachment.objects.exists()
    settings.SUBMISSION_FILE_MAX_BYTES = 20 * 1024 * 1024
    att = sheet_services.file_add(
        submission=sub, actor=actor, upload=pdf_upload(), purpose="report"
    )
    assert att.sha256 and len(att.sha256) == 64 and att.content_type == "application/pdf"
    assert str(settings.PRIVATE_FILES_ROOT) in att.file.path


def test_review_layers_return_resubmit_finalise_and_reopen(world, tong_ket):
    sub = submitted(world, tong_ket)
    deputy, chair, unit = world.users["deputy"], world.users["chair"], world.users["unit_a"]
    line = entry(sub, "I.2")  # self 15
    with pytest.raises(PermissionDenied):
        review_services.review_line(entry=line, actor=world.users["unit_b"], score="10")
    review_services.review_line(entry=line, actor=deputy, score="12", comment="Thiếu minh chứng")
    sub = review_services.layer_done(submission=sub, actor=deputy)
    assert sub.status == S.IN_REVIEW and review_services.current_layer(sub) == "head"
    with pytest.raises(PermissionDenied):
        review_services.review_line(entry=line, actor=deputy, score="11")
    sub = review_services.submission_return(
        submission=sub, actor=chair, reason="Bổ sung minh chứng"
    )
    assert sub.status == S.RETURNED
    sheet_services.line_save(entry=line, actor=unit, value="14", explanation="Đã bổ sung")
    sub = sheet_services.submission_submit(submission=sub, actor=unit, now=AFTER_DUE)
    assert not sub.late  # lateness is judged on the first submission
    review_services.review_line(entry=line, actor=deputy, score="13")
    review_services.layer_done(submission=sub, actor=deputy)
    review_services.review_line(entry=line, actor=chair, score="13,5", comment="Thống nhất")
    sub = review_services.layer_done(submission=sub, actor=chair)
    assert sub.status == S.REVIEWED
    assert sub.reviewed_total == sub.self_total - Decimal("0.5")
    sub = review_services.submission_finalize(submission=sub, actor=chair, note="Hội nghị tổng kết")
    assert sub.status == S.FINAL and sub.final_total == sub.reviewed_total
    assert Entry.objects.get(pk=line.pk).final_score == Decimal("13.5")
    with pytest.raises(ValidationError):
        review_services.review_line(entry=line, actor=chair, score="10")
    with pytest.raises(ValidationError, match="lý do"):
        review_services.submission_reopen(submission=sub, actor=chair, reason=" ")
    sub = review_services.submission_reopen(submission=sub, actor=chair, reason="Sai số liệu")
    assert sub.status == S.IN_REVIEW and sub.final_total is None
    actions = list(
        AuditEvent.objects.filter(object_id=str(sub.pk), object_type="scoring.submission")
        .order_by("id")
        .values_list("action", flat=True)
    )
    for action in (
        "submission.submit",
        "sheet.review",
        "submission.return",
        "submission.finalize",
        "submission.reopen",
    ):
        assert action in actions


def test_cross_scoring_by_assignment(world, tong_ket):
    from scoring.services.reviews import review_setup_save

    w = world
    members = [w.head, w.deputy_unit, w.unit_a, w.unit_b]
    ring = {members[i].pk: members[(i + 1) % 4].pk for i in range(4)}
    review_setup_save(
        bloc=w.bloc, year=w.year, actor=w.users["chair"], mode="cross", assignments=ring
    )
    sub = submitted(world, tong_ket)  # unit_a is scored by unit_b
    line = entry(sub, "I.2")
    with pytest.raises(PermissionDenied):
        review_services.review_line(entry=line, actor=w.users["deputy"], score="10")
    review_services.review_line(entry=line, actor=w.users["unit_b"], score="10")
    assert review_services.layers_for(w.bloc.pk, w.year) == ["cross", "head"]


def test_reminders_skip_units_that_have_submitted(world, tong_ket):
    from scoring.reminders import due_reminders

    submitted(world, tong_ket, "unit_a")
    sheet_services.submission_open(round=tong_ket, unit=world.unit_b, actor=world.users["unit_b"])
    due = due_reminders(today=dt.date(2026, 12, 8))  # 7 days before 15/12
    units = {d.unit.pk for d in due if d.key == f"round:{tong_ket.pk}"}
    assert world.unit_a.pk not in units and world.unit_b.pk in units


def test_a_criterion_on_a_units_sheet_cannot_be_deleted(world, tong_ket):
    from scoring.services import templates as tpl_services

    sub = open_sheet(world, tong_ket)
    line = entry(sub, "I.2")
    with pytest.raises(ValidationError, match="không xóa được"):
        tpl_services.criterion_delete(criterion=line.criterion, actor=world.users["chair"])
    assert Entry.objects.filter(pk=line.pk).exists()


def test_a_group_over_a_units_lines_cannot_be_deleted(world, tong_ket, template):
    from scoring.services import templates as tpl_services

    open_sheet(world, tong_ket)
    group = Criterion.objects.get(template=template, code="I")
    with pytest.raises(ValidationError, match="không xóa được"):
        tpl_services.criterion_delete(criterion=group, actor=world.users["chair"])
    assert Criterion.objects.filter(pk=group.pk).exists()
