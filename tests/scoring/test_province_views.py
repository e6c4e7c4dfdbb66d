"""The province overview as the reviewer uses it for the proposals: each bloc's year (giao ước,
sheets, ranking, leader, proposals), filters, the Cờ CP share, the progress chart, the Excel
table; the same number of queries at 5 and at 300 units a bloc."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from scoring.models import ProvinceRules
from scoring.services import proposals as services
from tests.factories import make_bloc_world, make_province, make_user
from tests.scoring.ranking_data import make_ranking


def _bloc(province, units, *, adopted=True, proposals=True, year=2026):
    bloc, members, _term = make_bloc_world(units=units, province=province, year=year)
    make_ranking(bloc, year, members, adopted=adopted, ineligible=members[1:2])
    if adopted and proposals:
        services.proposals_generate(bloc=bloc, year=year, actor=None)
    return bloc, members


def _page(client, province, **params):
    return client.get(reverse("blocs:province", args=[province.pk]), {"nam": 2026, **params})


@pytest.fixture
def reviewer_client(client):
    def _login(province):
        client.force_login(make_user(f"rev{province.pk}", None, reviewer_province=province))
        return client

    return _login


@pytest.mark.parametrize("units", [5, 300])
def test_the_province_page_costs_the_same_at_5_and_300_units(
    db, reviewer_client, django_assert_num_queries, units
):
    province = make_province()
    for _ in range(3):
        _bloc(province, units)
    _bloc(province, units, adopted=False)
    client = reviewer_client(province)
    # the page's blocs and plans (7: session, user, province, years, blocs with their term and
    # member count, deputies, plans) + the scoring panel (2: its blocs' row, the province's
    # rules), whatever the number of units
    with django_assert_num_queries(9):
        response = _page(client, province)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Đã thông qua</span>") == 3 and "Đã tính, chờ hội nghị" in html


def test_each_bloc_shows_its_status_leader_and_proposals(db, reviewer_client):
    province = make_province()
    bloc, members = _bloc(province, 6)
    _bloc(province, 4, adopted=False)
    html = _page(reviewer_client(province), province).content.decode()
    assert f"Dẫn đầu: {members[0].name}" in html
    assert "Dự kiến: 3" in html  # Cờ + 2 Bằng khen drafted (6 units, #2 ineligible)
    assert reverse("scoring:proposals", args=[bloc.pk, 2026]) in html
    assert "Ký giao ước: 0/6" in html and "Bảng điểm chốt: 0/6" in html


def test_filters_by_status_and_kind(db, reviewer_client):
    province = make_province()
    adopted, _ = _bloc(province, 3)
    pending, _ = _bloc(province, 3, adopted=False)
    client = reviewer_client(province)
    html = _page(client, province, **{"tinh-trang": "chua-xep-hang"}).content.decode()
    assert pending.name in html and adopted.name not in html
    html = _page(client, province, **{"tinh-trang": "da-xep-hang"}).content.decode()
    assert adopted.name in html and pending.name not in html
    html = _page(client, province, loai="cum").content.decode()
    assert "Không có khối nào phù hợp bộ lọc" in html
    assert _page(client, province, **{"tinh-trang": "<script>"}).status_code == 200


def test_the_blocs_come_a_page_at_a_time(db, reviewer_client):
    province = make_province()
    blocs = [make_bloc_world(units=1, province=province)[0] for _ in range(23)]
    client = reviewer_client(province)
    first = _page(client, province).content.decode()
    second = _page(client, province, trang=2).content.decode()
    shown = [b for b in blocs if b.name in first]
    assert len(shown) == 20 and all(b.name in second for b in blocs if b not in shown)
    assert 'aria-current="page">2<' in second


def test_the_co_cp_share_and_the_progress_chart_are_shown(db, reviewer_client):
    province = make_province()
    for _ in range(5):
        _bloc(province, 3)
    client = reviewer_client(province)
    html = _page(client, province).content.decode()
    assert "Đề nghị: <strong>0</strong> / tối đa <strong>1</strong>" in html
    assert "20 % của 5 đơn vị dẫn đầu" in html and "5007/BNV-TĐKT" in html
    assert 'role="img"' in html and "Xếp hạng đã thông qua: 5/5 khối." in html
    assert 'width="300.0"' in html  # 5 of 5 blocs: a full bar, with a dot whatever the locale
    ProvinceRules.objects.create(province=province, co_cp_pct=0)
    html = _page(client, province).content.decode()
    assert "tối đa <strong>0</strong>" in html


def test_the_excel_table_lists_every_bloc_and_proposal(db, reviewer_client):
    province = make_province()
    bloc, members = _bloc(province, 4)
    client = reviewer_client(province)
    response = client.get(reverse("scoring:province_export", args=[province.pk, 2026]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    blocs = list(wb["Các khối"].iter_rows(values_only=True))
    assert blocs[1][0] == bloc.name and blocs[1][3] == "Đã thông qua"
    assert blocs[1][4] == members[0].name
    rows = list(wb["Đề nghị khen thưởng"].iter_rows(values_only=True))
    assert rows[1][:4] == (bloc.name, members[0].name, "Cờ thi đua UBND tỉnh", 1)
    assert len(rows) == 1 + 2  # Cờ + 1 Bằng khen (3 left × 50 % = 1)


def test_another_provinces_reviewer_gets_404(db, client):
    province = make_province()
    _bloc(province, 3)
    client.force_login(make_user("rev_x", None, reviewer_province=make_province()))
    assert _page(client, province).status_code == 404
    url = reverse("scoring:province_export", args=[province.pk, 2026])
    assert client.get(url).status_code == 404


def test_the_workbook_holds_every_blocs_ranking_table(db, reviewer_client):
    province = make_province()
    bloc, members = _bloc(province, 4)
    other, _ = _bloc(province, 3, adopted=False)
    response = reviewer_client(province).get(
        reverse("scoring:province_export", args=[province.pk, 2026])
    )
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(wb["Xếp hạng các khối"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Khối thi đua", "Trạng thái xếp hạng", "Thứ tự", "Hạng", "Tập thể")
    mine = [r for r in rows[1:] if r[0] == bloc.name]
    assert [r[4] for r in mine] == [m.name for m in members]
    assert mine[0][1] == "Đã thông qua" and mine[0][5] == 95
    assert mine[1][7] == "Không đủ điều kiện" and "Thanh tra" in mine[1][8]
    assert sum(r[0] == other.name for r in rows[1:]) == 3


@pytest.mark.parametrize("blocs, units", [(2, 3), (6, 40)])
def test_every_blocs_ranking_at_once_reads_as_each_bloc_reads_it(
    db, django_assert_num_queries, blocs, units
):
    """The province-wide read (the workbook, the bench's 'read') gives each bloc what its own
    ranking page gives, in seven queries whatever the number of blocs and units."""
    import datetime as dt

    from scoring.models import Meeting, YearRules
    from scoring.selectors_ranking import as_json, province_rankings, ranking_view
    from tests.scoring.conftest import make_template

    province = make_province()
    made = []
    for i in range(blocs):
        bloc, members, _term = make_bloc_world(units=units, province=province, year=2026)
        make_template(bloc, 2026)  # its groups I–IV head the subtotal columns
        make_ranking(bloc, 2026, members, adopted=i % 2 == 0, ineligible=members[1:2])
        meeting = Meeting.objects.create(
            bloc=bloc, year=2026, date=dt.date(2026, 12, 20), place="Hội trường",
            chair="Đại tá Nguyễn Văn A", secretary="Trần Thị B",
        )  # fmt: skip
        meeting.attending.set(members[::-1])
        YearRules.objects.create(bloc=bloc, year=2026, vote_threshold_pct=60 + i)
        made.append(bloc)
    _bloc(make_province("Tỉnh khác"), 2)
    with django_assert_num_queries(6):
        views = province_rankings(province_id=province.pk, year=2026)
    assert sorted(views) == sorted(b.pk for b in made)
    for bloc in made:
        one = ranking_view(bloc_id=bloc.pk, year=2026)
        assert as_json(views[bloc.pk]) == as_json(one)
        assert views[bloc.pk].groups == one.groups == ["I", "II", "III", "IV", "+", "-"]
        assert views[bloc.pk].adopted == one.adopted
        assert [u.pk for u in views[bloc.pk].attending] == [u.pk for u in one.attending]
        assert views[bloc.pk].rules.vote_threshold_pct == one.rules.vote_threshold_pct
