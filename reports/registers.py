"""Number registers (sổ đăng ký văn bản): which book a document's number comes from, and taking
the next free number (or checking a given one) under the book's row lock.

The period policy (DOMAIN §3.1, §8 item 10, §9 item 7): a state body numbers each document type
per calendar year of registration (NĐ 30/2020, Phụ lục I, II.3.a); a Party body numbers it for
the whole term of its cấp ủy when the format profile says `number_per_term`. Terms are
`PARTY_TERM_YEARS` long from `PARTY_TERM_FIRST_YEAR` (settings; 5 years from 2020 by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from blocs import rowchecks
from blocs.models import Bloc, Unit
from reports.models import NumberRegister, RegisterEntry

MAX_NUMBER = 99999


@dataclass(frozen=True)
class Issuer:
    """The body in whose name a document is issued: a bloc today, a unit later."""

    bloc: Bloc | None = None
    unit: Unit | None = None

    def lookup(self) -> dict[str, object]:
        return {"bloc": self.bloc, "unit": None} if self.bloc else {"bloc": None, "unit": self.unit}


def term_label(year: int) -> str:
    """The Party term holding `year`: "2020-2025" for 2020…2024 with the default settings."""
    first = getattr(settings, "PARTY_TERM_FIRST_YEAR", 2020)
    length = getattr(settings, "PARTY_TERM_YEARS", 5)
    start = first + (year - first) // length * length
    return f"{start}-{start + length}"


def period_for(*, per_term: bool, on: dt.date) -> str:
    """The register period of a document registered on `on`: its year, or its Party term."""
    return term_label(on.year) if per_term else str(on.year)


def period_words(period: str) -> str:
    return f"nhiệm kỳ {period}" if "-" in period else f"năm {period}"


def take_number(
    *, issuer: Issuer, doc_type: str, period: str, number: int | None = None
) -> tuple[NumberRegister, int]:
    """Lock the register (created on first use) and return it with the number to use: the next
    free one, or `number` when it is free. Call inside the issuing transaction; the entry is
    written by the caller once the document exists, and (register, number) is unique anyway."""
    register, _ = NumberRegister.objects.select_for_update().get_or_create(
        doc_type=doc_type, period=period, **issuer.lookup()
    )
    taken = set(register.entries.values_list("number", flat=True))
    next_free = _next_free(register, taken)
    if number is None:
        number = next_free
    elif number < 1 or number > MAX_NUMBER:
        raise ValidationError({"number": f"Số văn bản phải từ 1 đến {MAX_NUMBER}."})
    elif number in taken:
        raise ValidationError(
            {
                "number": f"Số {number:02d} đã được cấp trong sổ đăng ký {doc_type} "
                f"{period_words(period)}; để trống để lấy số tiếp theo "
                f"({next_free:02d})."
            }
        )
    register.last_number = max(register.last_number, number)
    register.save(update_fields=["last_number"])
    return register, number


def _next_free(register: NumberRegister, taken: set[int]) -> int:
    number = register.last_number + 1
    while number in taken:
        number += 1
    return number


ENTRY_CHECKS: rowchecks.Checks = {"register_entry_number_positive": lambda e: e.number < 1}


def record_entry(
    *, register: NumberRegister, number: int, issued_on: dt.date, document: object
) -> RegisterEntry:
    """The number entered for the document just saved: checked without full_clean's queries
    (blocs.rowchecks), as the register is locked and `take_number` found the number free."""
    entry = RegisterEntry(register=register, number=number, issued_on=issued_on, document=document)
    rowchecks.clean(entry, ENTRY_CHECKS, exclude=("register", "document"))
    entry.save()
    return entry
