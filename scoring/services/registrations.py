"""Writes on registrations and the giao ước (DOMAIN §6.2):

    (none) → DRAFT → SUBMITTED → RETURNED (reason) → DRAFT …
                     SUBMITTED → ACCEPTED → SIGNED (at the signing meeting)

A unit edits only its own registration, only while it is a member of the bloc that year, only in
DRAFT or RETURNED, and never after the giao ước is signed. Signing records the meeting, moves the
accepted registrations to SIGNED and locks the template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from blocs import audit, rowchecks
from blocs.models import Bloc, Membership, Unit
from blocs.prefetch import lists_read, read_lists, set_prefetched
from scoring import calc, selectors
from scoring.models import Registration, SigningMeeting, Target, Template, Title, TitleGoal
from scoring.services.templates import lock_template

R = Registration.Status
SIGNED_MESSAGE = "Giao ước thi đua năm này đã được ký kết; bản đăng ký không sửa được nữa."
STALE_MESSAGE = (
    "Bản đăng ký vừa được thay đổi sau khi bạn mở trang này, nên thay đổi của bạn chưa được lưu. "
    "Hãy xem lại nội dung hiện tại rồi nhập lại."
)
STALE_DECISION = (
    "Bản đăng ký vừa được thay đổi sau khi bạn mở trang này (bởi người khác hoặc ở một thẻ khác), "
    "nên thao tác của bạn chưa được thực hiện. Hãy xem lại nội dung hiện tại rồi thao tác lại."
)
TARGET_FIELDS = ("content", "measure", "target_value", "criterion")


class StaleRegistrationError(ValidationError):
    pass


def log(reg: Registration, action: str, actor: Any, **data: Any) -> None:
    audit.record(actor=actor, action=action, obj=reg, bloc=reg.bloc, year=reg.year, data=data)


def is_signed(bloc_id: int, year: int) -> bool:
    return SigningMeeting.objects.filter(bloc_id=bloc_id, year=year).exists()


def _lock(reg: Registration, revision: int | None, message: str = STALE_MESSAGE) -> Registration:
    locked = Registration.objects.select_for_update().select_related("bloc", "unit").get(pk=reg.pk)
    if revision is not None and int(revision) != locked.revision:
        raise StaleRegistrationError(message, code="stale")
    return locked


def _target_label(t: dict[str, Any]) -> str:
    value = (
        "" if t.get("target_value") is None else f" {calc.fmt(calc.to_decimal(t['target_value']))}"
    )
    crit = t.get("criterion")
    return f"{t['content']}:{value} {t.get('measure', '')}".strip() + (
        f" [{crit.code}]" if crit else ""
    )


class CriterionRef(NamedTuple):
    """A stored target's criterion as its label needs it (read with the target, no query)."""

    pk: int
    code: str


# A registration's targets (each with its criterion's code) and titles, read with its lock.
LISTS = ("targets", "titles")
LIST_EXTRA = {"targets": {"criterion_code": "criterion__code"}}


def _stored_targets(reg: Registration) -> list[dict[str, Any]]:
    """The locked registration's targets (read with it) as the form's rows compare."""
    return [
        {
            **{name: getattr(t, name) for name in TARGET_FIELDS if name != "criterion"},
            "criterion": CriterionRef(t.criterion_id, t.criterion_code) if t.criterion_id else None,
        }
        for t in sorted(reg.targets.all(), key=lambda t: (t.order, t.pk))
    ]


def _check_criteria(targets: Sequence[dict[str, Any]], template_id: int | None, year: int) -> None:
    """Every linked criterion is one of the bloc-year's current template (`template_id`)."""
    for t in targets:
        crit = t.get("criterion")
        if crit is not None and (template_id is None or crit.template_id != template_id):
            raise ValidationError(
                {"targets": f"Tiêu chí {crit.code} không thuộc thang điểm năm {year}."}
            )


