from django.urls import path

from blocs import account_views, views

app_name = "blocs"

# The unit search of a page that picks a unit among many (blocs/unit_search.py): the page's own
# view, hence its access rules, answering with the matching units only.
SEARCH = {"search": True}

urlpatterns = [
    path("", views.home, name="home"),
    path("khoi/<bint:bloc_id>/", views.bloc_latest, name="bloc_latest"),
    path("khoi/<bint:bloc_id>/<bint:year>/", views.bloc_detail, name="bloc"),
    path("khoi/<bint:bloc_id>/<bint:year>/luan-phien/", views.term_rotate, name="term_rotate"),
    path("khoi/<bint:bloc_id>/<bint:year>/nhiem-ky/them/", views.term_set, name="term_set"),
    path("khoi/<bint:bloc_id>/<bint:year>/nhiem-ky/sua/", views.term_update, name="term_update"),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/thanh-vien/them/",
        views.membership_add,
        name="membership_add",
    ),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/thanh-vien/them/don-vi/",
        views.membership_add,
        SEARCH,
        name="membership_add_units",
    ),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/thanh-vien/<bint:membership_id>/roi-khoi/",
        views.membership_end,
        name="membership_end",
    ),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/thanh-vien/<bint:membership_id>/sap-nhap/",
        views.unit_merge,
        name="unit_merge",
    ),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/thanh-vien/<bint:membership_id>/sap-nhap/don-vi/",
        views.unit_merge,
        SEARCH,
        name="unit_merge_units",
    ),
    path("khoi/<bint:bloc_id>/<bint:year>/du-lieu.json", views.year_export, name="year_export"),
    path("tinh/<bint:province_id>/", views.province_overview, name="province"),
    path("quan-tri/", views.admin_index, name="admin_index"),
    path("quan-tri/tinh/them/", views.province_create, name="province_create"),
    path("quan-tri/don-vi/them/", views.unit_create, name="unit_create"),
    path("quan-tri/don-vi/them/don-vi/", views.unit_create, SEARCH, name="unit_create_units"),
    path("quan-tri/khoi/them/", views.bloc_create, name="bloc_create"),
    path("tai-khoan/", account_views.account_list, name="accounts"),
    path("tai-khoan/moi/", account_views.account_invite, name="account_invite"),
    path(
        "tai-khoan/moi/don-vi/",
        account_views.account_invite,
        SEARCH,
        name="account_invite_units",
    ),
    path(
        "tai-khoan/<bint:user_id>/<slug:action>/",
        account_views.account_action,
        name="account_action",
    ),
]
