import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError

from blocs.text import CleanTextMixin, YearWindowMixin, check_year_window, strip_controls


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Kế hoạch\x01 năm 2026", "Kế hoạch năm 2026"),
        ("dòng 1\r\ndòng 2\rdòng 3", "dòng 1\ndòng 2\ndòng 3"),
        ("cột\tcột\n", "cột\tcột\n"),
        ("\x00\x08\x0b\x0c\x1f\x7fA", "A"),
    ],
)
def test_strip_controls_keeps_tab_and_newline_only(raw, clean):
    assert strip_controls(raw) == clean


class _Form(CleanTextMixin, YearWindowMixin, forms.Form):
    year_window_fields = ("issue_date",)
    in_year_fields = ("left_on",)
    title = forms.CharField()
    names = forms.MultipleChoiceField(choices=[("a\x02", "a")], required=False)
    issue_date = forms.DateField(label="Ngày ban hành", required=False)
    left_on = forms.DateField(label="Ngày rời khối", required=False)


def test_form_mixin_strips_every_string_field():
    form = _Form({"title": "Tên\x01 mới\r\n", "names": ["a\x02"]}, year=2022)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Tên mới"  # CharField strips the trailing newline
    assert form.cleaned_data["names"] == ["a"]


def test_form_mixin_refuses_dates_far_from_the_year():
    form = _Form({"title": "x", "issue_date": "1900-01-01", "left_on": "2023-01-01"}, year=2022)
    assert not form.is_valid()
    assert "không hợp lý cho năm 2022" in form.errors["issue_date"][0]
    assert "phải thuộc năm 2022" in form.errors["left_on"][0]
    ok = _Form({"title": "x", "issue_date": "2021-12-28", "left_on": "2022-12-31"}, year=2022)
    assert ok.is_valid(), ok.errors


def test_check_year_window_bounds():
    check_year_window(dt.date(2021, 1, 1), 2022)
    check_year_window(dt.date(2023, 12, 31), 2022)
    check_year_window(None, 2022)
    with pytest.raises(ValidationError, match="01/01/1900"):
        check_year_window(dt.date(1900, 1, 1), 2022, label="Ngày ban hành")
