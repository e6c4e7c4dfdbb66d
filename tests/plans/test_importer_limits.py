"""The importer on hostile or unusual input: linear time, length caps, .docx bombs, a header in a
Word table, ids too large for the database, and import_plan without --issuer."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import docx
import pytest
from django.core.management import CommandError, call_command

from plans.importer import (
    MAX_PARAGRAPH_CHARS,
    MAX_SOURCE_CHARS,
    PlanImportError,
    extract_text_from_upload,
    parse_plan_text,
    parse_plan_upload,
)
from plans.importer.text import spans
from plans.models import Plan
from reports.documents import parse_runs, plain_text
from tests.factories import make_bloc, make_province

SEEDS = Path(__file__).resolve().parents[2] / "plans" / "seeds"
HEAD = "KẾ HOẠCH\nThi đua năm 2025\n\nI. NỘI DUNG\n\n"


def _timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


@pytest.mark.parametrize("unit", ["**a ", "*a ", "***a ", "** a** ", "a*"])
def test_markup_tokenizer_is_linear_on_unmatched_marks(unit: str) -> None:
    text = unit * (100_000 // len(unit))
    runs, seconds = _timed(parse_runs, text)
    assert seconds < 1.0
    assert "".join(r.text for r in runs).replace("*", "") == text.replace("*", "")


def test_tokenizer_keeps_the_old_pairing_rules() -> None:
    assert spans("**a** *b* ***c*** 2 * 3") == [
        ("a", True, False),
        (" ", False, False),
        ("b", False, True),
        (" ", False, False),
        ("c", True, True),
        (" 2 * 3", False, False),
    ]
    assert plain_text("x **y** **z") == "x y **z"


@pytest.mark.parametrize("unit", ["**a ", "hội nghị sơ kết tại ", "trước ngày 1/1 "])
def test_import_of_100_kb_of_adversarial_text_is_fast(unit: str) -> None:
    line = unit * (2_000 // len(unit))
    text = HEAD + "\n\n".join([line] * (100_000 // len(line)))
    plan, seconds = _timed(parse_plan_text, text)
    # A guard against catastrophic backtracking (minutes or hours), not a speed test: ~1-3 s on
    # a loaded CI machine; bench/hostile_input.py has the real figures.
    assert seconds < 30.0 and plan.sections
    assert len(plan.warnings) <= 31


def test_importer_modules_import_neither_the_package_nor_each_other_in_a_cycle() -> None:
    import ast

    package = Path(__file__).resolve().parents[2] / "plans" / "importer"
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        if path.stem == "__init__":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module != "plans.importer", path.name  # nothing imports __init__
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        graph[path.stem] = {n.rsplit(".", 1)[1] for n in names if n.startswith("plans.importer.")}
    seen: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " → ".join((*path, name))
        if name in seen:
            return
        for dep in graph.get(name, ()):
            visit(dep, (*path, name))
        seen.add(name)

    for name in graph:
        visit(name, ())
    assert "lexicon" in graph and graph["model"] == set() and graph["lexicon"] == set()


WORDS = (
    "KẾ HOẠCH", "I.", "I/", "1)", "a.", "Đợt 1:", "đợt thi đua thứ hai", "từ", "đến", "ngày",
    "31/2/2025", "1/13", "0/0/0000", "tháng 7/2022", "năm 9999", "trước ngày", "Số: 99999/KH-",
    "Số -KH/", "Nơi nhận", "TM.", "Đại tá", "**", "*", "(", ")", "“", ";", "./.", "\n", "\n\n",
    "\t", "    ", "hội nghị sơ kết", "tại", "số liệu từ", "Căn cứ", "báo cáo tổng kết", "Khôi",
)  # fmt: skip


def test_random_mixtures_of_plan_words_never_break_the_importer() -> None:
    import random

    rng = random.Random(8)
    for _ in range(300):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 120)))
        try:
            parse_plan_text(text)
        except PlanImportError as exc:
            assert "lỗi của chương trình" not in str(exc), text


def test_over_long_texts_and_paragraphs_are_refused_in_vietnamese() -> None:
    with pytest.raises(PlanImportError, match="quá dài"):
        parse_plan_text(HEAD + ("Nội dung. " * 10 + "\n") * (MAX_SOURCE_CHARS // 100 + 1))
    with pytest.raises(PlanImportError, match="một đoạn"):
        parse_plan_text(HEAD + "a" * (MAX_PARAGRAPH_CHARS + 1))


def test_outline_editor_refuses_an_over_long_paragraph() -> None:
    from django.core.exceptions import ValidationError

    from plans.outline import parse_outline

    with pytest.raises(ValidationError, match="dòng 2 quá dài"):
        parse_outline("I. NỘI DUNG\n" + "a" * (MAX_PARAGRAPH_CHARS + 1))
    assert parse_outline("I. NỘI DUNG\n1. **Mục đích.**")[0].children[0].paragraphs == [
        "**Mục đích.**"
    ]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_docx_is_refused_on_its_unpacked_size_before_parsing() -> None:
    bomb = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": bytes(8 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(PlanImportError, match="giải nén") as exc:
        extract_text_from_upload(bomb, "bom.docx")
    assert "Error" not in str(exc.value)


def test_header_in_a_word_table_gives_the_symbol() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "UBND TỈNH AN GIANG\nKHỐI THI ĐUA CÁC SỞ"
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    table.cell(1, 0).text = "Số: 07/KH-CTHĐ"
    table.cell(1, 1).text = "An Giang, ngày 3 tháng 2 năm 2025"
    for text in ("KẾ HOẠCH", "Thi đua năm 2025", "I. NỘI DUNG", "Thi đua hoàn thành nhiệm vụ."):
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    p = parse_plan_upload(buffer.getvalue(), "kh.docx")
    assert (p.number, p.symbol, p.place, p.issue_date.isoformat()) == (
        7,
        "CTHĐ",
        "An Giang",
        "2025-02-03",
    )
    assert (p.parent_issuer, p.issuer) == ("UBND TỈNH AN GIANG", "KHỐI THI ĐUA CÁC SỞ")


def test_an_id_too_large_for_the_database_is_a_404(client, world) -> None:
    client.force_login(world.users["chair"])
    huge = 2**63
    assert client.get(f"/khoi/{huge}/2026/").status_code == 404
    assert client.get(f"/khoi/{world.bloc.pk}/2026/ke-hoach/{2**31}/").status_code == 404


def _seed_file(tmp_path: Path, code: str) -> Path:
    path = tmp_path / f"{code}.txt"
    path.write_bytes(next(SEEDS.glob(f"{code}_*.txt")).read_bytes())
    return path


def test_import_plan_finds_the_bloc_from_the_header(db, tmp_path: Path, capsys) -> None:
    tuyen_quang, ha_giang = make_province("Tuyên Quang"), make_province("Hà Giang")
    bloc = make_bloc(tuyen_quang, "Khối thi đua Nội chính tỉnh Tuyên Quang", symbol="KTĐNC")
    make_bloc(ha_giang, "Khối giao ước thi đua các ban Đảng Tỉnh ủy Hà Giang", symbol="KTĐ")
    call_command("import_plan", str(_seed_file(tmp_path, "000")))
    plan = Plan.objects.get(pk=int(capsys.readouterr().out.strip()))
    assert plan.bloc == bloc


def test_import_plan_names_the_candidates_when_unsure(db, tmp_path: Path) -> None:
    quang_tri = make_province("Quảng Trị")
    make_bloc(quang_tri, "Khối A", symbol="KTĐ")
    make_bloc(quang_tri, "Khối B", symbol="KTĐ")
    with pytest.raises(CommandError, match="khớp 2 khối thi đua: .*Khối A.*Khối B"):
        call_command("import_plan", str(_seed_file(tmp_path, "004")))
    with pytest.raises(CommandError, match="không khớp khối thi đua nào"):
        call_command("import_plan", str(_seed_file(tmp_path, "001")))


def test_review_page_shows_vietnamese_labels_and_the_number_as_printed(client, world) -> None:
    from django.urls import reverse

    client.force_login(world.users["chair"])
    text = next(Path(__file__).parent.glob("corpus/08_*.txt")).read_text(encoding="utf-8")
    text = text.replace("Số: 09/KH-KVHXH", "Số:     /KH-KVHXH")
    url = reverse("plans:import", args=[world.bloc.pk, world.year])
    page = client.post(url, {"text": text}).content.decode()
    assert "Báo cáo sơ kết" in page and "Báo cáo tổng kết" in page
    assert "bao_cao_so_ket" not in page and "(để trống)" not in page
    assert "…/KH-KVHXH" in page