def _lock_or_start(
    bloc: Bloc, year: int, unit: Unit, actor: Any, revision: int | None
) -> tuple[Registration, bool, int | None]:
    """The unit's registration, locked, with its targets and titles (blocs.prefetch.read_lists;
    created, and so locked by its INSERT, if there is none), whether it was created, and the
    bloc-year's current template (its targets' criteria must be of it); refused once the giao ước is signed, for a unit that
    is not a member that year, or if the form was opened on an older revision."""
    # the giao ước not signed, the unit a member that year, the current template: one query
    signed, member, template_id = (
        Bloc.objects.filter(pk=bloc.pk)
        .annotate(
            signed=Exists(SigningMeeting.objects.filter(bloc=OuterRef("pk"), year=year)),
            member=Exists(Membership.objects.for_year(year).filter(bloc=OuterRef("pk"), unit=unit)),
            template=Subquery(
                selectors.newest_first(bloc_id=OuterRef("pk"), year=year).values("pk")[:1]
            ),
        )
        .values_list("signed", "member", "template")
        .get()
    )
    if signed:
        raise ValidationError(SIGNED_MESSAGE, code="signed")
    if not member:
        raise ValidationError(
            f"{unit} không phải thành viên của {bloc} trong năm {year}, nên không đăng ký được."
        )
    mine = read_lists(
        Registration.objects.select_for_update().select_related("bloc", "unit"),
        LISTS,
        revision,
        extra=LIST_EXTRA,
    )
    reg = mine.filter(bloc=bloc, year=year, unit=unit).first()
    created = reg is None
    if created:
        try:
            with transaction.atomic():
                reg = Registration.objects.create(bloc=bloc, year=year, unit=unit)
        except IntegrityError:  # a first save of the same unit at the same moment won
            reg, created = mine.get(bloc=bloc, year=year, unit=unit), False
        else:
            log(reg, "registration.create", actor)
    if revision is not None and int(revision) != reg.revision:
        raise StaleRegistrationError(STALE_MESSAGE, code="stale")
    if created:  # no targets or titles yet: nothing to read
        for name in LISTS:
            set_prefetched(reg, name, [])
    else:
        lists_read(reg, LISTS, revision, extra=LIST_EXTRA)
    return reg, created, template_id


# The check constraints of registrations, targets and titles, tested in Python (full_clean
# would run a query for each constraint of each row): {constraint name: the row breaks it}.
# A title appears once (the keys of a dict), which is the titles' unique constraint; a unit's
# registration is found by its unit, which is the registrations' one.
ROW_CHECKS = {
    "returned_registration_has_reason": lambda r: r.status == R.RETURNED and not r.returned_reason,
    "target_value_not_negative": lambda t: t.target_value is not None and t.target_value < 0,
    "title_goal_count_range": lambda g: not 1 <= g.count <= 100000,
}


def _replace(related: Any, rows: list[Any], created: bool) -> None:
    """A registration's targets or titles replaced by `rows` in one INSERT, validated first
    without a query: the registration is locked and the criteria are checked."""
    for row in rows:
        rowchecks.clean(row, ROW_CHECKS, exclude=("registration", "criterion"))
    if not created:
        related.all()._raw_delete(related.db)
    related.model.objects.bulk_create(rows)


def _write_titles(
    reg: Registration, stored: dict[str, TitleGoal], new: dict[str, int]
) -> list[TitleGoal]:
    """The titles written in place, a statement per kind of change (a changed count one UPDATE),
    or replaced (one DELETE, one INSERT) when that takes fewer; the titles after it."""
    goals = {t: TitleGoal(registration=reg, title=t, count=c) for t, c in new.items()}
    for goal in goals.values():
        rowchecks.clean(goal, ROW_CHECKS, exclude=("registration",))
    gone = [g.pk for t, g in stored.items() if t not in new]
    changed = [g for t, g in stored.items() if t in new and g.count != new[t]]
    for g in changed:
        g.count = new[g.title]
    added = [g for t, g in goals.items() if t not in stored]
    if sum(bool(x) for x in (gone, changed, added)) > bool(stored) + bool(goals):
        _replace(reg.titles, list(goals.values()), not stored)
        return list(goals.values())
    if gone:
        TitleGoal.objects.filter(pk__in=gone)._raw_delete(TitleGoal.objects.db)
    if changed:
        TitleGoal.objects.bulk_update(changed, ["count"])
    if added:
        TitleGoal.objects.bulk_create(added)
    return [g for t, g in stored.items() if t in new] + added


