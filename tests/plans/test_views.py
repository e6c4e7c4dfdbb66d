import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans import services
from plans.models import Plan
from tests.factories import issue_plan
from tests.plans.test_services import P1, P2, ready_plan

SEEDS = Path(__file__).resolve().parents[2] / "plans" / "seeds"


def url(name, world, plan=None, **extra):
    kwargs = {"bloc_id": world.bloc.pk, "year": world.year, **extra}
    if plan is not None:
        kwargs["plan_id"] = plan.pk
    return reverse(name, kwargs=kwargs)


def test_unshared_draft_is_hidden_from_members(client_for, world):
    plan = ready_plan(world)
    assert client_for("unit_a").get(url("plans:detail", world, plan)).status_code == 403
    assert plan.title not in client_for("unit_a").get(url("plans:list", world)).content.decode()
    assert client_for("deputy").get(url("plans:detail", world, plan)).status_code == 200
    services.plan_submit_for_comment(plan=plan, actor=world.users["chair"])
    assert client_for("unit_a").get(url("plans:detail", world, plan)).status_code == 200


def test_plan_of_another_bloc_is_404_through_this_bloc(client_for, world):
    from tests.factories import make_bloc_world

    bloc, members, term = make_bloc_world(province=world.province)
    other = services.plan_create_blank(bloc=bloc, year=2026, actor=None)
    assert client_for("chair").get(url("plans:detail", world, other)).status_code == 404


def test_member_sees_deadlines_with_countdown(client_for, world):
    chair = world.users["chair"]
    plan = ready_plan(world)
    today = dt.date.today()
    phase = {
        "seq": 1,
        "name": "Đợt 1",
        "start": today - dt.timedelta(days=30),
        "end": today + dt.timedelta(days=60),
    }
    services.plan_set_schedule(
        plan=plan,
        actor=chair,
        phases=[phase],
        milestones=[
            {
                "kind": "bao_cao_so_ket",
                "phase_seq": 1,
                "due": today + dt.timedelta(days=5),
                "addressee": "Trưởng khối",
            }
        ],
    )
    services.plan_approve(plan=plan, actor=chair)
    issue_plan(plan=plan, actor=chair, issue_date=today)
    html = client_for("unit_a").get(url("plans:detail", world, plan)).content.decode()
    assert "còn 5 ngày" in html and "countdown-soon" in html
    assert (today + dt.timedelta(days=5)).strftime("%d/%m/%Y") in html


def test_schedule_editor_shows_overlap_error_and_keeps_old_rows(client_for, world):
    plan = ready_plan(world)
    services.plan_set_schedule(
        plan=plan, actor=world.users["chair"], phases=[P1, P2], milestones=[]
    )
    data = {
        "phase-TOTAL_FORMS": "2",
        "phase-INITIAL_FORMS": "2",
        "phase-MIN_NUM_FORMS": "0",
        "phase-MAX_NUM_FORMS": "20",
        "phase-0-seq": "1",
        "phase-0-name": "Đợt 1",
        "phase-0-start": "01/01/2026",
        "phase-0-end": "31/05/2026",
        "phase-1-seq": "2",
        "phase-1-name": "Đợt 2",
        "phase-1-start": "01/05/2026",
        "phase-1-end": "30/11/2026",
        "ms-TOTAL_FORMS": "0",
        "ms-INITIAL_FORMS": "0",
        "ms-MIN_NUM_FORMS": "0",
        "ms-MAX_NUM_FORMS": "40",
    }
    response = client_for("chair").post(url("plans:edit_schedule", world, plan), data)
    assert response.status_code == 200
    assert "trùng thời gian" in response.content.decode()
    assert plan.phases.get(seq=2).start == P2["start"]


def test_schedule_editor_rejects_bad_date_next_to_field(client_for, world):
    plan = ready_plan(world)
    data = {
        "phase-TOTAL_FORMS": "1",
        "phase-INITIAL_FORMS": "0",
        "phase-MIN_NUM_FORMS": "0",
        "phase-MAX_NUM_FORMS": "20",
        "phase-0-seq": "1",
        "phase-0-name": "Đợt 1",
        "phase-0-start": "32/01/2026",
        "phase-0-end": "31/05/2026",
        "ms-TOTAL_FORMS": "0",
        "ms-INITIAL_FORMS": "0",
        "ms-MIN_NUM_FORMS": "0",
        "ms-MAX_NUM_FORMS": "40",
    }
    response = client_for("chair").post(url("plans:edit_schedule", world, plan), data)
    assert "Ngày không hợp lệ" in " ".join(response.context["phases"].forms[0].errors["start"])


def test_editing_an_issued_plan_is_refused(client_for, world):
    chair = world.users["chair"]
    plan = ready_plan(world)
    services.plan_approve(plan=plan, actor=chair)
    issue_plan(plan=plan, actor=chair, issue_date=dt.date(2026, 1, 15))
    response = client_for("chair").post(
        url("plans:edit_header", world, plan), {"title": "Sửa"}, follow=True
    )
    assert "không được sửa" in response.content.decode()
    plan.refresh_from_db()
    assert plan.title != "Sửa"


