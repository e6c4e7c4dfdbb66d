"""Plain regression tests for what the property-based tests found (each was a 500 or a write
without its audit trail before the fix)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from blocs.models import AuditEvent, BlocTerm
from reports.models import CompiledReport
from tests.scoring.conftest import make_round, make_template

HUGE = "9223372036854775808"  # beyond SQLite's integers: the query itself overflowed


BY = ("bloc_id", "year")
MEETING = {"date": "20/12/2026", "place": "Hội trường", "chair": "Đại tá A", "secretary": "B"}


@pytest.mark.parametrize(
    "name, data, field",
    [
        ("blocs:term_rotate", {"head_unit": "@head", "deputy_units": ["@unit_a", HUGE]}, "deputy_units"),
        ("scoring:signing", {"date": "10/02/2026", "place": "Hội trường", "attending": HUGE}, "attending"),
        ("scoring:meeting", {**MEETING, "attending": ["@unit_a", "-" + HUGE]}, "attending"),
    ],
)  # fmt: skip
def test_an_id_beyond_the_database_in_a_list_of_units_is_refused_next_to_its_field(
    name, data, field, world, client_for
):
    make_template(world.bloc, world.year, world.users["chair"])
    url = reverse(name, args=(world.bloc.pk, world.year))

    def posted(value):
        if isinstance(value, list):
            return [posted(v) for v in value]
        return getattr(world, value[1:]).pk if value.startswith("@") else value

    data = {k: posted(v) for k, v in data.items()}
    audits = AuditEvent.objects.count()
    response = client_for("chair").post(url, data)
    assert response.status_code == 200
    form = next(f for f in (response.context.get(k) for k in ("form", "meeting")) if f)
    # the field's message for a unit that is not a member, in Vietnamese
    assert "Đơn vị không thuộc khối" in " ".join(form.errors[field]), form.errors
    assert AuditEvent.objects.count() == audits
    assert not BlocTerm.objects.filter(year=world.year + 1).exists()


@pytest.mark.parametrize("nxt, to", [("0", "0"), ("logout", "logout"), ("blocs:home", "")])
def test_the_signer_form_sends_back_to_next_as_a_url_never_a_view_name(nxt, to, world, client_for):
    from scoring.services.sheets import submission_open

    make_template(world.bloc, world.year, world.users["chair"])
    sub = submission_open(round=make_round(world), unit=world.unit_a, actor=world.users["unit_a"])
    url = reverse("scoring:sheet_signer", args=(world.bloc.pk, world.year, sub.pk))
    data = {"next": nxt, "revision": sub.revision, "signer_name": "Lê Văn Ký"}
    response = client_for("unit_a").post(url, data)
    assert response.status_code == 302 and response["Location"] == (to or url)  # "x:…": a scheme
    sub.refresh_from_db()
    assert sub.signer_name == "Lê Văn Ký"


def test_the_second_step_of_login_sends_to_next_as_a_url_never_a_view_name(world, client_for):
    response = client_for("unit_a").get(reverse("two_factor_verify") + "?next=0")
    assert response.status_code == 302 and response["Location"] == "0"


def test_saving_an_empty_assessment_leaves_no_empty_report_behind(world, client_for):
    make_template(world.bloc, world.year, world.users["chair"])
    round = make_round(world)
    url = reverse("reports:compiled_report", args=(world.bloc.pk, world.year, round.pk))
    audits = AuditEvent.objects.count()
    assert client_for("chair").post(url, {"body": "  ", "revision": "0"}).status_code == 302
    assert not CompiledReport.objects.exists() and AuditEvent.objects.count() == audits
    client_for("chair").post(url, {"body": "Các đơn vị hưởng ứng tích cực.", "revision": "0"})
    assert CompiledReport.objects.get().body == "Các đơn vị hưởng ứng tích cực."
    assert AuditEvent.objects.filter(action="compiled_report.save").count() == 1


def _truncated_sheet_xml(data: bytes) -> bytes:
    """An .xlsx whose sheet XML stops halfway (the workbook itself still opens)."""
    from tests.security.mutations import members, rezip

    items = members(data)
    return rezip(
        [(n, b[: len(b) // 2] if n == "xl/worksheets/sheet1.xml" else b) for n, b in items]
    )


def test_a_template_workbook_whose_sheet_xml_is_cut_is_refused_with_a_message(world, client_for):
    from scoring import excel, selectors
    from tests.security.strategies import upload

    template = make_template(world.bloc, world.year, world.users["chair"])
    data = excel.export_template(template, selectors.criteria_in_tree_order(template))
    url = reverse("scoring:template_import", args=(world.bloc.pk, world.year))
    audits = AuditEvent.objects.count()
    response = client_for("chair").post(url, {"file": upload("a.xlsx", _truncated_sheet_xml(data))})
    assert response.status_code == 200  # was a 500: the XML is parsed as the rows are read
    assert response.context["errors"] == ["Không đọc được bảng tính Excel; tệp có thể bị hỏng."]
    assert AuditEvent.objects.count() == audits


def test_a_sheet_workbook_whose_sheet_xml_is_cut_is_refused_with_a_message(world, client_for):
    from scoring import excel_sheet
    from scoring.services.sheets import submission_open
    from tests.security.strategies import upload

    make_template(world.bloc, world.year, world.users["chair"])
    sub = submission_open(round=make_round(world), unit=world.unit_a, actor=world.users["unit_a"])
    data = _truncated_sheet_xml(excel_sheet.export_sheet(sub))
    url = reverse("scoring:sheet_xlsx_import", args=(world.bloc.pk, world.year, sub.pk))
    response = client_for("unit_a").post(url, {"file": upload("a.xlsx", data)})
    assert response.status_code == 200
    assert response.context["errors"] == ["Không đọc được bảng tính Excel; tệp có thể bị hỏng."]
    assert not sub.entries.exclude(value=None).exists()


def test_saving_the_default_year_rules_unchanged_writes_nothing_and_a_change_is_audited(
    world, client_for
):
    from scoring.models import YearRules
    from tests.security.harness import forms_on

    make_template(world.bloc, world.year, world.users["chair"])
    url = reverse("scoring:ranking_rules", args=(world.bloc.pk, world.year))
    client = client_for("chair")
    page = client.get(url).content.decode()
    form = next(
        f for f in forms_on(page, "http://testserver" + url) if f.name == "scoring:ranking_rules"
    )
    shown = {}  # what the browser sends back untouched
    for name, f in form.fields.items():
        if f.kind in ("select", "radio"):
            shown[name] = (f.checked or f.options)[0]
        elif f.kind == "checkbox":
            if f.checked:
                shown[name] = f.checked[0]
        elif f.kind != "submit" and name != "csrfmiddlewaretoken":
            shown[name] = f.value
    audits = AuditEvent.objects.count()
    assert client.post(url, shown).status_code == 302  # the defaults, as the page shows them
    assert not YearRules.objects.exists()  # was a row written without an audit event
    assert AuditEvent.objects.count() == audits
    assert client.post(url, {**shown, "co_tinh_quota": "2"}).status_code == 302
    assert YearRules.objects.get().co_tinh_quota == 2
    event = AuditEvent.objects.get(action="year_rules.save")
    assert event.data["co_tinh_quota"] == {"old": 1, "new": 2}
