"""Template editor and registration pages as users meet them: totals as the tree grows, errors
next to the field with nothing saved, import errors listed, the home reminder, query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import Workbook

from plans import services as plan_services
from plans.models import Milestone
from scoring.models import Criterion, Registration, Template
from scoring.services import templates as tpl_services
from tests.factories import make_unit
from tests.scoring.conftest import register


def url(name, world, **kw):
    return reverse(name, kwargs={"bloc_id": world.bloc.pk, "year": world.year, **kw})


@pytest.fixture
def blank(world):
    return tpl_services.template_create(bloc=world.bloc, year=world.year, actor=None)


def post_criterion(client, world, template, **data):
    data = {"revision": Template.objects.get(pk=template.pk).revision, "source": "self", **data}
    return client.post(url("scoring:criterion_add", world, template_id=template.pk), data)


def test_secretariat_builds_a_tree_and_sees_totals(world, client_for, blank):
    chair = client_for("chair")
    r = post_criterion(
        chair, world, blank, code="I", content="Nhiệm vụ", kind="group", max_points="60"
    )
    assert r.status_code == 302
    group = Criterion.objects.get(code="I")
    post_criterion(
        chair,
        world,
        blank,
        parent=group.pk,
        code="1",
        content="Chỉ tiêu",
        kind="graded",
        max_points="40,5",
        step="0,5",
    )
    page = chair.get(url("scoring:template", world)).content.decode()
    assert 'data-testid="total-base">60<' in page
    assert "40,5" in page and "chưa bằng tổng điểm tối đa 100" in page


def test_child_above_parent_shows_the_error_next_to_the_field(world, client_for, blank):
    chair = client_for("chair")
    post_criterion(chair, world, blank, code="I", content="Nhóm", kind="group", max_points="10")
    group = Criterion.objects.get(code="I")
    r = post_criterion(
        chair,
        world,
        blank,
        parent=group.pk,
        code="1",
        content="Con",
        kind="graded",
        max_points="12",
    )
    assert r.status_code == 200
    assert (
        "tổng điểm các tiêu chí con (12) vượt điểm tối đa của tiêu chí (10)" in r.content.decode()
    )
    assert Criterion.objects.count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"max_points": "-3"}, "Điểm tối đa không được âm."),
        ({"max_points": "mười"}, "Hãy nhập một số"),
        ({"kind": "bonus", "max_points": "5"}, "cần điểm mỗi lần"),
        ({"kind": "quantitative", "max_points": "5"}, "cần chọn công thức"),
        ({"code": ""}, "This field is required|Trường này là bắt buộc|bắt buộc"),
    ],
)
def test_bad_criterion_input_saves_nothing(world, client_for, blank, data, message):
    base = {"code": "I", "content": "Nhóm", "kind": "graded", "max_points": "10"}
    r = post_criterion(client_for("chair"), world, blank, **{**base, **data})
    assert r.status_code == 200
    import re

    assert re.search(message, r.content.decode())
    assert not Criterion.objects.exists()


def test_settings_refuse_a_bonus_cap_above_the_total(world, client_for, template):
    r = client_for("chair").post(
        url("scoring:template_settings", world, template_id=template.pk),
        {
            "revision": template.revision,
            "max_total": "100",
            "bonus_cap": "150",
            "bands-TOTAL_FORMS": "0",
            "bands-INITIAL_FORMS": "0",
        },
    )
    assert r.status_code == 200
    assert "Điểm thưởng tối đa không được vượt tổng điểm tối đa." in r.content.decode()
    template.refresh_from_db()
    assert template.bonus_cap == D(5)


def test_settings_save_bands_and_tie_break(world, client_for, template):
    r = client_for("chair").post(
        url("scoring:template_settings", world, template_id=template.pk),
        {
            "revision": template.revision,
            "max_total": "100",
            "bonus_cap": "5",
            "late_penalty": "1",
            "tie_1": "more_bonus",
            "tie_2": "group_i",
            "bands-TOTAL_FORMS": "1",
            "bands-INITIAL_FORMS": "0",
            "bands-0-label": "Xuất sắc",
            "bands-0-min_total": "95",
            "bands-0-floor_pct": "90",
        },
    )
    assert r.status_code == 302
    template.refresh_from_db()
    assert template.tie_break == ["more_bonus", "group_i"]
    assert [(b.label, b.min_total) for b in template.bands.all()] == [("Xuất sắc", D(95))]


def test_settings_with_a_bad_band_save_neither_settings_nor_bands(world, client_for, template):
    """The settings and the bands are saved together: a band above the maximum leaves the new
    bonus cap unsaved too (they were two transactions), and the page says why."""
    from blocs.models import AuditEvent
    from tests.plans.test_editors import form_data

    client = client_for("chair")
    page = url("scoring:template_settings", world, template_id=template.pk)
    data = form_data(client.get(page).content.decode())
    data.update({"bonus_cap": "7", "bands-0-min_total": "105"})
    events = AuditEvent.objects.count()
    r = client.post(page, data)
    assert r.status_code == 200
    assert "Mức “Hoàn thành xuất sắc nhiệm vụ”: điểm từ vượt tổng điểm tối đa." in (
        r.content.decode()
    )
    template.refresh_from_db()
    assert template.bonus_cap != D(7) and AuditEvent.objects.count() == events


def _xlsx(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã", "Nội dung", "Điểm tối đa", "Loại", "Hướng dẫn chấm"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "thang-diem.xlsx"
    return out


def test_import_page_lists_every_bad_row(world, client_for, template):
    before = Criterion.objects.count()
    f = _xlsx([["I", "Nhóm", "x", "Nhóm", ""], ["1", "", 5, "Chấm theo mức", ""]])
    r = client_for("chair").post(url("scoring:template_import", world), {"file": f})
    page = r.content.decode()
    assert r.status_code == 200 and "2 lỗi" in page
    assert "Dòng 2, cột Điểm tối đa" in page and "Dòng 3: thiếu nội dung" in page
    assert Criterion.objects.count() == before


def test_import_page_refuses_a_file_that_is_not_xlsx(world, client_for):
    f = io.BytesIO(b"%PDF-1.4 not a workbook")
    f.name = "thang-diem.pdf"
    r = client_for("chair").post(url("scoring:template_import", world), {"file": f})
    assert "không phải bảng tính Excel" in r.content.decode()
    assert not Template.objects.exists()


def test_import_page_creates_the_template(world, client_for):
    f = _xlsx([["I", "Nhóm", 100, "", ""], ["1", "Tiêu chí", 100, "Chấm theo mức", ""]])
    r = client_for("chair").post(url("scoring:template_import", world), {"file": f})
    assert r.status_code == 302
    assert Criterion.objects.filter(template__bloc=world.bloc).count() == 2


def test_export_downloads_xlsx(world, client_for, template):
    r = client_for("unit_a").get(url("scoring:template_export", world, template_id=template.pk))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r["Content-Disposition"]


def test_copy_last_year_from_the_page(world, client_for, template):
    from blocs import services as bloc_services

    bloc_services.term_set(bloc=world.bloc, year=world.year + 1, head_unit=world.head)
    r = client_for("chair").post(
        reverse(
            "scoring:template_create", kwargs={"bloc_id": world.bloc.pk, "year": world.year + 1}
        ),
        {"mode": "copy"},
    )
    assert r.status_code == 302
    copy = Template.objects.get(year=world.year + 1)
    assert copy.criteria.count() == template.criteria.count()


def test_member_registers_on_the_page(world, client_for, template):
    leaf = Criterion.objects.get(template=template, code="1", parent__code="I")
    client = client_for("unit_a")
    r = client.post(
        url("scoring:my_registration", world),
        {
            "revision": "0",
            "targets-TOTAL_FORMS": "2",
            "targets-INITIAL_FORMS": "0",
            "targets-0-content": "Giải quyết 95 % vụ việc",
            "targets-0-measure": "%",
            "targets-0-target_value": "95",
            "targets-0-criterion": str(leaf.pk),
            "t_co_tinh": "on",
            "t_ldtt": "45",
            "t_cstdcs": "6",
        },
    )
    assert r.status_code == 302
    reg = Registration.objects.get(unit=world.unit_a)
    assert reg.targets.get().criterion == leaf
    assert {g.title: g.count for g in reg.titles.all()} == {"co_tinh": 1, "ldtt": 45, "cstdcs": 6}


def test_the_registration_page_saves_in_the_same_queries_at_any_number_of_targets(
    world, client_for, template
):
    """The page posted back as the browser sends it, a title changed: the same statements with
    one target and with six linked to criteria (each target's criterion was read apart), and
    a page saved unchanged writes nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from blocs.models import AuditEvent
    from tests.plans.test_editors import form_data
    from tests.scoring.conftest import register

    leaves = list(Criterion.objects.filter(template=template).exclude(kind="group"))
    client, page_url = client_for("unit_a"), url("scoring:my_registration", world)
    counts = []
    for n in (1, 6):
        Registration.objects.filter(unit=world.unit_a).delete()
        register(world, world.unit_a, targets=[
            {"content": f"Chỉ tiêu {i}", "criterion": leaves[i % len(leaves)]} for i in range(n)
        ])  # fmt: skip
        data = form_data(client.get(page_url).content.decode())
        events = AuditEvent.objects.count()
        assert client.post(page_url, data).status_code == 302
        assert AuditEvent.objects.count() == events  # unchanged: nothing written
        data["t_ldtt"] = "50"
        with CaptureQueriesContext(connection) as ctx:
            assert client.post(page_url, data).status_code == 302
        counts.append(sum("SAVEPOINT" not in q["sql"] for q in ctx.captured_queries))
        reg = Registration.objects.get(unit=world.unit_a)
        assert reg.titles.get(title="ldtt").count == 50 and reg.targets.count() == n
        # a target's text and criterion changed
        data["targets-0-content"] = "Chỉ tiêu đã sửa"
        data["targets-0-criterion"] = str(leaves[-1].pk)
        data["revision"] = str(reg.revision)
        with CaptureQueriesContext(connection) as ctx:
            assert client.post(page_url, data).status_code == 302
        counts.append(sum("SAVEPOINT" not in q["sql"] for q in ctx.captured_queries))
        first = Registration.objects.get(unit=world.unit_a).targets.order_by("order").first()
        assert (first.content, first.criterion) == ("Chỉ tiêu đã sửa", leaves[-1])
        changes = AuditEvent.objects.filter(action="registration.update").order_by("pk")
        assert changes.last().data["changes"]["targets"] == {  # the old label from the lock's read
            "added": [f"Chỉ tiêu đã sửa: [{leaves[-1].code}]"],
            "removed": [f"Chỉ tiêu 0: [{leaves[0].code}]"],
        }
    # the session, the user, the gate, the criteria; signed, member and the current template,
    # the lock with the targets and titles; the changed title (1 UPDATE), the row, the audit
    # row: 9; a changed target: the targets replaced (2): 10
    assert counts == [9, 10, 9, 10], counts


def test_registration_bad_input_is_shown_and_nothing_saved(world, client_for, template):
    r = client_for("unit_a").post(
        url("scoring:my_registration", world),
        {
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0",
            "targets-0-measure": "%",
            "targets-0-target_value": "chín lăm",
            "t_ldtt": "-4",
        },
    )
    page = r.content.decode()
    assert r.status_code == 200
    assert "Hãy nhập nội dung chỉ tiêu" in page and "Hãy nhập một số" in page
    assert "Số người không được âm." in page
    assert not Registration.objects.exists()


def test_return_with_reason_then_the_unit_sees_it(world, client_for, template):
    reg = register(world, world.unit_a, submit=True)
    r = client_for("chair").post(
        url("scoring:registration_review", world, registration_id=reg.pk, action="return"),
        {"reason": "Bổ sung chỉ tiêu cải cách hành chính"},
    )
    assert r.status_code == 302
    page = client_for("unit_a").get(url("scoring:my_registration", world)).content.decode()
    assert "Bổ sung chỉ tiêu cải cách hành chính" in page


def test_return_without_reason_is_refused(world, client_for, template):
    reg = register(world, world.unit_a, submit=True)
    client_for("chair").post(
        url("scoring:registration_review", world, registration_id=reg.pk, action="return"),
        {"reason": ""},
    )
    reg.refresh_from_db()
    assert reg.status == "submitted"


def test_accepting_a_registration_returned_in_another_tab_is_refused(world, client_for, template):
    """The chair opened the registration at one revision; in another tab they returned it since and the
    unit corrected and sent it again: the chair's "Chấp nhận" of the page they read is refused
    with the reason, and the version they never read stays waiting for review."""
    reg = register(world, world.unit_a, submit=True)
    page = client_for("chair").get(url("scoring:registration", world, registration_id=reg.pk))
    read_at = reg.revision
    assert f'name="revision" value="{read_at}"' in page.content.decode()
    client_for("chair").post(
        url("scoring:registration_review", world, registration_id=reg.pk, action="return"),
        {"reason": "Thiếu chỉ tiêu", "revision": read_at},
    )
    register(world, world.unit_a, submit=True, targets=[{"content": "Chỉ tiêu đã sửa"}])
    r = client_for("chair").post(
        url("scoring:registration_review", world, registration_id=reg.pk, action="accept"),
        {"revision": read_at},
        follow=True,
    )
    assert "vừa được thay đổi sau khi bạn mở trang này" in r.content.decode()
    reg.refresh_from_db()
    assert reg.status == "submitted" and reg.revision > read_at + 1


def test_signing_page_reports_units_not_accepted(world, client_for, template):
    register(world, world.unit_a, accept=True)
    r = client_for("chair").post(
        url("scoring:signing", world),
        {"date": "10/02/2026", "place": "VP UBND tỉnh", "attending": [world.unit_a.pk]},
    )
    page = r.content.decode()
    assert r.status_code == 200 and "Các đơn vị chưa được chấp nhận đăng ký" in page
    assert "Tòa án nhân dân tỉnh Thử" in page


def test_editing_after_signing_is_refused_on_the_page(world, client_for, template):
    for unit in (world.head, world.deputy_unit, world.unit_a, world.unit_b):
        register(world, unit, accept=True)
    r = client_for("chair").post(
        url("scoring:signing", world),
        {"date": "10/02/2026", "place": "VP UBND tỉnh", "attending": [world.unit_a.pk]},
    )
    assert r.status_code == 302
    r = post_criterion(
        client_for("chair"), world, template, code="V", content="Mới", kind="graded", max_points="1"
    )
    assert "đã được chốt" in r.content.decode()
    r = client_for("unit_a").post(
        url("scoring:my_registration", world),
        {"targets-TOTAL_FORMS": "0", "targets-INITIAL_FORMS": "0", "note": "sửa"},
    )
    assert "đã được ký kết" in r.content.decode()
    assert Registration.objects.get(unit=world.unit_a).note == ""


def _plan_with_deadline(world, due):
    plan = plan_services.plan_create_blank(
        bloc=world.bloc, year=world.year, actor=None, title="Kế hoạch thử"
    )
    from plans.models import Plan

    Milestone.objects.create(plan=plan, kind=Milestone.Kind.DANG_KY, due=due)
    Plan.objects.filter(pk=plan.pk).update(
        status="issued", number=1, issue_date=dt.date(2026, 1, 5)
    )
    return plan


def test_home_shows_register_by_until_sent(world, client_for, template):
    _plan_with_deadline(world, dt.date(2026, 1, 31))
    client = client_for("unit_a")
    page = client.get(reverse("blocs:home")).content.decode()
    assert "đăng ký trước ngày 31/01/2026" in page
    register(world, world.unit_a, submit=True)
    page = client.get(reverse("blocs:home")).content.decode()
    assert "đăng ký trước ngày" not in page
    assert (
        "đăng ký trước ngày"
        not in client_for("reviewer").get(reverse("blocs:home")).content.decode()
    )


def test_dashboard_marks_late_units(world, client_for, template):
    _plan_with_deadline(world, dt.date(2020, 1, 31))  # long past
    register(world, world.unit_a)
    page = client_for("chair").get(url("scoring:dashboard", world)).content.decode()
    assert "Hạn đăng ký 31/01/2020" in page
    assert page.count(">muộn<") == 4  # nobody submitted before the deadline


def _grow(template, n):
    """A template with `n` criteria: groups of nine graded leaves."""
    rows = []
    from scoring.services.templates import CriterionRow

    groups = max(1, n // 10)
    for g in range(groups):
        rows.append(
            CriterionRow(
                code=f"{'I' * (g % 3 + 1)}{g}", content=f"Nhóm {g}", kind="group", max_points=D(9)
            )
        )
        parent = len(rows) - 1
        for i in range(9):
            rows.append(
                CriterionRow(
                    code=str(i + 1),
                    content=f"Tiêu chí {i}",
                    kind="graded",
                    max_points=D(1),
                    parent_index=parent,
                )
            )
    tpl_services.template_replace_tree(
        template=template,
        actor=None,
        rows=rows[:n],
        settings={"max_total": D(9 * groups), "bonus_cap": D(0)},
    )


def _queries(django_assert_num_queries, client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["scoring:template", "scoring:dashboard"])
def test_query_count_does_not_grow_with_the_tree(
    world, client_for, blank, page, django_assert_num_queries
):
    client = client_for("chair")
    _grow(blank, 10)
    small = _queries(django_assert_num_queries, client, url(page, world))
    tpl_services.template_replace_tree(template=blank, actor=None, rows=[])
    _grow(blank, 200)
    for i in range(20):  # and more members on the dashboard
        unit = make_unit(world.province, f"Đơn vị thêm {i}")
        from blocs import services as bloc_services

        bloc_services.membership_add(bloc=world.bloc, unit=unit, joined_on=dt.date(2025, 1, 1))
    large = _queries(django_assert_num_queries, client, url(page, world))
    assert Criterion.objects.filter(template=blank).count() == 200
    assert small == large
