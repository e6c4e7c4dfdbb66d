"""Who may do what, declared once; one gate per scoped object.

A user's role in a bloc follows from their *unit's* place in that year's term: staff of the head
unit are the secretariat, staff of a deputy unit help review, staff of a member unit act for their
own unit. A provincial reviewer reads every bloc of their province; site administrators (is_staff)
manage everything. Rotating the head moves the secretariat's powers without touching accounts.

The gate: outsiders get 404 (they must not learn the bloc exists), members without the
capability get 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest

from blocs.models import Bloc, BlocTerm, Membership

SECRETARIAT = "secretariat"
DEPUTY = "deputy"
MEMBER = "member"
REVIEWER = "reviewer"
ADMIN = "admin"

ROLE_LABELS = {
    SECRETARIAT: "Trưởng khối (thư ký)",
    DEPUTY: "Phó khối",
    MEMBER: "Đơn vị thành viên",
    REVIEWER: "Ban/Phòng TĐKT tỉnh",
    ADMIN: "Quản trị hệ thống",
}

ALL_ROLES = frozenset({SECRETARIAT, DEPUTY, MEMBER, REVIEWER, ADMIN})

# capability -> roles that hold it. The only place permissions are declared.
CAPABILITIES: dict[str, frozenset[str]] = {
    "bloc.view": ALL_ROLES,
    "bloc.manage": frozenset({SECRETARIAT, ADMIN}),
    # The province sets a bloc-year's first term and corrects terms; the secretariat corrects
    # its own term too (a new commander signs). Rotation is bloc.manage.
    "term.set": frozenset({REVIEWER, ADMIN}),
    "term.update": frozenset({SECRETARIAT, REVIEWER, ADMIN}),
    # A merger rewrites the unit that every bloc shares: a provincial act, never a bloc's.
    "unit.merge": frozenset({REVIEWER, ADMIN}),
    "year.export": frozenset({SECRETARIAT, REVIEWER, ADMIN}),
    "plan.view": ALL_ROLES,
    "plan.view_draft": frozenset({SECRETARIAT, DEPUTY, ADMIN}),
    "plan.edit": frozenset({SECRETARIAT, ADMIN}),
    "plan.comment": frozenset({SECRETARIAT, DEPUTY, MEMBER}),
    "plan.issue": frozenset({SECRETARIAT, ADMIN}),
    # scoring: the criteria template and the registrations (giao ước)
    "template.view": ALL_ROLES,
    "template.edit": frozenset({SECRETARIAT, ADMIN}),
    "registration.edit": frozenset({SECRETARIAT, DEPUTY, MEMBER}),  # own unit only
    "registration.view_all": frozenset({SECRETARIAT, DEPUTY, REVIEWER, ADMIN}),
    "registration.review": frozenset({SECRETARIAT, ADMIN}),
    "giao_uoc.sign": frozenset({SECRETARIAT, ADMIN}),
    # reports and self-scoring sheets of the reporting rounds
    "sheet.edit": frozenset({SECRETARIAT, DEPUTY, MEMBER}),  # own unit only
    "sheet.view_all": frozenset({SECRETARIAT, DEPUTY, REVIEWER, ADMIN}),
    "sheet.review": frozenset({SECRETARIAT, DEPUTY, ADMIN}),  # + units assigned to cross-score
    "sheet.decide": frozenset({SECRETARIAT, ADMIN}),  # return, finalise, reopen, review setup
    "report.compile": frozenset({SECRETARIAT, ADMIN}),
    # ranking, the bình xét meeting and award proposals. Members see the ranking (and other
    # units' scores) only once it is adopted: the views check that on top of bloc.view.
    "ranking.view_all": frozenset({SECRETARIAT, DEPUTY, REVIEWER, ADMIN}),
    "ranking.manage": frozenset({SECRETARIAT, ADMIN}),  # compute, meeting, vote, adopt
    "compliance.edit": frozenset({SECRETARIAT, REVIEWER, ADMIN}),
    "proposal.manage": frozenset({SECRETARIAT, ADMIN}),  # generate, edit, submit to province
    "proposal.decide": frozenset({REVIEWER, ADMIN}),  # approve, return, reject, decision
}


@dataclass
class BlocScope:
    """What the gate hands a view: the bloc, the year, its term and the user's roles there."""

    bloc: Bloc
    year: int
    term: BlocTerm | None
    roles: frozenset[str]
    user: Any
    _can: dict[str, bool] = field(default_factory=dict, repr=False)
    # whether the user's unit is a member of the bloc that year, when the gate asked it (None:
    # not asked; see unit_is_member)
    member: bool | None = None

    def unit_is_member(self) -> bool:
        """The user's unit belongs to the bloc in the year (from the gate's query when it asked,
        else one query)."""
        unit_id = getattr(self.user, "unit_id", None)
        if not unit_id:
            return False
        if self.member is None:
            self.member = (
                Membership.objects.for_year(self.year)
                .filter(bloc_id=self.bloc.pk, unit_id=unit_id)
                .exists()
            )
        return self.member

    def can(self, capability: str) -> bool:
        if capability not in CAPABILITIES:
            raise KeyError(f"Unknown capability {capability!r}")
        return bool(self.roles & CAPABILITIES[capability])

    @property
    def perms(self) -> dict[str, bool]:
        """For templates: {"plan_edit": True, ...}. Hiding a button is never the check."""
        return {cap.replace(".", "_"): self.can(cap) for cap in CAPABILITIES}

    @property
    def role_labels(self) -> list[str]:
        return [
            ROLE_LABELS[r]
            for r in (SECRETARIAT, DEPUTY, MEMBER, REVIEWER, ADMIN)
            if r in self.roles
        ]

    @property
    def own_unit(self):
        return getattr(self.user, "unit", None)


