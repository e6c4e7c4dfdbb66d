"""The page cache (issue 12): a page a user has seen is served again from memory until
something it shows changes, the day changes or a few minutes pass.

How it stays correct:

- **Versions per table.** `DataVersion` holds one counter per database table (a missing row
  reads 0; the row "*" stands for every table). Every connection carries an execute wrapper
  (Django's instrumentation API) that sees every SQL statement: a statement that writes a table
  bumps that table's counter when its transaction commits (at once in autocommit); a statement
  it cannot name the table of (DDL, a migration, a flush) bumps "*". It sees
  `QuerySet.update()`, bulk writes and raw SQL alike, which model signals would not.
- **What a page read.** While a marked page renders, the same wrapper notes every table its
  queries read (FROM and JOIN, subqueries included). The page is kept under the versions of
  exactly those tables as they were *before* it read them: a write committed meanwhile has
  bumped a version after the snapshot, so the entry is already unreachable. A line saved in a
  sheet bumps the score tables, which the plan, ranking and proposals pages never read: they
  stay cached while the sheets list renders again.
- **The key.** A kept page belongs to one session: the session cookie, the session's stored data
  (a login, a second-factor code, a message waiting change it) and the CSRF cookie (so the form
  tokens in the page stay valid); to the exact request (path, query string, the htmx headers);
  and to one date (deadlines). The session row is read with the versions, in one query: a
  session that has ended (logout deletes it) or expired is never served from the cache, and an
  entry never outlives its session. Writes to sessions, to django-axes' login log and a user's
  last login bump nothing: the cached pages do not show them, and the session's own changes are
  in its key.
- **What is never cached:** anything but GET, a view not marked `@cached_page`, a response
  other than 200 HTML, a response that sets a cookie (but the CSRF cookie's renewal), a request
  with flash messages waiting, a request without session or CSRF cookie, and any request on a
  connection that has uncommitted writes (a view inside a transaction, the test suite's
  transactions): such a connection neither reads nor fills the cache.

The store is per process (`CACHES["pages"]`, local memory): an entry never changes once written
(its key holds the versions), so two gunicorn workers can keep their own copies safely; the
versions are read from the database on every cached request, which is how a write served by one
worker reaches the other.

`PageCacheMiddleware` sits right after the session middleware: a hit costs one query (the
versions and the session row) and none of the user, second-factor and view work; a miss costs no
query more than without the cache (the session row it read serves the session). The headers the
rest of the stack set on the first response (CSP, frame options, Vary) are replayed with the
page. `@cached_page` marks the main read-only pages; it goes under `@login_required` (an
anonymous request is redirected and a refusal is a 403 or 404: neither is stored).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime

TABLE = "blocs_dataversion"
# Writes that never change what a cached page shows: the caches, the version row, the sessions
# (their changes are in the key), django-axes' login log.
IGNORED_TABLES = frozenset(
    {TABLE, "django_cache", "django_session"}
    | {"axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
)
# Django's update_last_login after each login
_LAST_LOGIN = re.compile(r'^UPDATE "?blocs_user"? SET "?last_login"? = %s WHERE [^,;]+$')
READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "END", "SET ", "SHOW")
READS += ("EXPLAIN", "PRAGMA")
_WRITE_TABLE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+["`]?([\w.]+)',
    re.IGNORECASE,
)
_READ_TABLES = re.compile(r'\b(?:FROM|JOIN)\s+["`]?(\w+)', re.IGNORECASE)
ALL = "*"  # the version every page depends on (DDL, migrations, unparsed writes)
HTMX_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_TRIGGER", "HTTP_HX_BOOSTED")
TIMEOUT = 300  # seconds: pages showing "now" (a time of day) are never more than this old
MAX_BYTES = 128 * 1024  # a bigger page renders each time (pages are 5–30 KB)
HIT_HEADER = "X-Page-Cache"


def written_table(sql: str) -> str | None:
    """The table a statement writes ("*" when it cannot tell), or None for a read or a write
    that changes no page."""
    head = sql.lstrip("( \t\n")[:9].upper()
    if head.startswith(READS):
        return None
    match = _WRITE_TABLE.match(sql)
    if not match:
        return ALL  # DDL, TRUNCATE, anything unforeseen: every page may have changed
    table = match.group(1).strip('"`').lower()
    if table in IGNORED_TABLES or _LAST_LOGIN.match(sql):
        return None
    return table


def read_tables(sql: str) -> set[str]:
    return {t.lower() for t in _READ_TABLES.findall(sql)}


_migrating = False  # between pre_migrate and post_migrate: the table may not exist yet


def _bump(alias: str, tables) -> None:
    if _migrating or not tables:
        return
    names = sorted(tables)  # always the same lock order: two commits never deadlock here
    values = ", ".join(["(%s, 1)"] * len(names))
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (name, value) VALUES {values} "
            f"ON CONFLICT (name) DO UPDATE SET value = {TABLE}.value + 1",
            names,
        )


class _Watch:
    """The execute wrapper of one connection: the tables written (bumped at commit) and, while
    a page renders, the tables read."""

    def __init__(self, alias: str):
        self.alias = alias
        self.written: set[str] = set()  # by the transaction in progress
        self.reading: set[str] | None = None

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not isinstance(sql, str):
            return result
        if self.reading is not None and sql.lstrip("( \t\n")[:6].upper() == "SELECT":
            self.reading |= read_tables(sql)
        table = written_table(sql)
        if table is not None:
            conn = context["connection"]
            if not conn.in_atomic_block:
                # autocommit: the write is committed already (manual transactions, which
                # Django's on_commit refuses, are not used by the app)
                _bump(self.alias, [table])
            elif not self.dirty(conn):
                self.written = {table}
                transaction.on_commit(self._committed, using=self.alias, robust=True)
            else:
                self.written.add(table)
        return result

    def _committed(self) -> None:
        tables, self.written = self.written, set()
        _bump(self.alias, tables)

    def dirty(self, conn) -> bool:
        """Whether the connection has writes not committed yet: its bump is waiting for the
        commit. Django drops the callback when the transaction or the savepoint that queued it
        rolls back (the writes are gone with it), so the next write queues it again, afresh."""
        return conn.in_atomic_block and any(
            entry[1] == self._committed for entry in conn.run_on_commit
        )


def _install(sender, connection, **kwargs) -> None:
    if connection.alias not in settings.DATABASES:  # the server connection making a test db
        return
    if not any(isinstance(w, _Watch) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_Watch(connection.alias))


def _migrate_starts(sender, **kwargs) -> None:
    global _migrating
    _migrating = True


def _migrate_ends(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """After migrate, once: every page may have changed."""
    global _migrating
    if _migrating:
        _migrating = False
        if TABLE in connections[using].introspection.table_names():
            _bump(using, [ALL])


def install() -> None:
    """Watch every connection (called from the app's ready())."""
    connection_created.connect(_install, dispatch_uid="pagecache-writes")
    pre_migrate.connect(_migrate_starts, dispatch_uid="pagecache-migrate-starts")
    post_migrate.connect(_migrate_ends, dispatch_uid="pagecache-migrate-ends")
    for conn in connections.all(initialized_only=True):
        _install(None, conn)


def _watch(alias: str = DEFAULT_DB_ALIAS) -> _Watch | None:
    for wrapper in connections[alias].execute_wrappers:
        if isinstance(wrapper, _Watch):
            return wrapper
    return None


def dirty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the connection must keep off the cache: it has writes not committed yet (or is
    not watched)."""
    watch = _watch(alias)
    return watch is None or watch.dirty(connections[alias])


def versions(tables=None, alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """The committed versions of `tables` (every table with a row when None)."""
    with connections[alias].cursor() as cursor:
        if tables is None:
            cursor.execute(f"SELECT name, value FROM {TABLE}")
        else:
            names = sorted(tables)
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(f"SELECT name, value FROM {TABLE} WHERE name IN ({marks})", names)
        return dict(cursor.fetchall())


def _aware(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _session_and_versions(session_key: str, tables) -> tuple[str, dt.datetime, dict] | None:
    """The session's stored data and expiry with the versions of `tables` (all when None), in
    one query; None when the cache is off for this request (a dirty connection, no session)."""
    conn = connections[DEFAULT_DB_ALIAS]
    conn.ensure_connection()
    if dirty():
        return None
    params: list = [session_key]
    where = ""
    if tables is not None:
        names = sorted(tables)
        where = " WHERE name IN (" + ", ".join(["%s"] * len(names)) + ")"
        params += names
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT session_data, expire_date, NULL, NULL FROM django_session "
            f"WHERE session_key = %s UNION ALL SELECT NULL, NULL, name, value FROM {TABLE}{where}",
            params,
        )
        rows = cursor.fetchall()
    session = next((r for r in rows if r[0] is not None), None)
    if session is None:
        return None
    return session[0], _aware(session[1]), {r[2]: r[3] for r in rows if r[2] is not None}


def _cacheable_view(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "page_cache", False)


def _digest(parts) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


@dataclass
class Lookup:
    request_key: str  # the request: what the tables it read last time are kept under
    base: str  # the request and its session's data
    snapshot: dict[str, int]  # versions read before the page, of `tables` (or of all)
    tables: frozenset[str] | None  # what the page read last time, when known
    expiry: dt.datetime
    session_data: str

    def page_key(self, tables) -> str | None:
        """The entry's key under the snapshot's versions of `tables`; None when the snapshot
        does not cover them (the page now reads a table it did not)."""
        if self.tables is not None and not set(tables) <= self.tables:
            return None
        held = [(t, self.snapshot.get(t, 0)) for t in sorted(tables)]
        return "page:" + _digest([self.base, self.snapshot.get(ALL, 0), *held])


def lookup(request) -> Lookup | None:
    """What the cache knows of this request, or None when it must not use the cache."""
    cookies = request.COOKIES
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    secret = cookies.get(settings.CSRF_COOKIE_NAME)
    if (
        request.method != "GET"
        or not getattr(settings, "PAGE_CACHE", True)
        or settings.SESSION_ENGINE != "django.contrib.sessions.backends.db"
        or not session_key
        or not secret
        or CookieStorage.cookie_name in cookies  # messages waiting for this page
        or not _cacheable_view(request)
    ):
        return None
    base_parts = [
        timezone.localdate().isoformat(),
        session_key,
        secret,
        request.get_full_path(),
        *(request.META.get(h, "") for h in HTMX_HEADERS),
    ]
    request_key = _digest(base_parts)
    tables = caches["pages"].get("tables:" + request_key)
    found = _session_and_versions(session_key, None if tables is None else {*tables, ALL})
    if found is None:
        return None
    session_data, expiry, snapshot = found
    if expiry is None or expiry <= timezone.now():
        return None
    # the session's data in the key: a login, a code, a message stored change it
    base = _digest([request_key, hashlib.sha256(session_data.encode()).hexdigest()])
    return Lookup(request_key, base, snapshot, tables, expiry, session_data)


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return bool(storage is not None and (storage._queued_messages or storage._loaded_messages))


def _timeout(expiry: dt.datetime) -> int:
    """Seconds the entry may live: TIMEOUT, never past the session's expiry."""
    return int(min(TIMEOUT, (expiry - timezone.now()).total_seconds()))


def _sets_cookies(request, response) -> bool:
    """Whether the response sets a cookie other than the CSRF cookie's renewal (Django sends
    the unchanged cookie again on every page that uses the token, to renew its expiry)."""
    for name, morsel in response.cookies.items():
        if name != settings.CSRF_COOKIE_NAME or morsel.value != request.COOKIES.get(name):
            return True
    return False


def _storable(request, response) -> bool:
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not _sets_cookies(request, response)
        and response.get("Content-Type", "").startswith("text/html")
        and len(response.content) <= MAX_BYTES
        and user is not None
        and user.is_authenticated
        and not _has_messages(request)
    )


