"""The bloc-year file carries the frozen documents too: the whole demo round-trips byte for byte."""

import pytest
from django.core.management import call_command

from blocs.exchange import dumps, export_bloc_year, import_bloc_year, loads
from blocs.models import Bloc, BlocTerm
from plans.models import Plan
from reports.models import IssuedDocument
from tests.factories import wipe_bloc_rows


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")


def _all_exports() -> dict[tuple[str, int], str]:
    return {
        (t.bloc.name, t.year): dumps(export_bloc_year(t.bloc, t.year))
        for t in BlocTerm.objects.select_related("bloc").order_by("bloc__name", "year")
    }


def _wipe() -> None:
    wipe_bloc_rows()


def test_demo_round_trip_includes_frozen_documents(demo):
    before = _all_exports()
    issued = loads(before[("Khối thi đua Nội chính tỉnh Tuyên Quang", 2022)])
    assert len(issued["documents"]) == 1
    pdf_sha = IssuedDocument.objects.get().pdf_sha256
    _wipe()
    for key in sorted(before):
        import_bloc_year(data=loads(before[key]))
    assert _all_exports() == before
    doc = IssuedDocument.objects.get()
    assert doc.pdf_sha256 == pdf_sha and doc.plan.number == 11


def test_tampered_pdf_is_refused(demo):
    data = loads(dumps(export_bloc_year(Bloc.objects.get(province__name="Tuyên Quang"), 2022)))
    data["documents"][0]["pdf"] = "AAAA"
    _wipe()
    with pytest.raises(Exception, match="sha256"):
        import_bloc_year(data=data)
    assert not Plan.objects.exists()
