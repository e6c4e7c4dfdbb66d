"""Reads shared by the blocs views (and later by documents). Query counts stay bounded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from blocs.access import (
    ADMIN,
    DEPUTY,
    MEMBER,
    REVIEWER,
    ROLE_LABELS,
    SECRETARIAT,
    is_site_admin,
)
from blocs.models import Bloc, BlocTerm, Membership, Province, Unit


@dataclass
class MemberRow:
    membership: Membership
    unit: Unit
    role: str  # SECRETARIAT / DEPUTY / MEMBER (the unit's role, not the user's)
    role_label: str
    active: bool


def member_rows(*, bloc: Bloc, year: int, term: BlocTerm | None) -> list[MemberRow]:
    """The members of a bloc in a year with their dates and roles; head first, then deputies."""
    deputy_ids = {u.pk for u in term.deputy_units.all()} if term else set()
    head_id = term.head_unit_id if term else None
    today = dt.date.today()
    rows = []
    qs = (
        Membership.objects.for_year(year)
        .filter(bloc=bloc)
        .select_related("unit", "unit__successor")
        .order_by("unit__name", "joined_on")
    )
    for m in qs:
        role = (
            SECRETARIAT if m.unit_id == head_id else DEPUTY if m.unit_id in deputy_ids else MEMBER
        )
        label = {SECRETARIAT: "Trưởng khối", DEPUTY: "Phó khối", MEMBER: "Thành viên"}[role]
        active = m.joined_on <= today and (m.left_on is None or m.left_on >= today)
        rows.append(
            MemberRow(membership=m, unit=m.unit, role=role, role_label=label, active=active)
        )
    order = {SECRETARIAT: 0, DEPUTY: 1, MEMBER: 2}
    rows.sort(key=lambda r: (order[r.role], r.unit.name))
    return rows


@dataclass
class HomeEntry:
    bloc: Bloc
    year: int
    term: BlocTerm | None
    role: str
    role_label: str
    member_count: int = 0


def blocs_for_user(*, user: Any) -> list[HomeEntry]:
    """Each bloc-year the user can open, newest year first, with the user's role there."""
    return home_entries(user=user)[0]


def home_entries(*, user: Any) -> tuple[list[HomeEntry], list[Membership], list[BlocTerm]]:
    """blocs_for_user, every membership of the user's unit (each bloc the unit belongs to is one
    of those blocs, so they come from the same query as the member counts) and every term of
    those blocs with its deputies (each term the unit heads or deputises is one of them): the
    home page passes them on to the unit's deadlines and registration reminders."""
    if not user.is_authenticated:
        return [], [], []
    terms_qs = BlocTerm.objects.select_related("head_unit").prefetch_related("deputy_units")
    blocs = Bloc.objects.select_related("province").prefetch_related(
        Prefetch("terms", queryset=terms_qs)
    )
    unit_id = user.unit_id
    if is_site_admin(user):
        pass
    elif user.reviewer_province_id:
        blocs = blocs.filter(
            Q(province_id=user.reviewer_province_id)
            | Q(memberships__unit_id=unit_id)
            | Q(terms__head_unit_id=unit_id)
            | Q(terms__deputy_units__id=unit_id)
        )
    elif unit_id:
        blocs = blocs.filter(
            Q(memberships__unit_id=unit_id)
            | Q(terms__head_unit_id=unit_id)
            | Q(terms__deputy_units__id=unit_id)
        )
    else:
        return [], [], []
    blocs = list(blocs.distinct())
    # every membership of these blocs in one query: the member counts, and the unit's own
    rows = list(
        Membership.objects.filter(bloc__in=blocs).only("bloc", "unit", "joined_on", "left_on")
    )
    memberships = [m for m in rows if unit_id and m.unit_id == unit_id]
    entries: list[HomeEntry] = []
    for bloc in blocs:
        for term in bloc.terms.all():
            role = _unit_role(user, bloc, term, memberships)
            if role:
                entries.append(
                    HomeEntry(
                        bloc=bloc,
                        year=term.year,
                        term=term,
                        role=role,
                        role_label=ROLE_LABELS[role],
                    )
                )
    counts = member_counts(keys={(e.bloc.pk, e.year) for e in entries}, memberships=rows)
    for e in entries:
        e.member_count = counts[(e.bloc.pk, e.year)]
    entries.sort(key=lambda e: (-e.year, e.bloc.province.name, e.bloc.name))
    return entries, memberships, [t for bloc in blocs for t in bloc.terms.all()]


