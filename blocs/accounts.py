"""Accounts managed in the app, without shared passwords: the site administrator manages every
account; a unit's designated account manager manages the staff of their own unit (not site
administrators, not provincial reviewers, not other managers). An invited person sets their own
password through a one-time link sent to their e-mail; a reset sends the same kind of link;
deactivating keeps the account (and its audit trail) but stops its logins. Every change is
audited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from blocs import audit
from blocs.access import is_site_admin
from blocs.models import Province, Unit, User


def is_account_manager(actor: Any) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False) and actor.is_account_manager and actor.unit_id
    )


def may_manage_accounts(actor: Any) -> bool:
    return is_site_admin(actor) or is_account_manager(actor)


def manageable_users(actor: Any) -> QuerySet[User]:
    """The accounts `actor` manages (none for anybody else)."""
    users = User.objects.select_related("unit", "reviewer_province").order_by(
        "unit__name", "username"
    )
    if is_site_admin(actor):
        return users
    if is_account_manager(actor):
        return users.filter(
            unit_id=actor.unit_id, is_staff=False, is_superuser=False, reviewer_province=None
        )
    return users.none()


def _check(actor: Any, user: User) -> None:
    if not manageable_users(actor).filter(pk=user.pk).exists():
        raise PermissionDenied("Bạn không quản lý tài khoản này.")


def link_for(user: User, request_base: str) -> str:
    """The one-time link where `user` sets a password (valid until used or
    PASSWORD_RESET_TIMEOUT passes)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request_base.rstrip("/") + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )


def _send_link(user: User, request_base: str, template: str, subject: str) -> None:
    body = render_to_string(
        template, {"user": user, "link": link_for(user, request_base), "site": request_base}
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@transaction.atomic
def user_invite(
    *,
    actor: Any,
    request_base: str,
    username: str,
    full_name: str,
    email: str,
    unit: Unit | None = None,
    reviewer_province: Province | None = None,
) -> User:
    """Create an account with no password and e-mail its holder the link to set one. An account
    manager invites only into their own unit."""
    if not may_manage_accounts(actor):
        raise PermissionDenied("Bạn không quản lý tài khoản.")
    if not is_site_admin(actor):
        unit, reviewer_province = actor.unit, None
    if unit is None and reviewer_province is None:
        raise ValidationError({"unit": "Chọn đơn vị (hoặc tỉnh, với cán bộ thẩm định)."})
    if not email:
        raise ValidationError({"email": "Cần địa chỉ thư điện tử để gửi liên kết đặt mật khẩu."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "Tên đăng nhập này đã có người dùng."})
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        unit=unit,
        reviewer_province=reviewer_province,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=actor,
        action="user.invite",
        obj=user,
        data={"username": username, "unit": str(unit or ""), "email": email},
    )
    transaction.on_commit(
        lambda: _send_link(
            user, request_base, "registration/invite_email.txt", "Mời sử dụng hệ thống thi đua"
        )
    )
    return user


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    _check(actor, user)
    if user.pk == actor.pk:
        raise ValidationError("Không tự khóa tài khoản của mình.")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        return locked
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=locked,
        data={"is_active": {"old": not active, "new": active}},
    )
    return locked


@transaction.atomic
def user_send_reset(*, actor: Any, user: User, request_base: str) -> None:
    """E-mail the account holder a link to set a new password (nobody else sees it)."""
    _check(actor, user)
    if not user.email:
        raise ValidationError("Tài khoản chưa có thư điện tử; hãy bổ sung trước.")
    if not user.is_active:
        raise ValidationError("Tài khoản đang bị khóa; hãy mở khóa trước.")
    audit.record(actor=actor, action="user.reset_link", obj=user, data={"email": user.email})
    transaction.on_commit(
        lambda: _send_link(user, request_base, "registration/reset_email.txt", "Đặt lại mật khẩu")
    )


@transaction.atomic
def user_set_manager(*, actor: Any, user: User, manager: bool) -> User:
    """Only the site administrator designates a unit's account managers."""
    if not is_site_admin(actor):
        raise PermissionDenied("Chỉ quản trị hệ thống chỉ định người quản lý tài khoản.")
    if manager and not user.unit_id:
        raise ValidationError("Người quản lý tài khoản phải thuộc một đơn vị.")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_account_manager == manager:
        return locked
    locked.is_account_manager = manager
    locked.save(update_fields=["is_account_manager"])
    audit.record(
        actor=actor,
        action="user.manager",
        obj=locked,
        data={"is_account_manager": {"old": not manager, "new": manager}},
    )
    return locked


@transaction.atomic
def user_reset_two_factor(*, actor: Any, user: User) -> int:
    """A lost phone: the site administrator removes the user's authenticator devices; the user
    logs in with the password alone and may enrol again."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not is_site_admin(actor):
        raise PermissionDenied("Chỉ quản trị hệ thống gỡ xác thực hai bước của người khác.")
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    if removed:
        audit.record(actor=actor, action="user.2fa_reset", obj=user, data={"devices": removed})
    return removed


def login_blocked(usernames: list[str]) -> set[str]:
    """Of `usernames`, those the login throttle (django-axes) refuses now: at least
    AXES_FAILURE_LIMIT wrong passwords within AXES_COOLOFF_TIME. One query."""
    from axes.models import AccessAttempt
    from django.db.models import Sum
    from django.utils import timezone

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=since)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    return {r["username"] for r in rows}


@transaction.atomic
def user_clear_login_block(*, actor: Any, user: User) -> int:
    """The person proved who they are (by phone, in person): whoever manages the account clears
    its wrong-password record so the right password logs in again before the cool-off ends.
    An address blocked for guessing many accounts stays blocked (`axes_reset_ip`)."""
    from axes.utils import reset

    _check(actor, user)
    cleared = reset(username=user.username)
    if cleared:
        audit.record(actor=actor, action="user.login_unblock", obj=user, data={"attempts": cleared})
    return cleared
