"""Pages to manage accounts (blocs.accounts): the list, invite, lock/unlock, clear a login block
(too many wrong passwords), send a reset link,
designate a unit's account manager. The site administrator sees every account, a unit's account
manager the staff of their unit; anybody else gets 403."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from blocs import accounts, unit_search
from blocs.access import is_site_admin
from blocs.forms import add_service_errors
from blocs.models import Province, Unit, User
from blocs.text import CleanTextMixin
from blocs.unit_search import UnitSearchField

PAGE_SIZE = 50


class InviteForm(CleanTextMixin, forms.Form):
    username = forms.SlugField(label="Tên đăng nhập", max_length=150)
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    email = forms.EmailField(label="Thư điện tử (nhận liên kết đặt mật khẩu)")
    unit = UnitSearchField(label="Đơn vị", required=False, show_province=True)
    reviewer_province = forms.ModelChoiceField(
        label="Cán bộ thẩm định của tỉnh",
        queryset=Province.objects.all(),
        required=False,
        help_text="Chỉ chọn với cán bộ Ban/Phòng Thi đua - Khen thưởng tỉnh.",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if is_site_admin(actor):
            self.fields["unit"].queryset = Unit.objects.order_by("name")
        else:
            del self.fields["unit"]
            del self.fields["reviewer_province"]


def _require_manager(request: HttpRequest) -> None:
    if not accounts.may_manage_accounts(request.user):
        raise PermissionDenied("Chỉ quản trị hệ thống hoặc người quản lý tài khoản của đơn vị.")


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    users = accounts.manageable_users(request.user)
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        users = users.filter(username__icontains=query) | users.filter(full_name__icontains=query)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("trang"))
    blocked = accounts.login_blocked([u.username for u in page])
    return render(
        request,
        "blocs/accounts.html",
        {
            "page": page,
            "query": query,
            "site_admin": is_site_admin(request.user),
            "blocked": blocked,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_invite(request: HttpRequest, search: bool = False) -> HttpResponse:
    """`search`: the units matching ?q= (the site administrator's; a unit's manager invites into
    their own unit, with no unit to choose)."""
    _require_manager(request)
    form = InviteForm(request.POST or None, actor=request.user)
    url = reverse("blocs:account_invite_units")
    if fragment := unit_search.wire(request, form, "unit", url=url, search=search):
        return fragment
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.user_invite(
                actor=request.user, request_base=_base(request), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Đã tạo tài khoản {user.username} và gửi liên kết đặt mật khẩu tới {user.email}.",
            )
            return redirect("blocs:accounts")
    return render(
        request,
        "blocs/form.html",
        {"form": form, "title": "Mời người dùng mới", "submit": "Tạo và gửi lời mời"},
    )


def _target(request: HttpRequest, user_id: int) -> User:
    _require_manager(request)
    user = accounts.manageable_users(request.user).filter(pk=user_id).first()
    if user is None:
        raise Http404("Không tìm thấy tài khoản.")
    return user


@login_required
@require_POST
def account_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    user = _target(request, user_id)
    try:
        if action == "khoa":
            accounts.user_set_active(actor=request.user, user=user, active=False)
            messages.success(request, f"Đã khóa tài khoản {user.username}.")
        elif action == "mo-khoa":
            accounts.user_set_active(actor=request.user, user=user, active=True)
            messages.success(request, f"Đã mở khóa tài khoản {user.username}.")
        elif action == "dat-lai-mat-khau":
            accounts.user_send_reset(actor=request.user, user=user, request_base=_base(request))
            messages.success(request, f"Đã gửi liên kết đặt lại mật khẩu tới {user.email}.")
        elif action in ("giao-quan-ly", "bo-quan-ly"):
            accounts.user_set_manager(
                actor=request.user, user=user, manager=action == "giao-quan-ly"
            )
            messages.success(request, f"Đã cập nhật quyền quản lý tài khoản của {user.username}.")
        elif action == "go-chan-dang-nhap":
            cleared = accounts.user_clear_login_block(actor=request.user, user=user)
            messages.success(
                request,
                f"Đã gỡ chặn đăng nhập của {user.username}; người này đăng nhập lại được ngay."
                if cleared
                else f"{user.username} không bị chặn đăng nhập.",
            )
        elif action == "go-xac-thuc-hai-buoc":
            removed = accounts.user_reset_two_factor(actor=request.user, user=user)
            messages.success(
                request,
                f"Đã gỡ xác thực hai bước của {user.username}."
                if removed
                else f"{user.username} chưa bật xác thực hai bước.",
            )
        else:
            raise Http404("Thao tác không có.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("blocs:accounts")