def member_counts(
    *, keys: set[tuple[int, int]], memberships: list[Membership] | None = None
) -> dict[tuple[int, int], int]:
    """How many units belong to each (bloc id, year), in one query (none when the caller has
    every membership of those blocs: `memberships`)."""
    counts = dict.fromkeys(keys, 0)
    years: dict[int, list[int]] = {}
    for bloc_id, year in keys:
        years.setdefault(bloc_id, []).append(year)
    if memberships is None:
        memberships = Membership.objects.filter(bloc_id__in=years).only(
            "bloc", "joined_on", "left_on"
        )
    for m in memberships:
        for year in years.get(m.bloc_id, ()):
            counts[(m.bloc_id, year)] += m.covers_year(year)
    return counts


def _unit_role(user: Any, bloc: Bloc, term: BlocTerm, memberships: list[Membership]) -> str | None:
    unit_id = user.unit_id
    if unit_id and term.head_unit_id == unit_id:
        return SECRETARIAT
    if unit_id and any(u.pk == unit_id for u in term.deputy_units.all()):
        return DEPUTY
    if any(m.bloc_id == bloc.pk and m.covers_year(term.year) for m in memberships):
        return MEMBER
    if user.reviewer_province_id == bloc.province_id:
        return REVIEWER
    if is_site_admin(user):
        return ADMIN
    return None


@dataclass
class ProvinceBlocRow:
    bloc: Bloc
    term: BlocTerm | None
    member_count: int


def province_overview(*, province: Province, year: int, kind: str = "") -> list[ProvinceBlocRow]:
    """Every bloc of a province (of one `kind` if given) for the reviewer: the year's head,
    deputies and member count (one row per bloc; the page shows them a page at a time). Two
    queries: the blocs with the year's term (unique per bloc and year: a filtered join) and its
    head, and the member count as a subquery; then the terms' deputies."""
    members = (
        Membership.objects.for_year(year)
        .filter(bloc=OuterRef("pk"))
        .order_by()
        .values("bloc")
        .annotate(n=Count("pk"))
        .values("n")
    )
    blocs = list(
        Bloc.objects.filter(province=province, **({"kind": kind} if kind else {}))
        .annotate(
            year_term=FilteredRelation("terms", condition=Q(terms__year=year)),
            year_members=Coalesce(Subquery(members), 0),
        )
        .select_related("year_term__head_unit")
        .order_by("name")
    )
    # a bloc without a term that year has no year_term (select_related sets it only when found)
    rows = [
        ProvinceBlocRow(
            bloc=bloc, term=getattr(bloc, "year_term", None), member_count=bloc.year_members
        )
        for bloc in blocs
    ]
    prefetch_related_objects([r.term for r in rows if r.term is not None], "deputy_units")
    return rows


def bloc_years(*, bloc: Bloc) -> list[int]:
    return list(BlocTerm.objects.filter(bloc=bloc).order_by("-year").values_list("year", flat=True))


def units_for_term_choice(*, bloc: Bloc, year: int) -> QuerySet[Unit]:
    """Units that may head or deputise a bloc in `year`: its members that year (any unit of the
    province for an agency's or government's own scope)."""
    if bloc.kind in {Bloc.Kind.NOI_BO, Bloc.Kind.DIA_BAN}:
        return Unit.objects.filter(province=bloc.province)
    ids = Membership.objects.for_year(year).filter(bloc=bloc).values("unit_id")
    return Unit.objects.filter(pk__in=ids)
