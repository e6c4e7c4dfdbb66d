"""Reports and sheets in the bloc-year file: review setup, submissions, lines, reviews and files
(as references with checksums) with the audit trail pointing at them; the import treats the file
as hostile (the byte-identical round trip is in test_exchange.py)."""

from __future__ import annotations

import json

import pytest

from blocs.exchange import ExchangeError, dumps, export_bloc_year, import_bloc_year, loads
from blocs.models import Bloc
from scoring.models import Attachment, Submission
from tests.factories import wipe_bloc_rows
from tests.scoring.conftest import add_sheets

A = "bao_cao_tong_ket @ Sở Tư pháp Thử"


@pytest.fixture
def year_with_sheets(world, template):
    add_sheets(world)
    return world


def sub_of(data, key=A):
    return next(s for s in data["submissions"] if f"{s['round']} @ {s['unit']}" == key)


def line_of(sub, path="v1:I/2"):
    return next(e for e in sub["entries"] if e["criterion"] == path)


def test_the_file_carries_setup_submissions_lines_reviews_and_file_references(year_with_sheets):
    data = export_bloc_year(year_with_sheets.bloc, year_with_sheets.year)
    assert data["review_setup"]["mode"] == "cross"
    assert {"reviewer": "Tòa án nhân dân tỉnh Thử", "reviewed": "Sở Tư pháp Thử"} in data[
        "review_setup"
    ]["assignments"]
    a = sub_of(data)
    assert (a["status"], a["late"], a["template"]) == ("final", True, "v1")
    assert a["final_total"] is not None and a["finalized_by"] == "chair"
    line = line_of(a)
    assert [(r["layer"], r["score"], r["reviewer"]) for r in line["reviews"]] == [
        ("cross", "10.00", "unit_b"),
        ("head", "12.00", "chair"),
    ]
    assert line["final_score"] == "12.00"
    evidence = a["files"][0]
    assert evidence["purpose"] == "evidence" and evidence["criterion"] == "v1:I/1"
    assert len(evidence["sha256"]) == 64 and evidence["path"].startswith("submissions/")
    assert set(evidence) == {
        "purpose", "criterion", "name", "content_type", "size", "sha256", "path",
        "uploaded_by", "uploaded_at",
    }  # fmt: skip
    returned = sub_of(data, "bao_cao_tong_ket @ Tòa án nhân dân tỉnh Thử")
    assert returned["returned_reason"] == "Thiếu giải trình mục II"


def test_audit_events_of_sheets_point_at_submissions_and_lines(year_with_sheets):
    data = export_bloc_year(year_with_sheets.bloc, year_with_sheets.year)
    reviews = [e for e in data["audit"] if e["action"] == "sheet.review"]
    assert reviews and all(e["object"] == A for e in reviews)
    assert {e["data"]["line"] for e in reviews} == {f"{A} @ v1:I/2"}
    assert any(e["action"] == "submission.return" and e["data"]["reason"] for e in data["audit"])
    setup = next(e for e in data["audit"] if e["action"] == "review.setup")
    assert setup["object"] == "2026"


def test_after_the_import_the_sheets_are_whole_and_the_files_are_linked(year_with_sheets):
    first = export_bloc_year(year_with_sheets.bloc, year_with_sheets.year)
    a_total = Submission.objects.get(unit__name="Sở Tư pháp Thử", round__key="bao_cao_tong_ket")
    wipe_bloc_rows()
    result = import_bloc_year(data=loads(dumps(first)))
    assert result.created["báo cáo của đơn vị"] == 4
    sub = Submission.objects.get(unit__name="Sở Tư pháp Thử", round__key="bao_cao_tong_ket")
    assert (sub.status, sub.final_total) == ("final", a_total.final_total)
    att = Attachment.objects.filter(submission=sub).first()
    with att.file.open("rb") as fh:
        assert fh.read().startswith(b"%PDF")


def test_a_file_whose_bytes_were_not_copied_is_kept_as_a_reference(year_with_sheets):
    data = json.loads(dumps(export_bloc_year(year_with_sheets.bloc, year_with_sheets.year)))
    sub_of(data)["files"][0]["path"] = "submissions/2026/khong-co.pdf"
    wipe_bloc_rows()
    import_bloc_year(data=data)
    att = Attachment.objects.get(file="submissions/2026/khong-co.pdf")
    assert not att.file.storage.exists(att.file.name) and len(att.sha256) == 64


def _sub(change):
    return lambda d: change(sub_of(d))


def _line(change):
    return lambda d: change(line_of(sub_of(d)))


BAD = [
    ("an unknown key", _sub(lambda s: s.update(id=5)), "“id” không có trong định dạng"),
    ("a score above the line's maximum", _line(lambda e: e.update(self_score="99")), "từ 0 đến 15"),
    ("a negative value", _line(lambda e: e.update(value="-2")), "số âm"),
    ("Đạt on a graded line", _line(lambda e: e.update(passed=True)), "đạt/không đạt mới"),
    (
        "a review off the step",
        _line(lambda e: e["reviews"][0].update(score="10.25")),
        "bước 0,5",
    ),
    ("totals that do not add up", _sub(lambda s: s.update(self_total="1.00")), "không khớp"),
    ("a status that does not exist", _sub(lambda s: s.update(status="hacked")), "hacked"),
    ("a layer out of range", _sub(lambda s: s.update(layer=7)), "lớp thẩm định"),
    ("an unknown round", _sub(lambda s: s.update(round="bao_cao_khac")), "không có kỳ báo cáo"),
    (
        "a criterion outside the template",
        _line(lambda e: e.update(criterion="v1:IX/9")),
        "không phải tiêu chí chấm",
    ),
    (
        "a path out of the private folder",
        _sub(lambda s: s["files"][0].update(path="../../etc/passwd")),
        "đường dẫn lưu trữ",
    ),
    (
        "a stored file with another checksum",
        _sub(lambda s: s["files"][0].update(sha256="0" * 64)),
        "khác mã băm",
    ),
    ("a size that is not a number", _sub(lambda s: s["files"][0].update(size="1 MB")), "số nguyên"),
    (
        "cross-scoring oneself",
        lambda d: d["review_setup"]["assignments"][0].update(
            reviewer=d["review_setup"]["assignments"][0]["reviewed"]
        ),
        "không tự chấm chéo",
    ),
]


@pytest.mark.parametrize("change, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_sheet_row_is_refused_and_nothing_is_saved(year_with_sheets, change, message):
    data = json.loads(dumps(export_bloc_year(year_with_sheets.bloc, year_with_sheets.year)))
    change(data)
    wipe_bloc_rows()
    with pytest.raises(ExchangeError, match=message):
        import_bloc_year(data=data)
    assert not Submission.objects.exists() and not Bloc.objects.exists()
