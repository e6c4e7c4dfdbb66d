"""The page cache (issue 12): a page a user has seen is served again from memory until the data
changes, the day changes or a few minutes pass.

How it stays correct:

- **The data version.** One row (`DataVersion`) counts the committed writes of the whole
  database. Every connection carries an execute wrapper (Django's instrumentation API) that sees
  every SQL statement: a statement that writes any table except the cache tables bumps the version
  when its transaction commits (at once in autocommit). It sees `QuerySet.update()`, bulk
  writes, raw SQL and migrations alike, which model signals would not. A bump after the commit
  is enough: a page rendered from older data is stored under the older version, which no request
  reads again once the bump has committed.
- **The key.** A cached page belongs to one session: the session cookie, the session's stored
  data (a login, a second-factor code, a message waiting change it) and the CSRF cookie (so the
  form tokens in the page stay valid); to the exact request (path, query string, the htmx
  headers); to one data version and one date (deadlines). The session row is read with the
  version, in one query: a session that has ended (logout deletes it) or expired is never served
  from the cache, and an entry never outlives its session. Writes that only touch sessions, the
  login-failure log (django-axes) or a user's last login move no version: none of the cached
  pages shows them, and the session's own changes are in its key.
- **What is never cached:** anything but GET, a view not marked `@cached_page`, a response
  other than 200 HTML, a response that sets a cookie (but the CSRF cookie's renewal), a request
  with flash messages waiting, a request without session or CSRF cookie, and any request on a
  connection that has uncommitted writes (a view inside a transaction, the test suite's
  transactions): such a connection neither reads nor fills the cache.

The store is per process (`CACHES["pages"]`, local memory): an entry never changes once written
(its key holds the version), so two gunicorn workers can keep their own copies safely; the
version itself is read from the database on every cached request, which is how a write served
by one worker reaches the other.

`PageCacheMiddleware` sits right after the session middleware: a hit costs one query (the
version and the session row) and none of the user, second-factor and view work; a miss costs no
query more than without the cache (the session row it read serves the session). The headers the
rest of the stack set on the first response (CSP, frame options, Vary) are replayed with the
page. `@cached_page` marks the main read-only pages; it goes under `@login_required` (an
anonymous request is redirected and a refusal is a 403: neither is stored).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

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
HTMX_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_TRIGGER", "HTTP_HX_BOOSTED")
TIMEOUT = 300  # seconds: pages showing "now" (a time of day) are never more than this old
MAX_BYTES = 128 * 1024  # a bigger page renders each time (pages are 5–30 KB)
HIT_HEADER = "X-Page-Cache"


def _writes(sql: str) -> bool:
    """Whether a statement may change what a page shows."""
    head = sql.lstrip()[:9].upper()
    if head.startswith(READS):
        return False
    match = _WRITE_TABLE.match(sql)
    if match and match.group(1).strip('"').lower() in IGNORED_TABLES:
        return False
    return not _LAST_LOGIN.match(sql)


_migrating = False  # between pre_migrate and post_migrate: the table may not exist yet


def _bump(alias: str) -> None:
    if _migrating:
        return
    with connections[alias].cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET value = value + 1 WHERE id = 1")
        if cursor.rowcount == 0:  # the row is missing (a flushed test database): start again
            cursor.execute(
                f"INSERT INTO {TABLE} (id, value) VALUES (1, 1) ON CONFLICT (id) DO NOTHING"
            )


class _WriteWatch:
    """The execute wrapper of one connection."""

    def __init__(self, alias: str):
        self.alias = alias

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if isinstance(sql, str) and _writes(sql):
            conn = context["connection"]
            if not conn.in_atomic_block:
                # autocommit: the write is committed already (manual transactions, which
                # Django's on_commit refuses, are not used by the app)
                _bump(self.alias)
            elif not self.dirty(conn):
                transaction.on_commit(self._committed, using=self.alias, robust=True)
        return result

    def _committed(self) -> None:
        _bump(self.alias)

    def dirty(self, conn) -> bool:
        """Whether the connection has writes not committed yet: its bump is waiting for the
        commit. Django drops the callback when the transaction or the savepoint that queued it
        rolls back (the writes are gone with it), so the next write queues it again."""
        return conn.in_atomic_block and any(
            entry[1] == self._committed for entry in conn.run_on_commit
        )


def _install(sender, connection, **kwargs) -> None:
    if (
        connection.alias not in settings.DATABASES
    ):  # e.g. the server connection creating a test database
        return
    if not any(isinstance(w, _WriteWatch) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_WriteWatch(connection.alias))


def _migrate_starts(sender, **kwargs) -> None:
    global _migrating
    _migrating = True


def _migrate_ends(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """After migrate (or a test database's flush), once: everything may have changed."""
    global _migrating
    if _migrating:
        _migrating = False
        if TABLE in connections[using].introspection.table_names():
            _bump(using)


def install() -> None:
    """Watch every connection (called from the app's ready())."""
    connection_created.connect(_install, dispatch_uid="pagecache-writes")
    pre_migrate.connect(_migrate_starts, dispatch_uid="pagecache-migrate-starts")
    post_migrate.connect(_migrate_ends, dispatch_uid="pagecache-migrate-ends")
    for conn in connections.all(initialized_only=True):
        _install(None, conn)


def _watch(conn) -> _WriteWatch | None:
    for wrapper in conn.execute_wrappers:
        if isinstance(wrapper, _WriteWatch):
            return wrapper
    return None


def dirty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the connection must keep off the cache: it has writes not committed yet (or is
    not watched)."""
    conn = connections[alias]
    watch = _watch(conn)
    return watch is None or watch.dirty(conn)


def current_version(alias: str = DEFAULT_DB_ALIAS) -> int | None:
    """The committed data version, or None when the cache must not be used on this connection."""
    conn = connections[alias]
    conn.ensure_connection()
    if dirty(alias):
        return None
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def _aware(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _version_and_session(session_key: str) -> tuple[int, str, dt.datetime] | None:
    """The data version with the session's stored data and expiry, in one query; None when the
    cache is off for this request (a dirty connection, no version row, no such session)."""
    conn = connections[DEFAULT_DB_ALIAS]
    conn.ensure_connection()
    if dirty():
        return None
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT v.value, s.session_data, s.expire_date FROM {TABLE} v "
            "LEFT JOIN django_session s ON s.session_key = %s WHERE v.id = 1",
            [session_key],
        )
        row = cursor.fetchone()
    if row is None or row[1] is None:
        return None
    return row[0], row[1], _aware(row[2])


def _cacheable_view(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "page_cache", False)


def lookup_key(request) -> str | None:
    """The cache key of this request, or None when it must not be served from the cache. Sets
    `request.page_cache_expiry` (the session's) for the store."""
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
    found = _version_and_session(session_key)
    if found is None:
        return None
    version, session_data, expiry = found
    if expiry is None or expiry <= timezone.now():
        return None
    request.page_cache_expiry = expiry
    request.page_cache_session = session_data
    parts = [
        str(version),
        timezone.localdate().isoformat(),
        session_key,
        hashlib.sha256(session_data.encode()).hexdigest(),
        secret,
        request.get_full_path(),
        *(request.META.get(h, "") for h in HTMX_HEADERS),
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return bool(storage is not None and (storage._queued_messages or storage._loaded_messages))


def _timeout(request) -> int:
    """Seconds the entry may live: TIMEOUT, never past the session's expiry."""
    left = (request.page_cache_expiry - timezone.now()).total_seconds()
    return int(min(TIMEOUT, left))


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
        key = lookup_key(request)
        store = caches["pages"]
        if key is not None:
            hit = store.get(key)
            if hit is not None:
                status, content, headers = hit
                response = HttpResponse(content, status=status, headers=headers)
                response[HIT_HEADER] = "hit"
                return response
            # a miss: the session row read with the version serves the session middleware too
            if not hasattr(request.session, "_session_cache"):
                request.session._session_cache = request.session.decode(request.page_cache_session)
        response = self.get_response(request)
        # A view that wrote has moved the version on: its page goes under a key no request
        # reads again, which is harmless.
        if key is not None and _storable(request, response):
            timeout = _timeout(request)
            if timeout > 0:
                headers = {k: v for k, v in response.headers.items() if k != HIT_HEADER}
                store.set(key, (response.status_code, response.content, headers), timeout)
        return response


def cached_page(view):
    """Mark a read-only page for the page cache (PageCacheMiddleware does the work)."""
    view.page_cache = True
    return view