@transaction.atomic
def registration_save(
    *,
    bloc: Bloc,
    year: int,
    unit: Unit,
    actor: Any,
    targets: Sequence[dict[str, Any]],
    titles: dict[str, int],
    note: str = "",
    revision: int | None = None,
) -> Registration:
    """Create or change a unit's registration: its targets (content, measure, target value,
    linked criterion) and the titles it aims for ({title: count}; collective titles count 1).
    A returned registration goes back to DRAFT when corrected. Unchanged input records nothing."""
    reg, created, template_id = _lock_or_start(bloc, year, unit, actor, revision)
    if not reg.is_editable:
        raise ValidationError(
            f"Bản đăng ký đang ở trạng thái “{reg.get_status_display()}”, không sửa được.",
            code="state",
        )
    unknown = set(titles) - set(Title.values)
    if unknown:
        raise ValidationError({"titles": f"Danh hiệu không hợp lệ: {sorted(unknown)}"})
    old_targets = _stored_targets(reg)  # none when just created
    stored_titles = {g.title: g for g in reg.titles.all()}  # none when just created
    old_titles = {t: g.count for t, g in stored_titles.items()}
    new_titles = {k: int(v) for k, v in titles.items() if v}
    changes: dict[str, Any] = {}
    target_diff = audit.list_changes(old_targets, targets, label=_target_label)
    if target_diff:  # targets kept as stored were checked when they were written
        _check_criteria(targets, template_id, reg.year)
        rows = [
            Target(
                registration=reg,
                order=i,
                content=t.get("content") or "",
                measure=t.get("measure") or "",
                target_value=t.get("target_value"),
                criterion=t.get("criterion"),
            )
            for i, t in enumerate(targets)
        ]
        _replace(reg.targets, rows, created)
        set_prefetched(reg, "targets", rows)  # the returned row's lists are the stored ones
        changes["targets"] = target_diff
    if old_titles != new_titles:
        set_prefetched(reg, "titles", _write_titles(reg, stored_titles, new_titles))
        changes["titles"] = audit.changes(old_titles, new_titles) | {
            k: {"old": v, "new": None} for k, v in old_titles.items() if k not in new_titles
        }
    fields = []
    if reg.note != note:
        changes["note"] = {"old": reg.note, "new": note}
        reg.note = note
        fields.append("note")
    if not changes:
        return reg
    if reg.status == R.RETURNED:
        changes["status"] = {"old": R.RETURNED, "new": R.DRAFT}
        reg.status = R.DRAFT
        fields.append("status")
    reg.revision += 1
    reg.save(update_fields=[*fields, "revision"])
    log(reg, "registration.update", actor, changes=changes)
    return reg


def _transition(
    reg: Registration, allowed: set[str], target: str, action: str, actor: Any, **fields: Any
) -> Registration:
    locked = _lock(reg, fields.pop("revision", None), STALE_DECISION)
    if is_signed(locked.bloc_id, locked.year):
        raise ValidationError(SIGNED_MESSAGE, code="signed")
    if locked.status not in allowed:
        raise ValidationError(
            f"Không thể chuyển bản đăng ký từ “{locked.get_status_display()}” sang "
            f"“{R(target).label}”.",
            code="state",
        )
    old = locked.status
    locked.status = target
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.revision += 1
    # the locked row's bloc and unit, and the actor
    rowchecks.clean(locked, ROW_CHECKS, exclude=("bloc", "unit", "reviewed_by"))
    locked.save(update_fields=["status", "revision", *fields])
    extra = {"reason": fields["returned_reason"]} if "returned_reason" in fields else {}
    log(locked, action, actor, old=old, new=target, **extra)
    return locked


@transaction.atomic
def registration_submit(
    *, registration: Registration, actor: Any, revision: int | None = None
) -> Registration:
    """The unit sends its registration to the secretariat: at least one target or one title.
    `revision`: the one the page showed; a registration saved since (another tab) is refused,
    so what is sent is what the sender saw."""
    locked = _lock(registration, revision, STALE_DECISION)
    if not locked.targets.exists() and not locked.titles.exists():
        raise ValidationError(
            "Bản đăng ký chưa có chỉ tiêu hay danh hiệu nào; hãy nhập trước khi gửi.", code="empty"
        )
    now = timezone.now()
    fields: dict[str, Any] = {"submitted_at": now}
    if locked.first_submitted_at is None:
        fields["first_submitted_at"] = now
    return _transition(
        locked, {R.DRAFT, R.RETURNED}, R.SUBMITTED, "registration.submit", actor, **fields
    )


