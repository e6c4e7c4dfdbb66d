import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from plans import services
from plans.importer import ParsedSection
from plans.models import Plan
from plans.outline import parse_outline, render_outline
from reports.models import NumberRegister
from tests.factories import issue_plan

OUTLINE = """I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Phát huy tinh thần đoàn kết.
2. Yêu cầu
Nội dung phải thiết thực.
II. NỘI DUNG THI ĐUA
1. Phong trào thi đua năm
1.1. Hoàn thành xuất sắc nhiệm vụ chính trị.
1.2. Thực hiện tốt cải cách hành chính.
a) Ứng dụng công nghệ thông tin.
III. TỔ CHỨC THỰC HIỆN
1. Tiến độ
"""


def ready_plan(world, **kwargs) -> Plan:
    chair = world.users["chair"]
    plan = services.plan_create_blank(bloc=world.bloc, year=world.year, actor=chair, **kwargs)
    services.plan_replace_body(plan=plan, sections=parse_outline(OUTLINE), actor=chair)
    services.plan_set_lists(
        plan=plan,
        actor=chair,
        bases=["Căn cứ Hướng dẫn số 08/HD-HĐTĐKT"],
        recipients=[("Ban TĐKT tỉnh", "b/c", False), ("Lưu: VT, TH", "", True)],
        signature=[
            ("authority", "TM. KHỐI THI ĐUA", False),
            ("position", "TRƯỞNG KHỐI", False),
            ("name", "Nguyễn Văn Trưởng", True),
        ],
    )
    return plan


def schedule(plan, actor, phases, milestones=()):
    services.plan_set_schedule(plan=plan, actor=actor, phases=phases, milestones=list(milestones))


