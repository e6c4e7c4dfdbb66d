from django.urls import path

from scoring.views import ranking as rk
from scoring.views import registrations as reg
from scoring.views import templates as tpl

app_name = "scoring"

Y = "khoi/<bint:bloc_id>/<bint:year>/"
T = Y + "thang-diem/"
R = Y + "dang-ky/"
X = Y + "xep-hang/"

urlpatterns = [
    path(T, tpl.template_editor, name="template"),
    path(T + "tao/", tpl.template_create, name="template_create"),
    path(T + "nhap-excel/", tpl.template_import, name="template_import"),
    path(T + "<bint:template_id>/thiet-lap/", tpl.template_settings, name="template_settings"),
    path(T + "<bint:template_id>/them-tieu-chi/", tpl.criterion_add, name="criterion_add"),
    path(T + "<bint:template_id>/excel/", tpl.template_export, name="template_export"),
    path(T + "<bint:template_id>/phien-ban-moi/", tpl.template_version, name="template_version"),
    path(T + "<bint:template_id>/ap-dung/", tpl.template_apply, name="template_apply"),
    path(T + "tieu-chi/<bint:criterion_id>/", tpl.criterion_edit, name="criterion_edit"),
    path(T + "tieu-chi/<bint:criterion_id>/xoa/", tpl.criterion_delete, name="criterion_delete"),
    path(T + "tieu-chi/<bint:criterion_id>/di-chuyen/", tpl.criterion_move, name="criterion_move"),
    path(R, reg.dashboard, name="dashboard"),
    path(R + "don-vi/", reg.my_registration, name="my_registration"),
    path(R + "<bint:registration_id>/", reg.registration_detail, name="registration"),
    path(R + "<bint:registration_id>/gui/", reg.registration_submit, name="registration_submit"),
    path(
        R + "<bint:registration_id>/duyet/<slug:action>/",
        reg.registration_review,
        name="registration_review",
    ),
    path(Y + "giao-uoc/", reg.signing, name="signing"),
    path(X, rk.ranking, name="ranking"),
    path(X + "tinh/", rk.ranking_compute, name="ranking_compute"),
    path(X + "quy-dinh/", rk.ranking_rules, name="ranking_rules"),
    path(X + "hoi-nghi/", rk.meeting, name="meeting"),
    path(X + "bieu-quyet/", rk.ranking_vote, name="ranking_vote"),
    path(X + "bieu-quyet-bang-diem/", rk.ranking_tie_votes, name="ranking_tie_votes"),
    path(X + "thong-qua/", rk.ranking_adopt, name="ranking_adopt"),
    path(X + "excel/", rk.ranking_excel, name="ranking_excel"),
    path(X + "chap-hanh/", rk.compliance_list, name="compliance"),
    path(X + "chap-hanh/<bint:flag_id>/", rk.compliance_edit, name="compliance_edit"),
    path(X + "chap-hanh/<bint:flag_id>/xoa/", rk.compliance_delete, name="compliance_delete"),
]
