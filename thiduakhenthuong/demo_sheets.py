"""The demo's year-end: Tuyên Quang 2022 (the issued plan, the signed giao ước) brought to the end of
the year through the services, so it obeys the rules and every step is audited.

Sơ kết 6 tháng: every member sends its report before the due date. Tổng kết năm: every member
scores its sheet (values differing by unit, realistic explanations, the required evidence) and
sends it with its report; one sends after the due date (late, penalty applied); the head returns
one with a reason and the unit corrects and sends it again. The deputy (Phó khối) checks each
sheet and adjusts a few lines, the head (Trưởng khối) confirms, and the tổng kết meeting agrees
the final scores. Dates come from the rounds the plan made, never from literals here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from blocs.models import User
from scoring import calc, selectors
from scoring.models import Criterion, Entry, Round, Submission
from scoring.services import reviews
from scoring.services import sheets as sheet_services

K = Criterion.Kind
DEMO = ("Tuyên Quang", 2022)
LATE_UNIT = "Hội Luật gia tỉnh Tuyên Quang"
RETURNED_UNIT = "Tòa án nhân dân tỉnh Tuyên Quang"
# Viện Kiểm sát scores line for line as Sở Tư pháp: the two tie at the top on the total and on
# every tie-breaker, so only the bình xét meeting's vote separates them (DOMAIN §6.3).
TWIN = {"Viện Kiểm sát nhân dân tỉnh Tuyên Quang": "Sở Tư pháp tỉnh Tuyên Quang"}
RETURN_REASON = (
    "Đề nghị bổ sung giải trình tiêu chí I.1 (số liệu giải quyết án theo từng quý) "
    "và kèm báo cáo số liệu có xác nhận của lãnh đạo đơn vị."
)
EXPLAIN = {
    K.QUANTITATIVE: "Đạt {value} % chỉ tiêu đăng ký; số liệu tại Báo cáo thống kê năm {year}.",
    K.GRADED: "Hoàn thành đầy đủ, đúng tiến độ; có văn bản triển khai và báo cáo kết quả.",
    K.PASS_FAIL: "Theo kết quả đánh giá, xếp loại năm {year} của cấp có thẩm quyền.",
    K.PER_OCCURRENCE: "{value} lần; có văn bản, hình ảnh minh chứng kèm theo.",
    K.BONUS: "{value} lần được khen thưởng, biểu dương trong năm {year}.",
    K.DEDUCTION: "{value} lần vi phạm bị nhắc nhở trong năm.",
}
DEPUTY_COMMENTS = [
    "Minh chứng chưa thể hiện đủ số lần đã kê khai; đề nghị tính theo số có văn bản.",
    "Báo cáo gửi chậm so với yêu cầu của Khối; giảm 0,5 điểm.",
]
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"


def _at(day: dt.date | None, back: int, hour: int = 9) -> dt.datetime | None:
    """A moment `back` days before `day` (a negative `back`: after it), in office hours."""
    if day is None:
        return None
    moment = dt.datetime.combine(day - dt.timedelta(days=back), dt.time(hour))
    return moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _input(c: Criterion, i: int) -> tuple[Any, bool | None]:
    """What unit number `i` enters on a line: close to the maximum, different by unit."""
    step = c.step or D("0.5")
    if c.kind == K.PASS_FAIL:
        return None, not (i == 6 and c.source == Criterion.Source.OTHER_AGENCY)
    if c.kind == K.GRADED:
        off = i % 4 if c.max_points >= 10 else i % 2  # a small line loses at most one step
        return max(c.max_points - step * off, calc.ZERO), None
    if c.kind == K.QUANTITATIVE:
        return D(100 - 2 * (i % 3)), None
    if c.kind == K.PER_OCCURRENCE:  # the most the line counts, one fewer for some units
        most = (c.max_points / c.points_per).to_integral_value() if c.points_per else D(3)
        return most - (1 if i % 3 == 1 else 0), None
    if c.kind == K.BONUS:
        return D(i % 2), None
    return D(1 if i == 4 else 0), None  # deduction


def _lines(sub: Submission, i: int, year: int) -> list[sheet_services.LineInput]:
    out = []
    for e in sub.entries.select_related("criterion"):
        value, passed = _input(e.criterion, i)
        text = EXPLAIN[e.criterion.kind].format(value=calc.fmt(value), year=year)
        out.append(
            sheet_services.LineInput(entry_id=e.pk, value=value, passed=passed, explanation=text)
        )
    return out


def _report(unit_name: str, round: Round) -> str:
    return (
        f"BÁO CÁO {round.name.upper()} CÔNG TÁC THI ĐUA, KHEN THƯỞNG NĂM {round.year}\n"
        f"{unit_name}\n\n"
        "I. KẾT QUẢ THỰC HIỆN\n"
        "1. Công tác chỉ đạo, tổ chức phong trào thi đua: đơn vị đã ban hành kế hoạch, phát động "
        "các đợt thi đua theo chuyên đề, ký kết giao ước thi đua đúng thời gian quy định.\n"
        "2. Kết quả thực hiện nhiệm vụ chính trị, chuyên môn: hoàn thành các chỉ tiêu đã đăng "
        "ký; chú trọng cải cách hành chính, ứng dụng công nghệ thông tin.\n"
        "3. Công tác khen thưởng: thực hiện đúng quy trình, kịp thời, công khai.\n\n"
        "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN\n"
        "Việc phát hiện, bồi dưỡng và nhân rộng điển hình tiên tiến có lúc còn chậm.\n\n"
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI\n"
        "Tiếp tục đẩy mạnh các phong trào thi đua, gắn với thực hiện nhiệm vụ chính trị."
    )


def _actor(unit, users: dict[int, User]) -> User | None:
    return users.get(unit.pk)  # a unit without a demo login: the clerk's import (no actor)


def _send(sub: Submission, unit, users, round: Round, late: bool = False) -> Submission:
    actor = _actor(unit, users)
    sheet_services.report_save(submission=sub, actor=actor, body=_report(unit.name, round))
    # Sent a few days before the due date; the late unit five days after it.
    now = _at(round.due, -5 if late else 3 + unit.pk % 5)
    return sheet_services.submission_submit(submission=sub, actor=actor, now=now)


def _evidence(sub: Submission, actor: User | None) -> None:
    for e in sub.entries.filter(criterion__evidence_required=True).select_related("criterion"):
        upload = SimpleUploadedFile(
            f"minh-chung-tieu-chi-{e.criterion.code}.pdf", PDF, content_type="application/pdf"
        )
        sheet_services.file_add(
            submission=sub, actor=actor, upload=upload, purpose="evidence", entry=e
        )


def _patterns(units) -> list[int]:
    """Which unit's values each unit enters: its own, or its TWIN's."""
    index = {u.name: i for i, u in enumerate(units)}
    return [index.get(TWIN.get(u.name, ""), i) for i, u in enumerate(units)]


def _score_sheets(round: Round, units, users) -> list[Submission]:
    subs = []
    for i, unit in zip(_patterns(units), units, strict=True):
        actor = _actor(unit, users)
        sub = sheet_services.submission_open(round=round, unit=unit, actor=actor)
        sheet_services.lines_save(
            submission=sub, actor=actor, lines=_lines(sub, i, round.year), source="demo"
        )
        _evidence(sub, actor)
        subs.append(_send(sub, unit, users, round, late=unit.name == LATE_UNIT))
    return subs


def _return_and_resubmit(sub: Submission, head: User, unit_user: User | None) -> Submission:
    sub = reviews.submission_return(submission=sub, actor=head, reason=RETURN_REASON)
    line = sub.entries.select_related("criterion").get(criterion__kind=K.QUANTITATIVE)
    sheet_services.line_save(
        entry=line,
        actor=unit_user,
        value=line.value,
        explanation=(
            f"{line.explanation} Quý I: 24/25 vụ; quý II: 31/32; quý III: 28/28; quý IV: 30/31 "
            "(có xác nhận của Chánh án)."
        ),
    )
    due = sub.round.due
    return sheet_services.submission_submit(submission=sub, actor=unit_user, now=_at(due, -2))


def _review(sub: Submission, i: int, deputy: User, head: User) -> None:
    """The deputy checks the sheet (adjusting two lines on some sheets), the head confirms."""
    checker = head if deputy.unit_id == sub.unit_id else deputy  # nobody checks its own sheet
    entries = {e.criterion.kind: e for e in sub.entries.select_related("criterion")}
    if i % 3 == 0 and K.PER_OCCURRENCE in entries:
        e = entries[K.PER_OCCURRENCE]
        score = max(e.self_score - (e.criterion.points_per or calc.ZERO), calc.ZERO)
        reviews.review_line(entry=e, actor=checker, score=score, comment=DEPUTY_COMMENTS[0])
    if i % 3 == 1 and K.GRADED in entries:
        e = entries[K.GRADED]
        score = max(e.self_score - D("0.5"), calc.ZERO)
        reviews.review_line(entry=e, actor=checker, score=score, comment=DEPUTY_COMMENTS[1])
    reviews.layer_done(submission=sub, actor=checker)
    sub.refresh_from_db()
    if sub.status == Submission.Status.IN_REVIEW:
        reviews.layer_done(submission=sub, actor=head)


def build_sheets_demo() -> dict[str, int]:
    """Bring the demo bloc-year (DEMO: its rounds come from the issued plan) to the end of the
    year; returns counts."""
    found = Round.objects.filter(bloc__province__name=DEMO[0], year=DEMO[1], active=True)
    rounds = {r.kind: r for r in found}
    units = selectors.member_units(bloc_id=found[0].bloc_id, year=DEMO[1])
    users = {u.unit_id: u for u in User.objects.filter(unit__in=units).order_by("-username")}
    head = User.objects.get(username="truongkhoi")
    deputy = User.objects.get(username="phokhoi")
    so_ket = rounds[Round.Kind.SO_KET]
    for unit in units:
        sub = sheet_services.submission_open(round=so_ket, unit=unit, actor=_actor(unit, users))
        _send(sub, unit, users, so_ket)
    tong_ket = rounds[Round.Kind.TONG_KET]
    subs = _score_sheets(tong_ket, units, users)
    for i, sub in zip(_patterns(units), subs, strict=True):
        if sub.unit.name == RETURNED_UNIT:
            sub = _return_and_resubmit(sub, head, _actor(sub.unit, users))
        _review(sub, i, deputy, head)
    done, _pending = reviews.round_finalize(
        round=tong_ket, actor=head, note="Hội nghị tổng kết Khối thống nhất kết quả chấm điểm."
    )
    return {
        "submissions": Submission.objects.count(),
        "final": done,
        "lines": Entry.objects.count(),
    }