P1 = {"seq": 1, "name": "Đợt 1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 5, 31)}
P2 = {"seq": 2, "name": "Đợt 2", "start": dt.date(2026, 6, 1), "end": dt.date(2026, 11, 30)}


def test_outline_round_trip_keeps_numbering(world):
    tree = parse_outline(OUTLINE)
    assert [s.label for s in tree] == ["I.", "II.", "III."]
    assert [c.label for c in tree[1].children[0].children] == ["1.1.", "1.2."]
    assert tree[1].children[0].children[1].children[0].label == "a)"
    assert parse_outline(render_outline(tree)) == tree


@pytest.mark.parametrize("text", ["", "Không có số thứ tự ở đầu"])
def test_outline_rejects_text_without_sections(text):
    with pytest.raises(ValidationError):
        parse_outline(text)


def test_full_lifecycle_issue_takes_number_from_register_and_freezes(world):
    chair = world.users["chair"]
    plan = ready_plan(world)
    services.plan_submit_for_comment(plan=plan, actor=chair, deadline=dt.date.today())
    services.plan_comment_add(plan=plan, actor=world.users["unit_a"], text="Đề nghị bổ sung.")
    services.plan_approve(plan=plan, actor=chair)
    plan = issue_plan(plan=plan, actor=chair, issue_date=dt.date(2026, 1, 15))
    assert plan.status == Plan.Status.ISSUED and plan.number == 1
    assert NumberRegister.objects.get(bloc=world.bloc, period="2026").last_number == 1
    with pytest.raises(ValidationError, match="không được sửa"):
        services.plan_update(plan=plan, actor=chair, title="Sửa lén")
    with pytest.raises(ValidationError):
        services.plan_replace_body(plan=plan, sections=[], actor=chair)
    second = ready_plan(world, title="Kế hoạch chuyên đề")
    services.plan_approve(plan=second, actor=chair)
    assert issue_plan(plan=second, actor=chair, issue_date=dt.date(2026, 2, 1)).number == 2


def test_number_already_used_in_register_is_refused(world):
    chair = world.users["chair"]
    first = ready_plan(world)
    services.plan_approve(plan=first, actor=chair)
    issue_plan(plan=first, actor=chair, issue_date=dt.date(2026, 1, 15), number=11)
    second = ready_plan(world)
    services.plan_approve(plan=second, actor=chair)
    with pytest.raises(ValidationError, match="đã được cấp"):
        issue_plan(plan=second, actor=chair, issue_date=dt.date(2026, 1, 20), number=11)
    second.refresh_from_db()
    assert second.status == Plan.Status.APPROVED and second.number is None


def test_issue_requires_approval_and_approval_requires_content(world):
    chair = world.users["chair"]
    empty = services.plan_create_blank(bloc=world.bloc, year=world.year, actor=chair)
    with pytest.raises(ValidationError, match="còn thiếu"):
        services.plan_approve(plan=empty, actor=chair)
    with pytest.raises(ValidationError, match="đã duyệt"):
        issue_plan(plan=empty, actor=chair, issue_date=dt.date(2026, 1, 1))


def test_amendment_supersedes_the_issued_plan_when_issued(world):
    chair = world.users["chair"]
    plan = ready_plan(world)
    services.plan_approve(plan=plan, actor=chair)
    plan = issue_plan(plan=plan, actor=chair, issue_date=dt.date(2026, 1, 15))
    new = services.plan_amend(plan=plan, actor=chair)
    assert new.version == 2 and new.replaces == plan and new.status == Plan.Status.DRAFT
    assert new.sections.count() == plan.sections.count()
    services.plan_approve(plan=new, actor=chair)
    issue_plan(plan=new, actor=chair, issue_date=dt.date(2026, 3, 1))
    plan.refresh_from_db()
    assert plan.status == Plan.Status.SUPERSEDED


def test_phase_ending_before_it_starts_is_refused(world):
    plan = ready_plan(world)
    bad = {**P1, "end": dt.date(2025, 12, 1)}
    with pytest.raises(ValidationError, match="kết thúc"):
        schedule(plan, world.users["chair"], [bad])
    assert plan.phases.count() == 0


def test_overlapping_phases_are_refused_and_nothing_is_saved(world):
    plan = ready_plan(world)
    schedule(plan, world.users["chair"], [P1, P2])
    overlapping = {**P2, "start": dt.date(2026, 5, 1)}
    with pytest.raises(ValidationError, match="trùng thời gian"):
        schedule(plan, world.users["chair"], [P1, overlapping])
    assert sorted(plan.phases.values_list("start", flat=True)) == [P1["start"], P2["start"]]


def test_deadline_before_its_phase_starts_is_refused(world):
    plan = ready_plan(world)
    ms = {"kind": "bao_cao_tong_ket", "phase_seq": 2, "due": dt.date(2026, 5, 15)}
    with pytest.raises(ValidationError, match="trước ngày bắt đầu"):
        schedule(plan, world.users["chair"], [P1, P2], [ms])


def test_copy_to_next_year_shifts_every_date_and_keeps_numbering(world):
    chair = world.users["chair"]
    plan = ready_plan(world, title="Phát động phong trào thi đua năm 2026")
    leap = {"seq": 1, "name": "Đợt 1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 2, 28)}
    schedule(
        plan,
        chair,
        [leap, P2],
        [
            {
                "kind": "bao_cao_so_ket",
                "phase_seq": 1,
                "due": dt.date(2026, 2, 20),
                "data_from": dt.date(2025, 12, 1),
                "data_to": dt.date(2026, 2, 28),
            },
            {"kind": "hoi_nghi_tong_ket", "phase_seq": None, "due_month": 1, "due_year": 2027},
        ],
    )
    copy = services.plan_copy_to_next_year(plan=plan, actor=chair)
    assert copy.year == 2027 and copy.status == Plan.Status.DRAFT and copy.number is None
    assert copy.title == "Phát động phong trào thi đua năm 2027"
    assert services.section_tree(copy) == services.section_tree(plan)
    assert list(copy.phases.values_list("start", "end")) == [
        (dt.date(2027, 1, 1), dt.date(2027, 2, 28)),
        (dt.date(2027, 6, 1), dt.date(2027, 11, 30)),
    ]
    report = copy.milestones.get(kind="bao_cao_so_ket")
    assert (report.due, report.data_from, report.data_to) == (
        dt.date(2027, 2, 20),
        dt.date(2026, 12, 1),
        dt.date(2027, 2, 28),
    )
    assert copy.milestones.get(kind="hoi_nghi_tong_ket").due_year == 2028


def test_29_february_moves_to_28_february():
    assert services.shift_year(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    assert services.shift_year(dt.date(2027, 2, 28)) == dt.date(2028, 2, 28)


def test_comments_only_during_consultation(world):
    plan = ready_plan(world)
    with pytest.raises(ValidationError, match="lấy ý kiến"):
        services.plan_comment_add(plan=plan, actor=world.users["unit_a"], text="Góp ý")


def test_revoke_needs_a_reason(world):
    chair = world.users["chair"]
    plan = ready_plan(world)
    services.plan_approve(plan=plan, actor=chair)
    plan = issue_plan(plan=plan, actor=chair, issue_date=dt.date(2026, 1, 15))
    with pytest.raises(ValidationError):
        services.plan_revoke(plan=plan, actor=chair, reason="  ")
    assert (
        services.plan_revoke(plan=plan, actor=chair, reason="Ban hành nhầm").status
        == Plan.Status.REVOKED
    )


def test_section_rows_are_written_in_bounded_queries(world, django_assert_max_num_queries):
    plan = services.plan_create_blank(bloc=world.bloc, year=world.year, actor=None)
    big = [
        ParsedSection(
            label=f"{i}.",
            title=f"Mục {i}",
            paragraphs=["Nội dung."],
            children=[
                ParsedSection(label=f"{i}.{j}.", title="", paragraphs=["Chi tiết."], children=[])
                for j in range(1, 6)
            ],
        )
        for i in range(1, 41)
    ]
    with django_assert_max_num_queries(12):
        services.plan_replace_body(plan=plan, sections=big, actor=None)
    assert plan.sections.count() == 240


def test_outline_treats_a_bold_sentence_as_a_paragraph():
    tree = parse_outline(
        "IV- TỔ CHỨC THỰC HIỆN\n1. **Lãnh đạo từng cơ quan thực hiện nghiêm chế độ báo cáo.**\n"
    )
    item = tree[0].children[0]
    assert item.title == "" and item.paragraphs == [
        "**Lãnh đạo từng cơ quan thực hiện nghiêm chế độ báo cáo.**"
    ]
    assert parse_outline(render_outline(tree)) == tree


@pytest.mark.parametrize("count, phase_count", [(9, 2), (36, 4)])
def test_a_schedule_is_written_in_the_same_queries_at_any_number_of_milestones(
    world, count, phase_count, django_assert_num_queries
):
    """Issue 12: a schedule save cost ~8 queries per milestone and 6 per phase (validation
    queries per foreign key and constraint, a save per phase); now the same count at 9
    milestones in 2 phases and 36 in 4 (the savepoint and its release, the plan locked, its old
    schedule and body in one query (after the lock: the save carries no revision), two bulk
    INSERTs, the plan's revision and the audit row: the rules and the date codes check the
    rows just written, not read back), and the constraints still refuse a bad row with their
    message."""
    plan = services.plan_create_blank(bloc=world.bloc, year=world.year, actor=None)
    phases = [
        {"seq": 1, "name": "Đợt 1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 6, 30)},
        {"seq": 2, "name": "Đợt 2", "start": dt.date(2026, 7, 1), "end": dt.date(2026, 11, 30)},
        {"seq": 3, "name": "Đợt 3", "start": dt.date(2026, 12, 1), "end": dt.date(2026, 12, 15)},
        {"seq": 4, "name": "Đợt 4", "start": dt.date(2026, 12, 16), "end": dt.date(2026, 12, 31)},
    ][:phase_count]
    milestones = [
        {"kind": "dang_ky", "phase_seq": 1 + i % 2,
         "due": dt.date(2026, 1 + i // 2 % 6 if i % 2 == 0 else 7 + i // 2 % 5, 5),
         "data_from": dt.date(2026, 1, 1), "data_to": dt.date(2026, 1, 31)}
        for i in range(count)
    ]  # fmt: skip
    with django_assert_num_queries(8):
        services.plan_set_schedule(plan=plan, actor=None, phases=phases, milestones=milestones)
    assert plan.milestones.count() == count
    assert [(p.seq, p.name) for p in plan.phases.all()] == [(p["seq"], p["name"]) for p in phases]
    assert {m.phase.seq for m in plan.milestones.select_related("phase")} == {1, 2}
    bad = [{**milestones[0], "data_from": dt.date(2026, 2, 1)}]
    with pytest.raises(ValidationError, match="Kỳ số liệu: ngày kết thúc phải sau ngày bắt đầu"):
        services.plan_set_schedule(plan=plan, actor=None, phases=phases, milestones=bad)
    with pytest.raises(ValidationError, match="Tháng phải từ 1 đến 12"):
        services.plan_set_schedule(
            plan=plan, actor=None, phases=phases,
            milestones=[{"kind": "dang_ky", "due_month": 13, "due_year": 2026}],
        )  # fmt: skip
    backwards = [{**phases[0], "end": dt.date(2025, 12, 31)}]
    with pytest.raises(ValidationError, match="Ngày kết thúc đợt phải sau ngày bắt đầu."):
        services.plan_set_schedule(plan=plan, actor=None, phases=backwards, milestones=[])
    with pytest.raises(ValidationError, match="Kế hoạch và Đợt này đã được dùng"):
        services.plan_set_schedule(
            plan=plan, actor=None, phases=[phases[0], {**phases[1], "seq": 1}], milestones=[]
        )
    assert plan.milestones.count() == count and plan.phases.count() == phase_count


def _stored(plan):
    phases = {p.seq: (p.pk, p.name, p.end, p.description) for p in plan.phases.all()}
    milestones = sorted(
        (m.pk, m.kind, m.phase.seq if m.phase else None, m.due, m.note)
        for m in plan.milestones.select_related("phase")
    )
    return phases, milestones


def test_a_schedule_edit_is_written_in_place_and_keeps_what_the_form_does_not_show(
    world, django_assert_num_queries
):
    """A changed phase is updated where it is (its key and its description kept), an unchanged
    milestone stays (with its note); a statement per kind of change, the same at any size, and
    a restructured schedule never costs more than replacing it (two DELETEs, two INSERTs).
    The saves carry the plan's revision, as the editor's do: the lock reads the lists too."""

    def rev():
        return Plan.objects.get(pk=plan.pk).revision

    plan = services.plan_create_blank(bloc=world.bloc, year=world.year, actor=None)
    phases = [
        {"seq": 1, "name": "Đợt 1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 6, 30)},
        {"seq": 2, "name": "Đợt 2", "start": dt.date(2026, 7, 1), "end": dt.date(2026, 12, 31)},
    ]
    milestones = [
        {"kind": "dang_ky", "phase_seq": 1, "due": dt.date(2026, 2, 5)},
        {"kind": "bao_cao_so_ket", "phase_seq": 1, "due": dt.date(2026, 6, 15)},
        {"kind": "bao_cao_tong_ket", "phase_seq": 2, "due": dt.date(2026, 11, 20)},
    ]
    services.plan_set_schedule(plan=plan, actor=None, phases=phases, milestones=milestones)
    plan.phases.filter(seq=1).update(description="Phát động thi đua đợt 1")
    plan.milestones.filter(kind="dang_ky").update(note="Gửi kèm bản đăng ký")
    before_p, before_m = _stored(plan)
    renamed = [{**phases[0], "name": "Đợt một", "end": dt.date(2026, 6, 29)}, phases[1]]
    r = rev()
    with django_assert_num_queries(6):  # savepoint, lock + lists, UPDATE phases, revision,
        services.plan_set_schedule(  # audit, release
            plan=plan, actor=None, phases=renamed, milestones=milestones, revision=r
        )
    after_p, after_m = _stored(plan)
    assert after_p[1] == (
        before_p[1][0],
        "Đợt một",
        dt.date(2026, 6, 29),
        "Phát động thi đua đợt 1",
    )
    assert after_p[2] == before_p[2] and after_m == before_m
    # one milestone moved to another day, one phase added with a milestone of its own
    moved = [{**milestones[0], "due": dt.date(2026, 2, 10)}, *milestones[1:]]
    third = {"seq": 3, "name": "Đợt 3", "start": dt.date(2026, 12, 1), "end": dt.date(2026, 12, 31)}
    phases3 = [renamed[0], {**phases[1], "end": dt.date(2026, 11, 30)}, third]
    moved3 = [*moved, {"kind": "bao_cao_tong_ket", "phase_seq": 3, "due": dt.date(2026, 12, 20)}]
    r = rev()
    with django_assert_num_queries(9):  # a DELETE, an UPDATE and two INSERTs: 4 kinds
        services.plan_set_schedule(
            plan=plan, actor=None, phases=phases3, milestones=moved3, revision=r
        )
    final_p, final_m = _stored(plan)
    assert [p[0] for p in (final_p[1], final_p[2])] == [before_p[1][0], before_p[2][0]]
    assert final_p[2][2] == dt.date(2026, 11, 30) and final_p[3][1] == "Đợt 3"
    kept = {m[0] for m in before_m} & {m[0] for m in final_m}
    assert len(kept) == 2 and len(final_m) == 4  # the moved one is a new row, without the note
    assert ("dang_ky", 1, dt.date(2026, 2, 10), "") in [m[1:] for m in final_m]
    # everything different: replaced whole, at most two DELETEs and two INSERTs
    other = [{"seq": 5, "name": "Đợt 5", "start": dt.date(2026, 3, 1), "end": dt.date(2026, 9, 30)}]
    r = rev()
    with django_assert_num_queries(9):
        services.plan_set_schedule(
            plan=plan, actor=None, phases=other, revision=r,
            milestones=[{"kind": "dang_ky", "phase_seq": 5, "due": dt.date(2026, 3, 5)}],
        )  # fmt: skip
    assert [(p.seq, p.name) for p in plan.phases.all()] == [(5, "Đợt 5")]
    assert [(m.kind, m.phase.seq) for m in plan.milestones.all()] == [("dang_ky", 5)]


def test_a_header_save_checks_only_what_changed(world, django_assert_max_num_queries):
    """Issue 12: a header save cost 24–25 queries (every foreign key checked again); the plan's
    own rules still hold (a draft month of 13 is refused with its message)."""
    plan = services.plan_create_blank(bloc=world.bloc, year=world.year, actor=None)
    with django_assert_max_num_queries(11):  # savepoints included: 6 statements
        services.plan_update(plan=plan, actor=None, title="Kế hoạch thi đua năm 2026 (sửa)")
    assert Plan.objects.get(pk=plan.pk).title == "Kế hoạch thi đua năm 2026 (sửa)"
    with pytest.raises(ValidationError, match="Tháng phải từ 1 đến 12"):
        services.plan_update(plan=plan, actor=None, draft_month=13)


def test_every_check_constraint_of_a_plan_and_its_schedule_is_tested_without_the_database():
    """The saves test these in Python instead of full_clean's query per constraint: one added
    to the models without its check would go unchecked until the database refused it."""
    from blocs import rowchecks
    from plans import editing
    from plans.models import Milestone, Phase, Plan

    assert not rowchecks.missing((Plan,), editing.PLAN_CHECKS)
    assert not rowchecks.missing((Phase,), editing.PHASE_CHECKS)
    assert not rowchecks.missing((Milestone,), editing.MILESTONE_CHECKS)
