"""Input shapes of the secretariat's review pages: a reviewer's score and comment on one line,
the decisions on a sheet (layer done, return, finalise, reopen: each with the revision the page
was read at), the round's finalisation at the meeting, and the review setup."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from blocs.models import Unit
from blocs.text import CleanTextMixin
from plans.forms import RevisionField
from scoring import calc
from scoring.models import Review, ReviewSetup

TEXT = {"max_length": 4000, "widget": forms.Textarea(attrs={"rows": 2})}


class ReviewLineForm(CleanTextMixin, forms.Form):
    """The current layer's points (the service checks them against the line's maximum and
    step) and comment; `revision` is the line's review as the page showed it."""

    score = forms.CharField(
        label="Điểm thẩm định",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
        error_messages={"required": "Nhập điểm thẩm định."},
    )
    comment = forms.CharField(label="Nhận xét", required=False, **TEXT)
    revision = RevisionField()

    @classmethod
    def for_line(
        cls, entry_id: int, review: Review | None, data=None, suggested: Decimal | None = None
    ) -> ReviewLineForm:
        """The line's form: this layer's review, or else the points the line has now (the last
        layer's or the unit's own) for the reviewer to confirm or change."""
        initial = {"revision": review.revision if review else 0, "score": calc.fmt(suggested)}
        if review is not None:
            initial |= {"score": calc.fmt(review.score), "comment": review.comment}
        return cls(data, prefix=f"dong{entry_id}", initial=initial)

    @classmethod
    def showing(cls, entry_id: int, review: Review) -> ReviewLineForm:
        """A form bound to what is stored now (after a stale save): the current values."""
        data = {
            f"dong{entry_id}-score": calc.fmt(review.score),
            f"dong{entry_id}-comment": review.comment,
            f"dong{entry_id}-revision": review.revision,
        }
        form = cls(data, prefix=f"dong{entry_id}")
        form.is_valid()
        return form


class LayerDoneForm(forms.Form):
    revision = RevisionField()


def _reason_form(label: str, required: str) -> type[forms.Form]:
    """A decision that needs a reason (return, reopen), with the page's revision."""

    class ReasonForm(CleanTextMixin, forms.Form):
        reason = forms.CharField(label=label, error_messages={"required": required}, **TEXT)
        revision = RevisionField()

    return ReasonForm


ReturnSheetForm = _reason_form("Lý do trả lại", "Hãy nêu lý do trả lại để đơn vị biết cần sửa gì.")
ReopenForm = _reason_form("Lý do mở lại", "Hãy nêu lý do mở lại bảng điểm đã chốt.")


class FinalizeForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label="Ghi chú khi chốt (hội nghị, biên bản)", required=False, **TEXT)
    revision = RevisionField()


class RoundFinalizeForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label="Ghi chú (hội nghị tổng kết, biên bản)", required=False, **TEXT)


class ReviewSetupForm(CleanTextMixin, forms.Form):
    """The mode, and for cross-scoring one reviewer unit per member (never itself)."""

    mode = forms.ChoiceField(
        label="Cách thẩm định", choices=ReviewSetup.Mode.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, members: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for unit in members:
            self.fields[self.key(unit)] = forms.TypedChoiceField(
                label=unit.name,
                choices=[("", "— chưa phân công —")]
                + [(u.pk, u.name) for u in members if u.pk != unit.pk],
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={
                    "invalid_choice": "Chọn một đơn vị khác của khối (không tự chấm cho mình)."
                },
            )

    @staticmethod
    def key(unit: Unit) -> str:
        return f"reviewer_{unit.pk}"

    @property
    def assignment_fields(self) -> list[forms.BoundField]:
        return [self[self.key(u)] for u in self.members]

    def clean(self):
        data = super().clean()
        if data.get("mode") == ReviewSetup.Mode.CROSS:
            for unit in self.members:
                if not data.get(self.key(unit)) and self.key(unit) not in self.errors:
                    self.add_error(self.key(unit), "Chọn đơn vị chấm chéo cho đơn vị này.")
        return data

    def assignments(self) -> dict[int, int]:
        """{reviewed unit id: reviewer unit id} of the assigned members."""
        pairs = ((u.pk, self.cleaned_data.get(self.key(u))) for u in self.members)
        return {reviewed: reviewer for reviewed, reviewer in pairs if reviewer}
