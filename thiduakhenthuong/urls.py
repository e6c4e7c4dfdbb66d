from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from thiduakhenthuong.limits import BoundedIntConverter

# Ids and years in every app's URLs: numbers the database cannot hold are a 404.
register_converter(BoundedIntConverter, "bint")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("blocs.urls")),
    path("", include("plans.urls")),
    path("", include("reports.urls")),
    path("", include("scoring.urls")),
]
