"""The home page and the reviewer's province overview: each persona lands on what to do next."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from blocs import services as bloc_services
from blocs.models import Province
from plans.models import Plan
from tests.factories import make_bloc, make_bloc_world, make_unit, make_user
from tests.plans.dashboard_data import make_dated_plan


def day(offset: int = 0) -> dt.date:
    """A day from today, read when the test runs (a module constant goes stale when CI crosses
    midnight between collecting and running the test)."""
    return dt.date.today() + dt.timedelta(days=offset)


def this_year() -> int:
    return day().year


def test_member_home_lists_its_deadlines_with_countdown_and_a_word_badge(world, client_for):
    plan = make_dated_plan(world.bloc, this_year(), day(5), day(-2))
    page = client_for("unit_a").get(reverse("blocs:home")).content.decode()
    assert "Hạn sắp tới của Sở Tư pháp Thử" in page
    assert page.index("quá hạn 2 ngày") < page.index("còn 5 ngày")
    assert ">Quá hạn</span>" in page and ">Sắp đến hạn</span>" in page
    assert reverse("plans:detail", args=[world.bloc.pk, this_year(), plan.pk]) in page


def test_home_says_when_nothing_is_due(world, client_for):
    page = client_for("unit_a").get(reverse("blocs:home")).content.decode()
    assert 'data-testid="no-deadlines"' in page


def test_secretariat_home_shows_the_years_progress(world, client_for):
    make_dated_plan(world.bloc, world.year, status=Plan.Status.APPROVED)
    page = client_for("chair").get(reverse("blocs:home")).content.decode()
    assert "Đã duyệt" in page and "Cấp số và ban hành" in page
    row = page[page.index('data-label="Số đơn vị"') :][:60]
    assert ">4<" in row.replace(" ", "")  # head, deputy and the two member units


def test_member_home_does_not_reveal_a_draft(world, client_for):
    make_dated_plan(world.bloc, world.year, status=Plan.Status.DRAFT)
    page = client_for("unit_a").get(reverse("blocs:home")).content.decode()
    assert "Dự thảo" not in page and "Chưa có kế hoạch" in page


def _blocs(province, n, member):
    for _ in range(n):
        bloc, units, _ = make_bloc_world(units=3, year=this_year(), province=province)
        make_dated_plan(bloc, this_year(), day(5), day(-2), month=12)
        make_dated_plan(bloc, this_year(), status=Plan.Status.DRAFT)
        bloc_services.membership_add(bloc=bloc, unit=member, joined_on=dt.date(2020, 1, 1))


@pytest.mark.parametrize("n", [1, 8])
def test_home_queries_stay_bounded(db, client, django_assert_max_num_queries, n):
    province = Province.objects.create(name=f"Tỉnh {n}")
    member = make_unit(province)
    _blocs(province, n, member)
    client.force_login(make_user("clerk", member))
    # 13 for the blocs and plans, 3 for the registration reminders (scoring), 3 for the unit's
    # state in the report rounds (scoring), at any n
    with django_assert_max_num_queries(19):
        page = client.get(reverse("blocs:home")).content.decode()
    assert page.count('data-testid="unit-deadline"') == 2 * n + n  # two dated, one month-only


@pytest.mark.parametrize("n", [1, 8])
def test_province_overview_queries_stay_bounded(db, client, django_assert_max_num_queries, n):
    province = Province.objects.create(name=f"Tỉnh {n}")
    for _ in range(n):
        bloc, _, _ = make_bloc_world(units=3, year=this_year(), province=province)
        make_dated_plan(bloc, this_year(), day(5))
    client.force_login(make_user("reviewer", None, reviewer_province=province))
    with django_assert_max_num_queries(19):  # + 8 for the scoring panel (scoring.province)
        page = client.get(reverse("blocs:province", args=[province.pk])).content.decode()
    assert page.count("Đã ban hành") == n


def test_reviewer_overview_opens_on_the_latest_year_and_links_every_bloc(world, client_for):
    bloc_services.term_set(bloc=world.bloc, year=world.year + 1, head_unit=world.deputy_unit)
    no_term = make_bloc(world.province, "Khối chưa có Trưởng khối")
    make_dated_plan(world.bloc, world.year + 1, dt.date(world.year + 1, 12, 15))
    make_dated_plan(no_term, world.year + 1, status=Plan.Status.DRAFT)
    response = client_for("reviewer").get(reverse("blocs:province", args=[world.province.pk]))
    page = response.content.decode()
    assert response.context["year"] == world.year + 1
    for bloc in (world.bloc, no_term):
        assert reverse("blocs:bloc", args=[bloc.pk, world.year + 1]) in page
    assert "Công an tỉnh Thử" in page  # next year's head
    assert "15/12/" + str(world.year + 1) in page and "Đã ban hành" in page
    assert "Dự thảo" not in page  # a reviewer does not read drafts
    assert f'<option value="{world.year}"' in page


def test_province_overview_gate(world, client_for):
    url = reverse("blocs:province", args=[world.province.pk])
    assert client_for("unit_a").get(url).status_code == 404
    other = Province.objects.create(name="Tỉnh khác")
    assert (
        client_for("reviewer").get(reverse("blocs:province", args=[other.pk])).status_code == 404
    )  # no existence oracle
    assert client_for("admin").get(url + "?nam=abc").status_code == 200


def test_a_reviewers_home_lists_the_province_a_page_at_a_time(db, client):
    """34 blocs over two years are 68 bloc-years: 30 on a page, newest year first, the pages
    linked; every page costs the same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    province = Province.objects.create(name="Tỉnh nhiều khối")
    for _ in range(34):
        bloc, _, _ = make_bloc_world(units=2, year=this_year(), province=province)
        bloc_services.term_set(
            bloc=bloc, year=this_year() - 1, head_unit=bloc.memberships.first().unit
        )
    client.force_login(make_user("reviewer", None, reviewer_province=province))
    counts, years = [], []
    for n in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("blocs:home"), {"trang": n}).content.decode()
        counts.append(len(ctx.captured_queries))
        table = page.split('data-testid="home-blocs"')[1].split("</table>")[0]
        years.append([int(y) for y in re.findall(r'<td data-label="Năm">(\d{4})</td>', table)])
        assert 'data-testid="home-pages"' in page and f'?trang={n}" aria-current="page"' in page
    assert [len(y) for y in years] == [30, 30, 8]
    flat = [y for page in years for y in page]
    assert flat == sorted(flat, reverse=True) and flat.count(this_year()) == 34
    assert counts[0] == counts[1] == counts[2], counts


def test_a_unit_that_only_deputises_a_bloc_sees_it_and_its_deadlines_at_home(world, client_for):
    # A bloc of an agency's own scope may take any unit of the province as deputy: the unit is
    # then no member of it, yet the home page must list the bloc and the unit's deadlines there.
    make_dated_plan(world.bloc, this_year(), day(5), day(-2))
    other = make_bloc(world.province, "Khối thi đua Kinh tế Thử")
    bloc_services.membership_add(bloc=other, unit=world.head, joined_on=dt.date(2020, 1, 1))
    bloc_services.term_set(bloc=other, year=this_year(), head_unit=world.head)
    other.terms.get(year=this_year()).deputy_units.add(world.other_unit)
    make_dated_plan(other, this_year(), day(5), day(-2))
    page = client_for("outsider").get(reverse("blocs:home")).content.decode()
    assert reverse("blocs:bloc", args=[other.pk, this_year()]) in page
    assert "Phó khối" in page
    deadlines = page[page.index("Hạn sắp tới") :]
    assert "Khối thi đua Kinh tế Thử" in deadlines and "còn 5 ngày" in deadlines
    assert "Khối thi đua Nội chính Thử" not in page  # not a member, head nor deputy there
