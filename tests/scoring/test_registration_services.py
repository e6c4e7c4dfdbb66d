"""Registration services: membership, states, return with a reason, signing and its locks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from blocs import services as bloc_services
from blocs.models import AuditEvent
from scoring import selectors
from scoring.models import Criterion, Registration, SigningMeeting
from scoring.services import registrations as services
from tests.scoring.conftest import register, register_all_and_sign, sign

R = Registration.Status


def test_member_registers_targets_and_titles(world, template):
    leaf = Criterion.objects.get(template=template, code="1", parent__code="I")
    reg = register(
        world,
        world.unit_a,
        targets=[
            {
                "content": "Giải quyết 95 % vụ việc",
                "measure": "%",
                "target_value": D(95),
                "criterion": leaf,
            },
        ],
    )
    assert reg.status == R.DRAFT
    assert [(t.content, t.criterion_id) for t in reg.targets.all()] == [
        ("Giải quyết 95 % vụ việc", leaf.pk)
    ]
    assert {g.title: g.count for g in reg.titles.all()} == {"co_tinh": 1, "ldtt": 45, "cstdcs": 6}


def test_registering_for_a_bloc_the_unit_is_not_member_of_is_refused(world):
    with pytest.raises(ValidationError, match="không phải thành viên"):
        register(world, world.other_unit)
    assert not Registration.objects.exists()


def test_unit_that_left_before_the_year_cannot_register(world):
    membership = world.bloc.memberships.get(unit=world.unit_b)
    bloc_services.membership_end(
        membership=membership, left_on=dt.date(2025, 6, 30), leave_reason="rut"
    )
    with pytest.raises(ValidationError, match="không phải thành viên"):
        register(world, world.unit_b)


def test_criterion_of_another_template_refused(world, template):
    from tests.scoring.conftest import make_template

    other = make_template(world.bloc, world.year + 1)
    leaf = Criterion.objects.filter(template=other).exclude(kind="group").first()
    with pytest.raises(ValidationError, match="không thuộc thang điểm"):
        register(world, world.unit_a, targets=[{"content": "x", "criterion": leaf}])


def test_submit_return_correct_resubmit_accept(world, template):
    reg = register(world, world.unit_a, submit=True)
    assert reg.status == R.SUBMITTED and reg.first_submitted_at
    with pytest.raises(ValidationError):
        services.registration_return(registration=reg, actor=world.users["chair"], reason=" ")
    reg = services.registration_return(
        registration=reg, actor=world.users["chair"], reason="Thiếu chỉ tiêu về cải cách hành chính"
    )
    assert reg.status == R.RETURNED
    reg = services.registration_save(
        bloc=world.bloc,
        year=world.year,
        unit=world.unit_a,
        actor=None,
        targets=[
            {"content": "Giải quyết 95 % vụ việc", "measure": "%", "target_value": D(95)},
            {
                "content": "Chỉ số cải cách hành chính tăng 2 bậc",
                "measure": "bậc",
                "target_value": D(2),
            },
        ],
        titles={"co_tinh": 1, "ldtt": 45, "cstdcs": 6},
    )
    assert reg.status == R.DRAFT
    reg = services.registration_submit(registration=reg, actor=None)
    reg = services.registration_accept(registration=reg, actor=world.users["chair"])
    assert reg.status == R.ACCEPTED and reg.targets.count() == 2
    actions = list(
        AuditEvent.objects.filter(object_id=str(reg.pk), object_type="scoring.registration")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "registration.create",
        "registration.update",
        "registration.submit",
        "registration.return",
        "registration.update",
        "registration.submit",
        "registration.accept",
    ]


def test_submitted_registration_cannot_be_edited(world, template):
    register(world, world.unit_a, submit=True)
    with pytest.raises(ValidationError, match="không sửa được"):
        register(world, world.unit_a)


def test_empty_registration_cannot_be_submitted(world):
    reg = services.registration_save(
        bloc=world.bloc, year=world.year, unit=world.unit_a, actor=None, targets=[], titles={}
    )
    with pytest.raises(ValidationError, match="chưa có chỉ tiêu"):
        services.registration_submit(registration=reg, actor=None)


def test_unchanged_save_records_nothing(world):
    reg = register(world, world.unit_a)
    before = AuditEvent.objects.count()
    again = register(world, world.unit_a)
    assert AuditEvent.objects.count() == before and again.revision == reg.revision


def _save(world, targets, titles):
    return services.registration_save(
        bloc=world.bloc, year=world.year, unit=world.unit_a, actor=None,
        targets=targets, titles=titles,
    )  # fmt: skip


def _targets(n: int) -> list[dict]:
    return [{"content": f"Chỉ tiêu {i}", "measure": "%", "target_value": D(i)} for i in range(n)]


@pytest.mark.parametrize(
    "targets, titles, message",
    [
        (
            [{"content": "Chỉ tiêu âm", "target_value": D(-1)}],
            {},
            "Giá trị chỉ tiêu không được âm.",
        ),
        ([], {"ldtt": 100001}, "Số lượng phải từ 1 đến 100.000."),
    ],
)
def test_a_target_or_title_breaking_its_constraint_is_refused_and_saves_nothing(
    world, targets, titles, message
):
    reg = register(world, world.unit_a)
    with pytest.raises(ValidationError, match=message):
        _save(world, targets, titles)
    reg.refresh_from_db()
    assert [t.content for t in reg.targets.all()] == ["Giải quyết 95 % vụ việc"]
    assert {g.title: g.count for g in reg.titles.all()} == {"co_tinh": 1, "ldtt": 45, "cstdcs": 6}


def test_a_changed_save_costs_the_same_at_any_number_of_targets(world):
    """Targets are replaced in one DELETE and one INSERT, titles written in place (a changed
    count one UPDATE, the new title one INSERT); they were saved one by one, with a query per
    check constraint of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 8):
        _save(world, _targets(n), {"ldtt": n})
        with CaptureQueriesContext(connection) as ctx:
            reg = _save(world, _targets(n)[::-1], {"ldtt": n + 1, "cstdcs": n})
        counts.append(sum("SAVEPOINT" not in q["sql"] for q in ctx.captured_queries))
        assert [t.content for t in reg.targets.order_by("order")] == [
            f"Chỉ tiêu {i}" for i in reversed(range(n))
        ]
        assert {g.title: g.count for g in reg.titles.all()} == {"ldtt": n + 1, "cstdcs": n}
    # signed, member and the current template (one query), the lock, the targets and titles
    # (one query, after the lock: no revision given), the targets replaced (2), the titles'
    # UPDATE and INSERT, the row, the audit row
    assert counts[0] == counts[1] == 9, counts


