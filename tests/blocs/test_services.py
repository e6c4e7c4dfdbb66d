import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from blocs import services
from blocs.models import AuditEvent, BlocTerm, Membership
from tests.factories import make_bloc, make_province, make_unit


def test_one_head_per_bloc_year_is_refused_by_the_service(world):
    with pytest.raises(ValidationError) as exc:
        services.term_set(bloc=world.bloc, year=world.year, head_unit=world.unit_a)
    assert "đã có Trưởng khối" in str(exc.value)


def test_one_head_per_bloc_year_is_enforced_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        BlocTerm.objects.create(bloc=world.bloc, year=world.year, head_unit=world.unit_a)


def test_membership_dates_must_be_ordered(world):
    unit = make_unit(world.province)
    with pytest.raises(ValidationError) as exc:
        services.membership_add(
            bloc=world.bloc, unit=unit, joined_on=dt.date(2026, 5, 1), left_on=dt.date(2026, 4, 1)
        )
    assert "Ngày rời khối phải sau ngày tham gia" in str(exc.value)


def test_membership_dates_are_checked_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            bloc=world.bloc,
            unit=world.other_unit,
            joined_on=dt.date(2026, 5, 1),
            left_on=dt.date(2026, 4, 1),
        )


def test_overlapping_memberships_of_one_unit_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.membership_add(bloc=world.bloc, unit=world.unit_a, joined_on=dt.date(2026, 3, 1))
    assert "đã là thành viên" in str(exc.value)


def test_a_unit_can_rejoin_after_leaving(world):
    m = world.bloc.memberships.get(unit=world.unit_b)
    services.membership_end(membership=m, left_on=dt.date(2026, 2, 28), leave_reason="rut")
    again = services.membership_add(
        bloc=world.bloc, unit=world.unit_b, joined_on=dt.date(2026, 3, 1)
    )
    assert again.pk != m.pk


def test_mid_year_member_counts_for_that_year_only_from_joining(world):
    unit = make_unit(world.province, "Sở mới thành lập")
    services.membership_add(
        bloc=world.bloc, unit=unit, joined_on=dt.date(2026, 7, 1), join_reason="kien_toan"
    )
    assert Membership.objects.for_year(2026).filter(unit=unit).exists()
    assert not Membership.objects.for_year(2025).filter(unit=unit).exists()


def test_merger_keeps_history_and_successor_joins_next_day(world):
    successor = make_unit(world.province, "Sở Tư pháp và Nội vụ (sáp nhập)")
    m = world.bloc.memberships.get(unit=world.unit_a)
    services.membership_end(
        membership=m, left_on=dt.date(2026, 6, 30), leave_reason="sap_nhap", successor=successor
    )
    world.unit_a.refresh_from_db()
    assert world.unit_a.successor == successor
    assert world.unit_a.valid_to == dt.date(2026, 6, 30)
    new = world.bloc.memberships.get(unit=successor)
    assert new.joined_on == dt.date(2026, 7, 1)
    assert new.join_reason == "sap_nhap"
    # the old unit is still listed for 2026 (history kept)
    assert Membership.objects.for_year(2026).filter(unit=world.unit_a).exists()


def test_unit_of_another_province_cannot_join(world):
    other = make_unit(make_province("Tỉnh khác"))
    with pytest.raises(ValidationError) as exc:
        services.membership_add(bloc=world.bloc, unit=other, joined_on=dt.date(2026, 1, 1))
    assert "không thuộc tỉnh" in str(exc.value)


def test_rotation_creates_next_year_and_leaves_this_year_alone(world):
    new = services.term_rotate(
        term=world.term,
        head_unit=world.deputy_unit,
        deputy_units=[world.unit_a],
        basis="Biên bản bầu",
        actor=world.users["chair"],
    )
    assert new.year == world.year + 1
    world.term.refresh_from_db()
    assert world.term.head_unit == world.head
    assert AuditEvent.objects.filter(action="term.set", year=world.year + 1).exists()


