"""The harness of the hostile-input tests: every generated input goes through the real view with
the Django test client, and two invariants are checked on each one:

- never a server error (a 5xx fails the test with the view's traceback);
- no partial write: the database (every table's row count and a hash of its rows, the audit log
  included) and the private files are snapshotted before; a refused input (4xx, a form shown
  again with errors, an error message) changes nothing; an accepted input that changed data
  left an audit event, and passes the endpoint's own "whole" check when it has one.

Each example runs in a savepoint that is rolled back, so one world serves every example."""

from __future__ import annotations

import hashlib
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.template.context import BaseContext
from django.test.utils import ContextList
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings

# run → [inputs tried, 5xx seen, inputs accepted]; the session summary (tests/security/conftest.py)
# prints it
TALLY: dict[str, list[int]] = {}

# Tables that a refused input may legitimately write: sessions (a login rotates them), the login
# throttle's records of failed attempts, the admin's log.
SKIPPED_APPS = {"sessions", "axes", "admin", "contenttypes"}
# Columns that move on a refused input by design: a failed code counts against the device.
SKIPPED_COLUMNS = {
    ("blocs.user", "last_login"),
    ("otp_totp.totpdevice", "throttling_failure_count"),
    ("otp_totp.totpdevice", "throttling_failure_timestamp"),
    ("otp_totp.totpdevice", "last_t"),
}


def max_examples(default: int) -> int:
    """The examples of one hypothesis run: `default` in CI; to measure, HOSTILE_EXAMPLES=k runs
    k times each run's default (the heavy runs stay lighter), HYPOTHESIS_MAX_EXAMPLES=n runs n
    examples in every run."""
    if fixed := os.environ.get("HYPOTHESIS_MAX_EXAMPLES"):
        return int(fixed)
    return max(1, round(default * float(os.environ.get("HOSTILE_EXAMPLES") or 1)))


def hostile(default: int) -> settings:
    """Settings of every hostile-input run: reproducible (derandomized, no example database),
    no deadline (a page render is slow next to a pure function)."""
    return settings(
        max_examples=max_examples(default),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


# ---------------------------------------------------------------- snapshots


def _tables() -> list[tuple[str, Any, list[str]]]:
    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in SKIPPED_APPS or meta.proxy or not meta.managed:
            continue
        label = meta.label_lower
        columns = [
            f.attname for f in meta.concrete_fields if (label, f.attname) not in SKIPPED_COLUMNS
        ]
        out.append((label, model, columns))
    return out


def snapshot() -> dict[str, tuple[int, str]]:
    """Every table: (row count, hash of its rows in primary-key order); and the private files."""
    out = {}
    for label, model, columns in _tables():
        rows = [_plain(row) for row in model._base_manager.order_by("pk").values_list(*columns)]
        out[label] = (len(rows), hashlib.sha1(repr(rows).encode()).hexdigest())
    root = Path(django_settings.PRIVATE_FILES_ROOT)
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    out["(files)"] = (len(files), hashlib.sha1(repr(files).encode()).hexdigest())
    return out


def _plain(row: tuple) -> tuple:
    """A row as comparable values: PostgreSQL gives binary columns as memoryview, whose repr
    is its address."""
    return tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def audit_count() -> int:
    from blocs.models import AuditEvent

    return AuditEvent.objects.count()


# ---------------------------------------------------------------- what a response says


def _contexts(response) -> list[dict]:
    ctx = getattr(response, "context", None)
    if ctx is None:
        return []
    items = list(ctx) if isinstance(ctx, ContextList) else [ctx]
    return [c.flatten() if isinstance(c, BaseContext) else dict(c) for c in items]


def _has_errors(value: Any) -> bool:
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, BaseFormSet):
        return value.is_bound and (value.total_error_count() > 0)
    return False


def error_messages(response) -> list[str]:
    storage = getattr(response.wsgi_request, "_messages", None)
    if storage is None:
        return []
    queued = list(getattr(storage, "_queued_messages", []))
    loaded = list(storage.__dict__.get("_loaded_data") or [])
    return [str(m) for m in queued + loaded if m.level >= message_levels.ERROR]


def refusal(response) -> str:
    """Why the response refuses its input ('' when it accepts it): a 4xx, an error message, or
    a page shown again with errors (a bound form with errors, a list of file or line errors)."""
    if 400 <= response.status_code < 500:
        return f"HTTP {response.status_code}"
    if errors := error_messages(response):
        return f"message: {errors[0][:200]}"
    for ctx in _contexts(response):
        for key, value in ctx.items():
            if _has_errors(value):
                return f"form errors in {key}: {str(value.errors)[:300]}"
            if key in ("errors", "file_error", "stale_input") and value:
                return f"{key}: {str(value)[:300]}"
            if key == "edit" and isinstance(value, dict) and (value["errors"] or value["message"]):
                return f"line refused: {value['errors'] or value['message']}"
            if isinstance(value, list) and any(
                _has_errors(getattr(v, "form", None)) for v in value
            ):
                return f"a line of {key} refused"  # the review table: a line's bound form
    return ""


def url_name(url: str) -> str:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return ""
    return match.view_name


# ---------------------------------------------------------------- the probe


@dataclass
class Outcome:
    status: int
    refused: str
    changed: list[str]
    new_audit: int
    response: Any


