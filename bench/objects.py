"""The objects of a generated province that the benches open (bloc 0 unless told), by the
names the permission matrices use for their URL arguments (tests/test_permissions.py,
tests/scoring/test_permissions.py), plus the logins of its personas."""

from __future__ import annotations

from typing import Any

from bench import province_data as data

PERSONAS = {
    "chair": data.username(0, 0),
    "deputy": data.username(0, 1),
    "unit_a": data.username(0, 2),
    "unit_b": data.username(0, 3),
    "reviewer": "thamdinh",
    "admin": "quantri",
}


def objects(province: Any, b: int = 0) -> dict[str, Any]:
    """Ids for the URLs of bloc b: its 2022 (the year done: plan issued, sheets final, ranking
    adopted) and, as draft_*, unit_a's 2023 sheet on its deadline day."""
    from django.db import transaction

    from blocs.models import Bloc, Membership, User
    from plans.feeds import calendar_token_renew
    from plans.models import CalendarToken, Plan
    from scoring.models import (
        Attachment,
        ComplianceFlag,
        Criterion,
        Proposal,
        Registration,
        Round,
        Submission,
        Template,
    )

    year = data.YEAR
    bloc = Bloc.objects.get(province=province, name=data.bloc_name(b))
    users = {u.username: u for u in User.objects.filter(username__in=PERSONAS.values())}
    chair, unit_a, unit_b = (users[PERSONAS[p]] for p in ("chair", "unit_a", "unit_b"))
    tong_ket = Round.objects.get(bloc=bloc, year=year, kind=Round.Kind.TONG_KET, active=True)
    sub = Submission.objects.get(round=tong_ket, unit_id=unit_a.unit_id)
    template = Template.objects.filter(bloc=bloc, year=year).order_by("-version").first()
    token = CalendarToken.objects.filter(user=chair).first()
    if token is None:
        with transaction.atomic():
            token = calendar_token_renew(user=chair)
    out: dict[str, Any] = {
        "province_id": province.pk,
        "bloc_id": bloc.pk,
        "year": year,
        "next_year": year + 1,
        "plan_id": Plan.objects.get(bloc=bloc, year=year, status=Plan.Status.ISSUED).pk,
        "membership_id": Membership.objects.get(bloc=bloc, unit_id=unit_b.unit_id).pk,
        "token": token.token,
        "action": "revise",
        "fmt": "html",
        "doc": "giao-uoc",
        "ranking_doc": "bang-tong-hop",
        "seq": 1,
        "user_id": unit_b.pk,
        "account_action": "khoa",
        "round_id": tong_ket.pk,
        "template_id": template.pk,
        "criterion_id": Criterion.objects.filter(template=template, kind="graded").first().pk,
        "registration_id": Registration.objects.get(
            bloc=bloc, year=year, unit_id=unit_a.unit_id
        ).pk,
        "submission_id": sub.pk,
        "entry_id": sub.entries.filter(criterion__kind="graded").first().pk,
        "file_id": Attachment.objects.filter(submission=sub).first().pk,
        "flag_id": ComplianceFlag.objects.filter(bloc=bloc, year=year)
        .values_list("pk", flat=True)
        .first(),
        "proposal_id": Proposal.objects.filter(bloc=bloc, year=year)
        .values_list("pk", flat=True)
        .first(),
    }
    draft = Submission.objects.filter(
        round__bloc=bloc, round__year=year + 1, round__kind="tong_ket", unit_id=unit_a.unit_id
    ).first()
    if draft is not None:
        out["draft_submission_id"] = draft.pk
        out["draft_entry_id"] = draft.entries.order_by("criterion__order").first().pk
        out["draft_file_id"] = None
    return {k: v for k, v in out.items() if v is not None}


def open_year(values: dict[str, Any]) -> dict[str, Any]:
    """The same URL arguments in bloc 0's 2023 (its deadline day): the plan is the draft
    amendment being edited, the template the copied one. For the pages that send a finished
    year's user elsewhere (an issued plan is not edited)."""
    from plans.models import Plan
    from scoring.models import Criterion, Template

    year = values["next_year"]
    plan = Plan.objects.filter(bloc_id=values["bloc_id"], year=year, status="draft").first()
    template = Template.objects.filter(bloc_id=values["bloc_id"], year=year).first()
    if plan is None or template is None:
        return {}
    criterion = Criterion.objects.filter(template=template, kind="graded").first()
    return {
        **values,
        "year": year,
        "plan_id": plan.pk,
        "template_id": template.pk,
        "criterion_id": criterion.pk,
    }
