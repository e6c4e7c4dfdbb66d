"""Input hygiene shared by every form and by the importers: control characters out, dates inside
a sensible window around the bloc-year they are posted for.

One stray "\\x01" in a title makes python-docx (XML) refuse the document, so every text that a
user or a file gives us goes through `strip_controls` before it is stored.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# C0 controls except tab (\x09) and newline (\x0a), plus DEL (\x7f).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def strip_controls(text: str) -> str:
    """`text` without control characters: \\r\\n and lone \\r become \\n; tab and newline stay."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARS.sub("", text)


def fold(text: str) -> str:
    """`text` for matching whatever the diacritics, case and spacing: "Sở Tài chính  Đắk Lắk" →
    "so tai chinh dak lak" (đ has no decomposition: it is mapped by hand)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def clean_value(value: Any) -> Any:
    """`strip_controls` on a string, or on each string of a list; anything else as it is."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    return value


class CleanTextMixin:
    """A form mixin: every string in cleaned_data loses its control characters (before the
    form's own `clean()` runs, so cross-field checks see the cleaned text)."""

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        data = self.cleaned_data  # type: ignore[attr-defined]
        for name, value in list(data.items()):
            data[name] = clean_value(value)


def year_window(year: int) -> tuple[dt.date, dt.date]:
    """The dates that make sense for a bloc-year: from 01/01 of the year before to 31/12 of the
    year after (a 2022 plan may be issued in December 2021; its last report may fall in 2023)."""
    return dt.date(year - 1, 1, 1), dt.date(year + 1, 12, 31)


def check_year_window(date: dt.date | None, year: int, *, label: str = "Ngày") -> None:
    """Raise a Vietnamese ValidationError when `date` lies outside `year_window(year)`."""
    if date is None:
        return
    start, end = year_window(year)
    if not start <= date <= end:
        raise ValidationError(
            f"{label} {date:%d/%m/%Y} không hợp lý cho năm {year} "
            f"(phải trong khoảng {start:%d/%m/%Y} – {end:%d/%m/%Y}).",
            code="year_window",
        )


def check_in_year(date: dt.date | None, year: int, *, label: str = "Ngày") -> None:
    """Raise a Vietnamese ValidationError when `date` is not a day of `year` itself."""
    if date is not None and date.year != year:
        raise ValidationError(
            f"{label} phải thuộc năm {year} (trang đang mở là năm {year}).", code="not_in_year"
        )


class YearWindowMixin:
    """A form mixin for a form posted to a bloc-year page: pass `year=` to the form and list
    the date fields in `year_window_fields` (the window) and `in_year_fields` (the year itself).

        class IssueForm(YearWindowMixin, forms.Form):
            year_window_fields = ("issue_date",)
        form = IssueForm(request.POST, year=scope.year)
    """

    year_window_fields: tuple[str, ...] = ()
    in_year_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        self.year = year
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        form: forms.BaseForm = self  # type: ignore[assignment]
        checks = [(n, check_year_window) for n in self.year_window_fields]
        checks += [(n, check_in_year) for n in self.in_year_fields]
        for name, check in checks:
            if name not in form.cleaned_data:
                continue
            try:
                check(form.cleaned_data[name], self.year, label=str(form.fields[name].label))
            except ValidationError as exc:
                form.add_error(name, exc)
