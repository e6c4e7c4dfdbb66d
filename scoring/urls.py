from django.urls import path

from scoring.views import documents as docs
from scoring.views import proposals as prop
from scoring.views import province, sheet_excel, sheets
from scoring.views import ranking as rk
from scoring.views import registrations as reg
from scoring.views import reviews as rv
from scoring.views import templates as tpl

app_name = "scoring"

Y = "khoi/<bint:bloc_id>/<bint:year>/"
T = Y + "thang-diem/"
R = Y + "dang-ky/"
V = Y + "tham-dinh/"
VS = V + "<bint:submission_id>/"
B = Y + "bao-cao/"
BS = B + "<bint:submission_id>/"
X = Y + "xep-hang/"
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
    path(V, rv.board, name="board"),
    path(V + "cach-tham-dinh/", rv.review_setup, name="review_setup"),
    path(V + "ky/<bint:round_id>/chot/", rv.round_finalize, name="review_round_finalize"),
    path(VS, rv.review, name="review"),
    path(VS + "dong/<bint:entry_id>/", rv.review_line, name="review_line"),
    path(VS + "xong-buoc/", rv.layer_done, name="review_layer_done"),
    path(VS + "tra-lai/", rv.submission_return, name="review_return"),
    path(VS + "chot/", rv.submission_finalize, name="review_finalize"),
    path(VS + "mo-lai/", rv.submission_reopen, name="review_reopen"),
    path(BS + "bang-tu-cham.pdf", docs.sheet_pdf, name="sheet_pdf"),
    path(BS + "bang-tu-cham.docx", docs.sheet_docx, name="sheet_docx"),
    path(BS + "nguoi-ky/", docs.sheet_signer, name="sheet_signer"),
    # a member unit's reports and self-scoring sheets
    path(B, sheets.submission_list, name="submission_list"),
    path(B + "ky/<bint:round_id>/mo/", sheets.submission_open, name="submission_open"),
    path(BS, sheets.submission_detail, name="submission"),
    path(BS + "noi-dung/", sheets.submission_report, name="submission_report"),
    path(BS + "dong/<bint:entry_id>/", sheets.sheet_line, name="sheet_line"),
    path(BS + "tep/", sheets.submission_file_add, name="submission_file_add"),
    path(BS + "tep/<bint:file_id>/", sheets.submission_file, name="submission_file"),
    path(
        BS + "tep/<bint:file_id>/xoa/", sheets.submission_file_remove, name="submission_file_remove"
    ),
    path(BS + "nop/", sheets.submission_submit, name="submission_submit"),
    path(BS + "lich-su/", sheets.submission_history, name="submission_history"),
    path(BS + "excel/", sheet_excel.sheet_xlsx, name="sheet_xlsx"),
    path(BS + "nhap-excel/", sheet_excel.sheet_xlsx_import, name="sheet_xlsx_import"),
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
