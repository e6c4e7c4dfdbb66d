"""Template services: the tree rules, settings, locking, versions, copy, audit of changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from blocs.models import AuditEvent
from scoring import samples, selectors
from scoring.models import Criterion, Template
from scoring.services import templates as services
from tests.scoring.conftest import make_template, register_all_and_sign


@pytest.fixture
def blank(world):
    return services.template_create(bloc=world.bloc, year=world.year, actor=None)


def add(template, code, mx, kind="graded", parent=None, **kw):
    return services.criterion_add(
        template=template,
        actor=None,
        parent=parent,
        code=code,
        content=f"Tiêu chí {code}",
        kind=kind,
        max_points=D(mx),
        **kw,
    )


def test_sample_template_adds_up(template):
    view = selectors.template_view(template)
    assert view.totals.base == D(100) and view.totals.bonus == D(5)
    assert view.complete and not view.problems
    assert [r.criterion.code for r in view.rows[:4]] == ["I", "1", "2", "3"]


def test_child_above_parent_is_refused_and_nothing_saved(blank):
    group = add(blank, "I", "10", kind="group")
    add(blank, "1", "6", parent=group)
    with pytest.raises(ValidationError) as exc:
        add(blank, "2", "5", parent=group)
    assert "tổng điểm các tiêu chí con (11) vượt điểm tối đa của tiêu chí (10)" in str(exc.value)
    assert Criterion.objects.filter(template=blank).count() == 2


def test_children_above_parent_allowed_by_the_setting(blank):
    services.template_update_settings(template=blank, actor=None, allow_children_over=True)
    group = add(blank, "I", "10", kind="group")
    add(blank, "1", "6", parent=group)
    add(blank, "2", "6", parent=group)
    assert Criterion.objects.filter(template=blank).count() == 3


def test_lowering_a_parent_below_its_children_is_refused(blank):
    group = add(blank, "I", "10", kind="group")
    add(blank, "1", "10", parent=group)
    with pytest.raises(ValidationError):
        services.criterion_update(criterion=group, actor=None, max_points=D(8))
    group.refresh_from_db()
    assert group.max_points == D(10)


def test_top_level_points_above_the_maximum_refused(blank):
    add(blank, "I", "60", kind="group")
    with pytest.raises(ValidationError, match="vượt tổng điểm tối đa"):
        add(blank, "II", "50", kind="group")


def test_lowering_the_maximum_below_the_tree_is_refused(template):
    with pytest.raises(ValidationError) as exc:
        services.template_update_settings(template=template, actor=None, max_total=D(90))
    assert "max_total" in exc.value.message_dict


def test_negative_maximum_refused(blank):
    with pytest.raises(ValidationError, match="không được âm"):
        add(blank, "I", "-5")
    assert not Criterion.objects.exists()


def test_bonus_cap_above_total_refused(blank):
    with pytest.raises(ValidationError) as exc:
        services.template_update_settings(template=blank, actor=None, bonus_cap=D(150))
    assert "bonus_cap" in exc.value.message_dict
    blank.refresh_from_db()
    assert blank.bonus_cap == D(5)


def test_duplicate_code_in_the_same_group_refused(blank):
    group = add(blank, "I", "10", kind="group")
    add(blank, "1", "5", parent=group)
    with pytest.raises(ValidationError, match="Mã tiêu chí đã có"):
        add(blank, "1", "5", parent=group)


def test_criterion_cannot_be_moved_into_itself(blank):
    outer = add(blank, "I", "10", kind="group")
    inner = add(blank, "1", "10", kind="group", parent=outer)
    with pytest.raises(ValidationError, match="chính nó"):
        services.criterion_update(criterion=outer, actor=None, parent=inner)


def test_unchanged_save_records_nothing(template):
    c = Criterion.objects.filter(template=template, code="I").first()
    before = AuditEvent.objects.count()
    revision = Template.objects.get(pk=template.pk).revision
    services.criterion_update(criterion=c, actor=None, content=c.content, max_points=c.max_points)
    services.template_update_settings(template=template, actor=None, max_total=D(100))
    assert AuditEvent.objects.count() == before
    assert Template.objects.get(pk=template.pk).revision == revision


def test_change_is_audited_old_to_new(template, world):
    c = Criterion.objects.get(template=template, code="2", parent__code="I")
    services.criterion_update(criterion=c, actor=world.users["chair"], content="Nhiệm vụ đột xuất")
    event = AuditEvent.objects.filter(action="criterion.update").latest("id")
    assert event.data["changes"]["content"]["new"] == "Nhiệm vụ đột xuất"
    assert event.actor == world.users["chair"]


def test_stale_revision_refused(template):
    c = Criterion.objects.filter(template=template, code="I").first()
    with pytest.raises(services.StaleTemplateError):
        services.criterion_update(criterion=c, actor=None, revision=0, content="Khác")


def test_move_swaps_siblings(template):
    second = Criterion.objects.get(template=template, code="II")
    services.criterion_move(criterion=second, actor=None, up=True)
    codes = [c.code for c in selectors.criteria_in_tree_order(template) if c.parent_id is None]
    assert codes[:2] == ["II", "I"]


def test_delete_removes_children(template):
    group = Criterion.objects.get(template=template, code="IV")
    services.criterion_delete(criterion=group, actor=None)
    assert not Criterion.objects.filter(template=template, parent__code="IV").exists()


def test_copy_last_year_keeps_tree_settings_and_bands(template, world):
    copy = services.template_copy(source=template, bloc=world.bloc, year=world.year + 1, actor=None)
    old = [(c.code, c.max_points, c.kind) for c in selectors.criteria_in_tree_order(template)]
    new = [(c.code, c.max_points, c.kind) for c in selectors.criteria_in_tree_order(copy)]
    assert old == new and copy.version == 1 and not copy.is_locked
    assert copy.bands.count() == 4 and copy.late_penalty == D(1)


def test_second_template_for_the_same_year_refused(template, world):
    with pytest.raises(ValidationError, match="đã có thang điểm"):
        services.template_create(bloc=world.bloc, year=world.year, actor=None)


_sign = register_all_and_sign


def test_signing_locks_the_template_and_edits_are_refused(template, world):
    _sign(world)
    template.refresh_from_db()
    assert template.is_locked
    c = Criterion.objects.filter(template=template, code="I").first()
    with pytest.raises(ValidationError, match="đã được chốt"):
        services.criterion_update(criterion=c, actor=None, content="Sửa sau ký kết")
    with pytest.raises(ValidationError, match="đã được chốt"):
        services.template_update_settings(template=template, actor=None, bonus_cap=D(3))


def test_new_version_after_signing_applies_to_later_periods(template, world):
    _sign(world)
    v2 = services.template_new_version(
        template=template,
        actor=None,
        applies_from=dt.date(2026, 6, 1),
        change_note="Bổ sung tiêu chí chuyển đổi số",
    )
    assert v2.version == 2 and not v2.is_locked
    c = Criterion.objects.get(template=v2, code="2", parent__code="I")
    services.criterion_update(criterion=c, actor=None, content="Nhiệm vụ đột xuất, chuyển đổi số")
    services.template_apply_version(template=v2, actor=None)
    pick = selectors.template_for_date
    assert pick(bloc_id=world.bloc.pk, year=world.year, day=dt.date(2026, 1, 1)).version == 1
    assert pick(bloc_id=world.bloc.pk, year=world.year, day=dt.date(2026, 6, 1)).version == 2
    old = Criterion.objects.get(template=template, code="2", parent__code="I")
    assert old.content == "Thực hiện các nhiệm vụ đột xuất được giao"


def test_new_version_needs_a_reason_and_a_date_in_the_year(template, world):
    _sign(world)
    with pytest.raises(ValidationError):
        services.template_new_version(
            template=template, actor=None, applies_from=dt.date(2026, 6, 1), change_note=" "
        )
    with pytest.raises(ValidationError):
        services.template_new_version(
            template=template, actor=None, applies_from=dt.date(2027, 1, 1), change_note="x"
        )


def test_new_version_of_an_unlocked_template_refused(template):
    with pytest.raises(ValidationError, match="chưa được chốt"):
        services.template_new_version(
            template=template, actor=None, applies_from=dt.date(2026, 6, 1), change_note="x"
        )


def test_thousand_point_scale(world):
    t = make_template(world.bloc, world.year, sample=samples.scale_1000)
    view = selectors.template_view(t)
    assert view.totals.base == D(1000) and t.allow_exceed_max and view.complete


def _rows(groups: int, per_group: int, *, duplicate: bool = False):
    from scoring.services.templates import CriterionRow

    rows = []
    for g in range(groups):
        rows.append(CriterionRow(f"G{g}", f"Nhóm {g}", "group", D(per_group)))
        parent = len(rows) - 1
        for i in range(per_group):
            code = "1" if duplicate else str(i + 1)
            rows.append(
                CriterionRow(code, f"Tiêu chí {g}.{i}", "graded", D(1), parent_index=parent)
            )
    return rows


def test_an_imported_tree_is_written_in_the_same_queries_at_any_size(blank):
    """One INSERT per level of the tree (it was a save and full_clean's queries per criterion:
    about 8 a row), the tree as the file has it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for groups, per_group in ((2, 3), (6, 10)):
        services.template_replace_tree(template=blank, actor=None, rows=_rows(groups, per_group))
        blank.refresh_from_db()
        rows = _rows(groups, per_group)
        rows[0] = rows[0].__class__(**{**rows[0].__dict__, "content": "Nhóm đầu (sửa)"})
        with CaptureQueriesContext(connection) as ctx:  # a tree of the same size replaced
            services.template_replace_tree(template=blank, actor=None, rows=rows)
        counts.append(len(ctx.captured_queries))
        tree = [(c.code, c.parent.code if c.parent else None) for c in
                selectors.criteria_in_tree_order(blank)]  # fmt: skip
        assert len(tree) == groups * (per_group + 1)
        assert tree[:2] == [("G0", None), ("1", "G0")] and tree[-1] == (
            str(per_group),
            f"G{groups - 1}",
        )
    assert counts[0] == counts[1], counts


