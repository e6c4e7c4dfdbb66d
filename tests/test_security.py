"""Authentication and production settings: login throttling per user and per address with an
unlock path, password rules, a weak or example SECRET_KEY refused with DEBUG off, and
`check --deploy` clean with the production environment of .env.example."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k7Pq-2vXz_9LmR4tYw8NcB3sHj6FgD1aQe5UoI0pZrXy-cVbNmKlJhGf"


def post_login(client, username, password, addr="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=addr
    )


@pytest.mark.django_db
def test_fifty_wrong_passwords_lock_the_account_even_for_the_right_one(client):
    make_user("thuky")
    for _ in range(50):
        post_login(client, "thuky", "sai-mat-khau")
    response = post_login(client, "thuky", "matkhau-123")
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # from another address too: the lock is on the user name
    assert post_login(client, "thuky", "matkhau-123", addr="10.9.9.9").status_code == 429


@pytest.mark.django_db
def test_the_site_administrator_unlocks_an_account(client):
    make_user("thuky")
    for _ in range(12):
        post_login(client, "thuky", "sai-mat-khau")
    assert post_login(client, "thuky", "matkhau-123").status_code == 429
    call_command("axes_reset_username", "thuky")
    response = post_login(client, "thuky", "matkhau-123")
    assert response.status_code == 302 and client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_the_administrator_sees_a_blocked_account_and_unblocks_it_in_the_app(client):
    """Thư ký forgot the password and tried twelve times: the accounts page marks the account
    blocked; the administrator (having called the person) clears the block from the page, it is
    audited, and the right password logs in at once. A unit's account manager may do the same
    for their own staff; nobody else may."""
    from django.test import Client

    from blocs.models import AuditEvent

    admin = make_user("quantri", None, is_staff=True, is_superuser=True)
    thuky = make_user("thuky")
    make_user("khac")
    for _ in range(12):
        post_login(client, "thuky", "sai-mat-khau")
    assert post_login(client, "thuky", "matkhau-123").status_code == 429
    staff = Client()
    staff.force_login(admin)
    page = staff.get(reverse("blocs:accounts")).content.decode()
    assert page.count('data-testid="login-blocked"') == 1 and 'data-testid="unblock"' in page
    outsider = Client()
    outsider.force_login(make_user("nguoi-ngoai"))
    url = reverse("blocs:account_action", args=[thuky.pk, "go-chan-dang-nhap"])
    assert outsider.post(url).status_code == 403
    assert post_login(client, "thuky", "matkhau-123").status_code == 429
    response = staff.post(url, follow=True)
    assert "Đã gỡ chặn đăng nhập của thuky" in response.content.decode()
    assert 'data-testid="login-blocked"' not in response.content.decode()
    assert AuditEvent.objects.filter(action="user.login_unblock", object_id=thuky.pk).exists()
    response = post_login(client, "thuky", "matkhau-123")
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(thuky.pk)


@pytest.mark.django_db
def test_one_address_guessing_many_accounts_is_locked(client):
    for i in range(12):
        make_user(f"u{i}")
        post_login(client, f"u{i}", "sai-mat-khau", addr="10.6.6.6")
    make_user("nguoi-khac")
    assert post_login(client, "nguoi-khac", "matkhau-123", addr="10.6.6.6").status_code == 429
    assert post_login(client, "nguoi-khac", "matkhau-123", addr="10.7.7.7").status_code == 302


@pytest.mark.django_db
def test_a_few_wrong_passwords_then_the_right_one_log_in(client):
    make_user("thuky")
    for _ in range(3):
        response = post_login(client, "thuky", "sai")
        assert "không đúng" in response.content.decode()
    assert post_login(client, "thuky", "matkhau-123").status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "quá ngắn"),
        ("12345678", "quá ngắn"),
        ("1234567890123", "hoàn toàn là số"),
        ("password1234", "quá phổ biến"),
        ("nguyenvantruong", "quá giống"),
    ],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused_in_vietnamese(password, message):
    from django.utils import translation

    user = make_user("truong", full_name="Nguyễn Văn Trưởng")
    user.full_name = "nguyenvantruong"
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert any(message in m for m in exc.value.messages), exc.value.messages


def test_a_good_password_passes():
    validate_password("Thi-dua-Khen-thuong-2026!")


def run_django(args, **env):
    # a clean production environment: no test-only switches inherited from the test run
    skip = ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    base = {k: v for k, v in os.environ.items() if k not in skip}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "thiduakhenthuong.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("key", ["change-me", "short-key", "a" * 60])
def test_a_weak_or_example_key_is_refused_with_debug_off(key):
    result = run_django(["check"], DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is an example or weak key" in result.stderr


def production_env() -> dict[str, str]:
    """The production block of .env.example, with a real key."""
    env = {}
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("# --- production (check --deploy is clean with these) ---") + 1 :]
    for line in block:
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            name, value = line.split("=", 1)
            env[name.strip()] = value.strip()
    return env | {"SECRET_KEY": STRONG_KEY}


def test_check_deploy_is_clean_with_the_production_environment():
    result = run_django(["check", "--deploy", "--fail-level", "WARNING"], **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
