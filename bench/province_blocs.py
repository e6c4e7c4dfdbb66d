"""One bloc of the generated province, through the services (see bench/province.py for the
story). Every write here is a service call a user's click would make; the only shortcuts are
the accounts (one password hash for all, as `set_password` would store it) and the parsed seed
text (parsed once, then given each bloc's own issuer and signer, as the import review page
would)."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal as D
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from bench import province_data as data
from bench.province_data import bloc_name  # noqa: F401  (province.py resumes by name)
from blocs import services as bloc_services
from blocs.models import Bloc, BlocTerm, Membership, Unit, User
from plans import services as plan_services
from plans.importer import parse_plan_text
from plans.importer.model import ParsedSignatureLine
from plans.models import Plan
from reports import services as report_services
from scoring import calc, selectors
from scoring import ranking as ranking_rows
from scoring.models import ComplianceFlag, Criterion, Ranking, Round, Submission
from scoring.services import compliance, reviews
from scoring.services import proposals as proposal_services
from scoring.services import ranking as ranking_services
from scoring.services import registrations as reg_services
from scoring.services import sheets as sheet_services
from scoring.services import templates as tpl_services
from thiduakhenthuong.demo_data import seed_text

K = Criterion.Kind
TZ = dt.timezone(dt.timedelta(hours=7))


@dataclass
class World:
    province: Any
    admin: User
    hashed: str
    clock: Any
    parsed: Any = None
    rows: list = field(default_factory=list)
    seed: str = ""

    def prepare(self, criteria: int) -> None:
        self.seed = seed_text("000")
        self.parsed = parse_plan_text(self.seed, default_year=data.YEAR)
        self.rows = data.criteria_rows(criteria)


@dataclass
class BlocYear:
    bloc: Bloc
    year: int
    units: list[Unit]  # in the order they were made: 0 is the head, 1 the deputy
    users: dict[int, User]  # unit id → its account
    head: User
    deputy: User


def _at(day: dt.date, back: int) -> dt.datetime:
    """Office hours `back` days before `day` (after it when negative)."""
    return dt.datetime.combine(day - dt.timedelta(days=back), dt.time(9), tzinfo=TZ)


def _units_and_bloc(w: World, b: int, n: int) -> tuple[Bloc, list[Unit]]:
    admin = w.admin
    units = [
        bloc_services.unit_create(
            province=w.province,
            name=data.unit_name(b, u),
            kind=Unit.Kind.SO_NGANH,
            short_name=data.unit_name(b, u).split(" (")[0],
            actor=admin,
        )
        for u in range(n)
    ]
    bloc = bloc_services.bloc_create(
        province=w.province,
        name=data.bloc_name(b),
        kind=Bloc.Kind.KHOI,
        symbol="KTĐ",
        decision_number=f"Quyết định số {100 + b}/QĐ-UBND",
        decision_date=dt.date(data.YEAR - 1, 12, 1),
        decision_issuer="Chủ tịch Ủy ban nhân dân tỉnh",
        actor=admin,
    )
    for unit in units:
        bloc_services.membership_add(
            bloc=bloc,
            unit=unit,
            joined_on=dt.date(data.YEAR, 1, 1),
            join_reason=Membership.Reason.THANH_LAP,
            decision_ref=f"Quyết định số {100 + b}/QĐ-UBND ngày 01/12/{data.YEAR - 1}",
            actor=admin,
        )
    return bloc, units


def _term(w: World, bloc: Bloc, units: list[Unit], b: int, year: int) -> BlocTerm:
    return bloc_services.term_set(
        bloc=bloc,
        year=year,
        head_unit=units[0],
        deputy_units=[units[1]],
        basis=f"Quyết định số {100 + b}/QĐ-UBND",
        basis_date=dt.date(data.YEAR - 1, 12, 1),
        head_display=units[0].short_name,
        signer_position=data.position(b),
        signer_rank="",
        signer_name=data.person(b * 31),
        actor=w.admin,
    )


def _accounts(w: World, b: int, units: list[Unit]) -> dict[int, User]:
    made = []
    for u, unit in enumerate(units):
        user = User(
            username=data.username(b, u),
            full_name=data.person(b * 31 + u),
            unit=unit,
            password=w.hashed,
        )
        user.full_clean(exclude=["password"])
        made.append(user)
    User.objects.bulk_create(made)
    return {u.unit_id: u for u in User.objects.filter(unit__in=units)}


def _registrations(w: World, by: BlocYear, template) -> None:
    measured = list(
        Criterion.objects.filter(template=template, kind=K.QUANTITATIVE).order_by("order")
    )
    for i, unit in enumerate(by.units):
        targets = [
            {
                "content": content,
                "measure": measure,
                "target_value": value,
                "criterion": measured[n] if n < len(measured) else None,
            }
            for n, (content, measure, value) in enumerate(data.TARGETS)
        ]
        titles = {"co_tinh" if i == 0 else "ttldxs": 1, "ldtt": 30 + i, "cstdcs": 4 + i % 3}
        actor = by.users[unit.pk]
        reg = reg_services.registration_save(
            bloc=by.bloc, year=by.year, unit=unit, actor=actor, targets=targets, titles=titles
        )
        reg = reg_services.registration_submit(registration=reg, actor=actor)
        reg_services.registration_accept(registration=reg, actor=by.head)


def _sign(by: BlocYear, day: dt.date) -> None:
    report_services.sign_giao_uoc(
        bloc=by.bloc,
        year=by.year,
        actor=by.head,
        date=day,
        place=f"Hội trường {by.units[0].name}",
        attending=by.units,
    )


def _parsed_for(w: World, term: BlocTerm) -> Any:
    """Seed 000 as the bloc's own plan: its head signs it (what the import review page lets
    the secretariat correct before saving)."""
    parsed = copy.deepcopy(w.parsed)
    parsed.signature = [
        ParsedSignatureLine(role="position", text="TRƯỞNG KHỐI THI ĐUA", after_gap=False),
        ParsedSignatureLine(role="position", text=term.head_print_name.upper(), after_gap=False),
        ParsedSignatureLine(role="position", text=term.signer_position.upper(), after_gap=True),
        ParsedSignatureLine(role="name", text=term.signer_name, after_gap=True),
    ]
    return parsed


def _plan(w: World, by: BlocYear, term: BlocTerm) -> Plan:
    parsed = _parsed_for(w, term)
    title = f"Phát động phong trào thi đua {by.bloc.name} năm {by.year}"
    plan = plan_services.plan_create_from_import(
        bloc=by.bloc,
        parsed=parsed,
        actor=by.head,
        source_text=w.seed,
        overrides={"title": title},
    )
    plan = plan_services.plan_approve(plan=plan, actor=by.head)
    report_services.issue_document(
        kind="plan", subject=plan, actor=by.head, issue_date=data.ISSUED_ON
    )
    return Plan.objects.get(pk=plan.pk)


def _lines(sub: Submission, u: int, year: int, *, only: int | None = None) -> list:
    entries = list(sub.entries.select_related("criterion").order_by("criterion__order"))
    out = []
    for n, e in enumerate(entries[:only] if only is not None else entries):
        value, passed = data.line_input(e.criterion, u, n)
        text = data.EXPLAIN[e.criterion.kind].format(
            value=calc.fmt(value) if value is not None else "", year=year
        )
        out.append(
            sheet_services.LineInput(entry_id=e.pk, value=value, passed=passed, explanation=text)
        )
    return out


def _evidence(sub: Submission, actor: User) -> None:
    for e in sub.entries.filter(criterion__evidence_required=True).select_related("criterion"):
        upload = SimpleUploadedFile(
            f"minh-chung-tieu-chi-{e.criterion.code}.pdf",
            data.EVIDENCE_PDF,
            content_type="application/pdf",
        )
        sheet_services.file_add(
            submission=sub, actor=actor, upload=upload, purpose="evidence", entry=e
        )


def _report(sub: Submission, by: BlocYear, unit: Unit, rnd: Round) -> None:
    body = data.REPORT.format(round=rnd.name.upper(), year=by.year, unit=unit.name)
    sheet_services.report_save(submission=sub, actor=by.users[unit.pk], body=body)


def _so_ket(w: World, by: BlocYear, rnd: Round) -> None:
    for u, unit in enumerate(by.units):
        actor = by.users[unit.pk]
        sub = sheet_services.submission_open(round=rnd, unit=unit, actor=actor)
        _report(sub, by, unit, rnd)
        sheet_services.submission_submit(submission=sub, actor=actor, now=_at(rnd.due, 2 + u % 5))


def _score(w: World, by: BlocYear, rnd: Round, b: int) -> list[Submission]:
    subs = []
    late = len(by.units) - 1 if b % 3 == 0 else None
    for u, unit in enumerate(by.units):
        actor = by.users[unit.pk]
        with w.clock.step("sheet open"):
            sub = sheet_services.submission_open(round=rnd, unit=unit, actor=actor)
        with w.clock.step("sheet lines"):
            lines = _lines(sub, b * 7 + u, by.year)
            sheet_services.lines_save(submission=sub, actor=actor, lines=lines, source="bench")
        with w.clock.step("sheet evidence+report"):
            _evidence(sub, actor)
            _report(sub, by, unit, rnd)
        with w.clock.step("sheet submit"):
            now = _at(rnd.due, -5 if u == late else 1 + u % 6)
            subs.append(sheet_services.submission_submit(submission=sub, actor=actor, now=now))
    return subs


def _return_and_correct(by: BlocYear, sub: Submission) -> Submission:
    sub = reviews.submission_return(
        submission=sub,
        actor=by.head,
        reason="Đề nghị bổ sung giải trình tiêu chí I.1 và số liệu có xác nhận của lãnh đạo.",
    )
    line = sub.entries.select_related("criterion").filter(criterion__kind=K.QUANTITATIVE).first()
    actor = by.users[sub.unit_id]
    sheet_services.line_save(
        entry=line,
        actor=actor,
        value=line.value,
        explanation=f"{line.explanation} Có xác nhận của Thủ trưởng đơn vị.",
    )
    return sheet_services.submission_submit(submission=sub, actor=actor, now=_at(sub.round.due, -2))


def _review(by: BlocYear, sub: Submission, u: int) -> None:
    """The deputy checks (adjusting a graded line on every third sheet), the head confirms."""
    checker = by.head if by.deputy.unit_id == sub.unit_id else by.deputy
    if u % 3 == 0:
        e = (
            sub.entries.select_related("criterion")
            .filter(criterion__kind=K.GRADED, self_score__gt=0)
            .order_by("criterion__order")
            .first()
        )
        if e is not None:
            score = max(e.self_score - (e.criterion.step or data.STEP), calc.ZERO)
            reviews.review_line(entry=e, actor=checker, score=score, comment=data.REVIEW_COMMENT)
    sub = reviews.layer_done(submission=sub, actor=checker)
    if sub.status == Submission.Status.IN_REVIEW:
        reviews.layer_done(submission=sub, actor=by.head)


def _rank(w: World, by: BlocYear, b: int) -> Ranking:
    if b % 5 == 0:
        compliance.flag_add(
            bloc=by.bloc,
            year=by.year,
            actor=by.head,
            unit=by.units[-2],
            kind=ComplianceFlag.Kind.INSPECTION,
            effect=ComplianceFlag.Effect.VETO_ALL,
            source="Thanh tra tỉnh",
            note="Đơn vị đang trong thời gian thanh tra công vụ theo thông báo của Thanh tra tỉnh.",
        )
    if b % 5 == 3:
        compliance.flag_add(
            bloc=by.bloc,
            year=by.year,
            actor=by.head,
            unit=by.units[-3],
            kind=ComplianceFlag.Kind.DISCIPLINE,
            effect=ComplianceFlag.Effect.DEDUCT,
            points=D("0.5"),
            source="Sở Nội vụ",
            note="Cán bộ của đơn vị bị kỷ luật khiển trách trong năm.",
        )
    ranking = ranking_services.ranking_compute(bloc=by.bloc, year=by.year, actor=by.head)
    head_name = f"Đồng chí {data.person(b * 31)}, {data.position(b)}, Trưởng khối"
    ranking_services.meeting_save(
        bloc=by.bloc,
        year=by.year,
        actor=by.head,
        attending=by.units,
        date=data.MEETING_ON,
        place=f"Hội trường {by.units[0].name}",
        chair=head_name,
        secretary=f"Đồng chí {data.person(b * 31 + 5)}, chuyên viên",
        note="Hội nghị thống nhất kết quả chấm điểm, xếp hạng và biểu quyết suy tôn.",
    )
    tied = [r for r in ranking.rows.order_by("position") if ranking_rows.needs_vote(r.trace)]
    if tied:
        votes = {r.unit_id: len(by.units) - i for i, r in enumerate(tied)}
        ranking = ranking_services.tie_votes_record(ranking=ranking, actor=by.head, votes=votes)
    n = len(by.units)
    ranking = ranking_services.ranking_vote(
        ranking=ranking, actor=by.head, vote_for=n, vote_against=0, vote_total=n
    )
    with w.clock.step("adopt (minutes PDF)"):
        report_services.adopt_ranking(ranking=ranking, actor=by.head)
    proposal_services.proposals_generate(bloc=by.bloc, year=by.year, actor=by.head)
    return ranking


def build_bloc(w: World, b: int, n: int) -> None:
    """Bloc number b (from 0) with n units, its year 2022 carried to an adopted ranking."""
    clock = w.clock
    with clock.step("units, bloc, term"):
        bloc, units = _units_and_bloc(w, b, n)
        term = _term(w, bloc, units, b, data.YEAR)
        users = _accounts(w, b, units)
    by = BlocYear(bloc, data.YEAR, units, users, users[units[0].pk], users[units[1].pk])
    with clock.step("template"):
        template = tpl_services.template_import(
            bloc=bloc,
            year=data.YEAR,
            actor=by.head,
            rows=w.rows,
            settings=data.SETTINGS,
            bands=data.BANDS,
        )
    with clock.step("registrations"):
        _registrations(w, by, template)
    with clock.step("giao ước (PDF)"):
        _sign(by, data.SIGNED_ON)
    with clock.step("plan (PDF)"):
        _plan(w, by, term)
    rounds = {r.kind: r for r in Round.objects.filter(bloc=bloc, year=data.YEAR, active=True)}
    with clock.step("sơ kết reports"):
        _so_ket(w, by, rounds[Round.Kind.SO_KET])
    subs = _score(w, by, rounds[Round.Kind.TONG_KET], b)
    with clock.step("reviews"):
        for u, sub in enumerate(subs):
            if u == 2 and b % 4 == 1:
                sub = _return_and_correct(by, sub)
            _review(by, sub, u)
        reviews.round_finalize(
            round=rounds[Round.Kind.TONG_KET],
            actor=by.head,
            note="Hội nghị tổng kết Khối thống nhất kết quả chấm điểm.",
        )
    with clock.step("ranking"):
        _rank(w, by, b)


def build_next_year(w: World, b: int) -> bool:
    """Bloc b's 2023 on its deadline day (False when it is there already)."""
    year = data.YEAR + 1
    bloc = Bloc.objects.get(province=w.province, name=data.bloc_name(b))
    if BlocTerm.objects.filter(bloc=bloc, year=year).exists():
        return False
    Bloc.objects.select_for_update().get(pk=bloc.pk)
    accounts = list(
        User.objects.filter(unit__memberships__bloc=bloc)
        .select_related("unit")
        .order_by("username")
    )
    units = [a.unit for a in accounts]  # k…d00 is the head's, k…d01 the deputy's
    _term(w, bloc, units, b, year)
    users = {a.unit_id: a for a in accounts}
    by = BlocYear(bloc, year, units, users, users[units[0].pk], users[units[1].pk])
    last = selectors.current_template(bloc_id=bloc.pk, year=year - 1)
    template = tpl_services.template_copy(source=last, bloc=bloc, year=year, actor=by.head)
    _registrations(w, by, template)
    _sign(by, data.NEXT_SIGNED_ON)
    old = Plan.objects.get(bloc=bloc, year=year - 1, status=Plan.Status.ISSUED)
    plan = plan_services.plan_copy_to_next_year(plan=old, actor=by.head)
    plan = plan_services.plan_approve(plan=plan, actor=by.head, confirm_mentions=True)
    report_services.issue_document(
        kind="plan", subject=plan, actor=by.head, issue_date=data.NEXT_ISSUED_ON
    )
    rnd = ranking_rows.tong_ket_round(bloc_id=bloc.pk, year=year)
    half = len(w.rows) // 2
    for u, unit in enumerate(units):
        actor = users[unit.pk]
        sub = sheet_services.submission_open(round=rnd, unit=unit, actor=actor)
        lines = _lines(sub, b * 7 + u + 1, year, only=half)
        sheet_services.lines_save(submission=sub, actor=actor, lines=lines, source="bench")
    plan_services.plan_amend(plan=Plan.objects.get(pk=plan.pk), actor=by.head)
    return True
