"""Input shapes for the blocs pages; choices are limited to the user's scope."""

from __future__ import annotations

from django import forms

from blocs.models import Bloc, Membership, Province, Unit
from blocs.text import CleanTextMixin, YearWindowMixin
from blocs.unit_search import UnitSearchField
from thiduakhenthuong.limits import MAX_DB_INT, IdMultipleChoiceField

DATE_HELP = "Định dạng dd/mm/yyyy"
TERM_TEXT_FIELDS = ("basis", "head_display", "signer_position", "signer_rank", "signer_name")


class VNDateField(forms.DateField):
    """A date typed as dd/mm/yyyy, with a Vietnamese message when it is not a date."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%d/%m/%Y", "%Y-%m-%d"])
        kwargs.setdefault(
            "widget", forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
        )
        kwargs.setdefault(
            "error_messages", {"invalid": "Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy."}
        )
        super().__init__(*args, **kwargs)


class ProvinceForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Province
        fields = ["name", "reviewer_label"]


class UnitForm(CleanTextMixin, forms.ModelForm):
    parent = UnitSearchField(
        queryset=Unit.objects.all(), label="Cơ quan chủ quản", required=False, show_province=True
    )
    valid_from = VNDateField(label="Hoạt động từ", required=False)
    valid_to = VNDateField(label="Hoạt động đến", required=False)

    class Meta:
        model = Unit
        fields = [
            "province",
            "name",
            "short_name",
            "symbol",
            "kind",
            "parent",
            "valid_from",
            "valid_to",
        ]

    def clean(self):
        data = super().clean()
        province, parent = data.get("province"), data.get("parent")
        if province and parent and parent.province_id != province.pk:
            self.add_error("parent", "Cơ quan chủ quản phải thuộc cùng tỉnh.")
        return data


class BlocForm(CleanTextMixin, forms.ModelForm):
    decision_date = VNDateField(label="Ngày quyết định", required=False)
    active_from = VNDateField(label="Hoạt động từ", required=False)

    class Meta:
        model = Bloc
        fields = [
            "province",
            "name",
            "kind",
            "level",
            "symbol",
            "decision_number",
            "decision_date",
            "decision_issuer",
            "active_from",
        ]


class PostedUnitChoiceField(forms.ModelChoiceField):
    """TermForm's head: found among the units its form read for all its unit fields
    (`posted`), else by the field's own query (a unit not found: its error message)."""

    posted: dict[str, Unit] = {}

    def to_python(self, value):
        return self.posted.get(str(value)) or super().to_python(value)


class PostedUnitsField(IdMultipleChoiceField):
    """TermForm's deputies: found among the units its form read for all its unit fields
    (`posted`, in the units' order), else by the field's own query (and its error messages)."""

    posted: dict[str, Unit] = {}

    def _check_values(self, value):
        wanted = {str(v) for v in value} if isinstance(value, list | tuple) else None
        if wanted and wanted <= self.posted.keys():
            return [unit for key, unit in self.posted.items() if key in wanted]
        return super()._check_values(value)


