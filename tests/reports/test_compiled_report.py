"""The bloc's BÁO CÁO of a reporting round: compiled from the members' submissions (who came, on
time or late, who is missing, the sheet totals), the secretariat's assessment, addressed to the
provincial TĐKT body, signed by the term's head; issuing numbers it in the "BC" register and
freezes it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from blocs.exchange import dumps, export_bloc_year, import_bloc_year, loads
from blocs.models import AuditEvent, Bloc
from reports import services
from reports.compiled_documents import build_compiled_context
from reports.models import CompiledReport, IssuedDocument, RegisterEntry
from scoring import calc
from scoring.models import Submission
from scoring.services import sheets as sheet_services
from tests.factories import wipe_bloc_rows
from tests.reports.pdfread import A4, embedded_fonts, full_text, squash
from tests.scoring.conftest import fill_sheet, make_round, make_template

BEFORE_DUE = dt.datetime(2026, 12, 14, 9, 0, tzinfo=dt.UTC)
AFTER_DUE = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
ISSUE_DAY = dt.date(2026, 12, 22)


def submit(world, round, persona, now):
    user = world.users[persona]
    sub = sheet_services.submission_open(round=round, unit=user.unit, actor=user)
    sub = fill_sheet(sub, user)
    return sheet_services.submission_submit(submission=sub, actor=user, now=now)


@pytest.fixture
def year_end(world):
    """Tổng kết: unit_a on time, unit_b late, the deputy's unit still drafting, the head's unit
    never opened it."""
    make_template(world.bloc, world.year, world.users["chair"])
    round = make_round(world)
    on_time = submit(world, round, "unit_a", BEFORE_DUE)
    late = submit(world, round, "unit_b", AFTER_DUE)
    deputy = world.users["deputy"]
    sheet_services.submission_open(round=round, unit=deputy.unit, actor=deputy)
    return round, on_time, late


def save(world, round, body="Các đơn vị đã tích cực hưởng ứng phong trào thi đua."):
    return services.compiled_report_save(round=round, actor=world.users["chair"], body=body)


def issue(world, report, day=ISSUE_DAY):
    return services.issue_document(
        kind="bao_cao", subject=report, actor=world.users["chair"], issue_date=day
    )


def test_the_table_shows_who_came_on_time_or_late_and_who_is_missing(world, year_end):
    round, on_time, late = year_end
    ctx = build_compiled_context(CompiledReport(round=round))
    rows = {r["cells"][1]: r["cells"] for r in ctx.extra["table"]["rows"]}
    assert rows[world.unit_a.name][2:5] == [
        "14/12/2026\n(đúng hạn)",
        "Đã nộp",
        calc.fmt(on_time.self_total),
    ]
    assert rows[world.unit_b.name][2] == "20/12/2026\n(muộn hạn)"
    assert rows[world.deputy_unit.name][2] == "Chưa nộp"  # a draft has not come
    assert rows[world.head.name][2] == "Chưa nộp"
    assert sorted(ctx.extra["missing"]) == sorted([world.head.name, world.deputy_unit.name])
    summary = " ".join(b.text for b in ctx.body)
    assert "4 đơn vị phải nộp báo cáo; 2 đơn vị đã nộp (1 đúng hạn, 1 muộn hạn)" in summary
    assert f"2 đơn vị chưa nộp: {world.head.name}, {world.deputy_unit.name}" in summary


def test_the_draft_pdf_is_addressed_upward_and_lists_the_missing_units(world, year_end):
    round, on_time, _late = year_end
    save(world, round)
    pdf, filename, _ = services.compiled_document(round, "pdf")
    text = squash(full_text(pdf))
    for expected in (
        "BÁOCÁO",
        "Kếtquảthựchiệnphongtràothiđuatổngkếtnăm2026",
        "Kínhgửi:BanThiđua-Khenthưởngtỉnh",
        "Số:/BC-KTĐNC",
        "(Dựthảo)",
        squash(world.head.name),
        "Chưanộp",
        "20/12/2026",
        "(muộnhạn)",
        squash(calc.fmt(on_time.self_total)),
        "Cácđơnvịđãtíchcựchưởngứngphongtràothiđua",
        "TM.KHỐITHIĐUA",
    ):
        assert expected in text, expected
    assert filename.startswith("Du-thao-BC-KTDNC-2026")
    fonts = embedded_fonts(pdf)
    assert fonts and all("Liberation" in f or "Times" in f for f in fonts), fonts
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert (round_(doc.pages[0].width), round_(doc.pages[0].height)) == tuple(map(round_, A4))


def round_(x):
    return int(x + 0.5)


def test_the_docx_carries_the_table_and_the_assessment(world, year_end):
    round, *_ = year_end
    save(world, round)
    body, filename, _ = services.compiled_document(round, "docx")
    doc = Document(io.BytesIO(body))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Kính gửi: Ban Thi đua - Khen thưởng tỉnh" in text
    assert "Các đơn vị đã tích cực hưởng ứng phong trào thi đua." in text
    assert world.head.name in cells and "Chưa nộp" in cells and "(muộn hạn)" in cells
    assert filename.endswith(".docx")


def test_the_term_head_signs_the_report(world, year_end):
    round, *_ = year_end
    world.term.signer_position = "Chỉ huy trưởng"
    world.term.signer_name = "Hà Đình Khiêm"
    world.term.save()
    ctx = build_compiled_context(CompiledReport(round=round))
    before = [ln.text for ln in ctx.signature.before_gap]
    assert before[:2] == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI"]
    assert [ln.text for ln in ctx.signature.after_gap] == ["Hà Đình Khiêm"]


def test_saving_the_assessment_is_audited_and_a_stale_page_is_refused(world, year_end):
    round, *_ = year_end
    report = save(world, round, "Đoạn một.")
    assert report.revision == 1
    save(world, round, "Đoạn một.")  # unchanged: no new event
    assert AuditEvent.objects.filter(action="compiled_report.save").count() == 1
    with pytest.raises(ValidationError, match="vừa được người khác sửa"):
        services.compiled_report_save(
            round=round, actor=world.users["chair"], body="Khác", revision=0
        )
    assert CompiledReport.objects.get(round=round).body == "Đoạn một."


def test_issuing_numbers_from_the_register_and_freezes_the_document(world, year_end):
    round, on_time, _late = year_end
    report = save(world, round)
    document = issue(world, report)
    report.refresh_from_db()
    assert (report.number, report.issue_date) == (1, ISSUE_DAY)
    assert document.number_text == "Số: 01/BC-KTĐNC"
    assert RegisterEntry.objects.get(document=document).register.doc_type == "BC"
    frozen_pdf, filename, _ = services.compiled_document(round, "pdf")
    assert frozen_pdf == bytes(document.pdf) and filename == "BC-01-KTDNC-2026-12-22.pdf"
    assert "(Dựthảo)" not in squash(full_text(frozen_pdf))
    # whatever happens to the rows later, what was issued is served
    Submission.objects.filter(pk=on_time.pk).update(self_total=1)
    CompiledReport.objects.filter(pk=report.pk).update(body="Sửa lén sau khi ban hành")
    assert services.compiled_document(round, "pdf")[0] == frozen_pdf
    with pytest.raises(ValidationError, match="đã được ban hành"):
        save(world, round, "Sửa lại")
    with pytest.raises(ValidationError, match="đã được ban hành"):
        issue(world, CompiledReport.objects.get(pk=report.pk))
    assert AuditEvent.objects.filter(action="document.issue", data__kind="bao_cao").count() == 1


def test_the_next_report_takes_the_next_number(world, year_end):
    round, *_ = year_end
    so_ket = make_round(world, key="bao_cao_so_ket", sheet=False, due=dt.date(2026, 6, 15))
    issue(world, save(world, so_ket), dt.date(2026, 7, 1))
    document = issue(world, save(world, round))
    assert document.number_text == "Số: 02/BC-KTĐNC"


def test_a_report_without_an_assessment_is_not_issued_and_takes_no_number(world, year_end):
    round, *_ = year_end
    assert save(world, round, "").pk is None  # an empty first save stores no report at all
    save(world, round)
    report = save(world, round, "")  # the assessment written, then cleared
    with pytest.raises(ValidationError):
        issue(world, report)
    assert not IssuedDocument.objects.exists() and not RegisterEntry.objects.exists()
    assert CompiledReport.objects.get(pk=report.pk).number is None


def test_an_issue_date_outside_the_year_is_refused(world, year_end):
    round, *_ = year_end
    with pytest.raises(ValidationError, match="ban hành trong năm 2026 hoặc 2027"):
        issue(world, save(world, round), dt.date(2025, 12, 30))


# ---------------------------------------------------------------- the page


def _url(name, world, round, **kw):
    return reverse(
        name, kwargs={"bloc_id": world.bloc.pk, "year": world.year, "round_id": round.pk, **kw}
    )


def test_the_secretariat_writes_then_issues_from_the_page(world, year_end, client_for):
    round, *_ = year_end
    client = client_for("chair")
    page = client.get(_url("reports:compiled_report", world, round))
    assert page.status_code == 200 and "2 đơn vị chưa nộp" in page.content.decode()
    saved = client.post(
        _url("reports:compiled_report", world, round), {"body": "Đánh giá.", "revision": 0}
    )
    assert saved.status_code == 302
    refused = client.post(
        _url("reports:compiled_issue", world, round), {"issue_date": "31/02/2026"}
    )
    assert refused.status_code == 200 and "Ngày ban hành không hợp lệ" in refused.content.decode()
    assert not IssuedDocument.objects.exists()
    issued = client.post(_url("reports:compiled_issue", world, round), {"issue_date": "22/12/2026"})
    assert issued.status_code == 302
    page = client.get(_url("reports:compiled_report", world, round)).content.decode()
    assert "Đã ban hành: số 01/BC-KTĐNC ngày 22/12/2026" in page


def test_the_deputy_reads_the_report_but_a_member_unit_does_not(world, year_end, client_for):
    round, *_ = year_end
    url = _url("reports:compiled_document", world, round, fmt="docx")
    assert client_for("deputy").get(url).status_code == 200
    assert client_for("unit_a").get(url).status_code == 403
    assert client_for("outsider").get(url).status_code == 404


def test_render_document_bao_cao_writes_the_file(world, year_end, tmp_path):
    round, *_ = year_end
    out = tmp_path / "bc.html"
    call_command("render_document", "bao_cao", str(round.pk), "--format", "html", "-o", str(out))
    assert "BÁO CÁO" in out.read_text() and world.head.name in out.read_text()


def test_the_bloc_year_file_carries_the_issued_report(world):
    round = make_round(world, key="bao_cao_so_ket", sheet=False, due=dt.date(2026, 6, 15))
    document = issue(world, save(world, round), dt.date(2026, 7, 1))
    before = dumps(export_bloc_year(world.bloc, world.year))
    data = loads(before)
    assert data["compiled_reports"][0]["round"] == "bao_cao_so_ket"
    assert data["documents"][0]["compiled_report"] == "bao_cao_so_ket"
    pdf_sha = document.pdf_sha256
    wipe_bloc_rows()
    import_bloc_year(data=loads(before))
    report = CompiledReport.objects.get(round__key="bao_cao_so_ket")
    assert (report.number, report.issue_date) == (1, dt.date(2026, 7, 1))
    assert report.issued_documents.get().pdf_sha256 == pdf_sha
    bloc = Bloc.objects.get(name=world.bloc.name)
    assert dumps(export_bloc_year(bloc, world.year)) == before
