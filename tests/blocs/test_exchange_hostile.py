"""import_year treats its file as untrusted input; the export follows the exporter's visibility."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs.exchange import ExchangeError, import_bloc_year, loads
from blocs.models import BlocTerm, Province
from plans.models import Plan, Recipient
from tests.blocs.conftest import YEAR, export_text
from tests.factories import make_user, wipe_bloc_rows
from tests.worker import worker  # noqa: F401  (the task worker, in-process)


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


def _web_export(client, bloc_year, user, run_worker) -> dict:
    """The button "Tải dữ liệu năm (JSON)": its progress page, the worker's run, the file."""
    client.force_login(user)
    url = reverse("blocs:year_export", args=[bloc_year.bloc.pk, YEAR])
    progress_url = client.get(url)["Location"]
    page = client.get(progress_url).content.decode()
    assert "Đang chờ đến lượt tạo tệp" in page
    run_worker()
    page = client.get(progress_url).content.decode()
    assert "Đã tạo xong tệp dữ liệu." in page and "Tải dữ liệu năm (JSON)" in page
    response = client.get(progress_url + "tai-ve.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert f'filename="khoi-{bloc_year.bloc.pk}-{YEAR}.json"' in response["Content-Disposition"]
    return loads(response.content.decode())


def test_reviewer_export_holds_only_what_the_pages_show(bloc_year, client, worker):  # noqa: F811
    from blocs.models import User

    Plan.objects.filter(pk=bloc_year.amendment.pk).update(source_text="Bản gốc dự thảo")
    reviewer = User.objects.get(username="sonoivu.thamdinh")
    data = _web_export(client, bloc_year, reviewer, worker)
    assert [p["key"] for p in data["plans"]] == ["2026/v1/1"]  # the draft amendment is out
    assert not any(e["action"] == "plan.amend" for e in data["audit"])
    assert {u["email"] for u in data["users"]} == {""}
    assert any("không gồm dự thảo" in n for n in data["notes"])
    # a plan in consultation is shown to the reviewer, but not its imported source text
    Plan.objects.filter(pk=bloc_year.amendment.pk).update(status="consultation")
    data = _web_export(client, bloc_year, reviewer, worker)
    amendment = next(p for p in data["plans"] if p["key"] == "2026/v2/2")
    assert amendment["source_text"] == ""


def test_secretariat_export_is_the_full_backup(bloc_year, client, worker):  # noqa: F811
    from blocs.models import User

    chair = User.objects.get(username="bchqs.vanthu")
    data = _web_export(client, bloc_year, chair, worker)
    assert [p["key"] for p in data["plans"]] == ["2026/v1/1", "2026/v2/2"]
    assert "bchqs.vanthu@tinhthu.gov.vn" in {u["email"] for u in data["users"]}
    assert data["notes"] == []
    # the same file as `manage.py export_year`, byte for byte
    assert json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n" == export_text(
        bloc_year.bloc.name
    )


def test_the_file_holds_the_rows_when_the_worker_reads_them_and_the_rights_then(
    bloc_year,
    client,
    worker,  # noqa: F811
):
    from blocs.models import User
    from reports.models import RenderJob

    chair = User.objects.get(username="bchqs.vanthu")
    client.force_login(chair)
    url = reverse("blocs:year_export", args=[bloc_year.bloc.pk, YEAR])
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(url)["Location"]
    assert len(ctx.captured_queries) <= 10  # the page budget: the job and its task queued
    assert client.get(url)["Location"] == first  # a second click while it waits: the same job
    assert RenderJob.objects.count() == 1
    Recipient.objects.filter(plan__bloc=bloc_year.bloc).update(name="Nơi nhận sửa sau khi bấm")
    worker()
    body = client.get(first + "tai-ve.json").content.decode()
    assert "Nơi nhận sửa sau khi bấm" in body
    # the progress counted every part of the file
    job = RenderJob.objects.get(pk=first.rstrip("/").rsplit("/", 1)[1])
    assert job.pages_done == job.pages_estimate > 2
    # a PDF address of a data job is not found
    assert client.get(first + "tai-ve.pdf").status_code == 404
    # the right is gone before the worker runs: the job says so and writes no file
    second = client.get(url)["Location"]
    other = bloc_year.bloc.memberships.exclude(unit=chair.unit).first().unit
    BlocTerm.objects.filter(bloc=bloc_year.bloc, year=YEAR).update(head_unit=other)
    worker()
    page = client.get(second).content.decode()
    assert "Bạn không còn quyền tải dữ liệu năm của khối này." in page
    job = RenderJob.objects.get(pk=second.rstrip("/").rsplit("/", 1)[1])
    assert job.status == RenderJob.Status.FAILED and job.body is None
    assert client.get(second + "tai-ve.json").status_code == 403


def test_a_member_unit_cannot_export(bloc_year, client):
    member = make_user("thanhvien.moi", Province.objects.get().units.get(name="Thanh tra tỉnh"))
    client.force_login(member)
    url = reverse("blocs:year_export", args=[bloc_year.bloc.pk, YEAR])
    assert client.get(url).status_code == 403
