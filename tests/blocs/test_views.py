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
    # this year is untouched: the chair still corrects 2026's term; rotating again is not
    # offered now that 2027 has a term (the page sends to 2027 instead)
    update_url = reverse("blocs:term_update", args=[world.bloc.pk, world.year])
    assert client_for("chair").get(update_url).status_code == 200
    response = client_for("chair").get(url)
    assert response.status_code == 302 and response["Location"].endswith(f"/{world.year + 1}/")


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


def test_membership_end_checks_dates_and_records_the_leave(client_for, world):
    m = world.bloc.memberships.get(unit=world.unit_b)
    url = reverse("blocs:membership_end", args=[world.bloc.pk, world.year, m.pk])
    response = client_for("chair").post(url, {"left_on": "30/06/2024"})
    assert "thuộc năm 2026" in " ".join(response.context["form"].errors["left_on"])
    response = client_for("chair").post(url, {"left_on": "30/06/2026"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.left_on, m.leave_reason) == (dt.date(2026, 6, 30), "rut")


def test_merger_form_requires_a_successor(client_for, world):
    m = world.bloc.memberships.get(unit=world.unit_b)
    url = reverse("blocs:unit_merge", args=[world.bloc.pk, world.year, m.pk])
    response = client_for("reviewer").post(url, {"left_on": "30/06/2026"})
    assert "hãy chọn đơn vị kế thừa" in " ".join(response.context["form"].errors["successor"])
    m.refresh_from_db()
    assert m.left_on is None


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
    # home: 12 for the blocs and plans + 3 for the registration reminders (scoring)
    _count_queries(django_assert_max_num_queries, client, reverse("blocs:home"), 15)
    _count_queries(
        django_assert_max_num_queries, client, reverse("blocs:bloc", args=[bloc.pk, 2026]), 14
    )
    client.force_login(reviewer)
    _count_queries(
        django_assert_max_num_queries,
        client,
        reverse("blocs:province", args=[bloc.province.pk]),
        18,  # 10 for the blocs and plans + 8 for the scoring panel (scoring.province)
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


def test_admin_sets_the_first_term_of_a_new_bloc_in_the_app(client_for, world):
    from blocs.models import AuditEvent
    from tests.factories import make_bloc

    bloc = make_bloc(world.province, "Khối mới thành lập")
    client = client_for("admin")
    add = reverse("blocs:membership_add", args=[bloc.pk, 2026])
    for unit in (world.unit_a, world.unit_b):
        data = {"unit": unit.pk, "joined_on": "02/03/2026", "join_reason": "thanh_lap"}
        assert client.post(add, data).status_code == 302
    page = client.get(reverse("blocs:bloc", args=[bloc.pk, 2026])).content.decode()
    assert "Thiết lập nhiệm kỳ năm 2026" in page
    response = client.post(
        reverse("blocs:term_set", args=[bloc.pk, 2026]),
        {
            "head_unit": world.unit_a.pk,
            "deputy_units": [world.unit_b.pk],
            "basis": "QĐ 12/QĐ-UBND",
            "basis_date": "01/03/2026",
            "head_display": "Sở Tư pháp",
            "signer_position": "Giám đốc",
            "signer_name": "Lê Văn\x01 A",
        },
    )
    assert response.status_code == 302
    term = BlocTerm.objects.get(bloc=bloc, year=2026)
    assert (term.head_unit, term.signer_name) == (world.unit_a, "Lê Văn A")
    assert AuditEvent.objects.filter(action="term.set", bloc=bloc).exists()
    page = client.get(reverse("blocs:bloc", args=[bloc.pk, 2026])).content.decode()
    assert "Giám đốc" in page and "Lê Văn A" in page


def test_term_update_needs_a_reason_and_strips_control_characters(client_for, world):
    url = reverse("blocs:term_update", args=[world.bloc.pk, world.year])
    client = client_for("chair")
    form = client.get(url).context["form"]
    assert form.initial["head_unit"] == world.head.pk  # starts from the current term
    data = {
        "head_unit": world.head.pk,
        "deputy_units": [world.deputy_unit.pk],
        "basis": "QĐ 443/QĐ-UBND",
        "signer_position": "Chính ủy",
        "signer_rank": "Đại\x01 tá",
        "signer_name": "Hà Đình Khiêm",
    }
    response = client.post(url, data)
    assert "Hãy ghi lý do" in " ".join(response.context["form"].errors["reason"])
    world.term.refresh_from_db()
    assert world.term.signer_name == ""
    response = client.post(url, {**data, "reason": "Bổ sung người ký"})
    assert response.status_code == 302
    world.term.refresh_from_db()
    assert (world.term.signer_rank, world.term.signer_name) == ("Đại tá", "Hà Đình Khiêm")


@pytest.mark.parametrize(
    "url_name, data, field, message",
    [
        ("blocs:term_update", {"basis_date": "01/01/1900"}, "basis_date", "không hợp lý"),
        ("blocs:term_rotate", {"basis_date": "01/01/2000"}, "basis_date", "không hợp lý"),
        (
            "blocs:membership_add",
            {"unit": "NEW", "joined_on": "01/03/2030", "join_reason": "kien_toan"},
            "joined_on",
            "thuộc năm 2026",
        ),
    ],
)
def test_dates_posted_for_a_bloc_year_stay_near_that_year(
    client_for, world, url_name, data, field, message
):
    from tests.factories import make_unit

    base = {"head_unit": world.unit_a.pk, "reason": "Thử", **data}
    base = {k: (make_unit(world.province).pk if v == "NEW" else v) for k, v in base.items()}
    before = (BlocTerm.objects.count(), Membership.objects.count())
    response = client_for("chair").post(reverse(url_name, args=[world.bloc.pk, world.year]), base)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert (BlocTerm.objects.count(), Membership.objects.count()) == before


def test_leave_date_of_another_year_cannot_end_a_membership(client_for, world):
    """The 2026 page cannot end a membership in 2027 (nor in 2025)."""
    m = world.bloc.memberships.get(unit=world.unit_b)
    url = reverse("blocs:membership_end", args=[world.bloc.pk, world.year, m.pk])
    for day in ("15/01/2027", "31/12/2025"):
        response = client_for("chair").post(url, {"left_on": day})
        assert "thuộc năm 2026" in " ".join(response.context["form"].errors["left_on"])
    m.refresh_from_db()
    assert m.left_on is None


def test_head_cannot_leave_through_the_page(client_for, world):
    m = world.bloc.memberships.get(unit=world.head)
    url = reverse("blocs:membership_end", args=[world.bloc.pk, world.year, m.pk])
    response = client_for("chair").post(url, {"left_on": "30/06/2026"})
    assert response.status_code == 200
    assert "hãy cử Trưởng khối khác" in " ".join(response.context["form"].errors["left_on"])


def test_reviewer_declares_a_merger(client_for, world):
    from tests.factories import make_unit

    successor = make_unit(world.province, "Sở Tư pháp và Nội vụ Thử")
    m = world.bloc.memberships.get(unit=world.unit_a)
    url = reverse("blocs:unit_merge", args=[world.bloc.pk, world.year, m.pk])
    response = client_for("reviewer").post(
        url, {"left_on": "30/06/2026", "successor": successor.pk}
    )
    assert response.status_code == 302
    world.unit_a.refresh_from_db()
    assert world.unit_a.successor == successor
    page = client_for("chair").get(reverse("blocs:bloc", args=[world.bloc.pk, world.year]))
    assert "Kế thừa bởi: Sở Tư pháp và Nội vụ Thử" in page.content.decode()
    assert "Sáp nhập</a>" not in page.content.decode()  # the secretariat is not offered a merger


def test_rotation_is_offered_only_while_next_year_has_no_term(client_for, world):
    page = reverse("blocs:bloc", args=[world.bloc.pk, world.year])
    assert "Luân phiên Trưởng khối năm 2027" in client_for("chair").get(page).content.decode()
    services.term_rotate(term=world.term, head_unit=world.deputy_unit)
    html = client_for("admin").get(page).content.decode()
    assert "Luân phiên Trưởng khối" not in html and "Sửa nhiệm kỳ năm 2027" in html
    html = client_for("chair").get(page).content.decode()  # not secretariat in 2027
    assert "Xem nhiệm kỳ năm 2027" in html and "Sửa nhiệm kỳ năm 2027" not in html


def test_reviewer_reaches_a_new_bloc_without_a_term_from_the_province_page(client_for, world):
    from tests.factories import make_bloc

    bloc = make_bloc(world.province, "Khối chưa có nhiệm kỳ")
    html = (
        client_for("reviewer")
        .get(reverse("blocs:province", args=[world.province.pk]) + "?nam=2026")
        .content.decode()
    )
    assert reverse("blocs:bloc", args=[bloc.pk, 2026]) in html
    page = client_for("reviewer").get(reverse("blocs:bloc", args=[bloc.pk, 2026]))
    assert "Thiết lập nhiệm kỳ năm 2026" in page.content.decode()


def _term_form_data(html: str) -> dict:
    """The correction form's fields as the browser would send them (hidden state included)."""
    import re

    data = dict(re.findall(r'<input type="(?:text|hidden)" name="(\w+)" value="([^"]*)"', html))
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_a_stale_term_correction_never_overwrites_a_newer_one(client_for, world):
    """Two editors open the correction form; the second to save is refused, the first one's
    correction stays, and the refusal says what to do."""
    url = reverse("blocs:term_update", args=[world.bloc.pk, world.year])
    client = client_for("chair")
    stale = _term_form_data(client.get(url).content.decode())
    fresh = _term_form_data(client.get(url).content.decode())
    assert stale["state"] and stale["state"] == fresh["state"]
    common = {"head_unit": world.head.pk, "deputy_units": [world.deputy_unit.pk]}
    first = client.post(url, {**fresh, **common, "basis": "QĐ 500/QĐ-UBND", "reason": "Kiện toàn"})
    assert first.status_code == 302
    second = client.post(url, {**stale, **common, "basis": "QĐ 1/QĐ-UBND", "reason": "Cũ"})
    assert second.status_code == 200
    assert "vừa được người khác điều chỉnh" in second.content.decode()
    world.term.refresh_from_db()
    assert world.term.basis == "QĐ 500/QĐ-UBND"
    # reopened, the form carries the new state and saves
    again = _term_form_data(client.get(url).content.decode())
    assert again["state"] != stale["state"] and again["basis"] == "QĐ 500/QĐ-UBND"
    third = client.post(url, {**again, **common, "basis": "QĐ 2/QĐ-UBND", "reason": "Sửa lại"})
    assert third.status_code == 302
    world.term.refresh_from_db()
    assert world.term.basis == "QĐ 2/QĐ-UBND"


@pytest.mark.parametrize(
    "head, deputies, field",
    [
        ("abc", [], "head_unit"),  # not an id
        ("99999999999", [], "head_unit"),  # beyond the database's integers
        ("other_unit", [], "head_unit"),  # a unit of another bloc
        ("head", ["deputy_unit", "other_unit"], "deputy_units"),  # one deputy not a member
        ("head", ["abc"], "deputy_units"),
    ],
)
def test_term_form_refuses_posted_units_outside_the_choices(
    client_for, world, head, deputies, field
):
    """The head and deputies are read together among the choices (TermForm.full_clean); a
    value not found there keeps the field's own refusal, next to it."""
    url = reverse("blocs:term_update", args=[world.bloc.pk, world.year])

    def unit(name):  # a unit of the world by its name there, else the raw value posted
        return str(getattr(world, name).pk) if hasattr(world, name) else name

    data = {"head_unit": unit(head), "deputy_units": [unit(d) for d in deputies], "reason": "x"}
    response = client_for("chair").post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    world.term.refresh_from_db()
    assert world.term.head_unit == world.head