class TermForm(CleanTextMixin, YearWindowMixin, forms.Form):
    """A bloc-year's head and deputies (chosen among the bloc's members of that year), the basis
    of the appointment, and how the head signs that year's documents. `year` is the term's year."""

    year_window_fields = ("basis_date",)

    head_unit = PostedUnitChoiceField(queryset=Unit.objects.none(), label="Đơn vị Trưởng khối")
    deputy_units = PostedUnitsField(
        queryset=Unit.objects.none(),
        label="Đơn vị Phó khối",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    basis = forms.CharField(
        label="Căn cứ",
        max_length=255,
        required=False,
        help_text="Ví dụ: Biên bản bầu Trưởng khối tại Hội nghị tổng kết năm",
    )
    basis_date = VNDateField(label="Ngày căn cứ", required=False)
    head_display = forms.CharField(
        label="Tên Trưởng khối in trên văn bản",
        max_length=255,
        required=False,
        help_text="Ví dụ: Bộ CHQS tỉnh Tuyên Quang; để trống = tên đơn vị",
    )
    signer_position = forms.CharField(
        label="Chức vụ người ký", max_length=255, required=False, help_text="Ví dụ: Chính ủy"
    )
    signer_rank = forms.CharField(
        label="Cấp bậc / học hàm", max_length=100, required=False, help_text="Ví dụ: Đại tá"
    )
    signer_name = forms.CharField(label="Họ tên người ký", max_length=150, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head_unit"].queryset = units
        self.fields["deputy_units"].queryset = units
        self.fields["head_unit"].error_messages["invalid_choice"] = "Đơn vị không thuộc khối."
        self.fields["deputy_units"].error_messages["invalid_choice"] = "Đơn vị không thuộc khối."

    def full_clean(self):
        """Read the posted head and deputies among the choices in one query, not one per field."""
        if self.is_bound:
            fields = [self.fields[name] for name in ("head_unit", "deputy_units")]
            keys = []
            for name, field in zip(("head_unit", "deputy_units"), fields, strict=True):
                raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                keys += raw if isinstance(raw, list | tuple) else [raw]
            ids = {int(k) for k in map(str, keys) if k.isdigit() and int(k) <= MAX_DB_INT}
            posted = {str(u.pk): u for u in fields[0].queryset.filter(pk__in=ids)} if ids else {}
            for field in fields:
                field.posted = posted
        super().full_clean()

    def clean(self):
        data = super().clean()
        head, deputies = data.get("head_unit"), data.get("deputy_units") or []
        if head and head in deputies:
            self.add_error("deputy_units", "Đơn vị Trưởng khối không thể đồng thời là Phó khối.")
        return data


class TermUpdateForm(TermForm):
    """Correcting an existing term: the same fields and a mandatory reason (audited)."""

    reason = forms.CharField(
        label="Lý do điều chỉnh",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ví dụ: Quyết định kiện toàn số 120/QĐ-UBND; ghi nhầm tên người ký",
        error_messages={"required": "Hãy ghi lý do điều chỉnh nhiệm kỳ."},
    )
    # the term as the form shows it: a save over a term changed since is refused
    state = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    @staticmethod
    def initial_for(term) -> dict:
        """The term's current values, to start the correction from."""
        from blocs.services import term_state

        deputies = list(term.deputy_units.all())
        initial = {name: getattr(term, name) for name in TERM_TEXT_FIELDS + ("basis_date",)}
        initial["head_unit"] = term.head_unit_id
        initial["deputy_units"] = [u.pk for u in deputies]
        initial["state"] = term_state(term, deputies)
        return initial


class MembershipAddForm(CleanTextMixin, YearWindowMixin, forms.Form):
    """A unit joins the bloc on a day of the page's year."""

    in_year_fields = ("joined_on",)

    unit = UnitSearchField(label="Đơn vị")
    joined_on = VNDateField(label="Ngày tham gia")
    join_reason = forms.ChoiceField(label="Lý do", choices=Membership.Reason.choices[:2])
    decision_ref = forms.CharField(
        label="Căn cứ (số, ngày quyết định)", max_length=255, required=False
    )

    def __init__(self, *args, bloc: Bloc, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(province=bloc.province)
        self.fields["unit"].error_messages["invalid_choice"] = "Đơn vị không thuộc tỉnh của khối."


class MembershipEndForm(CleanTextMixin, YearWindowMixin, forms.Form):
    """A unit leaves the bloc (rút) on a day of the page's year. A merger is UnitMergeForm."""

    in_year_fields = ("left_on",)

    left_on = VNDateField(label="Ngày rời khối")

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean(self):
        data = super().clean()
        left_on = data.get("left_on")
        if left_on and left_on < self.membership.joined_on:
            self.add_error("left_on", "Ngày rời khối phải sau ngày tham gia.")
        return data


class UnitMergeForm(MembershipEndForm):
    """A merger: the unit leaves on a day of the page's year and its successor takes over."""

    successor = UnitSearchField(label="Đơn vị kế thừa")

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, membership=membership, **kwargs)
        self.fields["successor"].queryset = Unit.objects.filter(
            province_id=membership.unit.province_id
        ).exclude(pk=membership.unit_id)
        self.fields["successor"].error_messages["invalid_choice"] = (
            "Đơn vị kế thừa phải là đơn vị khác, cùng tỉnh."
        )
        self.fields["successor"].error_messages["required"] = (
            "Khi sáp nhập, hãy chọn đơn vị kế thừa."
        )


def add_service_errors(form: forms.BaseForm, exc) -> None:
    """Show a service's ValidationError next to the fields it names (others at the top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
