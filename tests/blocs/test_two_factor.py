"""Optional two-factor authentication: enrol an authenticator app, then every login asks for its
current code before any page opens; a wrong code is refused; the user can switch it off with a
code, and the site administrator removes a lost phone's device."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from blocs.models import AuditEvent


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def enrol(client) -> TOTPDevice:
    client.post(reverse("two_factor"), {"action": "start"})
    device = TOTPDevice.objects.get(confirmed=False)
    page = client.get(reverse("two_factor")).content.decode()
    assert "data:image/svg+xml;base64," in page and 'data-testid="totp-key"' in page
    response = client.post(reverse("two_factor"), {"action": "confirm", "code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def password_login(username: str) -> Client:
    browser = Client()
    response = browser.post(reverse("login"), {"username": username, "password": "matkhau-123"})
    assert response.status_code == 302
    return browser


def test_after_enrolling_a_login_needs_the_code(client_for, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off after the wrong code below
    device = enrol(client_for("chair"))
    assert AuditEvent.objects.filter(action="user.2fa_enable").exists()
    browser = password_login("chair")
    bloc = reverse("blocs:bloc", args=[world.bloc.pk, world.year])
    blocked = browser.get(bloc)
    assert blocked.status_code == 302 and blocked["Location"].startswith("/xac-thuc/")
    wrong = browser.post(blocked["Location"], {"code": "000000"})
    assert wrong.status_code == 200 and "Mã không đúng" in wrong.content.decode()
    assert browser.get(bloc).status_code == 302
    # the enrolment's code cannot be replayed: the app's next code (one step of tolerance)
    replay = browser.post(blocked["Location"], {"code": code_for(device), "next": bloc})
    assert replay.status_code == 200
    ok = browser.post(blocked["Location"], {"code": code_for(device, 1), "next": bloc})
    assert ok.status_code == 302 and ok["Location"] == bloc
    assert browser.get(bloc).status_code == 200


def test_a_code_that_is_not_six_digits_is_explained(client_for):
    client = client_for("chair")
    client.post(reverse("two_factor"), {"action": "start"})
    response = client.post(reverse("two_factor"), {"action": "confirm", "code": "12ab"})
    assert "Mã gồm đúng 6 chữ số" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_users_without_a_device_log_in_with_the_password_alone(world):
    browser = password_login("unit_a")
    assert browser.get(reverse("blocs:home")).status_code == 200


def test_the_next_parameter_cannot_send_the_user_elsewhere(client_for):
    device = enrol(client_for("chair"))
    browser = password_login("chair")
    response = browser.post(
        reverse("two_factor_verify"), {"code": code_for(device, 1), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("blocs:home")


def test_switching_off_needs_a_current_code(client_for, settings):
    client = client_for("chair")
    device = enrol(client)
    refused = client.post(reverse("two_factor"), {"action": "remove", "code": "000000"})
    assert refused.status_code == 200 and TOTPDevice.objects.filter(confirmed=True).exists()
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client.post(reverse("two_factor"), {"action": "remove", "code": code_for(device, 1)})
    assert not TOTPDevice.objects.exists()


def test_the_site_administrator_removes_a_lost_phone(client_for, world):
    enrol(client_for("chair"))
    admin = client_for("admin")
    chair = world.users["chair"]
    admin.post(reverse("blocs:account_action", args=[chair.pk, "go-xac-thuc-hai-buoc"]))
    assert not TOTPDevice.objects.filter(user=chair).exists()
    assert AuditEvent.objects.filter(action="user.2fa_reset", object_id=str(chair.pk)).exists()
    assert password_login("chair").get(reverse("blocs:home")).status_code == 200


@pytest.mark.parametrize("persona", ["unit_a", "chair"])
def test_only_the_site_administrator_removes_someone_elses_device(client_for, world, persona):
    target = world.users["unit_b"]
    TOTPDevice.objects.create(user=target, name="x", confirmed=True)
    client_for(persona).post(
        reverse("blocs:account_action", args=[target.pk, "go-xac-thuc-hai-buoc"])
    )
    assert TOTPDevice.objects.filter(user=target).exists()
