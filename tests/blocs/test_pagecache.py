"""The page cache (blocs/pagecache.py): a repeated page is served from memory in one query, and
never once anything it shows has changed: a committed write (through a service, a bulk
`update()`, another connection), the session (logout, expiry, another user), a message waiting,
the date. These tests commit for real (transaction=True): the cache only works on committed data.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.models import Session
from django.db import connection, connections, transaction
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blocs import pagecache
from blocs import services as bloc_services
from blocs.models import Unit
from tests.factories import make_unit

pytestmark = pytest.mark.django_db(transaction=True)


def _bloc_url(world) -> str:
    return reverse("blocs:bloc", args=[world.bloc.pk, world.year])


def _client(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _warm(client, url: str):
    """The page kept: a client's first page sets the CSRF cookie (and is not stored); then the
    page is stored, or served if a page before set the cookie."""
    client.get(url)
    response = client.get(url)
    assert response.status_code == 200
    return response


def _hit(response) -> bool:
    return response.get(pagecache.HIT_HEADER) == "hit"


def test_a_repeated_page_is_served_from_the_cache_in_one_query(world):
    client = _client(world, "chair")
    url = _bloc_url(world)
    first = _warm(client, url)
    assert not _hit(first)  # a fresh client: its second page is the one rendered and kept
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert _hit(again)
    assert again.content == first.content
    assert len(queries) == 1  # the version and the session row, together
    # the headers of the rendered page come with it
    assert again["X-Frame-Options"] == first["X-Frame-Options"] == "DENY"
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "csrftoken" not in again.cookies and "sessionid" not in again.cookies


def test_a_bulk_update_shows_on_the_next_page(world):
    client = _client(world, "chair")
    url = _bloc_url(world)
    _warm(client, url)
    assert _hit(client.get(url))
    # QuerySet.update() sends no model signal: the execute wrapper sees its SQL
    Unit.objects.filter(pk=world.unit_a.pk).update(name="Sở Tư pháp Mới Đổi Tên")
    response = client.get(url)
    assert not _hit(response)
    assert "Sở Tư pháp Mới Đổi Tên" in response.content.decode()


def test_a_service_write_on_another_connection_shows_on_the_next_page(world):
    """Another connection stands for the other gunicorn worker: the version is in the database."""
    client = _client(world, "chair")
    url = _bloc_url(world)
    _warm(client, url)
    assert _hit(client.get(url))

    def add_member():
        try:
            unit = make_unit(world.province, "Ban Dân tộc tỉnh Thử")
            bloc_services.membership_add(bloc=world.bloc, unit=unit, joined_on=dt.date(2026, 3, 2))
        finally:
            connections.close_all()

    worker = threading.Thread(target=add_member)
    worker.start()
    worker.join()
    response = client.get(url)
    assert not _hit(response)
    assert "Ban Dân tộc tỉnh Thử" in response.content.decode()


def test_each_user_sees_their_own_page(world):
    url = _bloc_url(world)
    chair, member = _client(world, "chair"), _client(world, "unit_a")
    _warm(chair, url)
    assert "Luân phiên Trưởng khối" in chair.get(url).content.decode()
    response = member.get(url)
    assert not _hit(response)
    assert "Luân phiên Trưởng khối" not in response.content.decode()


def test_another_users_login_keeps_my_pages_cached(world):
    client = _client(world, "chair")
    url = _bloc_url(world)
    _warm(client, url)
    # a login writes the session row and the user's last_login: none of it is on my page
    before = pagecache.versions()
    Client().force_login(world.users["unit_b"])
    assert pagecache.versions() == before
    assert _hit(client.get(url))


def test_a_logged_out_session_never_gets_its_pages_again(world):
    client = _client(world, "chair")
    url = _bloc_url(world)
    _warm(client, url)
    stolen = {name: morsel.value for name, morsel in client.cookies.items()}
    client.logout()  # deletes the session row
    replay = Client()
    for name, value in stolen.items():
        replay.cookies[name] = value
    response = replay.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_expired_session_is_not_served(world):
    client = _client(world, "chair")
    url = _bloc_url(world)
    _warm(client, url)
    past = timezone.now() - dt.timedelta(minutes=1)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=past)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_waiting_message_is_shown_and_the_page_with_it_not_kept(world):
    client = _client(world, "chair")
    url = _bloc_url(world)
    _warm(client, url)
    message = Message(constants.SUCCESS, "Đã lưu nhiệm kỳ năm 2026.")
    client.cookies[CookieStorage.cookie_name] = CookieStorage(HttpRequest())._encode([message])
    shown = client.get(url)
    assert not _hit(shown)
    assert "Đã lưu nhiệm kỳ năm 2026." in shown.content.decode()
    # the message is gone from the next page (the cookie was cleared), which may come from cache
    later = client.get(url)
    assert "Đã lưu nhiệm kỳ năm 2026." not in later.content.decode()


def test_the_next_day_renders_the_page_again(world, monkeypatch):
    client = _client(world, "chair")
    url = _bloc_url(world)
    _warm(client, url)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(pagecache.timezone, "localdate", lambda: tomorrow)
    assert not _hit(client.get(url))


def test_uncommitted_writes_keep_the_connection_off_the_cache(world):
    client = _client(world, "chair")
    url = _bloc_url(world)
    _warm(client, url)
    unit = world.unit_a
    with transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(name="Tên chưa lưu")
        inside = client.get(url)  # same connection: it sees its own uncommitted write
        assert not _hit(inside) and "Tên chưa lưu" in inside.content.decode()
        transaction.set_rollback(True)
    after = client.get(url)
    assert "Tên chưa lưu" not in after.content.decode()
    assert unit.name in after.content.decode()


def _unit_version() -> int:
    return pagecache.versions(["blocs_unit"]).get("blocs_unit", 0)


def test_a_rolled_back_transaction_does_not_stop_the_next_bump(world):
    before = _unit_version()
    with transaction.atomic():
        Unit.objects.filter(pk=-1).update(name="x")  # a write (of no row), then rolled back
        assert pagecache.dirty()
        transaction.set_rollback(True)
    assert not pagecache.dirty()
    assert _unit_version() == before
    with transaction.atomic():
        Unit.objects.filter(pk=-1).update(name="y")
    assert _unit_version() == before + 1


def test_writes_that_change_no_page_move_no_version(world):
    before = pagecache.versions()
    client = Client()
    client.force_login(world.users["chair"])  # the session row and last_login
    client.logout()
    assert pagecache.versions() == before
    Unit.objects.filter(pk=world.unit_a.pk).update(name="Sở Tư pháp Thử 2")
    after = pagecache.versions()
    assert after.pop("blocs_unit") == before.pop("blocs_unit", 0) + 1
    assert after == before  # only the table written


def test_a_write_elsewhere_keeps_the_pages_that_do_not_read_it(world):
    """A plan retitled: the home page (which reads the plans for their status) renders again,
    the bloc page (which reads no plan) stays cached."""
    from plans import services as plan_services
    from plans.models import Plan
    from tests.reports.plan_data import make_plan

    plan = make_plan(bloc=world.bloc, year=world.year, title="Kế hoạch thi đua năm 2026")
    client = _client(world, "chair")
    bloc_url, home_url = _bloc_url(world), reverse("blocs:home")
    _warm(client, bloc_url)
    _warm(client, home_url)
    assert _hit(client.get(home_url))
    revision = Plan.objects.get(pk=plan.pk).revision
    plan_services.plan_update(
        plan=plan, actor=world.users["chair"], revision=revision, title="Kế hoạch đã đổi tên"
    )
    assert _hit(client.get(bloc_url))
    assert not _hit(client.get(home_url))


def test_a_migration_or_unknown_write_renders_every_page_again(world):
    client = _client(world, "chair")
    url = _bloc_url(world)
    _warm(client, url)
    with connection.cursor() as cursor:  # a statement whose table the wrapper cannot name
        cursor.execute("CREATE TABLE pagecache_probe (id integer)")
        cursor.execute("DROP TABLE pagecache_probe")
    assert not _hit(client.get(url))


def test_a_post_and_an_unmarked_page_are_never_served_from_the_cache(world):
    client = _client(world, "chair")
    url = reverse("blocs:term_update", args=[world.bloc.pk, world.year])  # a form page
    client.get(url)
    assert not _hit(client.get(url)) and not _hit(client.get(url))


def test_a_miss_costs_no_query_more_than_without_the_cache(world, settings):
    client = _client(world, "chair")
    url = _bloc_url(world)
    client.get(url)  # the CSRF cookie
    settings.PAGE_CACHE = False
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    settings.PAGE_CACHE = True
    Unit.objects.filter(pk=world.unit_a.pk).update(name="Sở Tư pháp Thử (đổi)")
    with CaptureQueriesContext(connection) as miss:
        response = client.get(url)
    assert not _hit(response) and "Sở Tư pháp Thử (đổi)" in response.content.decode()
    assert len(miss) == len(without)


def test_a_withdrawn_right_is_refused_at_once(world):
    """The reviewer loses the province: the next request is refused, not served from the cache."""
    from blocs.models import User

    client = _client(world, "reviewer")
    url = reverse("blocs:province", args=[world.province.pk])
    _warm(client, url)
    assert _hit(client.get(url))
    User.objects.filter(pk=world.users["reviewer"].pk).update(reviewer_province=None)
    refused = client.get(url)
    # refused as a province one cannot see (404, like any other), not the cached overview
    assert refused.status_code == 404 and not _hit(refused)
    assert world.bloc.name not in refused.content.decode()


def test_a_compound_select_is_a_read():
    # PostgreSQL writes a UNION of querysets "(SELECT …) UNION ALL (SELECT …)": taken for an
    # unknown write it would bump every page's version (the plan page reads one on every render)
    from blocs.pagecache import written_table

    union = (
        '(SELECT "plans_legalbasis"."id" FROM "plans_legalbasis") UNION ALL '
        '(SELECT "plans_recipient"."id" FROM "plans_recipient")'
    )
    assert written_table(union) is None
    assert written_table('UPDATE "plans_plan" SET "title" = %s') == "plans_plan"
    assert written_table("CREATE TABLE x (id int)") == "*"
