"""The scoring section of the bloc-year file: templates with versions, registrations and the
signing meeting survive export → wipe → import → export byte for byte; bad rows are refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from blocs.exchange import ExchangeError, dumps, export_bloc_year, import_bloc_year, loads
from scoring.models import Criterion, Registration, SigningMeeting, Target, Template
from scoring.services import registrations as reg_services
from scoring.services import templates as tpl_services
from tests.factories import wipe_bloc_rows
from tests.scoring.conftest import add_sheets, make_template, register, sign


@pytest.fixture
def signed_year(world):
    template = make_template(world.bloc, world.year, world.users["chair"])
    leaf = Criterion.objects.get(template=template, code="1", parent__code="I")
    for unit in (world.head, world.deputy_unit, world.unit_a):
        register(
            world,
            unit,
            accept=True,
            targets=[
                {
                    "content": "Giải quyết 95 % vụ việc",
                    "measure": "%",
                    "target_value": 95,
                    "criterion": leaf,
                },
                {
                    "content": "Tổ chức 4 hội nghị chuyên đề",
                    "measure": "hội nghị",
                    "target_value": 4,
                },
            ],
        )
    reg_b = register(world, world.unit_b, submit=True)
    reg_services.registration_return(
        registration=reg_b, actor=world.users["chair"], reason="Thiếu chỉ tiêu"
    )
    sign(world, partial=True, place="Hội trường Bộ CHQS tỉnh")
    tpl_services.template_new_version(
        template=template,
        actor=world.users["chair"],
        applies_from=dt.date(2026, 7, 1),
        change_note="Bổ sung tiêu chí",
    )
    return world


def _text(world) -> str:
    return dumps(export_bloc_year(world.bloc, world.year))


def test_export_import_export_is_byte_identical(signed_year):
    add_sheets(signed_year)  # reports, sheets, reviews, files and their audit trail too
    first = _text(signed_year)
    assert len(loads(first)["submissions"]) == 4
    wipe_bloc_rows()
    assert not Template.objects.exists() and not Registration.objects.exists()
    result = import_bloc_year(data=loads(first))
    assert result.created["thang điểm"] == 2 and result.created["bản đăng ký thi đua"] == 4
    from blocs.models import Bloc

    bloc = Bloc.objects.get(name=signed_year.bloc.name)
    assert dumps(export_bloc_year(bloc, signed_year.year)) == first
    assert Target.objects.filter(criterion__code="1", criterion__template__version=1).count() == 3
    assert SigningMeeting.objects.get().attending.count() == 2


def test_export_shape(signed_year):
    data = export_bloc_year(signed_year.bloc, signed_year.year)
    v1, v2 = data["score_templates"]
    assert (v1["key"], v1["max_total"], v1["locked_at"] is not None) == ("v1", "100.00", True)
    assert (v2["applies_from"], v2["locked_at"]) == ("2026-07-01", None)
    assert [c["code"] for c in v1["criteria"]] == ["I", "II", "III", "IV", "+", "-"]
    reg = next(r for r in data["registrations"] if r["unit"] == "Sở Tư pháp Thử")
    assert reg["status"] == "signed" and reg["targets"][0]["criterion"] == "v1:I/1"
    assert {"title": "ldtt", "count": 45} in reg["titles"]
    assert data["signing"]["place"] == "Hội trường Bộ CHQS tỉnh"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["registrations"][0].update(unit_id=3), "“unit_id” không có"),
        (
            lambda d: d["registrations"][0]["targets"][0].update(criterion="v1:IX/9"),
            "không có tiêu chí",
        ),
        (lambda d: d["score_templates"][0].update(max_total="một trăm"), "không phải là số"),
        (
            lambda d: d["score_templates"][0]["criteria"][0].update(max_points="999"),
            "vượt tổng điểm tối đa",
        ),
        (lambda d: d["signing"].update(date="2031-01-01"), "Ngày ký kết"),
    ],
)
def test_bad_scoring_rows_are_refused_and_nothing_is_saved(signed_year, change, message):
    data = json.loads(_text(signed_year))
    change(data)
    wipe_bloc_rows()
    with pytest.raises(ExchangeError, match=message):
        import_bloc_year(data=data)
    assert not Template.objects.exists() and not Registration.objects.exists()
