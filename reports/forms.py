"""Input shapes for issuing documents."""

from __future__ import annotations

from django import forms

from blocs.forms import VNDateField
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
