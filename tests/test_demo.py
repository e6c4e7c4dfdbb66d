import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blocs.models import Bloc, BlocTerm, Province, User
from plans.models import Plan


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_seed_demo_builds_the_issuers_of_the_five_seeds(demo):
    assert set(Province.objects.values_list("name", flat=True)) == {
        "Tuyên Quang",
        "Hà Tĩnh",
        "Tây Ninh",
        "Hà Giang",
        "Quảng Trị",
    }
    heads = {
        (t.bloc.province.name, t.year): t.head_unit.name
        for t in BlocTerm.objects.select_related("bloc__province", "head_unit")
    }
    assert heads[("Tuyên Quang", 2022)] == "Bộ Chỉ huy Quân sự tỉnh Tuyên Quang"
    assert heads[("Tuyên Quang", 2023)] == "Công an tỉnh Tuyên Quang"  # rotated for the next year
    assert heads[("Hà Giang", 2023)] == "Ban Tuyên giáo Tỉnh ủy Hà Giang"
    assert heads[("Quảng Trị", 2022)] == "Văn phòng UBND tỉnh Quảng Trị"
    qt = BlocTerm.objects.get(bloc__province__name="Quảng Trị", year=2022)
    assert [u.name for u in qt.deputy_units.all()] == ["Sở Kế hoạch và Đầu tư tỉnh Quảng Trị"]
    assert Bloc.objects.get(province__name="Hà Tĩnh").kind == "noi_bo"
    assert Bloc.objects.get(province__name="Tây Ninh").kind == "dia_ban"


def test_seed_demo_loads_all_five_plans_through_the_importer(demo):
    plans = {
        p.bloc.province.name: p
        for p in Plan.objects.select_related("bloc__province", "format_profile")
    }
    assert len(plans) == 5
    tq = plans["Tuyên Quang"]
    assert (tq.status, tq.number, tq.issue_date) == ("issued", 11, dt.date(2022, 1, 24))
    assert plans["Hà Giang"].format_profile.code == "HD36_2018"
    assert plans["Hà Giang"].status == "consultation"
    assert all(
        p.sections.exists() and p.recipients.exists() and p.signature_lines.exists()
        for p in plans.values()
    )
    assert tq.phases.count() == 2 and plans["Quảng Trị"].phases.count() == 2


def test_every_persona_has_a_demo_login(demo):
    users = {u.username: u for u in User.objects.select_related("unit")}
    assert users["truongkhoi"].unit.name == "Bộ Chỉ huy Quân sự tỉnh Tuyên Quang"
    assert users["phokhoi"].unit.name == "Công an tỉnh Tuyên Quang"
    assert users["thamdinh_tq"].reviewer_province.name == "Tuyên Quang"
    assert users["quantri"].is_staff
    assert users["donvi_a"].check_password("demo12345")


def test_seed_demo_is_refused_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Province.objects.exists()


def test_seed_demo_if_empty_does_nothing_the_second_time(demo):
    count = User.objects.count()
    call_command("seed_demo", "--if-empty")
    assert User.objects.count() == count


def test_demo_terms_say_how_the_head_signs(demo):
    tq = BlocTerm.objects.get(bloc__province__name="Tuyên Quang", year=2022)
    assert (tq.head_print_name, tq.signer_position, tq.signer_rank, tq.signer_name) == (
        "Bộ CHQS tỉnh Tuyên Quang",
        "Chính ủy",
        "Đại tá",
        "Hà Đình Khiêm",
    )
    next_year = BlocTerm.objects.get(bloc__province__name="Tuyên Quang", year=2023)
    assert next_year.head_unit.name == "Công an tỉnh Tuyên Quang"
    assert next_year.signer_position == "Giám đốc" and next_year.signer_name
    assert tq.head_unit.short_name == "Bộ CHQS tỉnh Tuyên Quang"


def test_seed_demo_gives_every_bloc_year_a_template_and_registrations(demo):
    from decimal import Decimal

    from scoring import selectors
    from scoring.models import Registration, SigningMeeting, Template

    for term in BlocTerm.objects.select_related("bloc__province"):
        template = selectors.current_template(bloc_id=term.bloc_id, year=term.year)
        assert template is not None, term
        view = selectors.template_view(template)
        assert view.complete, (term, [p.message for p in view.problems])
        members = selectors.member_units(bloc_id=term.bloc_id, year=term.year)
        regs = Registration.objects.filter(bloc=term.bloc, year=term.year)
        assert regs.count() == len(members)
    scales = set(Template.objects.values_list("max_total", flat=True))
    assert scales == {Decimal("100.00"), Decimal("1000.00")}
    tq = Template.objects.get(bloc__province__name="Tuyên Quang", year=2022)
    assert tq.is_locked and SigningMeeting.objects.filter(year=2022).count() == 1
    signed = Registration.objects.filter(bloc=tq.bloc, year=2022)
    assert signed.count() == 9 and {r.status for r in signed} == {"signed"}
    statuses = set(Registration.objects.filter(year=2023).values_list("status", flat=True))
    assert {"returned", "draft", "accepted"} <= statuses


