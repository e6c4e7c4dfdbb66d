"""The proposal pages as users meet them: members see nothing before the adoption, the
secretariat generates, votes and submits (the tờ trình is issued and read back), the province
approves, returns and decides; refusals come back next to the field, never as a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import IssuedDocument
from scoring.models import Proposal, Ranking
from tests.factories import make_province, make_user
from tests.reports.pdfread import embedded_fonts, full_text, squash
from tests.scoring.ranking_data import make_ranking


def url(world, name, *args):
    return reverse(f"scoring:{name}", args=(world.bloc.pk, world.year, *args))


@pytest.fixture
def ranked(world):
    units = [world.head, world.deputy_unit, world.unit_a, world.unit_b]
    return make_ranking(world.bloc, world.year, units, adopted=False, ineligible=[world.unit_b])


def adopt(ranking):
    Ranking.objects.filter(pk=ranking.pk).update(
        status="adopted", adopted_at=timezone.now() - dt.timedelta(days=2)
    )


def test_members_do_not_see_proposals_before_the_ranking_is_adopted(world, client_for, ranked):
    page = url(world, "proposals")
    assert client_for("unit_a").get(page).status_code == 403
    assert client_for("deputy").get(page).status_code == 200
    assert client_for("outsider").get(page).status_code == 404
    adopt(ranked)
    client_for("chair").post(url(world, "proposals_generate"))
    response = client_for("unit_a").get(page)
    html = response.content.decode()
    assert response.status_code == 200 and world.head.name in html
    assert "Ghi</button>" not in html and "Trình tỉnh" not in html  # read-only


def test_a_reviewer_of_another_province_gets_404(world, client, ranked):
    adopt(ranked)
    stranger = make_user("reviewer_x", None, reviewer_province=make_province("Tỉnh Lạ"))
    client.force_login(stranger)
    assert client.get(url(world, "proposals")).status_code == 404


def _vote(client, world, p, vote_for, total):
    return client.post(
        url(world, "proposal_vote", p.pk),
        {"revision": p.revision, "vote_for": vote_for, "vote_against": 0, "vote_total": total},
    )


def test_secretariat_generates_votes_and_submits_the_dossier_with_its_to_trinh(
    world, client_for, ranked
):
    adopt(ranked)
    chair = client_for("chair")
    assert chair.post(url(world, "proposals_generate")).status_code == 302
    page = chair.get(url(world, "proposals")).content.decode()
    assert "Cờ thi đua UBND tỉnh: <strong>1/1</strong>" in page
    assert "không đủ điều kiện khen thưởng. Lý do: Đang thanh tra" in page  # unit_b, why
    props = list(Proposal.objects.order_by("rank"))
    assert [p.unit for p in props] == [world.head, world.deputy_unit]
    # a bad vote comes back on the form, nothing saved
    response = _vote(chair, world, props[0], 12, 10)
    assert response.status_code == 200 and "vượt tổng số" in response.content.decode()
    _vote(chair, world, props[0], 9, 10)
    _vote(chair, world, props[1], 7, 10)  # 70 % < 80 %
    response = chair.post(
        url(world, "proposals_submit"), {"date": timezone.localdate().strftime("%d/%m/%Y")}
    )
    assert response.status_code == 200 and "70 %, thấp hơn 80 %" in response.content.decode()
    assert not IssuedDocument.objects.filter(kind="to_trinh").exists()
    _vote(chair, world, Proposal.objects.get(pk=props[1].pk), 8, 10)
    response = chair.post(
        url(world, "proposals_submit"), {"date": timezone.localdate().strftime("%d/%m/%Y")}
    )
    assert response.status_code == 302
    doc = IssuedDocument.objects.get(kind="to_trinh")
    assert doc.number_text == "Số: 01/TTr-KTĐNC"
    assert set(Proposal.objects.values_list("status", flat=True)) == {"submitted"}
    pdf = client_for("unit_a").get(
        reverse("reports:to_trinh", args=(world.bloc.pk, world.year, 1, "pdf"))
    )
    assert pdf.status_code == 200 and pdf.content == bytes(doc.pdf)
    text = squash(full_text(pdf.content))
    for expected in (
        "TỜTRÌNH",
        "Số:01/TTr-KTĐNC",
        f"Đềnghịkhenthưởngnăm{world.year}",
        "1BộChỉhuy",  # the table: rank, unit, award, total, vote (cells wrap)
        "Cờthiđua",
        "9/10(90",
        "8/10(80",
        "Xếpthứ2/4",
        "Xếpthứ1/4",
        "TM.KHỐITHIĐUA",
        squash(world.province.reviewer_label),
    ):
        assert expected in text, expected
    assert "(Dựthảo)" not in text
    assert not any("DejaVu" in f for f in embedded_fonts(pdf.content))
    docx = chair.get(reverse("reports:to_trinh", args=(world.bloc.pk, world.year, 1, "docx")))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_the_draft_to_trinh_lists_the_drafted_proposals(world, client_for, ranked):
    adopt(ranked)
    client_for("chair").post(url(world, "proposals_generate"))
    draft = reverse("reports:to_trinh_draft", args=(world.bloc.pk, world.year, "pdf"))
    text = squash(full_text(client_for("reviewer").get(draft).content))
    assert "(Dựthảo)" in text and "Xếpthứ2/4" in text and "Số:/TTr-KTĐNC" in text


def _submitted(world, client_for, ranked):
    adopt(ranked)
    chair = client_for("chair")
    chair.post(url(world, "proposals_generate"))
    for p in Proposal.objects.all():
        _vote(chair, world, p, 10, 10)
    chair.post(url(world, "proposals_submit"), {"date": timezone.localdate().strftime("%d/%m/%Y")})
    return list(Proposal.objects.order_by("rank"))


def test_the_province_approves_one_returns_another_and_records_the_decision(
    world, client_for, ranked
):
    first, second = _submitted(world, client_for, ranked)
    reviewer = client_for("reviewer")
    review = lambda p, action, **d: reviewer.post(  # noqa: E731
        url(world, "proposal_review", p.pk, action), {"revision": p.revision, **d}
    )
    assert review(first, "approve").status_code == 302
    response = review(second, "return", reason="")
    assert response.status_code == 200 and "Hãy nêu lý do" in response.content.decode()
    assert review(second, "return", reason="Bổ sung báo cáo thành tích").status_code == 302
    assert review(second, "archive").status_code == 404
    decide = url(world, "proposal_decide", first.pk)
    form = reviewer.get(decide).content.decode()
    assert f"Chủ tịch UBND tỉnh {world.province.name}" in form
    first = Proposal.objects.get(pk=first.pk)
    response = reviewer.post(
        decide,
        {"revision": first.revision, "number": "125/QĐ-UBND", "date": "31/02/2026"},
    )
    assert response.status_code == 200 and "Ngày không hợp lệ" in response.content.decode()
    response = reviewer.post(
        decide,
        {
            "revision": first.revision,
            "number": "125/QĐ-UBND",
            "date": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    page = client_for("chair").get(url(world, "proposals")).content.decode()
    assert "QĐ số 125/QĐ-UBND" in page and "18.720.000 đ" in page
    assert "Lý do: Bổ sung báo cáo thành tích" in page
    assert Proposal.objects.get(pk=second.pk).status == "returned"


def test_a_stale_form_is_refused_with_a_message(world, client_for, ranked):
    adopt(ranked)
    chair = client_for("chair")
    chair.post(url(world, "proposals_generate"))
    p = Proposal.objects.order_by("rank").first()
    _vote(chair, world, p, 9, 10)
    response = chair.post(
        url(world, "proposal_edit", p.pk),
        {"revision": p.revision, "award": "co_tinh", "achievements": "Thành tích mới"},
    )
    assert (
        response.status_code == 200 and "vừa được người khác thay đổi" in response.content.decode()
    )
    assert Proposal.objects.get(pk=p.pk).achievements != "Thành tích mới"
