"""Pages that pick a unit among many (blocs/unit_search.py): the page lists at most LIMIT units,
a search finds one by part of its name with or without diacritics, a unit the user may not pick
is never offered and is refused when posted, and a form shown again keeps the chosen unit."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from blocs.models import Membership, Unit
from blocs.text import fold
from blocs.unit_search import LIMIT
from tests.factories import make_province, make_unit, make_user

TARGET = "Trung tâm Y tế huyện Đắk Lắk Thử"


def make_crowd(world):
    """Fifty more units in the province, one of them TARGET, and a namesake in another province."""
    units = [make_unit(world.province, f"Ủy ban nhân dân xã Số {i:02d}") for i in range(49)]
    target = make_unit(world.province, TARGET, short_name="TTYT Đắk Lắk")
    foreign = make_unit(make_province("Tỉnh Ngoài Thử"), TARGET)
    return units, target, foreign


@pytest.fixture
def crowd(world):
    return make_crowd(world)


def offered(html: str, name: str) -> list[int]:
    """The unit ids the page offers for field `name` (its radio buttons)."""
    return [int(v) for v in re.findall(rf'type="radio" name="{name}" value="(\d+)"', html)]


def checked(html: str, name: str) -> list[int]:
    return [
        int(v) for v in re.findall(rf'type="radio" name="{name}" value="(\d+)"[^>]* checked', html)
    ]


def add_url(world, *, search: bool = False) -> str:
    name = "blocs:membership_add_units" if search else "blocs:membership_add"
    return reverse(name, args=[world.bloc.pk, world.year])


def test_fold_drops_diacritics_case_and_extra_spaces():
    assert fold("  Sở Tài chính   ĐẮK LẮK ") == "so tai chinh dak lak"
    assert fold("Ủy ban nhân dân xã Quảng Đức") == "uy ban nhan dan xa quang duc"


def test_a_unit_keeps_its_search_text_when_renamed(world):
    unit = world.unit_a
    assert unit.search_text == "so tu phap thu"
    unit.name, unit.short_name = "Sở Nội vụ Thử", "SNV"
    unit.save(update_fields=["name", "short_name"])
    assert Unit.objects.get(pk=unit.pk).search_text == "so noi vu thu snv"


def test_the_page_no_longer_lists_every_unit_of_the_province(client_for, world, crowd):
    units, target, _ = crowd
    html = client_for("chair").get(add_url(world)).content.decode()
    assert Unit.objects.filter(province=world.province).count() > 50
    assert offered(html, "unit") == []  # too many to list: search first
    assert units[-1].name not in html and TARGET not in html
    assert "Gõ một phần tên đơn vị" in html and 'name="q" form="tim-don-vi"' in html
    assert '<form id="tim-don-vi" method="get"' in html  # the box's own form, outside the page's


def test_a_province_with_few_units_lists_them_all(client_for, world):
    html = client_for("chair").get(add_url(world)).content.decode()
    assert len(offered(html, "unit")) == Unit.objects.filter(province=world.province).count()


@pytest.mark.parametrize("query", ["Đắk Lắk", "dak lak", "DAK  lak y te", "ttyt", "huyện đắk"])
def test_search_finds_a_unit_by_part_of_its_name_with_or_without_diacritics(
    client_for, world, crowd, query
):
    _, target, foreign = crowd
    client = client_for("chair")
    fragment = client.get(add_url(world, search=True), {"q": query})  # htmx, as one types
    page = client.get(add_url(world), {"q": query})  # without JavaScript: the page reloaded
    for html in (fragment.content.decode(), page.content.decode()):
        assert offered(html, "unit") == [target.pk]  # not its namesake of another province
        assert "Tìm thấy 1 đơn vị" in html
    assert "<html" not in fragment.content.decode()  # the list only


def test_a_broad_search_shows_the_first_matches_and_asks_for_more(client_for, world, crowd):
    html = client_for("chair").get(add_url(world, search=True), {"q": "xa"}).content.decode()
    assert len(offered(html, "unit")) == LIMIT
    assert "gõ thêm để thu hẹp" in html
    html = client_for("chair").get(add_url(world, search=True), {"q": "zzz"}).content.decode()
    assert offered(html, "unit") == []
    assert "Không tìm thấy đơn vị nào khớp với “zzz”" in html


def test_a_unit_of_another_province_is_never_offered_and_is_refused(client_for, world, crowd):
    _, _, foreign = crowd
    client = client_for("chair")
    html = client.get(add_url(world, search=True), {"q": "dak", "unit": foreign.pk}).content
    assert foreign.pk not in offered(html.decode(), "unit")  # even when named as the choice
    data = {"unit": foreign.pk, "joined_on": "01/03/2026", "join_reason": "kien_toan"}
    response = client.post(add_url(world), data)
    assert response.status_code == 200
    assert "không thuộc tỉnh của khối" in " ".join(response.context["form"].errors["unit"])
    assert checked(response.content.decode(), "unit") == []
    assert not Membership.objects.filter(unit=foreign).exists()


def test_a_form_shown_again_with_errors_keeps_the_chosen_unit(client_for, world, crowd):
    _, target, _ = crowd
    data = {"unit": target.pk, "joined_on": "31/02/2026", "join_reason": "kien_toan"}
    response = client_for("chair").post(add_url(world), data)
    assert response.context["form"].errors["joined_on"]
    html = response.content.decode()
    assert offered(html, "unit") == [target.pk] and checked(html, "unit") == [target.pk]
    # a search while the unit is chosen keeps it, first, still chosen
    search = {"q": "xa so 01", "unit": target.pk}
    html = client_for("chair").get(add_url(world, search=True), search).content.decode()
    assert offered(html, "unit")[0] == target.pk and checked(html, "unit") == [target.pk]
    assert "Tìm thấy 1 đơn vị" in html  # the matches, not counting the chosen unit


def test_a_merger_never_offers_the_merging_unit_as_its_successor(client_for, world, crowd):
    m = world.bloc.memberships.get(unit=world.unit_b)
    url = reverse("blocs:unit_merge_units", args=[world.bloc.pk, world.year, m.pk])
    html = client_for("reviewer").get(url, {"q": "toa an"}).content.decode()
    assert offered(html, "successor") == []
    page = reverse("blocs:unit_merge", args=[world.bloc.pk, world.year, m.pk])
    response = client_for("reviewer").post(
        page, {"left_on": "30/06/2026", "successor": world.unit_b.pk}
    )
    assert "phải là đơn vị khác" in " ".join(response.context["form"].errors["successor"])


def test_the_search_answers_get_only_and_only_where_the_page_has_a_unit_field(client_for, world):
    assert client_for("chair").post(add_url(world, search=True), {"q": "so"}).status_code == 405
    manager = make_user("quanly", world.unit_a, is_account_manager=True)
    client = client_for("anonymous")
    client.force_login(manager)
    assert client.get(reverse("blocs:account_invite")).status_code == 200  # no unit to choose
    assert client.get(reverse("blocs:account_invite_units"), {"q": "so"}).status_code == 404


def test_pages_over_every_province_name_the_province(client_for, world, crowd):
    _, target, foreign = crowd
    for name in ("blocs:account_invite_units", "blocs:unit_create_units"):
        html = client_for("admin").get(reverse(name), {"q": "dak lak"}).content.decode()
        assert sorted(offered(html, re.search(r'name="(\w+)" value="\d', html)[1])) == sorted(
            [target.pk, foreign.pk]
        )
        assert f"{TARGET} (Tỉnh Ngoài Thử)" in html


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 5000},
        {"q": "\x00\x1f đắk"},
        {"q": "dak", "unit": "abc"},
        {"q": "dak", "unit": "99999999999999999999"},
        {"q": "% _ \\"},
    ],
)
def test_hostile_searches_are_answered(client_for, world, crowd, params):
    response = client_for("chair").get(add_url(world, search=True), params)
    assert response.status_code == 200
