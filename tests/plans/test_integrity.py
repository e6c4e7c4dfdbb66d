"""The plans-integrity rules: dates printed come from the schedule rows, a copy takes the new
year's head and signer, stale mentions are listed, edits lock and never overwrite each other."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from blocs import services as bloc_services
from blocs.models import AuditEvent
from plans import datelinks, mentions, services
from plans.models import Milestone, Plan
from plans.outline import parse_outline
from reports.documents import build_plan_context
from tests.plans.test_services import P1, P2, ready_plan

SCHEDULE_TEXT = """I. TỔ CHỨC THỰC HIỆN
1. Tiến độ
Phong trào thi đua năm 2026 chia hai đợt:
- Đợt 1: Từ 01/01/2026 đến 31/5/2026, chào mừng các ngày lễ lớn.
- Đợt 2: Từ 01/6/2026 đến 30/11/2026.
Các đơn vị gửi báo cáo sơ kết trước ngày 15/6/2026 (số liệu từ ngày 01/12/2025 đến 31/5/2026); hội nghị sơ kết vào tháng 7/2026.
Thực hiện Chỉ thị số 26/CT-TTg ngày 01/6/2026 của Thủ tướng Chính phủ.
"""
SO_KET = {
    "kind": "bao_cao_so_ket",
    "due": dt.date(2026, 6, 15),
    "data_from": dt.date(2025, 12, 1),
    "data_to": dt.date(2026, 5, 31),
}
HOI_NGHI = {"kind": "hoi_nghi_so_ket", "due_month": 7, "due_year": 2026}


def body_text(plan: Plan) -> str:
    return " ".join(b.text for b in build_plan_context(plan).body)


def scheduled_plan(world) -> Plan:
    chair = world.users["chair"]
    plan = ready_plan(world)
    services.plan_set_schedule(
        plan=plan, actor=chair, phases=[P1, P2], milestones=[SO_KET, HOI_NGHI]
    )
    sections = parse_outline(SCHEDULE_TEXT)
    values = datelinks.records(plan.phases.all(), plan.milestones.all(), plan.year)
    datelinks.link_sections(sections, values)
    services.plan_replace_body(plan=plan, sections=sections, actor=chair)
    return Plan.objects.get(pk=plan.pk)


def test_linking_keeps_the_writers_style_and_skips_cited_documents(world):
    plan = scheduled_plan(world)
    stored = " ".join(s.content for s in plan.sections.all())
    assert "{{dot1.tu:dd/mm/yyyy}}" in stored and "{{dot2.tu:dd/m/yyyy}}" in stored
    assert "{{bao_cao_so_ket.han:dd/m/yyyy}}" in stored
    assert "{{bao_cao_so_ket.so_lieu_den:dd/m/yyyy}}" in stored  # not phase 1's end
    assert "{{hoi_nghi_so_ket.thang:m/yyyy}}" in stored
    assert "26/CT-TTg ngày 01/6/2026" in stored  # a citation that happens to share the date
    printed = body_text(plan)
    assert "Từ 01/01/2026 đến 31/5/2026" in printed
    assert "trước ngày 15/6/2026 (số liệu từ ngày 01/12/2025 đến 31/5/2026)" in printed
    assert "vào tháng 7/2026" in printed


def test_changing_a_phase_in_the_schedule_changes_the_document(world):
    plan = scheduled_plan(world)
    p1 = {**P1, "end": dt.date(2026, 6, 10)}
    p2 = {**P2, "start": dt.date(2026, 6, 11)}
    services.plan_set_schedule(
        plan=plan, actor=world.users["chair"], phases=[p1, p2], milestones=[SO_KET, HOI_NGHI]
    )
    printed = body_text(plan)
    assert "Từ 01/01/2026 đến 10/6/2026" in printed
    assert "Đợt 2: Từ 11/6/2026 đến 30/11/2026" in printed
    page = selectors_outline_text(plan)
    assert "10/6/2026" in page and "{{" not in page


def selectors_outline_text(plan: Plan) -> str:
    from plans import selectors

    full = selectors.plan_with_children(plan.pk)
    return " ".join(n.content for n in selectors.outline(full))


def test_removing_a_phase_the_text_names_is_refused(world):
    plan = scheduled_plan(world)
    with pytest.raises(ValidationError, match="dot2"):
        services.plan_set_schedule(
            plan=plan, actor=world.users["chair"], phases=[P1], milestones=[SO_KET, HOI_NGHI]
        )
    assert plan.phases.count() == 2


def test_body_with_an_unknown_date_code_is_refused(world):
    plan = ready_plan(world)
    with pytest.raises(ValidationError, match="dot7"):
        services.plan_replace_body(
            plan=plan,
            sections=parse_outline("I. TIẾN ĐỘ\nĐợt 7 bắt đầu {{dot7.tu:dd/mm/yyyy}}."),
            actor=world.users["chair"],
        )


# ---------------------------------------------------------------- copy to next year


def issued_plan(world) -> Plan:
    plan = scheduled_plan(world)
    chair = world.users["chair"]
    services.plan_update(
        plan=plan, actor=chair, preamble="Hưởng ứng phong trào thi đua yêu nước năm 2026."
    )
    services.plan_set_lists(
        plan=plan,
        actor=chair,
        signature=[
            ("authority", "TRƯỞNG KHỐI THI ĐUA", False),
            ("position", "BỘ CHQS TỈNH THỬ", False),
            ("position", "CHÍNH ỦY", False),
            ("rank", "Đại tá", False),
            ("name", "Nguyễn Văn Trưởng", True),
        ],
    )
    services.plan_approve(plan=plan, actor=chair)
    Plan.objects.filter(pk=plan.pk).update(
        status=Plan.Status.ISSUED, number=3, issue_date=dt.date(2026, 1, 20)
    )
    return Plan.objects.get(pk=plan.pk)


def next_term(world, **signer):
    term = bloc_services.term_set(
        bloc=world.bloc,
        year=world.year + 1,
        head_unit=world.deputy_unit,
        deputy_units=[world.unit_a],
    )
    for name, value in signer.items():
        setattr(term, name, value)
    term.save()
    return term


def test_copy_takes_the_new_terms_head_and_signer_and_moves_the_text(world):
    world.term.head_display = "Bộ CHQS tỉnh Thử"
    world.term.save()
    plan = issued_plan(world)
    next_term(
        world,
        head_display="Công an tỉnh Thử",
        signer_position="Giám đốc",
        signer_rank="Đại tá",
        signer_name="Lê Văn Mới",
    )
    copy = services.plan_copy_to_next_year(plan=plan, actor=world.users["chair"])
    lines = [(s.role, s.text) for s in copy.signature_lines.all()]
    assert ("position", "Giám đốc") in lines
    assert ("name", "Lê Văn Mới") in lines
    assert all("Trưởng" not in t for r, t in lines if r == "name")
    printed = body_text(copy)
    assert "Từ 01/01/2027 đến 31/5/2027" in printed
    assert "Chỉ thị số 26/CT-TTg ngày 01/6/2026" in printed  # a cited document keeps its date
    assert "năm 2027" in copy.preamble and "2026" not in copy.title
    ctx = build_plan_context(copy)
    assert any("Lê Văn Mới" in ln.text for ln in ctx.signature.after_gap)


def test_approving_a_plan_signed_by_last_years_head_is_refused(world):
    world.term.head_display = "Bộ CHQS tỉnh Thử"
    world.term.save()
    plan = issued_plan(world)
    next_term(world, head_display="Công an tỉnh Thử", signer_name="Lê Văn Mới")
    copy = services.plan_copy_to_next_year(plan=plan, actor=world.users["chair"])
    services.plan_set_lists(
        plan=copy,
        actor=None,
        signature=[
            ("authority", "TRƯỞNG KHỐI THI ĐUA", False),
            ("position", "BỘ CHQS TỈNH THỬ", False),
            ("name", "Nguyễn Văn Trưởng", True),
        ],
    )
    with pytest.raises(ValidationError) as exc:
        services.plan_approve(plan=copy, actor=None, confirm_mentions=True)
    text = " ".join(exc.value.messages)
    assert "Lê Văn Mới" in text and "Bộ CHQS tỉnh Thử" in text
    assert Plan.objects.get(pk=copy.pk).status == Plan.Status.DRAFT


def test_mentions_of_last_year_are_listed_and_must_be_confirmed(world, client_for):
    plan = ready_plan(world)
    chair = world.users["chair"]
    services.plan_replace_body(
        plan=plan,
        sections=parse_outline(
            "I. NỘI DUNG\nKỷ niệm 92 năm (03/02/1930 - 03/02/2025) và kết quả năm 2025.\n"
            "Theo Kế hoạch số 98/KH-UBND ngày 22/11/2025 của UBND tỉnh.\n"
            "Giai đoạn 2025 - 2030."
        ),
        actor=chair,
    )
    found = mentions.stale_mentions(plan)
    assert len(found) == 2, [m.snippet for m in found]
    assert all(m.url.endswith("#id_outline") and "?dong=" in m.url for m in found)
    with pytest.raises(ValidationError, match="Còn 2 chỗ ghi năm 2025"):
        services.plan_approve(plan=plan, actor=chair)
    page = client_for("chair").get(
        reverse("plans:detail", args=(world.bloc.pk, world.year, plan.pk))
    )
    assert "Còn 2 chỗ ghi năm 2025" in page.content.decode()
    services.plan_approve(plan=plan, actor=chair, confirm_mentions=True)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.APPROVED


# ---------------------------------------------------------------- state changes


def test_unchanged_saves_write_and_record_nothing(world):
    plan = scheduled_plan(world)
    chair = world.users["chair"]
    services.plan_approve(plan=plan, actor=chair)
    before = (Plan.objects.get(pk=plan.pk).revision, AuditEvent.objects.count())
    fresh = Plan.objects.get(pk=plan.pk)
    services.plan_update(plan=fresh, actor=chair, title=fresh.title, place=fresh.place)
    services.plan_set_schedule(
        plan=fresh, actor=chair, phases=[P2, P1], milestones=[HOI_NGHI, SO_KET]
    )
    services.plan_replace_body(plan=fresh, sections=services.section_tree(fresh), actor=chair)
    services.plan_set_lists(
        plan=fresh,
        actor=chair,
        bases=[b.text for b in fresh.bases.all()],
        recipients=[(r.name, r.purpose, r.is_archive) for r in fresh.recipients.all()],
        signature=[(s.role, s.text, s.after_gap) for s in fresh.signature_lines.all()],
    )
    after = Plan.objects.get(pk=plan.pk)
    assert (after.revision, AuditEvent.objects.count()) == before
    assert after.status == Plan.Status.APPROVED


def test_editing_an_approved_plan_sends_it_back_to_draft_with_the_change_audited(world):
    plan = scheduled_plan(world)
    chair = world.users["chair"]
    services.plan_approve(plan=plan, actor=chair)
    services.plan_update(plan=plan, actor=chair, place="Thành phố Thử")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
    update = AuditEvent.objects.filter(action="plan.update").latest("id")
    assert update.data["changes"] == {"place": {"old": "Tuyên Quang Thử", "new": "Thành phố Thử"}}
    revise = AuditEvent.objects.filter(action="plan.revise").latest("id")
    assert revise.data == {"old": "approved", "new": "draft", "reason": "edited"}


def test_a_stale_revision_is_refused_and_changes_nothing(world):
    plan = ready_plan(world)
    chair = world.users["chair"]
    read_at = Plan.objects.get(pk=plan.pk).revision
    services.plan_update(plan=plan, actor=chair, revision=read_at, title="Bản của người thứ nhất")
    with pytest.raises(services.StaleEditError):
        services.plan_update(plan=plan, actor=chair, revision=read_at, place="Bản cũ")
    plan.refresh_from_db()
    assert plan.title == "Bản của người thứ nhất" and plan.place != "Bản cũ"


def test_schedule_and_body_audit_what_changed(world):
    plan = scheduled_plan(world)
    services.plan_set_schedule(
        plan=plan,
        actor=None,
        phases=[P1, {**P2, "end": dt.date(2026, 12, 10)}],
        milestones=[SO_KET, HOI_NGHI],
    )
    event = AuditEvent.objects.filter(action="plan.schedule").latest("id")
    assert event.data["phases"] == {
        "changed": {
            "Đợt 2": {
                "old": "Đợt 2: 01/06/2026 – 30/11/2026",
                "new": "Đợt 2: 01/06/2026 – 10/12/2026",
            }
        }
    }
    assert event.data["milestones"] == {}


def test_schedule_audit_shows_a_changed_addressee(world):
    """A save that changes only where a report goes writes the schedule; its audit entry says
    what changed (it used to record an empty change)."""
    plan = scheduled_plan(world)
    services.plan_set_schedule(
        plan=plan,
        actor=None,
        phases=[P1, P2],
        milestones=[{**SO_KET, "addressee": "Văn phòng Khối"}, HOI_NGHI],
    )
    event = AuditEvent.objects.filter(action="plan.schedule").latest("id")
    (change,) = event.data["milestones"]["changed"].values()
    assert "gửi về Văn phòng Khối" in change["new"]
    assert "gửi về Văn phòng Khối" not in change["old"]
    assert event.data["phases"] == {}


def test_milestone_of_a_missing_phase_is_refused(world):
    plan = ready_plan(world)
    with pytest.raises(ValidationError, match="Đợt 3"):
        services.plan_set_schedule(
            plan=plan,
            actor=None,
            phases=[P1],
            milestones=[{"kind": "bao_cao_so_ket", "phase_seq": 3, "due": dt.date(2026, 6, 15)}],
        )
    assert not Milestone.objects.filter(plan=plan).exists()


def test_comment_audit_records_its_text(world):
    plan = ready_plan(world)
    services.plan_submit_for_comment(plan=plan, actor=world.users["chair"])
    services.plan_comment_add(plan=plan, actor=world.users["unit_a"], text="Đề nghị bổ sung mục 3.")
    event = AuditEvent.objects.filter(action="plan.comment").latest("id")
    assert event.data["text"] == "Đề nghị bổ sung mục 3."


def _term(unit_id, name, print_name, position="", rank="", signer=""):
    from types import SimpleNamespace

    return SimpleNamespace(
        head_unit_id=unit_id,
        head_unit=SimpleNamespace(name=name),
        head_print_name=print_name,
        signer_position=position,
        signer_rank=rank,
        signer_name=signer,
    )


BCHQS = _term(1, "Bộ Chỉ huy Quân sự tỉnh Tuyên Quang", "Bộ CHQS tỉnh Tuyên Quang")
VPUB = _term(3, "Văn phòng UBND tỉnh Quảng Trị", "Văn phòng UBND tỉnh")


@pytest.mark.parametrize(
    "lines, old, new, expected",
    [
        (  # seed 000's military block, the head passes to the police
            [
                ("authority", "TRƯỞNG KHỐI THI ĐUA", False),
                ("position", "BỘ CHQS TỈNH TUYÊN QUANG", False),
                ("position", "CHÍNH ỦY", False),
                ("rank", "Đại tá", True),
                ("name", "Hà Đình Khiêm", True),
            ],
            BCHQS,
            _term(
                2,
                "Công an tỉnh Tuyên Quang",
                "Công an tỉnh Tuyên Quang",
                "Giám đốc",
                "Đại tá",
                "Lê Văn Thành",
            ),
            [
                ("authority", "TRƯỞNG KHỐI THI ĐUA", False),
                ("position", "CÔNG AN TỈNH TUYÊN QUANG", False),
                ("position", "Giám đốc", False),
                ("rank", "Đại tá", True),
                ("name", "Lê Văn Thành", True),
            ],
        ),
        (  # seed 004's "TM. KHỐI THI ĐUA / TRƯỞNG KHỐI / <leader's position>"
            [
                ("authority", "TM. KHỐI THI ĐUA", False),
                ("position", "TRƯỞNG KHỐI", False),
                ("position", "CHÁNH VĂN PHÒNG UBND TỈNH", False),
                ("name", "Nguyễn Cảnh Hưng", True),
            ],
            VPUB,
            _term(4, "Sở Kế hoạch và Đầu tư", "Sở KH&ĐT", "Giám đốc Sở KH&ĐT", "", "Trần Văn Bình"),
            [
                ("authority", "TM. KHỐI THI ĐUA", False),
                ("position", "TRƯỞNG KHỐI", False),
                ("position", "Giám đốc Sở KH&ĐT", False),
                ("name", "Trần Văn Bình", True),
            ],
        ),
        (  # the head changed, no leader entered yet: last year's leader is dropped
            [("position", "CHÍNH ỦY", False), ("name", "Hà Đình Khiêm", True)],
            BCHQS,
            _term(2, "Công an tỉnh Tuyên Quang", "Công an tỉnh Tuyên Quang"),
            [],
        ),
        (  # same head, a new leader entered: only the name changes
            [("position", "CHÍNH ỦY", False), ("name", "Hà Đình Khiêm", True)],
            BCHQS,
            _term(
                1,
                "Bộ Chỉ huy Quân sự tỉnh Tuyên Quang",
                "Bộ CHQS tỉnh Tuyên Quang",
                "",
                "",
                "Nguyễn Văn Mới",
            ),
            [("position", "CHÍNH ỦY", False), ("name", "Nguyễn Văn Mới", True)],
        ),
    ],
)
def test_signature_for_the_new_term(lines, old, new, expected):
    from plans.rules import signature_for_term

    assert signature_for_term(lines, old_term=old, new_term=new) == expected
