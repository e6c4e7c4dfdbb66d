"""Input shapes for the plan pages (header, body outline, lists, schedule, transitions, import)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from blocs.forms import VNDateField
from blocs.text import CleanTextMixin, YearWindowMixin, strip_controls
from plans.editing import HEADER_FIELDS
from plans.models import FormatProfile, Milestone, Plan, SignatureLine
from plans.outline import parse_outline


class RevisionField(forms.IntegerField):
    """The plan's revision the page was read at (optimistic concurrency)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(required=False, min_value=0, max_value=2**31 - 1, **kwargs)


class RevisionForm(CleanTextMixin, forms.Form):
    revision = RevisionField()


class PlanHeaderForm(CleanTextMixin, forms.ModelForm):
    revision = RevisionField()

    class Meta:
        model = Plan
        fields = list(HEADER_FIELDS)  # the fields plans.editing.plan_update accepts
        widgets = {
            "parent_issuer": forms.Textarea(attrs={"rows": 2}),
            "issuer": forms.Textarea(attrs={"rows": 2}),
            "title": forms.Textarea(attrs={"rows": 2}),
            "preamble": forms.Textarea(attrs={"rows": 4}),
            "theme": forms.Textarea(attrs={"rows": 2}),
            "closing": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format_profile"].queryset = FormatProfile.objects.all()
        self.fields["title"].max_length = 2000

    def _post_clean(self) -> None:
        """ModelForm's model validation without the two parts that cost queries: the profile's
        existence (its field has just read it) and the check constraints (one query each).
        plans.editing.plan_update checks both on the locked row, and the view shows its errors
        next to the fields (issue 12: the header save read the same things twice)."""
        exclude = self._get_validation_exclusions()
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except ValidationError as exc:
            self._update_errors(exc)
        relations = {f.name for f in Plan._meta.fields if f.is_relation}
        try:
            self.instance.full_clean(
                exclude=exclude | relations, validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            self._update_errors(exc)


class BodyForm(CleanTextMixin, forms.Form):
    revision = RevisionField()
    outline = forms.CharField(
        label="Nội dung (dàn ý có đánh số)",
        widget=forms.Textarea(attrs={"rows": 30, "class": "font-monospace"}),
        max_length=500_000,
        help_text="Mỗi mục bắt đầu bằng số thứ tự: I. / 1. / 1.1. / a). Gạch đầu dòng bắt đầu bằng “- ”. "
        "Chữ đậm **như thế này**, chữ nghiêng *như thế này*. Ngày lấy từ tiến độ ghi dạng "
        "{{dot1.tu:dd/mm/yyyy}} (xem bảng mã ngày bên cạnh): sửa ngày ở trang Đợt thi đua và mốc "
        "thời gian, văn bản tự cập nhật.",
    )

    def clean_outline(self):
        return parse_outline(strip_controls(self.cleaned_data["outline"]))


RECIPIENT = re.compile(r"^[-–•]?\s*(?P<name>.+?)\s*(?:\((?P<purpose>[^()]*)\))?\s*[;,.]?$")


class ListsForm(CleanTextMixin, forms.Form):
    revision = RevisionField()
    bases = forms.CharField(
        label="Căn cứ (mỗi dòng một văn bản)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    recipients = forms.CharField(
        label="Nơi nhận (mỗi dòng một nơi; mục đích trong ngoặc, ví dụ “Ban TĐKT tỉnh (b/c)”; dòng “Lưu: …” ở cuối)",
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_bases(self):
        return [
            line.strip().lstrip("-").strip()
            for line in strip_controls(self.cleaned_data["bases"]).splitlines()
            if line.strip()
        ]

    def clean_recipients(self):
        rows = []
        for line in strip_controls(self.cleaned_data["recipients"]).splitlines():
            line = line.strip()
            if not line:
                continue
            match = RECIPIENT.match(line)
            name = match["name"].strip() if match else line
            purpose = (match["purpose"] or "").strip() if match else ""
            rows.append((name[:500], purpose[:60], name.lower().startswith("lưu")))
        if not rows:
            raise ValidationError("Hãy nhập ít nhất một nơi nhận.")
        if len(rows) > 200:
            raise ValidationError("Danh sách nơi nhận quá dài (tối đa 200 dòng).")
        return rows


BLANK = [("", "— chọn —")]


class SignatureLineForm(CleanTextMixin, forms.Form):
    """One line of the signature block; a row left blank is ignored."""

    role = forms.ChoiceField(
        label="Loại dòng", choices=BLANK + SignatureLine.Role.choices, required=False
    )
    text = forms.CharField(label="Nội dung", max_length=255, required=False)
    after_gap = forms.BooleanField(label="Sau chỗ ký", required=False)

    def clean(self):
        data = super().clean()
        role, text = data.get("role"), (data.get("text") or "").strip()
        if text and not role:
            self.add_error("role", "Hãy chọn loại dòng (chức vụ, họ tên…).")
        if role and not text:
            self.add_error("text", "Hãy nhập nội dung dòng, hoặc để trống cả dòng.")
        data["blank"] = not role and not text
        return data


SignatureFormSet = forms.formset_factory(
    SignatureLineForm, extra=2, max_num=12, absolute_max=12, validate_max=True, can_delete=True
)


class PhaseForm(CleanTextMixin, YearWindowMixin, forms.Form):
    year_window_fields = ("start", "end")

    seq = forms.IntegerField(label="Đợt", min_value=1, max_value=20)
    name = forms.CharField(label="Tên đợt", max_length=255)
    start = VNDateField(label="Từ ngày")
    end = VNDateField(label="Đến ngày")
    commemorations = forms.CharField(
        label="Ngày lễ, kỷ niệm", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "Ngày kết thúc đợt phải sau ngày bắt đầu.")
        return data


class MilestoneForm(CleanTextMixin, YearWindowMixin, forms.Form):
    """One dated obligation; a row left blank (no type, no date) is ignored."""

    year_window_fields = ("due", "data_from", "data_to")

    kind = forms.ChoiceField(label="Loại", choices=BLANK + Milestone.Kind.choices, required=False)
    phase_seq = forms.IntegerField(label="Thuộc đợt", min_value=1, max_value=20, required=False)
    due = VNDateField(label="Hạn / ngày", required=False)
    due_month = forms.IntegerField(label="Tháng", min_value=1, max_value=12, required=False)
    due_year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100, required=False)
    data_from = VNDateField(label="Số liệu từ", required=False)
    data_to = VNDateField(label="Số liệu đến", required=False)
    addressee = forms.CharField(label="Gửi về", max_length=255, required=False)
    place = forms.CharField(label="Địa điểm", max_length=255, required=False)
    with_score_sheet = forms.BooleanField(label="Kèm bảng tự chấm điểm", required=False)

    def clean(self):
        data = super().clean()
        if data.get("data_from") and data.get("data_to") and data["data_to"] < data["data_from"]:
            self.add_error("data_to", "Kỳ số liệu: ngày kết thúc phải sau ngày bắt đầu.")
        filled = any(data.get(k) for k in data if k not in {"kind", "DELETE", "with_score_sheet"})
        if filled and not data.get("kind"):
            self.add_error("kind", "Hãy chọn loại mốc (báo cáo, hội nghị…).")
        data["blank"] = not data.get("kind") and not filled
        return data


# absolute_max caps the forms Django builds from a posted TOTAL_FORMS (65536 would cost seconds).
PhaseFormSet = forms.formset_factory(
    PhaseForm, extra=1, max_num=20, absolute_max=20, validate_max=True, can_delete=True
)
MilestoneFormSet = forms.formset_factory(
    MilestoneForm, extra=1, max_num=40, absolute_max=40, validate_max=True, can_delete=True
)


def formset_rows(formset) -> list[dict]:
    """The kept rows of a valid formset: deleted and blank rows are left out."""
    return [
        {k: v for k, v in f.cleaned_data.items() if k not in {"DELETE", "blank"}}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.cleaned_data.get("blank")
    ]


class ConfirmMentionsMixin(CleanTextMixin, YearWindowMixin, forms.Form):
    revision = RevisionField()
    confirm_mentions = forms.BooleanField(
        label="Tôi đã kiểm tra các chỗ còn ghi năm trước / Trưởng khối năm trước",
        required=False,
    )


class ConsultForm(ConfirmMentionsMixin):
    year_window_fields = ("deadline",)
    deadline = VNDateField(label="Hạn góp ý", required=False)


class ApproveForm(ConfirmMentionsMixin):
    pass


class RevokeForm(CleanTextMixin, YearWindowMixin, forms.Form):
    reason = forms.CharField(label="Lý do thu hồi", max_length=500)


class CommentForm(CleanTextMixin, forms.Form):
    text = forms.CharField(
        label="Ý kiến góp ý", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ImportForm(CleanTextMixin, forms.Form):
    file = forms.FileField(
        label="Tệp văn bản (.docx, .txt)",
        required=False,
        error_messages={
            "empty": "Tệp rỗng, không có nội dung kế hoạch.",
            "invalid": "Không đọc được tệp đã gửi.",
        },
    )
    text = forms.CharField(
        label="Hoặc dán nội dung kế hoạch",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None and not (data.get("text") or "").strip():
            raise ValidationError("Hãy chọn tệp hoặc dán nội dung kế hoạch.")
        if upload is not None and upload.size > settings.PLAN_IMPORT_MAX_BYTES:
            self.add_error("file", "Tệp quá lớn (tối đa 5 MB).")
        return data


class ImportReviewForm(CleanTextMixin, forms.Form):
    """The fields the user checks and corrects before the imported plan is saved."""

    source = forms.CharField(widget=forms.HiddenInput, max_length=5_000_000)
    year = forms.IntegerField(label="Năm kế hoạch", min_value=2000, max_value=2100)
    parent_issuer = forms.CharField(
        label="Cơ quan chủ quản", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    issuer = forms.CharField(label="Cơ quan ban hành", widget=forms.Textarea(attrs={"rows": 2}))
    symbol = forms.CharField(label="Ký hiệu", max_length=30)
    place = forms.CharField(label="Địa danh", max_length=100)
    title = forms.CharField(
        label="Trích yếu", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    as_issued = forms.BooleanField(
        label="Đây là kế hoạch đã ban hành: lưu với số và ngày ghi trong văn bản (vào sổ đăng ký, "
        "không sửa được nữa), để làm căn cứ sao chép cho năm sau",
        required=False,
    )