def is_site_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def is_provincial_authority(user: Any, province_id: int) -> bool:
    """A site administrator, or the reviewer (Ban/Phòng TĐKT) of that province."""
    return is_site_admin(user) or bool(
        getattr(user, "reviewer_province_id", None) and user.reviewer_province_id == province_id
    )


def roles_for(
    user: Any,
    bloc: Bloc,
    year: int,
    term: BlocTerm | None,
    *,
    is_deputy: bool | None = None,
    is_member: bool | None = None,
) -> frozenset[str]:
    """The user's roles in `bloc` for `year`. Costs at most two queries, none when the caller
    already knows whether the user's unit is a deputy and a member (`is_deputy`, `is_member`:
    see _scope_for, which asks both in the term's query)."""
    if not user.is_authenticated:
        return frozenset()
    roles: set[str] = set()
    if is_site_admin(user):
        roles.add(ADMIN)
    if user.reviewer_province_id and user.reviewer_province_id == bloc.province_id:
        roles.add(REVIEWER)
    unit_id = user.unit_id
    if unit_id:
        if term is not None:
            if term.head_unit_id == unit_id:
                roles.add(SECRETARIAT)
            elif _is_deputy(term, unit_id) if is_deputy is None else is_deputy:
                roles.add(DEPUTY)
        if not roles & {SECRETARIAT, DEPUTY}:
            if is_member is None:
                is_member = (
                    Membership.objects.for_year(year).filter(bloc=bloc, unit_id=unit_id).exists()
                )
            if is_member:
                roles.add(MEMBER)
    return frozenset(roles)


def _is_deputy(term: BlocTerm, unit_id: int) -> bool:
    """From the prefetched deputies when they are, else one query (the head, the reviewer and
    the administrator never pay it)."""
    if "deputy_units" in getattr(term, "_prefetched_objects_cache", {}):
        return any(u.pk == unit_id for u in term.deputy_units.all())
    return term.deputy_units.filter(pk=unit_id).exists()


UNKNOWN: Any = object()  # "the caller does not have it": see term_of


