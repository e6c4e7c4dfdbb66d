"""The content security policy holds in a real browser: pages run with no violation (checked for
every browser test by tests/e2e/conftest.py), and an injected inline script is refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.csp_violation_expected
def test_an_injected_inline_script_is_blocked_and_reported(page, live_server, no_csp_violations):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected === undefined")
    assert any("Content Security Policy" in m for m in no_csp_violations)


def test_the_login_page_sends_the_policy(page, live_server):
    response = page.goto(f"{live_server.url}/dang-nhap/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