def test_stale_registration_refused(world):
    register(world, world.unit_a)
    with pytest.raises(services.StaleRegistrationError):
        services.registration_save(
            bloc=world.bloc,
            year=world.year,
            unit=world.unit_a,
            actor=None,
            targets=[],
            titles={},
            revision=99,
        )


def test_signing_needs_every_member_accepted_unless_partial(world, template):
    register(world, world.unit_a, accept=True)
    register(world, world.unit_b, submit=True)
    with pytest.raises(ValidationError) as exc:
        sign(world)
    assert "Tòa án nhân dân tỉnh Thử" in str(exc.value)
    meeting = sign(world, partial=True)
    assert Registration.objects.get(unit=world.unit_a).status == R.SIGNED
    assert Registration.objects.get(unit=world.unit_b).status == R.SUBMITTED
    assert list(meeting.attending.order_by("name")) == [world.head, world.unit_a]


def test_signing_locks_registrations(world, template):
    register_all_and_sign(world)
    reg = Registration.objects.get(unit=world.unit_a)
    with pytest.raises(ValidationError, match="đã được ký kết"):
        register(world, world.unit_a)
    with pytest.raises(ValidationError, match="đã được ký kết"):
        services.registration_return(registration=reg, actor=world.users["chair"], reason="x")
    with pytest.raises(ValidationError, match="đã được ký kết"):
        sign(world)
    assert SigningMeeting.objects.count() == 1


def test_signing_refuses_an_incomplete_template(world, template):
    register(world, world.unit_a, accept=True)
    group = Criterion.objects.get(template=template, code="IV")
    from scoring.services import templates as tpl

    tpl.criterion_delete(criterion=group, actor=None)
    with pytest.raises(ValidationError, match="chưa bằng tổng điểm tối đa"):
        sign(world, partial=True)
    assert not SigningMeeting.objects.exists()
    assert Registration.objects.get(unit=world.unit_a).status == R.ACCEPTED


def test_signing_refuses_outside_attendees(world, template):
    register(world, world.unit_a, accept=True)
    with pytest.raises(ValidationError, match="Không phải thành viên"):
        sign(world, partial=True, attending=[world.other_unit])


def test_dashboard_flags_late_units(world, template):
    register(world, world.unit_a, submit=True)
    register(world, world.unit_b)
    data = selectors.dashboard(bloc_id=world.bloc.pk, year=world.year)
    by_unit = {r.unit.name: r for r in data.rows}
    assert by_unit["Sở Tư pháp Thử"].status_label == "Đã gửi, chờ duyệt"
    assert by_unit["Công an tỉnh Thử"].status_label == "Chưa đăng ký"
    assert data.counts["none"] == 2 and data.counts["submitted"] == 1 and data.counts["draft"] == 1
    assert data.counts["late"] == 0  # no deadline: nobody is late


def test_every_check_constraint_of_a_registration_is_tested_without_the_database():
    """The saves skip full_clean's constraint queries for ROW_CHECKS: a constraint added to
    these models without its check there would go unchecked until the database refused it."""
    from blocs import rowchecks
    from scoring.models import Target, TitleGoal

    assert not rowchecks.missing((Registration, Target, TitleGoal), services.ROW_CHECKS)
    returned = Registration(status=R.RETURNED, returned_reason="", bloc_id=1, unit_id=1, year=2026)
    with pytest.raises(ValidationError, match="Trả lại bản đăng ký phải nêu lý do."):
        rowchecks.clean(returned, services.ROW_CHECKS, exclude=("bloc", "unit", "reviewed_by"))