def term_of(bloc_id: int, year: int, term: BlocTerm | None = UNKNOWN) -> BlocTerm | None:
    """The bloc-year's term with its head unit: `term` when the caller has it (the gate's
    scope.term, loaded in this request; None when the year has no term), else one query."""
    if term is not UNKNOWN:
        return term
    return BlocTerm.objects.select_related("head_unit").filter(bloc_id=bloc_id, year=year).first()


def has_deputies(term: BlocTerm) -> bool:
    """Whether the term names deputy units: from the gate's query (_scope_for) or the prefetched
    deputies when it has them, else one query."""
    known = getattr(term, "deputies_named", None)
    if known is not None:
        return bool(known)
    if "deputy_units" in getattr(term, "_prefetched_objects_cache", {}):
        return bool(term.deputy_units.all())
    return term.deputy_units.exists()


def _term_facts(unit_id: int | None, year: int) -> dict[str, Exists]:
    """What the gate needs to know besides the term, asked in the term's own query: whether the
    term names deputies (the review layers), and whether the user's unit is one of them or a
    member of the bloc that year (its roles)."""
    deputies = BlocTerm.deputy_units.through.objects.filter(blocterm_id=OuterRef("pk"))
    facts = {"deputies_named": Exists(deputies)}
    if unit_id:
        facts["unit_is_deputy"] = Exists(deputies.filter(unit_id=unit_id))
        facts["unit_is_member"] = Exists(
            Membership.objects.for_year(year).filter(bloc_id=OuterRef("bloc_id"), unit_id=unit_id)
        )
    return facts


def load_scope(user: Any, bloc: Bloc, year: int) -> BlocScope:
    """The user's scope in a bloc-year (roles may be empty): the term and the roles there."""
    term = BlocTerm.objects.select_related("head_unit").filter(bloc=bloc, year=year).first()
    roles = roles_for(user, bloc, int(year), term)
    return BlocScope(bloc=bloc, year=int(year), term=term, roles=roles, user=user)


def _scope_for(request: HttpRequest, bloc_id: int, year: int) -> BlocScope | None:
    """The request's scope in a bloc-year, loaded once per request (views and their helpers
    ask the gate more than once): the term with its bloc in one query (the bloc alone when the
    year has no term), with whether the term names deputies and whether the user's unit is a
    deputy or a member of the bloc (EXISTS subqueries of the same query; without a term, the
    membership is one more query)."""
    memo = request.__dict__.setdefault("_bloc_scopes", {})
    key = (int(bloc_id), int(year), getattr(request.user, "pk", None))
    if key in memo:
        return memo[key]
    if not (2000 <= int(year) <= 2100):
        return None
    unit_id = getattr(request.user, "unit_id", None)
    term = (
        BlocTerm.objects.select_related("bloc__province", "head_unit")
        .filter(bloc_id=bloc_id, year=year)
        .annotate(**_term_facts(unit_id, int(year)))
        .first()
    )
    bloc = term.bloc if term else Bloc.objects.select_related("province").filter(pk=bloc_id).first()
    scope = None
    if bloc is not None:
        known = {}
        if term is not None and unit_id:
            known = {"is_deputy": term.unit_is_deputy, "is_member": term.unit_is_member}
        roles = roles_for(request.user, bloc, int(year), term, **known)
        scope = BlocScope(
            bloc=bloc,
            year=int(year),
            term=term,
            roles=roles,
            user=request.user,
            member=known.get("is_member"),
        )
    memo[key] = scope
    return scope


def get_bloc_for(
    request: HttpRequest, bloc_id: int, year: int, need: str = "bloc.view"
) -> BlocScope:
    """Load a bloc-year for the request's user or refuse: 404 to outsiders, 403 without `need`."""
    scope = _scope_for(request, bloc_id, year)
    if scope is None or not scope.roles:
        raise Http404("Không tìm thấy khối thi đua.")
    if not scope.can(need):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")
    return scope


def require_site_admin(request: HttpRequest) -> None:
    """Gate for the site-administration pages (provinces, units, blocs)."""
    if not is_site_admin(request.user):
        raise PermissionDenied("Chỉ quản trị hệ thống được thực hiện thao tác này.")
