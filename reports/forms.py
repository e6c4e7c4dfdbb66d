"""Input shapes for issuing documents."""

from __future__ import annotations

from django import forms

from blocs.forms import VNDateField
from plans.forms import RevisionField
from reports.registers import MAX_NUMBER


class IssueForm(forms.Form):
    """Date and (optionally) number of issue; the window for the date and a number's freedom in
    the register are checked by the service, which names the field in its error."""

    issue_date = VNDateField(
        label="Ngày ban hành",
        error_messages={
            "required": "Hãy nhập ngày ban hành.",
            "invalid": "Ngày ban hành không hợp lệ, hãy nhập theo dạng dd/mm/yyyy.",
        },
    )
    number = forms.IntegerField(
        label="Số văn bản",
        min_value=1,
        max_value=MAX_NUMBER,
        required=False,
        help_text="Để trống để lấy số tiếp theo trong sổ đăng ký.",
        error_messages={
            "invalid": "Số văn bản phải là số nguyên, ví dụ 11.",
            "min_value": "Số văn bản phải lớn hơn 0.",
            "max_value": f"Số văn bản không quá {MAX_NUMBER}.",
        },
    )


class CompiledReportForm(forms.Form):
    """The secretariat's assessment in the bloc's BÁO CÁO of a round."""

    revision = RevisionField()
    body = forms.CharField(
        label="Đánh giá chung",
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=(
            "Các đoạn cách nhau một dòng trống; dòng bắt đầu bằng “- ” là gạch đầu dòng. Danh sách "
            "đơn vị đã nộp, chưa nộp và tổng điểm được lập tự động."
        ),
        error_messages={"max_length": "Phần đánh giá dài quá 100.000 ký tự."},
    )
