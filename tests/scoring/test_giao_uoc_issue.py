"""Signing the giao ước issues it: numbered in the bloc's register, dated the meeting's day and
frozen, so the signed document is what is served afterwards, whatever happens to the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports.models import IssuedDocument, RegisterEntry
from reports.services import sign_giao_uoc
from tests.scoring.conftest import register


@pytest.fixture
def accepted(world, template):
    for unit in (world.head, world.deputy_unit, world.unit_a, world.unit_b):
        register(world, unit, accept=True)


def _sign(world):
    return sign_giao_uoc(
        bloc=world.bloc,
        year=world.year,
        actor=world.users["chair"],
        date=dt.date(2026, 2, 10),
        place="Văn phòng UBND tỉnh",
        attending=[world.head, world.unit_a],
    )


def test_signing_issues_a_numbered_frozen_giao_uoc(world, accepted):
    doc = _sign(world)
    assert doc.kind == "giao_uoc" and doc.signing.number == 1
    assert doc.number_text == "Số: 01/GƯ-KTĐNC"
    assert doc.context["place_date_text"].endswith("ngày 10 tháng 02 năm 2026")
    assert RegisterEntry.objects.get(document=doc).number == 1
    with pytest.raises(ValidationError):
        _sign(world)
    assert IssuedDocument.objects.filter(kind="giao_uoc").count() == 1


def test_the_signed_giao_uoc_is_served_from_its_frozen_bytes(world, accepted, client_for):
    doc = _sign(world)
    url = reverse("reports:scoring_document", args=(world.bloc.pk, world.year, "giao-uoc", "pdf"))
    world.unit_a.name = "Sở Tư pháp (tên mới)"
    world.unit_a.save()
    response = client_for("unit_b").get(url)
    assert response.status_code == 200 and response.content == bytes(doc.pdf)
    assert "GU-01-KTDNC-2026-02-10.pdf" in response["Content-Disposition"]


def test_signing_through_the_page_issues_the_giao_uoc(world, accepted, client_for):
    url = reverse("scoring:signing", args=(world.bloc.pk, world.year))
    response = client_for("chair").post(
        url,
        {
            "date": "10/02/2026",
            "place": "Văn phòng UBND tỉnh",
            "attending": [world.head.pk, world.unit_a.pk],
        },
    )
    assert response.status_code == 302
    assert IssuedDocument.objects.get(kind="giao_uoc").number_text == "Số: 01/GƯ-KTĐNC"
