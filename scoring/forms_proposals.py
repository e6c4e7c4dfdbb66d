"""Input shapes of the proposal pages: add or edit a proposal (award, achievements), the
meeting's vote, the dossier's date, and the province's return/reject reason and decision."""

from __future__ import annotations

from django import forms

from blocs.forms import VNDateField
from plans.forms import RevisionField
from scoring.models import Proposal, RankingRow

AWARD_CHOICES = [(a.value, a.label) for a in Proposal.AWARDS]


def _unit_label(row: RankingRow) -> str:
    return f"{row.rank}. {row.unit.name}"


class ProposalForm(forms.Form):
    unit = forms.ChoiceField(label="Tập thể")
    award = forms.ChoiceField(label="Hình thức khen thưởng", choices=AWARD_CHOICES)
    achievements = forms.CharField(
        label="Thành tích, căn cứ đề nghị",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Để trống: ghi thứ hạng và tổng điểm trong bảng xếp hạng.",
    )

    def __init__(self, *args, rows: list[RankingRow] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # Every ranked unit is listed: the service says why an ineligible one is refused.
        self.fields["unit"].choices = [(str(r.unit_id), _unit_label(r)) for r in rows]
        self.units = {str(r.unit_id): r.unit for r in rows}

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]


class ProposalEditForm(forms.Form):
    revision = RevisionField()
    award = forms.ChoiceField(label="Hình thức khen thưởng", choices=AWARD_CHOICES)
    achievements = forms.CharField(
        label="Thành tích, căn cứ đề nghị",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class VoteForm(forms.Form):
    revision = RevisionField()
    vote_for = forms.IntegerField(label="Tán thành", min_value=0, max_value=10000)
    vote_against = forms.IntegerField(label="Không tán thành", min_value=0, max_value=10000)
    vote_total = forms.IntegerField(label="Tổng số biểu quyết", min_value=1, max_value=10000)


class SubmitForm(forms.Form):
    date = VNDateField(label="Ngày tờ trình", help_text="dd/mm/yyyy; ngày trình hồ sơ lên tỉnh")


class ReasonForm(forms.Form):
    revision = RevisionField()
    reason = forms.CharField(
        label="Lý do", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    revision = RevisionField()
    number = forms.CharField(label="Số quyết định", max_length=50, help_text="Ví dụ: 125/QĐ-UBND")
    date = VNDateField(label="Ngày quyết định")
    issuer = forms.CharField(
        label="Cơ quan, người quyết định",
        max_length=255,
        required=False,
        help_text="Để trống: theo hình thức khen thưởng (Chủ tịch UBND tỉnh, Thủ tướng Chính phủ).",
    )
