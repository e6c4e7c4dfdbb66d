"""Input shapes for the template editor, the registration pages and the signing meeting.
Numbers are typed the Vietnamese way (12,5) or with a dot; choices are limited to the scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from blocs import rowchecks
from blocs.forms import VNDateField
from plans.forms import RevisionField
from scoring import calc
from scoring.models import (
    COLLECTIVE_TITLES,
    INDIVIDUAL_TITLES,
    Criterion,
    Template,
    TieBreak,
)
from thiduakhenthuong.limits import IdMultipleChoiceField

MAX_POINTS = 100000
BLANK = [("", "— chọn —")]


class PointsField(forms.Field):
    """A number of points: '12,5' or '12.5', not negative, at most 100.000."""

    def __init__(self, *args, allow_negative: bool = False, **kwargs):
        self.allow_negative = allow_negative
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value
        return calc.fmt(value)

    def to_python(self, value):
        text = str(value).strip()[:30] if value is not None else ""
        if text in self.empty_values:
            return None
        try:
            number = calc.to_decimal(text)
        except calc.ScoreError:
            raise ValidationError("Hãy nhập một số, ví dụ 12,5.") from None
        if number < 0 and not self.allow_negative:
            raise ValidationError("Không được nhập số âm.")
        if abs(number) > MAX_POINTS:
            raise ValidationError("Số quá lớn (tối đa 100.000).")
        if number != calc.round_points(number):
            raise ValidationError("Chỉ nhập tối đa hai chữ số sau dấu phẩy.")
        return number


class TemplateSettingsForm(forms.ModelForm):
    revision = RevisionField()
    max_total = PointsField(label="Tổng điểm tối đa", help_text="Thường là 100; có nơi dùng 1000")
    bonus_cap = PointsField(label="Điểm thưởng tối đa", required=False)
    penalty_cap = PointsField(
        label="Điểm trừ tối đa", required=False, help_text="Để trống: không giới hạn"
    )
    late_penalty = PointsField(label="Điểm trừ mỗi báo cáo nộp muộn", required=False)

    class Meta:
        model = Template
        fields = [
            "title",
            "max_total",
            "bonus_cap",
            "penalty_cap",
            "allow_exceed_max",
            "allow_children_over",
            "late_penalty",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.tie_break or []) if self.instance.pk else []
        for i in range(len(TieBreak.values)):
            self.fields[f"tie_{i + 1}"] = forms.ChoiceField(
                label=f"Xét bằng điểm – thứ tự {i + 1}",
                choices=BLANK + TieBreak.choices,
                required=False,
                initial=current[i] if i < len(current) else "",
            )

    def clean_max_total(self):
        value = self.cleaned_data["max_total"]
        if value is not None and value <= 0:
            raise ValidationError("Tổng điểm tối đa phải lớn hơn 0.")
        return value

    def clean(self):
        data = super().clean()
        order = [data.get(f"tie_{i + 1}") for i in range(len(TieBreak.values))]
        chosen = [t for t in order if t]
        if len(set(chosen)) != len(chosen):
            self.add_error("tie_1", "Mỗi tiêu chí xét bằng điểm chỉ chọn một lần.")
        data["tie_break"] = chosen
        if data.get("late_penalty") is None:
            data["late_penalty"] = calc.ZERO
        bonus, total = data.get("bonus_cap"), data.get("max_total")
        if bonus is not None and total is not None and bonus > total:
            self.add_error("bonus_cap", "Điểm thưởng tối đa không được vượt tổng điểm tối đa.")
        return data

    def _post_clean(self):
        """The model's validation without its queries: the template's bloc and version are not
        on the form, and its check constraints are tested in Python (TEMPLATE_CHECKS), their
        errors shown on the form as before."""
        from scoring.services.templates import TEMPLATE_CHECKS

        exclude = self._get_validation_exclusions()
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields)
            rowchecks.clean(self.instance, TEMPLATE_CHECKS, exclude=exclude | {"bloc"})
        except ValidationError as exc:
            self._update_errors(exc)

    def settings(self) -> dict:
        keys = [*self.Meta.fields, "tie_break"]
        return {k: self.cleaned_data[k] for k in keys}


class BandForm(forms.Form):
    label = forms.CharField(label="Xếp loại", max_length=100, required=False)
    min_total = PointsField(label="Tổng điểm từ", required=False)
    floor_pct = PointsField(label="Mỗi nhóm tối thiểu (%)", required=False)

    def clean(self):
        data = super().clean()
        label = (data.get("label") or "").strip()
        if data.get("min_total") is not None and not label:
            self.add_error("label", "Hãy nhập tên mức xếp loại.")
        if label and data.get("min_total") is None:
            self.add_error("min_total", "Hãy nhập mức điểm.")
        pct = data.get("floor_pct")
        if pct is not None and pct > 100:
            self.add_error("floor_pct", "Tỷ lệ tối thiểu phải từ 0 đến 100 %.")
        data["label"] = label
        data["blank"] = not label and data.get("min_total") is None
        return data


BandFormSet = forms.formset_factory(BandForm, extra=2, max_num=10, can_delete=True)


class CriterionForm(forms.Form):
    revision = RevisionField()
    parent = forms.ModelChoiceField(
        queryset=Criterion.objects.none(),
        label="Thuộc nhóm",
        required=False,
        empty_label="(cấp cao nhất)",
    )
    code = forms.CharField(label="Mã", max_length=20, help_text="Ví dụ: I, 1, 1.1, a")
    content = forms.CharField(
        label="Nội dung tiêu chí", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label="Loại", choices=Criterion.Kind.choices)
    max_points = PointsField(label="Điểm tối đa", allow_negative=True)
    step = PointsField(label="Bước điểm", required=False, help_text="Chấm theo mức: 0,25; 0,5…")
    points_per = PointsField(
        label="Điểm mỗi lần", required=False, help_text="Theo số lần, điểm thưởng, điểm trừ"
    )
    formula = forms.ChoiceField(
        label="Công thức (định lượng)", choices=BLANK + Criterion.Formula.choices, required=False
    )
    guidance = forms.CharField(
        label="Hướng dẫn chấm",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_required = forms.BooleanField(label="Bắt buộc minh chứng", required=False)
    source = forms.ChoiceField(
        label="Nguồn số liệu", choices=Criterion.Source.choices, initial=Criterion.Source.SELF
    )

    def __init__(self, *args, template: Template, exclude_pk: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        groups = Criterion.objects.filter(template=template, kind=Criterion.Kind.GROUP)
        if exclude_pk:
            groups = groups.exclude(pk=exclude_pk)
        self.fields["parent"].queryset = groups.order_by("order", "id")
        self.fields["parent"].error_messages["invalid_choice"] = "Nhóm không thuộc thang điểm."

    def clean_max_points(self):
        value = self.cleaned_data["max_points"]
        if value is not None and value < 0:
            raise ValidationError("Điểm tối đa không được âm.")
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in {"per_occurrence", "bonus", "deduction"} and not data.get("points_per"):
            self.add_error("points_per", "Loại tiêu chí này cần điểm mỗi lần.")
        if kind == "quantitative" and not data.get("formula"):
            self.add_error("formula", "Tiêu chí định lượng cần chọn công thức.")
        if data.get("step") == 0:
            self.add_error("step", "Bước điểm phải lớn hơn 0.")
        if data.get("points_per") == 0:
            self.add_error("points_per", "Điểm mỗi lần phải lớn hơn 0.")
        data["code"] = (data.get("code") or "").strip()
        return data

    def fields_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in {"revision", "parent"}}


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp Excel (.xlsx)")


class NewVersionForm(forms.Form):
    applies_from = VNDateField(label="Áp dụng từ ngày")
    change_note = forms.CharField(
        label="Lý do thay đổi", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# ---------------------------------------------------------------- registrations


class RegistrationForm(forms.Form):
    revision = RevisionField()
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for title in COLLECTIVE_TITLES:
            self.fields[f"t_{title.value}"] = forms.BooleanField(label=title.label, required=False)
        for title in INDIVIDUAL_TITLES:
            self.fields[f"t_{title.value}"] = forms.IntegerField(
                label=title.label,
                required=False,
                min_value=0,
                max_value=100000,
                error_messages={
                    "invalid": "Hãy nhập số người (số nguyên).",
                    "min_value": "Số người không được âm.",
                    "max_value": "Số người quá lớn.",
                },
            )

    @staticmethod
    def initial_for(registration) -> dict:
        if registration is None:
            return {"revision": 0}
        out = {"revision": registration.revision, "note": registration.note}
        for goal in registration.titles.all():
            out[f"t_{goal.title}"] = True if goal.is_collective else goal.count
        return out

    def collective_fields(self):
        return [self[f"t_{t.value}"] for t in COLLECTIVE_TITLES]

    def individual_fields(self):
        return [self[f"t_{t.value}"] for t in INDIVIDUAL_TITLES]

    def titles(self) -> dict[str, int]:
        out = {}
        for title in COLLECTIVE_TITLES:
            if self.cleaned_data.get(f"t_{title.value}"):
                out[title.value] = 1
        for title in INDIVIDUAL_TITLES:
            count = self.cleaned_data.get(f"t_{title.value}")
            if count:
                out[title.value] = count
        return out


class ReadChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose rows the caller has read (`read`: pk → row): a choice is looked up
    among them, not with a query per form of a formset."""

    read: dict[str, Any] | None = None

    def to_python(self, value):
        if self.read is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.read[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class TargetForm(forms.Form):
    content = forms.CharField(
        label="Chỉ tiêu", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    measure = forms.CharField(label="Đơn vị tính", max_length=60, required=False)
    target_value = PointsField(label="Giá trị", required=False)
    criterion = ReadChoiceField(
        queryset=Criterion.objects.none(), label="Tiêu chí chấm điểm", required=False
    )

    def __init__(self, *args, leaves=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = (
            leaves if leaves is not None else Criterion.objects.none()
        )
        field = self.fields["criterion"]
        field.label_from_instance = lambda c: f"{c.code}. {c.content[:60]}"
        read = getattr(leaves, "_result_cache", None)
        if read is not None:  # rows the caller read once: the choices of every form of a formset
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            field.choices = empty + [(c.pk, field.label_from_instance(c)) for c in read]
            field.read = {str(c.pk): c for c in read}
        self.fields["criterion"].error_messages["invalid_choice"] = (
            "Tiêu chí không thuộc thang điểm năm nay."
        )

    def clean(self):
        data = super().clean()
        content = (data.get("content") or "").strip()
        filled = (
            data.get("measure") or data.get("target_value") is not None or data.get("criterion")
        )
        if filled and not content:
            self.add_error("content", "Hãy nhập nội dung chỉ tiêu, hoặc để trống cả dòng.")
        data["content"] = content
        data["blank"] = not content and not filled
        return data


TargetFormSet = forms.formset_factory(TargetForm, extra=3, max_num=60, can_delete=True)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Lý do trả lại", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SigningForm(forms.Form):
    date = VNDateField(label="Ngày ký kết")
    place = forms.CharField(label="Địa điểm", max_length=255)
    attending = IdMultipleChoiceField(
        queryset=None, label="Đơn vị tham dự", widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    partial = forms.BooleanField(
        label="Ký với các đơn vị đã được chấp nhận (đơn vị còn lại ghi nhận chưa ký giao ước)",
        required=False,
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attending"].queryset = units
        self.fields["attending"].error_messages["invalid_choice"] = "Đơn vị không thuộc khối."
        self.fields["attending"].error_messages["required"] = "Hãy chọn các đơn vị tham dự."


# ---------------------------------------------------------------- the printed sheet


class SignerForm(forms.Form):
    """Who signs the unit's printed sheet (under "THỦ TRƯỞNG ĐƠN VỊ")."""

    revision = RevisionField()
    signer_position = forms.CharField(
        label="Chức vụ người ký",
        required=False,
        max_length=255,
        help_text="Ví dụ: Giám đốc; để trống thì in “Thủ trưởng đơn vị”.",
        error_messages={"max_length": "Chức vụ dài quá 255 ký tự."},
    )
    signer_name = forms.CharField(
        label="Họ tên người ký",
        required=False,
        max_length=150,
        error_messages={"max_length": "Họ tên dài quá 150 ký tự."},
    )
