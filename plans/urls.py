from django.urls import path

from plans import views

app_name = "plans"

P = "khoi/<bint:bloc_id>/<bint:year>/ke-hoach/"

urlpatterns = [
    path("lich/", views.calendar_settings, name="calendar"),
    path("lich/<str:token>/don-vi.ics", views.calendar_unit_feed, name="calendar_unit"),
    path(
        "lich/<str:token>/khoi/<bint:bloc_id>.ics", views.calendar_bloc_feed, name="calendar_bloc"
    ),
    path(P, views.plan_list, name="list"),
    path(P + "tao-moi/", views.plan_create, name="create"),
    path(P + "nhap/", views.plan_import, name="import"),
    path(P + "<bint:plan_id>/", views.plan_detail, name="detail"),
    path(P + "<bint:plan_id>/sua/", views.plan_edit_header, name="edit_header"),
    path(P + "<bint:plan_id>/noi-dung/", views.plan_edit_body, name="edit_body"),
    path(P + "<bint:plan_id>/noi-nhan-chu-ky/", views.plan_edit_lists, name="edit_lists"),
    path(P + "<bint:plan_id>/tien-do/", views.plan_edit_schedule, name="edit_schedule"),
    path(P + "<bint:plan_id>/gop-y/", views.plan_comment, name="comment"),
    path(P + "<bint:plan_id>/chuyen/<slug:action>/", views.plan_transition, name="transition"),
]
