from django.urls import path

from reports import views, views_compiled, views_jobs

app_name = "reports"

BC = "khoi/<bint:bloc_id>/<bint:year>/bao-cao/ky/<bint:round_id>/tong-hop/"
JOB = "khoi/<bint:bloc_id>/<bint:year>/van-ban/ban-in/<uuid:job_id>/"

urlpatterns = [
    path(JOB, views_jobs.render_job, name="render_job"),
    path(JOB + "tai-ve.pdf", views_jobs.render_job_file, name="render_job_file"),
    path(JOB + "tai-ve.json", views_jobs.render_job_file, name="render_job_data"),
    path(BC, views_compiled.compiled_report, name="compiled_report"),
    path(BC + "ban-hanh/", views_compiled.compiled_issue, name="compiled_issue"),
    path(BC + "van-ban.<slug:fmt>", views_compiled.compiled_document, name="compiled_document"),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/ke-hoach/<bint:plan_id>/van-ban.<slug:fmt>",
        views.plan_document,
        name="plan_document",
    ),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/ke-hoach/<bint:plan_id>/ban-hanh/",
        views.plan_issue,
        name="plan_issue",
    ),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/dang-ky/<slug:doc>.<slug:fmt>",
        views.scoring_document,
        name="scoring_document",
    ),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/xep-hang/<slug:doc>.<slug:fmt>",
        views.ranking_document,
        name="ranking_document",
    ),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/de-nghi/to-trinh.<slug:fmt>",
        views.to_trinh_draft,
        name="to_trinh_draft",
    ),
    path(
        "khoi/<bint:bloc_id>/<bint:year>/de-nghi/to-trinh/<bint:seq>.<slug:fmt>",
        views.to_trinh,
        name="to_trinh",
    ),
]