class PageCacheMiddleware:
    """Serves a marked page from the page cache, or renders it and keeps it (see above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = lookup(request)
        if found is None:
            return self.get_response(request)
        store = caches["pages"]
        key = found.page_key(found.tables) if found.tables is not None else None
        hit = store.get(key) if key else None
        if hit is not None:
            status, content, headers = hit
            response = HttpResponse(content, status=status, headers=headers)
            response[HIT_HEADER] = "hit"
            return response
        # a miss: the session row read with the versions serves the session middleware too
        if not hasattr(request.session, "_session_cache"):
            request.session._session_cache = request.session.decode(found.session_data)
        watch = _watch()
        watch.reading = set()
        try:
            response = self.get_response(request)
        finally:
            read, watch.reading = watch.reading, None
        if _storable(request, response):
            tables = frozenset(read - IGNORED_TABLES)
            timeout = _timeout(found.expiry)
            store.set("tables:" + found.request_key, tables, TIMEOUT)
            key = found.page_key(tables)
            if key is not None and timeout > 0:
                headers = {k: v for k, v in response.headers.items() if k != HIT_HEADER}
                store.set(key, (response.status_code, response.content, headers), timeout)
        return response


def cached_page(view):
    """Mark a read-only page for the page cache (PageCacheMiddleware does the work)."""
    view.page_cache = True
    return view
