"""Forms of the ranking pages: the year's rules, compliance flags, the bình xét meeting, the vote
on the ranking and the tie votes. Input shape only; the services check the rules and save."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from blocs.forms import VNDateField
from scoring.models import ComplianceFlag, YearRules
from scoring.services.compliance import RULE_FIELDS
from thiduakhenthuong.limits import IdMultipleChoiceField

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _members_field(form: forms.Form, name: str, units) -> None:
    field = form.fields[name]
    field.queryset = units
    field.error_messages["invalid_choice"] = "Đơn vị không thuộc khối trong năm này."


class YearRulesForm(forms.ModelForm):
    class Meta:
        model = YearRules
        fields = list(RULE_FIELDS)


class FlagForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label="Đơn vị")
    kind = forms.ChoiceField(label="Loại thông tin", choices=ComplianceFlag.Kind.choices)
    source = forms.CharField(
        label="Cơ quan thông báo",
        max_length=200,
        help_text="Ví dụ: Công an tỉnh, Cục Thuế, Thanh tra tỉnh, Sở Nội vụ",
    )
    effect = forms.ChoiceField(label="Hệ quả", choices=ComplianceFlag.Effect.choices)
    points = forms.DecimalField(
        label="Số điểm trừ",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        help_text="Chỉ khi hệ quả là trừ điểm",
        localize=True,
    )
    note = forms.CharField(label="Nội dung", max_length=4000, widget=TEXTAREA)
    cleared_on = VNDateField(label="Đã giải quyết ngày", required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        _members_field(self, "unit", units)

    @staticmethod
    def initial_for(flag: ComplianceFlag) -> dict:
        return {
            name: getattr(flag, name)
            for name in ("unit", "kind", "source", "effect", "points", "note", "cleared_on")
        }


class MeetingForm(forms.Form):
    date = VNDateField(label="Ngày họp")
    place = forms.CharField(label="Địa điểm", max_length=255)
    chair = forms.CharField(label="Chủ trì", max_length=255, help_text="Chức vụ, họ và tên")
    secretary = forms.CharField(label="Thư ký", max_length=255)
    attending = IdMultipleChoiceField(
        queryset=None, label="Đơn vị dự họp", widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label="Diễn biến, ý kiến tại hội nghị", required=False, max_length=20000, widget=TEXTAREA
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        _members_field(self, "attending", units)
        self.fields["attending"].error_messages["required"] = "Chọn các đơn vị dự họp."


class VoteForm(forms.Form):
    vote_total = forms.IntegerField(label="Tổng số phiếu biểu quyết", min_value=1)
    vote_for = forms.IntegerField(label="Tán thành", min_value=0)
    vote_against = forms.IntegerField(label="Không tán thành", min_value=0)


class TieVoteForm(forms.Form):
    """One number per unit whose tie only the vote breaks (fields vote_<unit id>)."""

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        for r in rows:
            self.fields[f"vote_{r.unit.pk}"] = forms.IntegerField(
                label=f"Số phiếu cho {r.unit.name}", min_value=0, initial=r.tie_vote
            )

    def votes(self) -> dict[int, int]:
        return {int(k.removeprefix("vote_")): v for k, v in self.cleaned_data.items()}
