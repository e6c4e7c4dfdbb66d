"""The bloc-year file carries the frozen documents too: the whole demo round-trips byte for byte."""

import hashlib

import pytest
from django.core.management import call_command

from blocs.exchange import ExchangeError, dumps, export_bloc_year, import_bloc_year, loads
from blocs.exchange_values import canonical_json
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
    assert [d["kind"] for d in issued["documents"]] == ["plan", "giao_uoc", "bien_ban", "to_trinh"]
    assert issued["documents"][3]["dossier"] == "1"  # the tờ trình names its dossier
    assert issued["documents"][1]["signing"] == "2022"  # the signing meeting it was issued at
    pdf_sha = IssuedDocument.objects.get(kind="plan").pdf_sha256
    _wipe()
    for key in sorted(before):
        import_bloc_year(data=loads(before[key]))
    assert _all_exports() == before
    doc = IssuedDocument.objects.get(kind="plan")
    assert doc.pdf_sha256 == pdf_sha and doc.plan.number == 11
    giao_uoc = IssuedDocument.objects.get(kind="giao_uoc")
    assert giao_uoc.signing.number == 1 and giao_uoc.number_text == "Số: 01/GƯ-KTĐNC"


def test_tampered_pdf_is_refused(demo):
    data = loads(dumps(export_bloc_year(Bloc.objects.get(province__name="Tuyên Quang"), 2022)))
    data["documents"][0]["pdf"] = "AAAA"
    _wipe()
    with pytest.raises(Exception, match="sha256"):
        import_bloc_year(data=data)
    assert not Plan.objects.exists()


def _issued_file() -> dict:
    return loads(dumps(export_bloc_year(Bloc.objects.get(province__name="Tuyên Quang"), 2022)))


def _reseal(doc: dict) -> None:
    """What a forger would do: recompute every checksum after editing the context."""
    doc["context_sha256"] = hashlib.sha256(canonical_json(doc["context"])).hexdigest()


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.update(docx="UEsDBA=="), "tệp Word không khớp mã sha256"),
        (lambda d: d["context"].update(title_lines=["Sửa lén"]), "dữ liệu văn bản không khớp"),
    ],
)
def test_every_frozen_artefact_is_checksummed(demo, edit, message):
    data = _issued_file()
    edit(data["documents"][0])
    _wipe()
    with pytest.raises(ExchangeError, match=message):
        import_bloc_year(data=data)
    assert not IssuedDocument.objects.exists()


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("profile", "code"), "ND30 */ body{display:none} /*", "mã thể thức"),
        (("profile", "page_number_pt"), "14pt; } body { color: red", "page_number_pt"),
        (("profile", "margin_left_mm"), 1e9, "margin_left_mm"),
        (("profile", "closing_mark"), "</style>", "closing_mark"),
        (("kind",), "../../../etc/passwd", "loại văn bản"),
        (("bases_style",), "list x onclick", "kiểu căn cứ"),
        (("signature",), None, "không in được"),
    ],
)
def test_values_that_end_in_css_or_html_are_validated(demo, path, value, message):
    data = _issued_file()
    doc = data["documents"][0]
    target = doc["context"]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    _reseal(doc)
    _wipe()
    with pytest.raises(ExchangeError, match=message):
        import_bloc_year(data=data)
    assert not IssuedDocument.objects.exists()