def test_an_imported_tree_breaking_a_constraint_is_refused_and_saves_nothing(blank):
    from blocs import rowchecks
    from scoring.models import RatingBand

    assert not rowchecks.missing((Criterion,), services.CRITERION_CHECKS)
    assert not rowchecks.missing((RatingBand,), services.BAND_CHECKS)
    assert not rowchecks.missing((Template,), services.TEMPLATE_CHECKS)
    with pytest.raises(ValidationError, match="Mã tiêu chí đã có trong cùng nhóm."):
        services.template_replace_tree(template=blank, actor=None, rows=_rows(1, 2, duplicate=True))
    bad_step = _rows(1, 1)
    bad_step[1] = bad_step[1].__class__(**{**bad_step[1].__dict__, "step": D(0)})
    with pytest.raises(ValidationError, match="Bước điểm phải lớn hơn 0."):
        services.template_replace_tree(template=blank, actor=None, rows=bad_step)
    with pytest.raises(ValidationError, match="Tỷ lệ tối thiểu phải từ 0 đến 100 %."):
        services.template_set_bands(
            template=blank, actor=None,
            bands=[{"label": "Xuất sắc", "min_total": D(90), "floor_pct": D(120)}],
        )  # fmt: skip
    assert not Criterion.objects.filter(template=blank).exists() and not blank.bands.exists()