@transaction.atomic
def registration_accept(
    *, registration: Registration, actor: Any, revision: int | None = None
) -> Registration:
    """The secretariat accepts a submitted registration. `revision`: the one the page showed;
    a registration returned, corrected or decided by someone else since is refused, so nobody
    accepts a version they have not read."""
    return _transition(
        registration,
        {R.SUBMITTED},
        R.ACCEPTED,
        "registration.accept",
        actor,
        revision=revision,
        reviewed_at=timezone.now(),
        reviewed_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def registration_return(
    *, registration: Registration, actor: Any, reason: str, revision: int | None = None
) -> Registration:
    """The secretariat returns a submitted (or accepted, before signing) registration with a
    reason; the unit corrects it and sends it again. `revision` as for accepting."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Hãy nêu lý do trả lại để đơn vị biết cần sửa gì."})
    return _transition(
        registration,
        {R.SUBMITTED, R.ACCEPTED},
        R.RETURNED,
        "registration.return",
        actor,
        revision=revision,
        returned_reason=reason,
        reviewed_at=timezone.now(),
        reviewed_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def giao_uoc_sign(
    *,
    bloc: Bloc,
    year: int,
    actor: Any,
    date: dt.date,
    place: str,
    attending: Sequence[Unit],
    note: str = "",
    partial: bool = False,
) -> SigningMeeting:
    """Record the signing meeting (date, place, attending units): the accepted registrations
    become SIGNED and the template (its newest version) is locked. Members whose registration
    is not accepted block the signing unless `partial` says to sign without them."""
    Bloc.objects.select_for_update().get(pk=bloc.pk)
    if is_signed(bloc.pk, year):
        raise ValidationError("Giao ước thi đua năm này đã được ký kết.", code="signed")
    if date.year not in (year - 1, year):
        raise ValidationError({"date": f"Ngày ký kết phải trong năm {year} (hoặc cuối năm trước)."})
    members = selectors.member_units(bloc_id=bloc.pk, year=year)
    member_ids = {u.pk for u in members}
    outsiders = [u for u in attending if u.pk not in member_ids]
    if outsiders:
        raise ValidationError({"attending": f"Không phải thành viên của khối: {outsiders[0]}."})
    template = selectors.current_template(bloc_id=bloc.pk, year=year)
    if template is None:
        raise ValidationError("Khối chưa có thang điểm năm này; hãy xây dựng thang điểm trước.")
    regs = list(Registration.objects.select_for_update().filter(bloc=bloc, year=year))
    accepted = [r for r in regs if r.status == R.ACCEPTED]
    accepted_units = {r.unit_id for r in accepted}
    missing = [u.name for u in members if u.pk not in accepted_units]
    if not accepted:
        raise ValidationError("Chưa có bản đăng ký nào được chấp nhận.")
    if missing and not partial:
        raise ValidationError(
            {"partial": "Các đơn vị chưa được chấp nhận đăng ký: " + "; ".join(missing) + "."}
        )
    meeting = SigningMeeting(
        bloc=bloc,
        year=year,
        date=date,
        place=place.strip(),
        note=note.strip(),
        signed_by=actor if getattr(actor, "pk", None) else None,
    )
    meeting.full_clean()
    meeting.save()
    meeting.attending.set(attending)
    lock_template(template, actor, reason="giao ước signed")
    # every accepted registration signed in one UPDATE (each one's revision moves on)
    Registration.objects.filter(pk__in=[reg.pk for reg in accepted]).update(
        status=R.SIGNED, revision=F("revision") + 1
    )
    for reg in accepted:
        reg.status, reg.revision = R.SIGNED, reg.revision + 1
    audit.record(
        actor=actor,
        action="giao_uoc.sign",
        obj=meeting,
        bloc=bloc,
        year=year,
        data={
            "date": date.isoformat(),
            "place": meeting.place,
            "attending": [u.name for u in attending],
            "signed": len(accepted),
            "not_signed": missing,
            "template": str(template),
        },
    )
    return meeting


def template_of_signing(meeting: SigningMeeting) -> Template | None:
    return Template.objects.filter(bloc_id=meeting.bloc_id, year=meeting.year, version=1).first()
