"""Scoring fixtures on top of the common world: the 100-point sample template of the bloc-year,
and registrations of the member units."""

from __future__ import annotations

import datetime as dt

import pytest

from scoring import samples
from scoring.services import registrations as reg_services
from scoring.services import templates as tpl_services


def make_template(bloc, year, actor=None, sample=samples.sheet_100):
    rows, settings, bands = sample()
    return tpl_services.template_import(
        bloc=bloc, year=year, actor=actor, rows=rows, settings=settings, bands=bands
    )


@pytest.fixture
def template(world):
    return make_template(world.bloc, world.year, world.users["chair"])


def register(world, unit, *, submit=False, accept=False, actor=None, targets=None):
    reg = reg_services.registration_save(
        bloc=world.bloc,
        year=world.year,
        unit=unit,
        actor=actor,
        targets=targets
        if targets is not None
        else [{"content": "Giải quyết 95 % vụ việc", "measure": "%", "target_value": 95}],
        titles={"co_tinh": 1, "ldtt": 45, "cstdcs": 6},
    )
    if submit or accept:
        reg = reg_services.registration_submit(registration=reg, actor=actor)
    if accept:
        reg = reg_services.registration_accept(registration=reg, actor=world.users["chair"])
    return reg


def sign(world, *, partial=False, attending=None, **kw):
    """Record the signing meeting of the world's bloc-year (10/02/2026)."""
    kw.setdefault("place", "Văn phòng UBND tỉnh")
    return reg_services.giao_uoc_sign(
        bloc=world.bloc,
        year=world.year,
        actor=world.users["chair"],
        date=kw.pop("date", dt.date(2026, 2, 10)),
        attending=attending if attending is not None else [world.head, world.unit_a],
        partial=partial,
        **kw,
    )


def register_all_and_sign(world, **kw):
    for unit in (world.head, world.deputy_unit, world.unit_a, world.unit_b):
        register(world, unit, accept=True)
    return sign(world, **kw)
