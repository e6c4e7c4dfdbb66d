from django.urls import path

from scoring.views import proposals as prop
from scoring.views import province
from scoring.views import registrations as reg
from scoring.views import templates as tpl

app_name = "scoring"

Y = "khoi/<bint:bloc_id>/<bint:year>/"
T = Y + "thang-diem/"
R = Y + "dang-ky/"
D = Y + "de-nghi/"
DP = D + "<bint:proposal_id>/"

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
    path(D, prop.proposals, name="proposals"),
    path(D + "lap/", prop.proposals_generate, name="proposals_generate"),
    path(D + "them/", prop.proposal_add, name="proposal_add"),
    path(D + "trinh-tinh/", prop.proposals_submit, name="proposals_submit"),
    path(DP + "sua/", prop.proposal_edit, name="proposal_edit"),
    path(DP + "bieu-quyet/", prop.proposal_vote, name="proposal_vote"),
    path(DP + "bo/", prop.proposal_remove, name="proposal_remove"),
    path(DP + "xet/<slug:action>/", prop.proposal_review, name="proposal_review"),
    path(DP + "quyet-dinh/", prop.proposal_decide, name="proposal_decide"),
    path(
        "tinh/<bint:province_id>/<bint:year>/de-nghi.xlsx",
        province.province_export,
        name="province_export",
    ),
]
