"""Accounts managed in the app: the site administrator invites (the person sets their own
password from the e-mailed link, under the password rules), locks, unlocks and sends reset
links; a unit's account manager does the same for their own unit's staff only."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from blocs.models import AuditEvent, User


@pytest.fixture(autouse=True)
def mails_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    """Invitations and reset links are e-mailed once the transaction commits: each request of
    these tests commits (runs its on-commit callbacks) before the test reads the outbox."""
    from django.test import Client

    post = Client.post

    def committing_post(self, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(self, *args, **kwargs)

    monkeypatch.setattr(Client, "post", committing_post)


@pytest.fixture
def other():
    """A second browser: the invited person, or anyone logging in."""
    from django.test import Client

    return Client()


def invite(client, **data):
    return client.post(reverse("blocs:account_invite"), data)


def link_in(message) -> str:
    return re.search(r"https?://\S+/dat-mat-khau/\S+/", message.body).group(0)


def set_password(client, link, password):
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    return client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"new_password1": password, "new_password2": password},
    )


def test_admin_invites_and_the_person_sets_their_own_password(client_for, other, world):
    admin = client_for("admin")
    response = invite(
        admin,
        username="canbo-moi",
        full_name="Đỗ Thị Mới",
        email="moi@example.invalid",
        unit=world.unit_a.pk,
    )
    assert response.status_code == 302
    user = User.objects.get(username="canbo-moi")
    assert not user.has_usable_password() and user.unit == world.unit_a
    assert AuditEvent.objects.filter(action="user.invite", object_id=str(user.pk)).exists()
    (message,) = mail.outbox
    assert message.to == ["moi@example.invalid"] and "canbo-moi" in message.body
    link = link_in(message)
    weak = set_password(other, link, "12345678")
    assert weak.status_code == 200 and "quá ngắn" in weak.content.decode()
    done = set_password(other, link, "Khoi-thi-dua-2026!")
    assert done.status_code == 302
    login = other.post(
        reverse("login"), {"username": "canbo-moi", "password": "Khoi-thi-dua-2026!"}
    )
    assert login.status_code == 302 and other.session.get("_auth_user_id") == str(user.pk)


def test_a_used_link_cannot_be_used_again(client_for, other, world):
    invite(
        client_for("admin"),
        username="canbo-moi",
        full_name="Đỗ Thị Mới",
        email="moi@example.invalid",
        unit=world.unit_a.pk,
    )
    link = link_in(mail.outbox[0])
    set_password(other, link, "Khoi-thi-dua-2026!")
    again = other.get(link.split("testserver", 1)[1], follow=True)
    assert "Liên kết không còn dùng được" in again.content.decode()


def test_a_locked_account_cannot_log_in_until_unlocked(client_for, other, world):
    admin = client_for("admin")
    target = world.users["unit_b"]
    admin.post(reverse("blocs:account_action", args=[target.pk, "khoa"]))
    target.refresh_from_db()
    assert not target.is_active
    refused = other.post(reverse("login"), {"username": "unit_b", "password": "matkhau-123"})
    assert refused.status_code == 200 and "_auth_user_id" not in other.session
    admin.post(reverse("blocs:account_action", args=[target.pk, "mo-khoa"]))
    ok = other.post(reverse("login"), {"username": "unit_b", "password": "matkhau-123"})
    assert ok.status_code == 302


def test_a_unit_account_manager_manages_only_their_own_unit(client_for, world):
    manager = world.users["unit_a"]
    manager.is_account_manager = True
    manager.save(update_fields=["is_account_manager"])
    client = client_for("unit_a")
    page = client.get(reverse("blocs:accounts")).content.decode()
    assert "unit_a" in page and "unit_b" not in page and "chair" not in page
    # an invitation lands in the manager's own unit whatever is posted
    invite(
        client,
        username="nv-moi",
        full_name="Nhân viên mới",
        email="nv@example.invalid",
        unit=world.unit_b.pk,
    )
    assert User.objects.get(username="nv-moi").unit == world.unit_a
    # another unit's account is not theirs: 404, nothing changed
    other = world.users["unit_b"]
    assert client.post(reverse("blocs:account_action", args=[other.pk, "khoa"])).status_code == 404
    other.refresh_from_db()
    assert other.is_active
    # they cannot make managers either
    colleague = User.objects.get(username="nv-moi")
    client.post(reverse("blocs:account_action", args=[colleague.pk, "giao-quan-ly"]))
    colleague.refresh_from_db()
    assert not colleague.is_account_manager


def test_a_reset_link_goes_only_to_the_account_holder(client_for, world):
    target = world.users["unit_b"]
    target.email = "b@example.invalid"
    target.save(update_fields=["email"])
    response = client_for("admin").post(
        reverse("blocs:account_action", args=[target.pk, "dat-lai-mat-khau"]), follow=True
    )
    assert "Đã gửi liên kết" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["b@example.invalid"]
    assert link_in(message) not in response.content.decode()


def test_invite_errors_are_shown_next_to_the_fields(client_for, world):
    response = invite(
        client_for("admin"), username="chair", full_name="X", email="x@example.invalid"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tên đăng nhập này đã có người dùng" in html or "Chọn đơn vị" in html
    assert not mail.outbox
