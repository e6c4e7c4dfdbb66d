import datetime as dt

import pytest
from django.urls import reverse

from blocs import services
from blocs.models import BlocTerm, Membership
from tests.factories import make_bloc_world, make_user


def test_home_lists_the_users_blocs_and_role(client_for, world):
    response = client_for("unit_a").get(reverse("blocs:home"))
    assert response.status_code == 200
    assert world.bloc.name in response.content.decode()
    assert "Đơn vị thành viên" in response.content.decode()
    assert "Khối Văn hóa - Xã hội Thử" not in response.content.decode()


def test_bloc_page_shows_term_members_dates_and_roles(client_for, world):
    html = (
        client_for("unit_a")
        .get(reverse("blocs:bloc", args=[world.bloc.pk, world.year]))
        .content.decode()
    )
    assert "Bộ Chỉ huy Quân sự tỉnh Thử" in html
    assert "Trưởng khối" in html and "Phó khối" in html
    assert "01/01/2025" in html  # joined date as dd/mm/yyyy
    assert "Nhiệm kỳ năm 2026" in html  # years print plainly, never "2.026"
    assert "Luân phiên Trưởng khối" not in html  # member sees no rotation button


def test_reviewer_sees_every_bloc_of_the_province(client_for, world):
    html = (
        client_for("reviewer")
        .get(reverse("blocs:province", args=[world.province.pk]))
        .content.decode()
    )
    assert world.bloc.name in html and "Khối Văn hóa - Xã hội Thử" in html


