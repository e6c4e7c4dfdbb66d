"""Every import of the app fed with broken versions of valid files, through its real entry: the
plan import page (text pasted, a .docx or .txt uploaded, then the review form saved), the
template and sheet Excel uploads, and `manage.py import_year` for the bloc-year file. Never a
5xx nor a traceback; a refused file writes nothing (tests/security/harness.py); an accepted one
leaves data the pages open (and, for a sheet, totals that agree with scoring.sheets.compute)."""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import cache
from pathlib import Path

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from blocs.exchange import dumps, export_bloc_year
from blocs.models import Bloc, Unit
from plans.importer import parse_plan_text
from tests.security.harness import Outcome, Prober, forms_on, hostile
from tests.security.invariants import sheet_is_whole
from tests.security.mutations import (
    DOCX_FOCUS,
    json_file,
    mutated_text,
    office_file,
    xlsx_file,
)
from tests.security.strategies import broken_bytes, form_input, upload

EXAMPLES = 16
SEEDS = Path(__file__).resolve().parents[2] / "plans" / "seeds"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@cache
def seed_texts(year: int) -> tuple[str, ...]:
    """The plans of plans/seeds with every year moved so that the plan is of `year`."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        shift = year - parse_plan_text(text).year
        out.append(re.sub(r"\b(20[12]\d)\b", lambda m, s=shift: str(int(m[1]) + s), text))
    return tuple(out)


@cache
def seed_docx(year: int, which: int) -> bytes:
    """A seed as Word writes it: one paragraph a block, **bold** marks as bold runs."""
    document = docx.Document()
    for block in seed_texts(year)[which].split("\n\n"):
        paragraph = document.add_paragraph()
        for i, part in enumerate(block.strip().split("**")):
            paragraph.add_run(part).bold = i % 2 == 1
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- plans


def _review_and_save(client, prober: Prober, first: Outcome, year: int, data) -> None:
    """When the upload was understood, save the review form it shows (as typed, or with a few
    fields made hostile); the saved plan's page opens."""
    if first.refused or first.status != 200:
        return
    forms = [f for f in forms_on(first.response.content.decode(), first.response.request["PATH_INFO"])
             if "source" in f.fields]  # fmt: skip
    if not forms:
        return
    form = forms[0]
    form.fields.pop("csrfmiddlewaretoken", None)
    fields = data.draw(form_input(form, year) | st.just({n: f.value for n, f in form.fields.items()
                                                          if f.kind not in ("checkbox", "submit")}))  # fmt: skip

    def opens(outcome: Outcome) -> None:
        assert outcome.status == 302, outcome.status
        page = client.get(outcome.response["Location"])
        assert page.status_code == 200, f"the imported plan's page: {page.status_code}"

    prober.post("http://testserver" + first.response.request["PATH_INFO"], fields, whole=opens)


def _plan_prober(world, hostile_client, key: str) -> tuple[Prober, str]:
    chair = world.users["chair"]
    url = reverse("plans:import", args=(world.bloc.pk, world.year))
    return Prober(hostile_client, key, user=chair), url


def test_a_pasted_plan_text_edited_by_hand(world, hostile_client):
    prober, url = _plan_prober(
        world, hostile_client, "import:plans:import (text pasted → review → save)"
    )

    @hostile(EXAMPLES)
    @given(st.sampled_from(seed_texts(world.year)), st.data())
    def run(seed, data):
        text = data.draw(mutated_text(seed) | st.just(seed))
        first = prober.post(url, {"text": text})
        _review_and_save(hostile_client, prober, first, world.year, data)

    run()


def _plan_upload(year: int):
    word = st.sampled_from([0, 3]).map(lambda i: seed_docx(year, i))
    text = st.sampled_from(seed_texts(year)[:2])
    encoded = st.builds(
        lambda t, enc: t.encode(enc, "replace"),
        text | text.flatmap(mutated_text),
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1", "utf-32"]),
    )
    return st.one_of(
        word.flatmap(lambda d: office_file(d, DOCX_FOCUS)).map(lambda b: ("ke-hoach.docx", b)),
        word.flatmap(lambda d: office_file(d, DOCX_FOCUS)).map(lambda b: ("ke-hoach.docx", b)),
        word.map(lambda b: ("ke-hoach.docx", b)),
        st.tuples(st.sampled_from(["ke-hoach.txt", "KH.md", "ke-hoach.docx"]), encoded),
        st.tuples(st.sampled_from(["a.txt", "a.docx", "a.doc", "a.pdf", "a"]), broken_bytes()),
    )


def test_an_uploaded_plan_file_broken(world, hostile_client):
    prober, url = _plan_prober(
        world, hostile_client, "import:plans:import (file uploaded → review → save)"
    )

    @hostile(EXAMPLES)
    @given(_plan_upload(world.year), st.data())
    def run(file, data):
        name, body = file
        first = prober.post(
            url, {"file": upload(name, body, DOCX if name.endswith("x") else "text/plain")}
        )
        _review_and_save(hostile_client, prober, first, world.year, data)

    run()


# ---------------------------------------------------------------- scoring: template, sheet


@cache
def _template_file(bloc_id: int, year: int) -> bytes:
    from scoring import excel, selectors
    from scoring.models import Template

    template = Template.objects.filter(bloc_id=bloc_id, year=year).latest("version")
    return excel.export_template(template, selectors.criteria_in_tree_order(template))


