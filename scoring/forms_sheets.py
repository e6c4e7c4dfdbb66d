"""Input shapes of a unit's report pages: one line of the self-scoring sheet, the report text, a
file. The numbers and their rules (maximum, step, kind of line) are checked by the sheet
services, which say what is wrong in Vietnamese; these forms only bound the input."""

from __future__ import annotations

from django import forms

from blocs.text import CleanTextMixin
from plans.forms import RevisionField
from scoring.models import Attachment

PASSED_CHOICES = [("", "Chưa chọn"), ("1", "Đạt"), ("0", "Không đạt")]


def _passed(value: str) -> bool:
    return value == "1"


class LineForm(CleanTextMixin, forms.Form):
    """One line as the unit typed it; the prefix `l<entry id>` keeps the fields of every line of
    the page apart (the same names whether posted by htmx or by the plain form)."""

    value = forms.CharField(
        required=False, max_length=30, error_messages={"max_length": "Số nhập quá dài."}
    )
    passed = forms.TypedChoiceField(
        required=False,
        choices=PASSED_CHOICES,
        coerce=_passed,
        empty_value=None,
        error_messages={"invalid_choice": "Hãy chọn “Đạt” hoặc “Không đạt”."},
    )
    explanation = forms.CharField(required=False, max_length=4000)
    revision = RevisionField()

    @staticmethod
    def prefix_for(entry_id: int) -> str:
        return f"l{entry_id}"


class ReportForm(CleanTextMixin, forms.Form):
    body = forms.CharField(
        label="Nội dung báo cáo", required=False, widget=forms.Textarea, max_length=200_000
    )
    revision = RevisionField()


class FileForm(forms.Form):
    """A file for the report, the attachments or a line's evidence (checked by the service)."""

    file = forms.FileField(
        label="Tệp",
        max_length=255,
        error_messages={"required": "Hãy chọn một tệp.", "empty": "Tệp rỗng."},
    )
    purpose = forms.ChoiceField(choices=Attachment.Purpose.choices)