def test_every_demo_user_has_a_real_vietnamese_full_name(demo):
    """Not "Btg Hagiang": a family name, a given name, Vietnamese letters; all different."""
    names = dict(User.objects.values_list("username", "full_name"))
    assert len(names) == 15
    for username, full_name in names.items():
        words = full_name.split()
        assert 3 <= len(words) <= 5, (username, full_name)
        assert all(w[0].isupper() and w[1:].islower() for w in words), (username, full_name)
        assert full_name != full_name.encode("ascii", "ignore").decode(), (username, full_name)
        assert username.replace("_", "") not in full_name.lower().replace(" ", "")
    assert len(set(names.values())) == len(names)


def test_seed_demo_brings_one_bloc_year_to_the_end_of_the_year(demo):
    from collections import Counter

    from blocs.models import AuditEvent
    from scoring import sheets
    from scoring.models import Submission

    subs = list(
        Submission.objects.filter(
            round__bloc__province__name="Tuyên Quang", round__year=2022
        ).select_related("round", "unit", "template")
    )
    assert Counter((s.round.kind, s.status) for s in subs) == {
        ("so_ket", "submitted"): 9,
        ("tong_ket", "final"): 9,
    }
    assert not Submission.objects.exclude(round__year=2022).exists()
    sheets_ = [s for s in subs if s.round.kind == "tong_ket"]
    late = [s for s in subs if s.late]
    assert [(s.unit.name, s.round.kind) for s in late] == [
        ("Hội Luật gia tỉnh Tuyên Quang", "tong_ket")
    ]
    assert late[0].late_penalty == late[0].template.late_penalty > 0
    # one returned with a reason, corrected, sent again and agreed
    (returned,) = AuditEvent.objects.filter(action="submission.return")
    trail = list(
        AuditEvent.objects.filter(object_id=returned.object_id)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert trail.index("submission.return") < trail.index(
        "sheet.line", trail.index("submission.return")
    )
    assert trail.count("submission.submit") == 2 and trail[-1] == "submission.finalize"
    assert Submission.objects.get(pk=returned.object_id).returned_reason
    # every sheet went through the deputy's and the head's layers
    layers = Counter(
        (e.object_id, e.data["layer"])
        for e in AuditEvent.objects.filter(action="submission.layer_done")
    )
    assert all(layers[(str(s.pk), "deputy")] == layers[(str(s.pk), "head")] == 1 for s in sheets_)
    # totals are what the lines give; the reviewers changed some lines
    for s in sheets_:
        scores = sheets.compute(s, *sheets.load(s))
        assert s.final_total == scores.final.total.total == s.reviewed_total
        assert s.self_total == scores.self.total.total
    assert any(s.reviewed_total < s.self_total for s in sheets_)
    assert len({s.final_total for s in sheets_}) > 5


def test_seed_demo_carries_one_bloc_year_to_decided_proposals(demo):
    """Tuyên Quang 2022: a tie at the top broken by the meeting's vote, one unit barred by a
    Thanh tra flag (kept in the ranking, not proposed), proposals within the quotas, submitted
    with a numbered tờ trình, approved and decided."""
    from reports.models import IssuedDocument
    from scoring.models import Proposal, Ranking

    ranking = Ranking.objects.get(bloc__province__name="Tuyên Quang", year=2022)
    rows = list(ranking.rows.select_related("unit").order_by("position"))
    assert ranking.status == "adopted" and len(rows) == 9
    assert rows[0].total == rows[1].total and rows[0].trace[-1]["by"] == "vote"
    barred = [r for r in rows if not r.eligible]
    assert len(barred) == 1 and "Thanh tra" in barred[0].reasons[0]
    proposals = list(Proposal.objects.filter(ranking=ranking).select_related("unit"))
    assert {p.status for p in proposals} == {"decided"}
    assert [p.unit for p in proposals if p.award == "co_tinh"] == [rows[0].unit]
    # Bằng khen: at most 50 % of the 8 others, and only units rated "Hoàn thành xuất sắc"
    top = "Hoàn thành xuất sắc nhiệm vụ"
    assert sum(p.award == "bk_tinh_tt" for p in proposals) == 2
    assert {r.band for r in rows if r.unit in {p.unit for p in proposals}} == {top}
    assert sum(r.band == top and r.eligible for r in rows) == 3
    assert barred[0].unit not in {p.unit for p in proposals}
    assert all(p.reward_amount and p.decision_number for p in proposals)
    doc = IssuedDocument.objects.get(kind="to_trinh")
    assert doc.number_text == "Số: 01/TTr-KTĐNC" and doc.dossier.proposals.count() == 3