def test_rotation_refuses_head_that_is_not_a_member(world):
    with pytest.raises(ValidationError) as exc:
        services.term_rotate(term=world.term, head_unit=world.other_unit)
    assert "phải là thành viên" in str(exc.value)


def test_head_cannot_also_be_deputy(world):
    with pytest.raises(ValidationError):
        services.term_rotate(term=world.term, head_unit=world.unit_a, deputy_units=[world.unit_a])


def test_rotation_twice_is_refused(world):
    services.term_rotate(term=world.term, head_unit=world.deputy_unit)
    with pytest.raises(ValidationError):
        services.term_rotate(term=world.term, head_unit=world.unit_a)


def test_internal_emulation_host_heads_without_membership(db):
    province = make_province()
    host = make_unit(province, "Sở Nội vụ")
    bloc = make_bloc(province, "Thi đua nội bộ Sở Nội vụ", kind="noi_bo")
    term = services.term_set(bloc=bloc, year=2022, head_unit=host)
    assert term.head_unit == host


def test_term_set_keeps_the_signer_and_audits_it(world):
    term = services.term_rotate(
        term=world.term,
        head_unit=world.deputy_unit,
        head_display="Công an tỉnh Thử",
        signer_position="Giám đốc",
        signer_rank="Đại tá",
        signer_name="Lê Văn Thành",
    )
    assert (term.head_print_name, term.signer_rank) == ("Công an tỉnh Thử", "Đại tá")
    event = AuditEvent.objects.get(action="term.set", year=world.year + 1)
    assert event.data["signer_name"] == "Lê Văn Thành"
    assert event.data["head_unit"] == world.deputy_unit.name


def test_term_update_records_only_what_changed_with_the_reason(world):
    chair = world.users["chair"]
    services.term_update(
        term=world.term,
        reason="Ghi nhầm người ký",
        signer_name="Hà Đình Khiêm",
        deputy_units=[world.deputy_unit, world.unit_a],
        basis="QĐ 443/QĐ-UBND",  # unchanged
        actor=chair,
    )
    event = AuditEvent.objects.get(action="term.update")
    assert event.data["changes"] == {"signer_name": {"old": "", "new": "Hà Đình Khiêm"}}
    assert event.data["deputy_units"] == {"added": [world.unit_a.name]}
    assert event.data["reason"] == "Ghi nhầm người ký" and event.actor == chair
    world.term.refresh_from_db()
    assert world.term.signer_name == "Hà Đình Khiêm"
    assert set(world.term.deputy_units.all()) == {world.deputy_unit, world.unit_a}


def test_term_update_that_changes_nothing_records_nothing(world):
    services.term_update(
        term=world.term,
        reason="Lưu lại",
        head_unit=world.head,
        deputy_units=[world.deputy_unit],
        basis="QĐ 443/QĐ-UBND",
    )
    assert not AuditEvent.objects.filter(action="term.update").exists()


def test_term_update_needs_a_reason(world):
    with pytest.raises(ValidationError) as exc:
        services.term_update(term=world.term, reason="  ", signer_name="X")
    assert "lý do" in str(exc.value)


def test_term_head_must_be_a_member_of_the_same_province(world):
    with pytest.raises(ValidationError, match="phải là thành viên"):
        services.term_update(term=world.term, reason="Đổi", head_unit=world.other_unit)
    foreign = make_unit(make_province("Tỉnh xa"), "Sở xa")
    with pytest.raises(ValidationError, match="không thuộc tỉnh"):
        services.term_update(term=world.term, reason="Đổi", deputy_units=[foreign])
    world.term.refresh_from_db()
    assert world.term.head_unit == world.head


def test_head_unit_cannot_leave_while_it_heads_the_term(world):
    m = world.bloc.memberships.get(unit=world.head)
    with pytest.raises(ValidationError, match="đang là Trưởng khối năm 2026"):
        services.membership_end(membership=m, left_on=dt.date(2026, 6, 30), leave_reason="rut")
    services.term_update(term=world.term, reason="Kiện toàn", head_unit=world.unit_a)
    services.membership_end(membership=m, left_on=dt.date(2026, 6, 30), leave_reason="rut")
    m.refresh_from_db()
    assert m.left_on == dt.date(2026, 6, 30)


