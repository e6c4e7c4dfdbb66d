"""import_year treats its file as untrusted input; the export follows the exporter's visibility."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from blocs.exchange import ExchangeError, import_bloc_year, loads
from blocs.models import BlocTerm, Province
from plans.models import Plan, Recipient
from tests.blocs.conftest import YEAR, export_text
from tests.factories import make_user, wipe_bloc_rows


def _file(bloc_year) -> dict:
    """The bloc-year's export, renamed so that it imports next to the original."""
    data = json.loads(export_text())
    data["bloc"]["name"] = "Khối thi đua Nội chính (bản nhập)"
    return data


def _refused(data: dict, message: str) -> None:
    plans = Plan.objects.count()
    with pytest.raises(ExchangeError, match=message):
        import_bloc_year(data=data)
    assert Plan.objects.count() == plans  # nothing kept


def test_round_trip_keeps_the_terms_signer(bloc_year):
    data = json.loads(export_text())
    assert data["term"]["signer_position"] == "Chính ủy"
    assert data["term"]["head_display"] == "Bộ CHQS tỉnh Thử"
    wipe_bloc_rows()
    import_bloc_year(data=data)
    term = BlocTerm.objects.get(year=YEAR)
    assert (term.signer_rank, term.signer_name) == ("Đại tá", "Nguyễn Văn Trưởng")
    assert export_text() == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_a_plan_id_in_a_row_never_attaches_it_to_another_plan(bloc_year):
    data = _file(bloc_year)
    data["plans"][0]["recipients"][0]["plan_id"] = bloc_year.plan.pk
    before = Recipient.objects.filter(plan=bloc_year.plan).count()
    _refused(data, "Kế hoạch 2026/v1/1, nơi nhận: trường “plan_id” không có trong định dạng")
    assert Recipient.objects.filter(plan=bloc_year.plan).count() == before


@pytest.mark.parametrize(
    "path, key, value, message",
    [
        (("province",), "id", 1, "Tỉnh: trường “id” không có"),
        (("units", 0), "valid_to_x", None, "Đơn vị thứ 1: trường “valid_to_x”"),
        (("plans", 0), "number", "11", "trường “number” phải là một số nguyên"),
        (("plans", 0), "title", ["a"], "trường “title” phải là một chuỗi"),
        (("plans", 0), "issue_date", "1900-01-01", "01/01/1900 không hợp lý cho năm 2026"),
        (("term",), "basis_date", "2000-01-10", "Ngày căn cứ 10/01/2000 không hợp lý"),
        (("memberships", 0), "left_on", "2025-06-30", "không thuộc khối trong năm 2026"),
        (("audit", 0), "data", "x", "trường “data” phải là một đối tượng"),
        (("users", 0), "is_active", "yes", "trường “is_active” phải là true/false"),
    ],
)
def test_hostile_values_are_refused_with_where_they_are(bloc_year, path, key, value, message):
    data = _file(bloc_year)
    target = data
    for step in path:
        target = target[step]
    target[key] = value
    if path == ("memberships", 0):  # a membership ending before the year of the file
        target["joined_on"] = "2025-01-01"
    _refused(data, message)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(year=1800), "Năm trong tệp không hợp lệ"),
        (lambda d: d.update(year="2026"), "Năm trong tệp không hợp lệ"),
        (lambda d: d.update(units=["Sở Tư pháp"]), "Đơn vị thứ 1: phải là một đối tượng JSON"),
        (lambda d: d.update(users={"a": 1}), "users: phải là một danh sách"),
        (lambda d: d.pop("registers"), "Tệp thiếu phần dữ liệu: registers"),
    ],
)
def test_hostile_shapes_are_refused(bloc_year, change, message):
    data = _file(bloc_year)
    change(data)
    _refused(data, message)


def test_body_nested_too_deep_is_refused(bloc_year):
    data = _file(bloc_year)
    node = {"order": 1, "label": "x", "title": "", "content": "", "children": []}
    root = node
    for _ in range(20):
        child = dict(node, children=[])
        node["children"] = [child]
        node = child
    data["plans"][0]["sections"] = [root]
    _refused(data, "mục lồng nhau quá 8 cấp")


def test_control_characters_are_removed_on_import(bloc_year):
    data = _file(bloc_year)
    data["plans"][0]["title"] = "Tổ chức\x01 phong trào\x00 thi đua"
    import_bloc_year(data=data)
    plan = Plan.objects.get(bloc__name="Khối thi đua Nội chính (bản nhập)", version=1)
    assert plan.title == "Tổ chức phong trào thi đua"


def test_the_command_reports_a_hostile_file_without_a_traceback(bloc_year, tmp_path):
    data = _file(bloc_year)
    data["plans"][0]["bases"][0]["id"] = 1
    path = tmp_path / "xau.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="căn cứ: trường “id” không có trong định dạng tệp"):
        call_command("import_year", str(path))
    path.write_text("[" * 100000, encoding="utf-8")
    with pytest.raises(CommandError, match="không phải JSON hợp lệ"):
        call_command("import_year", str(path))


def _web_export(client, bloc_year, user) -> dict:
    client.force_login(user)
    url = reverse("blocs:year_export", args=[bloc_year.bloc.pk, YEAR])
    response = client.get(url)
    assert response.status_code == 200
    return loads(response.content.decode())


def test_reviewer_export_holds_only_what_the_pages_show(bloc_year, client):
    from blocs.models import User

    Plan.objects.filter(pk=bloc_year.amendment.pk).update(source_text="Bản gốc dự thảo")
    reviewer = User.objects.get(username="sonoivu.thamdinh")
    data = _web_export(client, bloc_year, reviewer)
    assert [p["key"] for p in data["plans"]] == ["2026/v1/1"]  # the draft amendment is out
    assert not any(e["action"] == "plan.amend" for e in data["audit"])
    assert {u["email"] for u in data["users"]} == {""}
    assert any("không gồm dự thảo" in n for n in data["notes"])
    # a plan in consultation is shown to the reviewer, but not its imported source text
    Plan.objects.filter(pk=bloc_year.amendment.pk).update(status="consultation")
    data = _web_export(client, bloc_year, reviewer)
    amendment = next(p for p in data["plans"] if p["key"] == "2026/v2/2")
    assert amendment["source_text"] == ""


def test_secretariat_export_is_the_full_backup(bloc_year, client):
    from blocs.models import User

    chair = User.objects.get(username="bchqs.vanthu")
    data = _web_export(client, bloc_year, chair)
    assert [p["key"] for p in data["plans"]] == ["2026/v1/1", "2026/v2/2"]
    assert "bchqs.vanthu@tinhthu.gov.vn" in {u["email"] for u in data["users"]}
    assert data["notes"] == []


def test_a_member_unit_cannot_export(bloc_year, client):
    member = make_user("thanhvien.moi", Province.objects.get().units.get(name="Thanh tra tỉnh"))
    client.force_login(member)
    url = reverse("blocs:year_export", args=[bloc_year.bloc.pk, YEAR])
    assert client.get(url).status_code == 403