def test_a_template_workbook_broken(world, hostile_client):
    from tests.scoring.conftest import make_template

    make_template(world.bloc, world.year, world.users["chair"])
    _template_file.cache_clear()
    valid = _template_file(world.bloc.pk, world.year)
    url = reverse("scoring:template_import", args=(world.bloc.pk, world.year))
    editor = reverse("scoring:template", args=(world.bloc.pk, world.year))
    prober = Prober(
        hostile_client, "import:scoring:template_import (.xlsx)", user=world.users["chair"]
    )

    def opens(outcome: Outcome) -> None:
        assert hostile_client.get(editor).status_code == 200

    @hostile(EXAMPLES * 2)
    @given(xlsx_file(valid) | st.just(valid))
    def run(body):
        prober.post(url, {"file": upload("thang-diem.xlsx", body, XLSX)}, whole=opens)

    run()


def test_a_sheet_workbook_broken(world, hostile_client):
    from scoring import excel_sheet
    from scoring.services import sheets as sheet_services
    from tests.scoring.conftest import make_round, make_template
    from tests.scoring.test_sheet_excel import filled, to_bytes

    user = world.users["unit_a"]
    make_template(world.bloc, world.year, world.users["chair"])
    sub = sheet_services.submission_open(round=make_round(world), unit=user.unit, actor=user)
    valid = to_bytes(filled(sub))
    empty = excel_sheet.export_sheet(sub)
    url = reverse("scoring:sheet_xlsx_import", args=(world.bloc.pk, world.year, sub.pk))
    page = reverse("scoring:submission", args=(world.bloc.pk, world.year, sub.pk))
    prober = Prober(hostile_client, "import:scoring:sheet_xlsx_import (.xlsx)", user=user)

    def whole(outcome: Outcome) -> None:
        if outcome.changed:  # a file with nothing new saves nothing (the totals stay unset)
            sheet_is_whole(sub)
        assert hostile_client.get(page).status_code == 200

    @hostile(EXAMPLES * 2)
    @given(xlsx_file(valid) | xlsx_file(empty) | st.sampled_from([valid, empty]))
    def run(body):
        prober.post(url, {"file": upload("bang-tu-cham.xlsx", body, XLSX)}, whole=whole)

    run()


# ---------------------------------------------------------------- the bloc-year file


def rich_year(world) -> None:
    """The world's year with an issued plan, the template, rounds and sheets in every state."""
    from plans import services as plan_services
    from tests.factories import issue_plan
    from tests.plans.test_services import ready_plan
    from tests.scoring.conftest import add_sheets, make_template

    chair = world.users["chair"]
    plan = plan_services.plan_approve(plan=ready_plan(world), actor=chair)
    issue_plan(plan=plan, actor=chair, issue_date=dt.date(2026, 1, 20))
    make_template(world.bloc, world.year, chair)
    add_sheets(world)


def test_a_bloc_year_file_broken(world, tmp_path):
    rich_year(world)
    tree = export_bloc_year(world.bloc, world.year)
    tree["bloc"]["name"] += " (bản nhập)"  # imports next to the original when unchanged
    # names that exist elsewhere: the original bloc, another bloc, its unit and user, the admin
    names = [world.bloc.name, *Bloc.objects.exclude(pk=world.bloc.pk).values_list("name", flat=True),
             world.other_unit.name, "outsider", "admin", "reviewer", *Unit.objects.values_list("name", flat=True)[:3]]  # fmt: skip
    prober = Prober(None, "import:manage.py import_year (bloc-year JSON)")
    path = tmp_path / "nam.json"

    def command():
        """The command, then the year it made exported again (what a backup of it would do)."""
        from blocs.models import AuditEvent

        call_command("import_year", str(path), stdout=io.StringIO())
        event = AuditEvent.objects.filter(action="bloc_year.import").latest("pk")
        data = export_bloc_year(event.bloc, event.data["year"])
        assert data["bloc"]["name"] == event.bloc.name and dumps(data)

    @hostile(EXAMPLES * 2)
    @given(json_file(tree, names) | st.just(dumps(tree).encode()))
    def run(body):
        path.write_bytes(body)
        prober.call(command, refused_by=(CommandError,))

    run()


@pytest.mark.parametrize("broken", ["", "{", "[]", "null", '{"format": 1}', "\ud800"])
def test_import_year_refuses_a_file_that_is_not_a_bloc_year_with_a_message(broken, world, tmp_path):
    path = tmp_path / "nam.json"
    path.write_bytes(broken.encode("utf-8", "surrogatepass"))
    with pytest.raises(CommandError, match="Không nhập được tệp"):
        call_command("import_year", str(path), stdout=io.StringIO())


def test_a_bloc_year_file_naming_another_bloc_that_has_the_year_is_refused(world, tmp_path):
    from blocs.models import AuditEvent

    rich_year(world)
    data = export_bloc_year(world.bloc, world.year)
    data["bloc"]["name"] = "Khối Văn hóa - Xã hội Thử"  # another bloc of the province, 2026 set
    path = tmp_path / "nam.json"
    path.write_text(dumps(data), encoding="utf-8")
    audits = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="đã có dữ liệu năm 2026: không nhập đè"):
        call_command("import_year", str(path), stdout=io.StringIO())
    assert AuditEvent.objects.count() == audits