def test_next_years_deputy_cannot_leave_this_year(world):
    services.term_rotate(term=world.term, head_unit=world.deputy_unit, deputy_units=[world.unit_b])
    m = world.bloc.memberships.get(unit=world.unit_b)
    with pytest.raises(ValidationError, match="Phó khối năm 2027"):
        services.membership_end(membership=m, left_on=dt.date(2026, 6, 30), leave_reason="rut")


def test_merger_is_refused_to_the_secretariat(world):
    successor = make_unit(world.province, "Sở hợp nhất")
    m = world.bloc.memberships.get(unit=world.unit_a)
    with pytest.raises(PermissionDenied):
        services.unit_merge(
            membership=m,
            left_on=dt.date(2026, 6, 30),
            successor=successor,
            actor=world.users["chair"],
        )
    world.unit_a.refresh_from_db()
    assert world.unit_a.successor is None and world.unit_a.valid_to is None


def test_merger_by_the_reviewer_is_audited_with_its_successor(world):
    successor = make_unit(world.province, "Sở hợp nhất")
    m = world.bloc.memberships.get(unit=world.unit_a)
    services.unit_merge(
        membership=m,
        left_on=dt.date(2026, 6, 30),
        successor=successor,
        actor=world.users["reviewer"],
    )
    event = AuditEvent.objects.get(action="unit.merge")
    assert event.data["successor"] == "Sở hợp nhất"
    assert event.data["changes"]["successor"] == {"old": None, "new": "Sở hợp nhất"}
    assert event.data["changes"]["valid_to"] == {"old": None, "new": "2026-06-30"}
    assert event.data["changes"]["leave_reason"] == {"old": "", "new": "sap_nhap"}


def test_a_unit_merged_into_one_successor_cannot_merge_into_another(world):
    first, second = make_unit(world.province, "Sở A mới"), make_unit(world.province, "Sở B mới")
    services.unit_merge(
        membership=world.bloc.memberships.get(unit=world.unit_a),
        left_on=dt.date(2026, 6, 30),
        successor=first,
    )
    other_bloc = make_bloc(world.province, "Khối khác nữa")
    m = services.membership_add(bloc=other_bloc, unit=world.unit_a, joined_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError, match="đã được sáp nhập vào Sở A mới"):
        services.unit_merge(membership=m, left_on=dt.date(2026, 6, 30), successor=second)


def test_a_merger_before_the_unit_began_is_refused(world):
    """The unit's dates constraint, checked by the service before the update (no query)."""
    world.unit_a.valid_from = dt.date(2026, 7, 1)
    world.unit_a.save()
    successor = make_unit(world.province, "Sở kế thừa")
    m = world.bloc.memberships.get(unit=world.unit_a)
    with pytest.raises(ValidationError, match="Ngày kết thúc phải sau ngày bắt đầu hoạt động"):
        services.unit_merge(membership=m, left_on=dt.date(2026, 6, 30), successor=successor)
    m.refresh_from_db()
    assert m.left_on is None


def test_a_term_beyond_the_years_is_refused_with_the_constraints_message(world):
    with pytest.raises(ValidationError, match="Năm không hợp lệ"):
        services.term_set(bloc=world.bloc, year=2101, head_unit=world.head)
    assert not BlocTerm.objects.filter(year=2101).exists()


def test_term_update_writes_only_the_changed_deputies(world):
    services.term_update(
        term=world.term, reason="Kiện toàn", deputy_units=[world.unit_a, world.unit_b]
    )
    assert set(world.term.deputy_units.all()) == {world.unit_a, world.unit_b}
    event = AuditEvent.objects.filter(action="term.update").latest("id")
    assert event.data["deputy_units"] == {
        "added": sorted([world.unit_a.name, world.unit_b.name]),
        "removed": [world.deputy_unit.name],
    }
    count = AuditEvent.objects.count()
    services.term_update(term=world.term, reason="Lại", deputy_units=[world.unit_b, world.unit_a])
    assert AuditEvent.objects.count() == count  # nothing changed, nothing recorded
