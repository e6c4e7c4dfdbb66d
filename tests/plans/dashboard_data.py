"""Plans with milestones for the home-page tests, built with the ORM (the selectors read rows)."""

from __future__ import annotations

import datetime as dt
import itertools

from plans.models import FormatProfile, Milestone, Plan

_number = itertools.count(1)
K = Milestone.Kind


def make_dated_plan(bloc, year: int, *dues, status: str = Plan.Status.ISSUED, **months) -> Plan:
    """A plan of `bloc` for `year` with one report deadline per date in `dues` (and one month-only
    deadline per `month=N` keyword); issued unless `status` says otherwise."""
    issued = status == Plan.Status.ISSUED
    plan = Plan.objects.create(
        bloc=bloc,
        year=year,
        format_profile=FormatProfile.objects.get(code="ND30_2020"),
        issuer="KHỐI THI ĐUA",
        symbol="KTĐ",
        place="Tuyên Quang",
        title=f"Phát động phong trào thi đua năm {year}",
        status=status,
        number=next(_number) if issued else None,
        issue_date=dt.date(year, 1, 15) if issued else None,
    )
    for due in dues:
        Milestone.objects.create(plan=plan, kind=K.BAO_CAO_SO_KET, due=due, addressee="Trưởng khối")
    if "month" in months:
        Milestone.objects.create(plan=plan, kind=K.HOI_NGHI_SO_KET, due_month=months["month"])
    return plan
