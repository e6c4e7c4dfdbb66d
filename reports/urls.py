from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path(
        "khoi/<int:bloc_id>/<int:year>/ke-hoach/<int:plan_id>/van-ban.<slug:fmt>",
        views.plan_document,
        name="plan_document",
    ),
    path(
        "khoi/<int:bloc_id>/<int:year>/ke-hoach/<int:plan_id>/ban-hanh/",
        views.plan_issue,
        name="plan_issue",
    ),
]