class ServerError(AssertionError):
    pass


@dataclass
class Prober:
    """Posts inputs as one persona and checks the invariants (see the module docstring).

    `audited`: an accepted change must add an audit event (False for the auth pages, whose
    changes are the session's and the password's)."""

    client: Any
    key: str
    user: Any = None
    audited: bool = True

    def __post_init__(self) -> None:
        TALLY.setdefault(self.key, [0, 0, 0])

    def post(
        self,
        url: str,
        data: dict,
        *,
        htmx: bool = False,
        whole: Callable[[Outcome], None] | None = None,
        audited: bool | None = None,
    ) -> Outcome:
        with transaction.atomic():
            if self.user is not None:
                self.client.force_login(self.user)
            self.client.cookies.pop("messages", None)  # only this request's messages count
            before, audits = snapshot(), audit_count()
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            response = self.client.post(url, data, **headers)
            TALLY[self.key][0] += 1
            if response.status_code >= 500:
                TALLY[self.key][1] += 1
                raise ServerError(_server_error(url, data, response))
            after = snapshot()
            outcome = Outcome(
                response.status_code, refusal(response), changed(before, after),
                audit_count() - audits, response,
            )  # fmt: skip
            check(outcome, url, data, self.audited if audited is None else audited)
            TALLY[self.key][2] += not outcome.refused
            if whole is not None and not outcome.refused:
                whole(outcome)
            transaction.set_rollback(True)
        return outcome

    def call(self, fn: Callable[[], Any], *, refused_by: tuple = ()) -> tuple[Any, Outcome]:
        """Run `fn` (an import function or a management command) on generated input: it either
        succeeds or raises one of `refused_by` (then nothing is written); anything else fails."""
        with transaction.atomic():
            before, audits = snapshot(), audit_count()
            TALLY[self.key][0] += 1
            try:
                result, reason = fn(), ""
            except refused_by as exc:
                result, reason = exc, f"refused: {exc}"[:300]
            except Exception:
                TALLY[self.key][1] += 1
                raise
            after = snapshot()
            outcome = Outcome(0, reason, changed(before, after), audit_count() - audits, None)
            TALLY[self.key][2] += not reason
            if reason:
                assert not outcome.changed, f"refused ({reason}) but wrote {outcome.changed}"
            transaction.set_rollback(True)
        return result, outcome


def check(outcome: Outcome, url: str, data: dict, audited: bool) -> None:
    if outcome.refused:
        assert not outcome.changed, (
            f"POST {url} was refused ({outcome.refused}) but wrote {outcome.changed}\n"
            f"input: {_short(data)}"
        )
    elif outcome.changed and audited:
        assert outcome.new_audit > 0, (
            f"POST {url} changed {outcome.changed} without an audit event\ninput: {_short(data)}"
        )


def _short(data: Any) -> str:
    text = repr(data)
    return text if len(text) < 2000 else text[:2000] + f"… ({len(text)} characters)"


def _server_error(url: str, data: dict, response) -> str:
    trace = ""
    if getattr(response, "exc_info", None):
        trace = "".join(traceback.format_exception(*response.exc_info))[-4000:]
    return f"POST {url} → {response.status_code}\ninput: {_short(data)}\n{trace}"


# ---------------------------------------------------------------- forms on a page


@dataclass
class Field:
    name: str
    kind: str  # hidden text textarea select radio checkbox file submit password email number
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    hint: str = ""  # placeholder / inputmode: "date", "decimal"

    @property
    def looks_like_date(self) -> bool:
        return "dd/mm" in self.hint or self.kind == "date"

    @property
    def looks_like_number(self) -> bool:
        return "decimal" in self.hint or "numeric" in self.hint or self.kind == "number"


@dataclass
class Form:
    action: str
    multipart: bool
    fields: dict[str, Field]

    @property
    def name(self) -> str:
        return url_name(self.action)


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            action = urljoin(self.page_url, a.get("action") or self.page_url).split("#")[0]
            self._form = Form(action, "multipart" in a.get("enctype", ""), {})
            return
        form = self._form
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.checked.append(a.get("value", ""))
            return
        if form is None or not a.get("name") or "disabled" in a:
            return
        name, hint = a["name"], f"{a.get('placeholder', '')} {a.get('inputmode', '')}"
        if tag == "input":
            kind = a.get("type", "text").lower()
            f = form.fields.setdefault(name, Field(name, kind, hint=hint))
            if kind in ("radio", "checkbox"):
                f.options.append(a.get("value", "on"))
                if "checked" in a:
                    f.checked.append(a.get("value", "on"))
            elif kind not in ("submit", "button", "reset", "image"):
                f.value = a.get("value", "")
        elif tag == "button" and a.get("type", "submit") == "submit":
            f = form.fields.setdefault(name, Field(name, "submit"))
            f.options.append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = form.fields.setdefault(name, Field(name, "textarea", hint=hint))
        elif tag == "select":
            kind = "multiselect" if "multiple" in a else "select"
            self._select = form.fields.setdefault(name, Field(name, kind))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            # a browser drops the newline that opens a textarea's content
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_on(html: str, page_url: str) -> list[Form]:
    """Every POST form of a page, with its fields as the browser would send them."""
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms
