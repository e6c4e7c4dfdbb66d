"""The demo's scoring year: every demo bloc-year gets a realistic template and a registration for
every member, built through the services (so they obey the rules and are audited).

Tuyên Quang 2022 (the issued plan) is signed: the template is locked and the registrations are
SIGNED; Tuyên Quang 2023 copies last year's template and its registrations are under way (some
sent, one returned, some still drafts). Quảng Trị uses a 1000-point scale; the others the synthetic
60/15/15/10 sheet of DOMAIN §2.2.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from blocs.models import BlocTerm
from reports import services as report_services
from scoring import samples, selectors
from scoring.models import Criterion, Registration
from scoring.services import registrations as reg_services
from scoring.services import templates as tpl_services

THOUSAND = {"Quảng Trị"}
SIGNED = {("Tuyên Quang", 2022): (dt.date(2022, 2, 18), "Hội trường Bộ CHQS tỉnh Tuyên Quang")}
TARGETS = [
    ("Hoàn thành 100 % nhiệm vụ chính trị, chuyên môn được giao", "%", D(100)),
    ("Giải quyết đơn thư, khiếu nại đúng hạn", "%", D(95)),
    ("Tổ chức hội nghị chuyên đề, tập huấn nghiệp vụ", "hội nghị", D(4)),
    ("Ứng dụng công nghệ thông tin, hồ sơ trực tuyến", "%", D(80)),
    ("Tham gia hoạt động văn nghệ, thể thao của Khối", "hoạt động", D(3)),
    ("Xây dựng mô hình, điển hình tiên tiến", "mô hình", D(2)),
]


def _titles(i: int, head: bool) -> dict[str, int]:
    collective = "co_tinh" if head else ("ttldxs" if i % 2 else "bk_tinh_tt")
    staff = 30 + 7 * i
    return {collective: 1, "ldtt": staff, "cstdcs": max(1, staff * 15 // 100), "bk_tinh_cn": 2}


def _template(term: BlocTerm, admin: Any):
    previous = selectors.current_template(bloc_id=term.bloc_id, year=term.year - 1)
    if previous is not None:
        return tpl_services.template_copy(
            source=previous, bloc=term.bloc, year=term.year, actor=admin
        )
    sample = samples.scale_1000 if term.bloc.province.name in THOUSAND else samples.sheet_100
    rows, settings, bands = sample()
    return tpl_services.template_import(
        bloc=term.bloc, year=term.year, actor=admin, rows=rows, settings=settings, bands=bands
    )


def _register(term: BlocTerm, template, admin: Any, signing: bool) -> None:
    leaf = (
        Criterion.objects.filter(template=template).exclude(kind="group").order_by("order").first()
    )
    units = selectors.member_units(bloc_id=term.bloc_id, year=term.year)
    for i, unit in enumerate(units):
        targets = [
            {"content": c, "measure": m, "target_value": v, "criterion": leaf if n == 0 else None}
            for n, (c, m, v) in enumerate(TARGETS)
        ]
        reg = reg_services.registration_save(
            bloc=term.bloc,
            year=term.year,
            unit=unit,
            actor=admin,
            targets=targets,
            titles=_titles(i, unit.pk == term.head_unit_id),
        )
        if not signing and i % 4 >= 2:
            continue  # still a draft, not yet sent
        reg = reg_services.registration_submit(registration=reg, actor=admin)
        if signing or i % 4 == 0:
            reg_services.registration_accept(registration=reg, actor=admin)
        elif i == 1:
            reg_services.registration_return(
                registration=reg,
                actor=admin,
                reason="Đề nghị bổ sung chỉ tiêu về cải cách hành chính và ghi rõ số lượng.",
            )


def build_scoring_demo(*, admin: Any) -> dict[str, int]:
    terms = BlocTerm.objects.select_related("bloc__province").order_by("year", "bloc__name")
    for term in terms:
        template = _template(term, admin)
        key = (term.bloc.province.name, term.year)
        _register(term, template, admin, signing=key in SIGNED)
        if key in SIGNED:
            date, place = SIGNED[key]
            units = selectors.member_units(bloc_id=term.bloc_id, year=term.year)
            report_services.sign_giao_uoc(  # signed and issued: numbered, frozen
                bloc=term.bloc,
                year=term.year,
                actor=admin,
                date=date,
                place=place,
                attending=units,
            )
    return {"registrations": Registration.objects.count()}
