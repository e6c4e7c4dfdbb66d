"""Scoring fixtures on top of the common world: the 100-point sample template of the bloc-year,
and registrations of the member units."""

from __future__ import annotations

import datetime as dt

import pytest

from scoring import samples
from scoring.services import registrations as reg_services
from scoring.services import templates as tpl_services


def make_template(bloc, year, actor=None, sample=samples.sheet_100):
    rows, settings, bands = sample()
    return tpl_services.template_import(
        bloc=bloc, year=year, actor=actor, rows=rows, settings=settings, bands=bands
    )


@pytest.fixture
def template(world):
    return make_template(world.bloc, world.year, world.users["chair"])


def register(world, unit, *, submit=False, accept=False, actor=None, targets=None):
    reg = reg_services.registration_save(
        bloc=world.bloc,
        year=world.year,
        unit=unit,
        actor=actor,
        targets=targets
        if targets is not None
        else [{"content": "Giải quyết 95 % vụ việc", "measure": "%", "target_value": 95}],
        titles={"co_tinh": 1, "ldtt": 45, "cstdcs": 6},
    )
    if submit or accept:
        reg = reg_services.registration_submit(registration=reg, actor=actor)
    if accept:
        reg = reg_services.registration_accept(registration=reg, actor=world.users["chair"])
    return reg


def sign(world, *, partial=False, attending=None, **kw):
    """Record the signing meeting of the world's bloc-year (10/02/2026)."""
    kw.setdefault("place", "Văn phòng UBND tỉnh")
    return reg_services.giao_uoc_sign(
        bloc=world.bloc,
        year=world.year,
        actor=world.users["chair"],
        date=kw.pop("date", dt.date(2026, 2, 10)),
        attending=attending if attending is not None else [world.head, world.unit_a],
        partial=partial,
        **kw,
    )


def register_all_and_sign(world, **kw):
    for unit in (world.head, world.deputy_unit, world.unit_a, world.unit_b):
        register(world, unit, accept=True)
    return sign(world, **kw)


# ---------------------------------------------------------------- rounds, sheets


def make_round(world, *, key="bao_cao_tong_ket", sheet=True, due=dt.date(2026, 12, 15), **kw):
    """A reporting round of the world's bloc-year (issuing a plan makes them the same way)."""
    from scoring.models import Round

    defaults = {
        "kind": Round.Kind.TONG_KET if sheet else Round.Kind.SO_KET,
        "name": "Báo cáo tổng kết" if sheet else "Báo cáo sơ kết 6 tháng",
        "data_from": dt.date(2025, 12, 1),
        "data_to": dt.date(2026, 11, 30) if sheet else dt.date(2026, 5, 31),
        "addressee": "Trưởng khối",
        "with_score_sheet": sheet,
    }
    return Round.objects.create(
        bloc=world.bloc, year=world.year, key=key, due=due, **(defaults | kw)
    )


@pytest.fixture
def tong_ket(world, template):
    return make_round(world)


@pytest.fixture
def so_ket(world):
    return make_round(world, key="bao_cao_so_ket", sheet=False, due=dt.date(2026, 6, 15))


def pdf_upload(name="bao-cao.pdf", body=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body, content_type="application/pdf")


def line_input(criterion):
    """A valid input for a leaf: (value, passed)."""
    kind = criterion.kind
    if kind == "pass_fail":
        return None, True
    if kind == "graded":
        return criterion.max_points, None
    if kind == "quantitative":
        return "95", None
    if kind in ("per_occurrence", "bonus"):
        return "1", None
    return "0", None  # deduction: nothing to deduct


def fill_sheet(sub, actor, *, evidence=True, body="Báo cáo tổng kết năm của đơn vị."):
    """Enter every line of `sub` (and the required evidence, and the report text)."""
    from scoring.services import sheets as sheet_services

    for entry in sub.entries.select_related("criterion"):
        value, passed = line_input(entry.criterion)
        sheet_services.line_save(
            entry=entry, actor=actor, value=value, passed=passed, explanation="Có số liệu kèm theo"
        )
        if evidence and entry.criterion.evidence_required:
            sheet_services.file_add(
                submission=sub,
                actor=actor,
                upload=pdf_upload("minh-chung.pdf"),
                purpose="evidence",
                entry=entry,
            )
    if body:
        sheet_services.report_save(submission=sub, actor=actor, body=body)
    sub.refresh_from_db()
    return sub


def add_sheets(world):
    """Rounds with submissions in every state: unit A's sheet cross-scored, reviewed by the head
    and final (submitted late, with evidence); unit B's returned with a reason; the head's a
    draft; unit A's sơ kết report submitted."""
    from scoring.services import reviews
    from scoring.services import sheets as sheet_services

    chair, user_a, user_b = (world.users[k] for k in ("chair", "unit_a", "unit_b"))
    tong_ket = make_round(world)
    so_ket = make_round(world, key="bao_cao_so_ket", sheet=False, due=dt.date(2026, 6, 15))
    pairs = [(world.unit_a, world.unit_b), (world.unit_b, world.unit_a)]
    pairs += [(world.head, world.deputy_unit), (world.deputy_unit, world.head)]
    reviews.review_setup_save(
        bloc=world.bloc,
        year=world.year,
        actor=chair,
        mode="cross",
        assignments={reviewed.pk: reviewer.pk for reviewed, reviewer in pairs},
    )
    late = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)

    def submitted(unit, user, now=None):
        sub = sheet_services.submission_open(round=tong_ket, unit=unit, actor=user)
        sub = fill_sheet(sub, user)
        return sheet_services.submission_submit(submission=sub, actor=user, now=now)

    a = submitted(world.unit_a, user_a, now=late)
    line = a.entries.get(criterion__code="2", criterion__parent__code="I")
    reviews.review_line(entry=line, actor=user_b, score="10", comment="Chưa đủ minh chứng")
    reviews.layer_done(submission=a, actor=user_b)
    reviews.review_line(entry=line, actor=chair, score="12", comment="Thống nhất 12 điểm")
    reviews.layer_done(submission=a, actor=chair)
    reviews.submission_finalize(submission=a, actor=chair, note="Hội nghị tổng kết thống nhất")
    b = submitted(world.unit_b, user_b, now=dt.datetime(2026, 12, 10, tzinfo=dt.UTC))
    reviews.submission_return(submission=b, actor=chair, reason="Thiếu giải trình mục II")
    head = sheet_services.submission_open(round=tong_ket, unit=world.head, actor=chair)
    first = head.entries.select_related("criterion").filter(criterion__kind="graded").first()
    sheet_services.line_save(entry=first, actor=chair, value="10", explanation="Tạm tính")
    report = sheet_services.submission_open(round=so_ket, unit=world.unit_a, actor=user_a)
    sheet_services.report_save(submission=report, actor=user_a, body="Báo cáo sơ kết 6 tháng.")
    sheet_services.submission_submit(submission=report, actor=user_a)
    return tong_ket, so_ket
