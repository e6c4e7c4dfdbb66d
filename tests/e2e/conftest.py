"""Playwright drives Debian's Chromium against pytest-django's live_server."""

import os
import shutil

import pytest

from tests.worker import worker  # noqa: F401  (the task worker, in-process)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
        ],
    }


@pytest.fixture
def login(page, live_server):
    def _login(username: str, password: str = "matkhau-123"):
        page.goto(f"{live_server.url}/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{live_server.url}/")

    return _login


CSP_MARK = "Content Security Policy"


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Every browser test fails on a content security policy violation (an inline script, an
    eval, a resource from elsewhere): Chromium reports each one on the console."""
    if "page" not in request.fixturenames:
        yield []
        return
    page = request.getfixturevalue("page")
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if CSP_MARK in m.text else None)
    yield seen
    if not request.node.get_closest_marker("csp_violation_expected"):
        assert seen == [], "\n".join(seen)