def test_rotate_form_moves_the_secretariat(client_for, world):
    client = client_for("chair")
    url = reverse("blocs:term_rotate", args=[world.bloc.pk, world.year])
    response = client.post(
        url,
        {
            "head_unit": world.deputy_unit.pk,
            "deputy_units": [world.unit_a.pk],
            "basis": "Biên bản bầu",
            "basis_date": "15/12/2026",
        },
    )
    assert response.status_code == 302
    term = BlocTerm.objects.get(bloc=world.bloc, year=world.year + 1)
    assert term.head_unit == world.deputy_unit and term.basis_date == dt.date(2026, 12, 15)
    # next year the former chair is no longer secretariat, the deputy unit is
    next_rotate = reverse("blocs:term_rotate", args=[world.bloc.pk, world.year + 1])
    assert client_for("chair").get(next_rotate).status_code == 403
    assert client_for("deputy").get(next_rotate).status_code == 200
    # this year is untouched
    assert client_for("chair").get(url).status_code == 200


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"head_unit": "", "basis_date": ""}, "head_unit", "bắt buộc"),
        ({"head_unit": "999999"}, "head_unit", "không thuộc khối"),
        ({"head_unit": "OUTSIDER"}, "head_unit", "không thuộc khối"),
        ({"head_unit": "DEPUTY", "basis_date": "31/02/2026"}, "basis_date", "Ngày không hợp lệ"),
        (
            {"head_unit": "DEPUTY", "deputy_units": ["DEPUTY"]},
            "deputy_units",
            "không thể đồng thời",
        ),
    ],
)
def test_rotate_form_rejects_bad_input_next_to_the_field(client_for, world, data, field, message):
    ids = {"OUTSIDER": world.other_unit.pk, "DEPUTY": world.deputy_unit.pk}
    data = {
        k: ([ids.get(x, x) for x in v] if isinstance(v, list) else ids.get(v, v))
        for k, v in data.items()
    }
    response = client_for("chair").post(
        reverse("blocs:term_rotate", args=[world.bloc.pk, world.year]), data
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not BlocTerm.objects.filter(bloc=world.bloc, year=world.year + 1).exists()


def test_rotate_twice_shows_message_not_500(client_for, world):
    services.term_rotate(term=world.term, head_unit=world.unit_a)
    response = client_for("chair").post(
        reverse("blocs:term_rotate", args=[world.bloc.pk, world.year]),
        {"head_unit": world.deputy_unit.pk},
    )
    assert response.status_code == 200
    assert "đã có Trưởng khối" in response.content.decode()


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"unit": "A", "joined_on": "01/03/2026", "join_reason": "kien_toan"},
            "unit",
            "đã là thành viên",
        ),
        (
            {"unit": "NEW", "joined_on": "2026-13-01", "join_reason": "kien_toan"},
            "joined_on",
            "Ngày không hợp lệ",
        ),
        ({"unit": "NEW", "joined_on": "", "join_reason": "kien_toan"}, "joined_on", "bắt buộc"),
        (
            {"unit": "FOREIGN", "joined_on": "01/03/2026", "join_reason": "kien_toan"},
            "unit",
            "không thuộc tỉnh",
        ),
    ],
)
def test_membership_form_rejects_bad_input(client_for, world, data, field, message):
    from tests.factories import make_province, make_unit

    ids = {
        "A": world.unit_a.pk,
        "NEW": make_unit(world.province).pk,
        "FOREIGN": make_unit(make_province("Tỉnh ngoài")).pk,
    }
    data = {k: ids.get(v, v) for k, v in data.items()}
    before = Membership.objects.count()
    response = client_for("chair").post(
        reverse("blocs:membership_add", args=[world.bloc.pk, world.year]), data
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Membership.objects.count() == before


def test_membership_end_requires_successor_on_merger(client_for, world):
    m = world.bloc.memberships.get(unit=world.unit_b)
    url = reverse("blocs:membership_end", args=[world.bloc.pk, world.year, m.pk])
    response = client_for("chair").post(url, {"left_on": "30/06/2026", "leave_reason": "sap_nhap"})
    assert "hãy chọn đơn vị kế thừa" in " ".join(response.context["form"].errors["successor"])
    response = client_for("chair").post(url, {"left_on": "30/06/2024", "leave_reason": "rut"})
    assert "sau ngày tham gia" in " ".join(response.context["form"].errors["left_on"])
    response = client_for("chair").post(url, {"left_on": "30/06/2026", "leave_reason": "rut"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.left_on == dt.date(2026, 6, 30)


def test_membership_of_another_bloc_is_404(client_for, world):
    foreign = Membership.objects.exclude(bloc=world.bloc).first()
    url = reverse("blocs:membership_end", args=[world.bloc.pk, world.year, foreign.pk])
    assert client_for("chair").get(url).status_code == 404


def test_admin_creates_province_unit_and_bloc(client_for, world):
    client = client_for("admin")
    assert (
        client.post(
            reverse("blocs:province_create"),
            {"name": "Bắc Ninh", "reviewer_label": "Phòng Thi đua, khen thưởng - Sở Nội vụ"},
        ).status_code
        == 302
    )
    from blocs.models import Province

    bn = Province.objects.get(name="Bắc Ninh")
    assert (
        client.post(
            reverse("blocs:unit_create"),
            {"province": bn.pk, "name": "Sở Tư pháp Bắc Ninh", "kind": "so_nganh"},
        ).status_code
        == 302
    )
    response = client.post(
        reverse("blocs:bloc_create"),
        {
            "province": bn.pk,
            "name": "Khối Nội chính Bắc Ninh",
            "kind": "khoi",
            "level": "tinh",
            "symbol": "KNC",
            "decision_number": "QĐ 12/QĐ-UBND",
            "decision_date": "05/01/2026",
            "decision_issuer": "Chủ tịch UBND tỉnh Bắc Ninh",
        },
    )
    assert response.status_code == 302
    # duplicate name → message next to the field, nothing saved
    response = client.post(reverse("blocs:province_create"), {"name": "Bắc Ninh"})
    assert response.status_code == 200 and response.context["form"].errors["name"]


def _count_queries(django_assert_max_num_queries, client, url, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("units", [5, 50])
def test_pages_query_counts_do_not_grow_with_units(
    db, client, django_assert_max_num_queries, units
):
    bloc, members, term = make_bloc_world(units=units)
    chair = make_user(f"chair{units}", members[0])
    reviewer = make_user(f"rev{units}", None, reviewer_province=bloc.province)
    client.force_login(chair)
    _count_queries(django_assert_max_num_queries, client, reverse("blocs:home"), 12)
    _count_queries(
        django_assert_max_num_queries, client, reverse("blocs:bloc", args=[bloc.pk, 2026]), 14
    )
    client.force_login(reviewer)
    _count_queries(
        django_assert_max_num_queries,
        client,
        reverse("blocs:province", args=[bloc.province.pk]),
        10,
    )


@pytest.mark.parametrize(
    "form_name, data, field, message",
    [
        (
            "blocs:unit_create",
            {
                "name": "Sở A",
                "kind": "so_nganh",
                "valid_from": "01/07/2026",
                "valid_to": "01/01/2026",
            },
            None,
            "Ngày kết thúc phải sau ngày bắt đầu",
        ),
        (
            "blocs:unit_create",
            {"name": "Sở B", "kind": "so_nganh", "valid_from": "1/13/2026"},
            "valid_from",
            "Ngày không hợp lệ",
        ),
        ("blocs:unit_create", {"name": "Sở Tư pháp Thử", "kind": "so_nganh"}, None, "đã có đơn vị"),
        (
            "blocs:unit_create",
            {"name": "Sở C", "kind": "so_nganh", "parent": "FOREIGN"},
            "parent",
            "cùng tỉnh",
        ),
        (
            "blocs:bloc_create",
            {"name": "Khối X", "kind": "khoi", "level": "tinh", "decision_date": "ngày mai"},
            "decision_date",
            "Ngày không hợp lệ",
        ),
        (
            "blocs:bloc_create",
            {"name": "Khối X", "kind": "vu_tru", "level": "tinh"},
            "kind",
            "không",
        ),
    ],
)
def test_admin_forms_reject_bad_input_next_to_the_field(
    client_for, world, form_name, data, field, message
):
    from blocs.models import Bloc, Unit
    from tests.factories import make_province, make_unit

    foreign = make_unit(make_province("Tỉnh xa"), "Sở ngoài tỉnh")
    data = {
        "province": world.province.pk,
        **{k: (foreign.pk if v == "FOREIGN" else v) for k, v in data.items()},
    }
    before = (Unit.objects.count(), Bloc.objects.count())
    response = client_for("admin").post(reverse(form_name), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    text = (
        " ".join(" ".join(v) for v in errors.values()) if field is None else " ".join(errors[field])
    )
    assert message in text
    assert (Unit.objects.count(), Bloc.objects.count()) == before
