"""`manage.py ranking`: the table a clerk reads and the --json list a script reads, from the same
selector as the page."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from scoring.services import compliance
from tests.scoring.ranking_data import ranked_world

KEYS = {"unit", "total", "subtotals", "rank", "band", "eligible", "reasons", "trace"}


def run(*args) -> str:
    out = io.StringIO()
    call_command("ranking", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def scored(world, tong_ket):
    ranked_world(world, tong_ket, {"unit_a": "14", "unit_b": "14", "chair": "15"})
    compliance.flag_add(
        bloc=world.bloc,
        year=world.year,
        actor=None,
        unit=world.head,
        kind="investigation",
        effect="veto_co",
        source="Công an tỉnh",
        note="Đang điều tra một vụ việc",
    )
    return world


def test_json_is_a_list_in_rank_order_with_the_documented_keys(scored):
    data = json.loads(run(scored.bloc.name, "2026", "--json", "--compute"))
    assert [d["unit"] for d in data] == [
        "Bộ Chỉ huy Quân sự tỉnh Thử",
        "Sở Tư pháp Thử",
        "Tòa án nhân dân tỉnh Thử",
        "Công an tỉnh Thử",
    ]
    assert all(KEYS <= set(d) for d in data)
    head, a, b, deputy = data
    assert [d["rank"] for d in data] == [1, 2, 2, 4]
    assert head["eligible"] is True and head["eligible_for_co"] is False
    assert head["reasons"][0].startswith("Không xét Cờ thi đua: Đang điều tra")
    assert list(head["subtotals"]) == ["I", "II", "III", "IV", "+", "-"]
    assert isinstance(head["total"], str) and head["subtotals"]["II"] == "15.00"
    assert a["trace"][-1]["by"] == "vote" and "chờ hội nghị biểu quyết" in a["trace"][-1]["text"]
    assert deputy["total"] is None and deputy["reasons"] == ["Bảng điểm chưa chốt"]
    assert not any(d["leader"] for d in data)  # the two eligible units are tied for the lead


def test_table_prints_reasons_trace_and_the_leader(scored):
    text = run(str(scored.bloc.pk), "2026", "--compute")
    lines = text.splitlines()
    assert (
        lines[0] == "Kết quả xếp hạng năm 2026 – Khối thi đua Nội chính Thử (Đã tính, chờ hội nghị)"
    )
    assert lines[1].split() == [
        "Hạng",
        "Đơn",
        "vị",
        "Tổng",
        "I",
        "II",
        "III",
        "IV",
        "+",
        "-",
        "Xếp",
        "loại",
        "Điều",
        "kiện",
    ]
    assert any(line.startswith("1 ") and "Không xét Cờ thi đua" in line for line in lines)
    assert "      Lý do: Không xét Cờ thi đua: Điều tra" not in text
    assert "Phân định: Bằng tổng điểm" in text and "Lý do: Bảng điểm chưa chốt" in text
    assert lines[-1] == "Đơn vị dẫn đầu: chưa xác định"


def test_unknown_bloc_or_no_ranking_is_a_clear_error(world):
    with pytest.raises(CommandError, match="Không tìm thấy khối thi đua"):
        run("Khối không có", "2026")
    with pytest.raises(CommandError, match="chưa tính kết quả xếp hạng"):
        run(world.bloc.name, "2026")
    with pytest.raises(CommandError, match="chưa có kỳ báo cáo tổng kết"):
        run(world.bloc.name, "2026", "--compute")
