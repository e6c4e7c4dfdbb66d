"""Optional two-factor authentication (TOTP, django-otp) for anyone who wants it — recommended for
the secretariat and the provincial reviewers. A user adds an authenticator app (scan the QR code
or type the key), confirms with a code; from then on every login asks for the app's current code
before any page opens. A lost phone: the site administrator removes the user's devices from the
accounts page (audited) and the user enrols again."""

from __future__ import annotations

import base64
import io
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from blocs import audit

DEVICE_NAME = "Ứng dụng xác thực"


SESSION_KEY = "two_factor_required"


@receiver(user_logged_in)
def remember_if_a_code_is_needed(sender, request, user, **kwargs) -> None:
    """At login (one query), note in the session whether the user has an authenticator, so
    that pages cost nothing more."""
    if request is not None and hasattr(request, "session"):
        if user_has_device(user):
            request.session[SESSION_KEY] = True
        else:
            request.session.pop(SESSION_KEY, None)


class RequireVerifiedMiddleware:
    """A user with a confirmed device sees no page until this session entered a code (after
    django_otp's OTPMiddleware, which tells whether the session is verified)."""

    EXEMPT = ("/xac-thuc/", "/dang-xuat/", "/static/", "/dat-mat-khau/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and request.session.get(SESSION_KEY)
            and not request.path.startswith(self.EXEMPT)
            and not user.is_verified()
        ):
            return redirect(f"{reverse('two_factor_verify')}?next={quote(request.get_full_path())}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="Mã 6 số trên ứng dụng xác thực",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Mã gồm đúng 6 chữ số."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _qr_data_uri(url: str) -> str:
    out = io.BytesIO()
    write_qrcode_image(url, out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _pending(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """Enrol, confirm or remove the authenticator app."""
    user, form = request.user, CodeForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST" and action == "start":
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        return redirect("two_factor")
    if request.method == "POST" and action in ("confirm", "remove") and form.is_valid():
        code = form.cleaned_data["code"].strip()
        if action == "confirm":
            device = _pending(user)
            if device is not None and device.verify_token(code):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                audit.record(actor=user, action="user.2fa_enable", obj=user, data={})
                messages.success(request, "Đã bật xác thực hai bước.")
                return redirect("two_factor")
        else:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None and device.verify_token(code):
                TOTPDevice.objects.filter(user=user).delete()
                audit.record(actor=user, action="user.2fa_disable", obj=user, data={})
                messages.success(request, "Đã tắt xác thực hai bước.")
                return redirect("two_factor")
        form.add_error(
            "code", "Mã không đúng hoặc đã hết hạn; hãy nhập mã đang hiện trên ứng dụng."
        )
    pending = _pending(user)
    context = {"form": form, "enabled": user_has_device(user), "pending": pending}
    if pending is not None:
        context["qr"] = _qr_data_uri(pending.config_url)
        context["key"] = base64.b32encode(pending.bin_key).decode()
    return render(request, "registration/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: the current code of the user's authenticator app."""
    nxt = request.GET.get("next") or request.POST.get("next") or reverse("blocs:home")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = reverse("blocs:home")
    if request.user.is_verified() or not user_has_device(request.user):
        request.session.pop(SESSION_KEY, None)  # e.g. the administrator removed a lost phone
        return HttpResponseRedirect(nxt)  # a URL, never a view name: redirect('0') is a 500
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(code):
                otp_login(request, device)
                return HttpResponseRedirect(nxt)
        form.add_error(
            "code", "Mã không đúng hoặc đã hết hạn; hãy nhập mã đang hiện trên ứng dụng."
        )
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": nxt})