def test_body_editor_saves_outline(client_for, world):
    plan = ready_plan(world)
    outline = "I. MỤC ĐÍCH\n1. Mục đích\n- Đoàn kết.\nII. TỔ CHỨC THỰC HIỆN\n"
    response = client_for("chair").post(url("plans:edit_body", world, plan), {"outline": outline})
    assert response.status_code == 302
    assert list(plan.sections.filter(parent=None).values_list("label", flat=True)) == ["I.", "II."]
    response = client_for("chair").post(
        url("plans:edit_body", world, plan), {"outline": "văn bản không số"}
    )
    assert response.status_code == 200 and response.context["form"].errors["outline"]


def test_import_flow_reviews_then_saves_a_draft(client_for, world):
    client = client_for("chair")
    text = next(SEEDS.glob("004_*.txt")).read_text(encoding="utf-8")
    response = client.post(url("plans:import", world), {"text": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert "30/06/2022" in html and "20/12/2022" in html  # what was understood, shown for review
    assert "Văn bản ghi năm 2022, còn trang này nhập kế hoạch năm 2026" in html
    form = response.context["form"]
    data = {k: form.initial.get(k, "") for k in form.fields}
    data["title"] = data["title"] + " (đã sửa)"
    for other in (2022, 2030, 2000):  # the year of the URL's bloc-year, never another
        refused = client.post(url("plans:import", world), {**data, "year": other})
        assert refused.status_code == 200 and refused.context["form"].errors["year"]
    assert not Plan.objects.filter(bloc=world.bloc).exists()
    response = client.post(url("plans:import", world), data)
    assert response.status_code == 302
    plan = Plan.objects.get(bloc=world.bloc, title__endswith="(đã sửa)")
    assert plan.status == Plan.Status.DRAFT and plan.year == world.year
    assert plan.phases.count() == 2 and plan.recipients.count() == 4


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("trong.txt", b""),
        SimpleUploadedFile(
            "ngau-nhien.txt", "Lorem ipsum dolor sit amet, công thức nấu phở bò.".encode()
        ),
        SimpleUploadedFile("nhi-phan.docx", bytes(range(256)) * 40),
        SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 500),
        SimpleUploadedFile("qua-lon.txt", b"KE HOACH " * (20 * 1024 * 1024 // 9)),
    ],
    ids=["empty", "random-text", "binary-docx", "image", "20MB"],
)
def test_import_refuses_what_is_not_a_plan_with_a_message(client_for, world, upload):
    before = Plan.objects.count()
    response = client_for("chair").post(url("plans:import", world), {"file": upload})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors, "a Vietnamese error must be shown"
    assert any(ch in " ".join(str(e) for e in errors.values()) for ch in "ệạảốớ")
    assert Plan.objects.count() == before


def test_create_blank_and_copy_from_last_year(client_for, world):
    client = client_for("chair")
    assert client.post(url("plans:create", world), {"mode": "copy"}, follow=True).status_code == 200
    assert not Plan.objects.filter(
        bloc=world.bloc
    ).exists()  # nothing issued last year: message only
    response = client.post(url("plans:create", world), {"mode": "blank", "profile": "party"})
    assert response.status_code == 302
    assert Plan.objects.get(bloc=world.bloc).format_profile.code == "HD36_2018"


def test_plan_page_query_count_bounded_whatever_sections(
    client_for, world, django_assert_max_num_queries
):
    from plans.importer import ParsedSection

    chair = world.users["chair"]
    for n in (3, 60):
        plan = services.plan_create_blank(
            bloc=world.bloc, year=world.year, actor=chair, title=f"KH {n}"
        )
        services.plan_replace_body(
            plan=plan,
            actor=chair,
            sections=[
                ParsedSection(
                    label=f"{i}.",
                    title=f"Mục {i}",
                    paragraphs=["x"],
                    children=[
                        ParsedSection(label=f"{i}.1.", title="", paragraphs=["y."], children=[])
                    ],
                )
                for i in range(1, n + 1)
            ],
        )
        client = client_for("chair")
        with django_assert_max_num_queries(25):
            assert client.get(url("plans:detail", world, plan)).status_code == 200


def _issued_text_of(year: int) -> str:
    """Seed 000 moved to `year`: a text that carries its number (11) and date (24/01)."""
    text = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    for old, new in ((2023, year + 1), (2022, year), (2021, year - 1)):
        text = text.replace(str(old), str(new))
    return text


def test_an_issued_plan_is_imported_with_its_number_and_date(client_for, world):
    from reports.models import IssuedDocument, RegisterEntry

    client = client_for("chair")
    response = client.post(url("plans:import", world), {"text": _issued_text_of(world.year)})
    assert "Văn bản ghi số 11/KH-KTĐNC ngày 24/01/2026" in response.content.decode()
    form = response.context["form"]
    data = {k: form.initial.get(k, "") for k in form.fields if k != "as_issued"}
    response = client.post(url("plans:import", world), {**data, "as_issued": "on"})
    assert response.status_code == 302
    plan = Plan.objects.get(bloc=world.bloc)
    assert (plan.status, plan.number, plan.issue_date) == (
        Plan.Status.ISSUED,
        11,
        dt.date(2026, 1, 24),
    )
    assert IssuedDocument.objects.get(plan=plan).number_text == "Số: 11/KH-KTĐNC"
    assert RegisterEntry.objects.get(document__plan=plan).number == 11
    # the same number again is refused with a clear message, and nothing is saved
    again = client.post(url("plans:import", world), {**data, "as_issued": "on"})
    assert again.status_code == 200 and "11" in " ".join(again.context["form"].non_field_errors())
    assert Plan.objects.filter(bloc=world.bloc).count() == 1
