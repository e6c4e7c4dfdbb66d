from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from blocs import twofactor
from thiduakhenthuong.limits import BoundedIntConverter

# Ids and years in every app's URLs: numbers the database cannot hold are a 404.
register_converter(BoundedIntConverter, "bint")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # A one-time link (invitation or reset) where the account holder sets their own password.
    path(
        "dat-mat-khau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(post_reset_login=False),
        name="password_reset_confirm",
    ),
    path(
        "dat-mat-khau/xong/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("bao-mat/", twofactor.security, name="two_factor"),
    path("xac-thuc/", twofactor.verify, name="two_factor_verify"),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("blocs.urls")),
    path("", include("plans.urls")),
    path("", include("reports.urls")),
    path("", include("scoring.urls")),
]
