"""The pages whose forms are posted with hostile input: (world, persona, URL name, URL kwargs
taken from the world's ids, the form actions the page must offer). Together with the dedicated
tests (imports, score lines) they cover every URL that accepts a POST
(test_hostile_coverage.py checks that)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    world: str
    persona: str
    name: str
    kwargs: tuple[str, ...] = ()  # "kwarg" or "kwarg=world key"
    forms: tuple[str, ...] = ()  # URL names of the forms the page must show
    good: dict = field(default_factory=dict)  # a value a person would type, by field name

    @property
    def label(self) -> str:
        args = ",".join(k.partition("=")[2] or k for k in self.kwargs if k not in BY)
        return f"{self.world}:{self.persona}:{self.name}" + (f"({args})" if args else "")

    def url_kwargs(self, ids: dict) -> dict:
        out = {}
        for key in self.kwargs:
            name, _, source = key.partition("=")
            out[name] = ids[source or name]
        return out


BY = ("bloc_id", "year")

PAGES = [
    # blocs: terms, members, administration, accounts
    Page("plans", "chair", "blocs:term_rotate", BY, ("blocs:term_rotate",)),
    Page("plans", "chair", "blocs:membership_add", BY, ("blocs:membership_add",)),
    Page("plans", "chair", "blocs:membership_end", (*BY, "membership_id=membership"), ("blocs:membership_end",)),
    Page("plans", "reviewer", "blocs:term_set", ("bloc_id", "year=next_year"), ("blocs:term_set",)),
    Page("plans", "reviewer", "blocs:term_update", BY, ("blocs:term_update",)),
    Page("plans", "reviewer", "blocs:unit_merge", (*BY, "membership_id=membership"), ("blocs:unit_merge",)),
    Page("plans", "admin", "blocs:province_create", (), ("blocs:province_create",)),
    Page("plans", "admin", "blocs:unit_create", (), ("blocs:unit_create",)),
    Page("plans", "admin", "blocs:bloc_create", (), ("blocs:bloc_create",)),
    Page("plans", "admin", "blocs:account_invite", (), ("blocs:account_invite",)),
    Page("plans", "admin", "blocs:accounts", (), ("blocs:account_action",)),
    Page("plans", "anonymous", "login", (), ("login",)),
    Page("plans", "unit_a", "password_change", (), ("password_change",)),
    Page("plans", "unit_a", "two_factor", (), ("two_factor",)),
    Page("plans", "unit_a", "plans:calendar", (), ("plans:calendar",)),
    # plans
    Page("plans", "chair", "plans:list", BY, ("plans:create",)),
    Page("plans", "chair", "plans:detail", (*BY, "plan_id=draft"), ("plans:transition",)),
    Page("plans", "chair", "plans:detail", (*BY, "plan_id=consult"), ("plans:transition", "plans:comment")),
    Page("plans", "chair", "plans:detail", (*BY, "plan_id=approved"), ("plans:transition",)),
    Page("plans", "chair", "plans:detail", (*BY, "plan_id=issued"), ("plans:transition",)),
    Page("plans", "unit_a", "plans:detail", (*BY, "plan_id=consult"), ("plans:comment",)),
    Page("plans", "chair", "plans:edit_header", (*BY, "plan_id=draft"), ("plans:edit_header",)),
    Page("plans", "chair", "plans:edit_body", (*BY, "plan_id=draft"), ("plans:edit_body",)),
    Page("plans", "chair", "plans:edit_lists", (*BY, "plan_id=draft"), ("plans:edit_lists",)),
    Page("plans", "chair", "plans:edit_schedule", (*BY, "plan_id=draft"), ("plans:edit_schedule",)),
    Page("plans", "chair", "reports:plan_issue", (*BY, "plan_id=approved"), ("reports:plan_issue",)),
    # scoring: the template, registrations, the signing
    Page("scoring", "chair", "scoring:template", BY, ("scoring:criterion_add", "scoring:criterion_delete", "scoring:criterion_move")),
    Page("scoring", "chair", "scoring:template_settings", (*BY, "template_id=template"), ("scoring:template_settings",)),
    Page("scoring", "chair", "scoring:criterion_edit", (*BY, "criterion_id=criterion"), ("scoring:criterion_edit",)),
    Page("scoring", "chair", "scoring:registration", (*BY, "registration_id=reg_a"), ("scoring:registration_review",)),
    Page("scoring", "unit_b", "scoring:my_registration", BY, ("scoring:my_registration",)),
    Page("scoring", "unit_b", "scoring:registration", (*BY, "registration_id=reg_b"), ("scoring:registration_submit",)),
    Page("scoring", "chair", "scoring:signing", BY, ("scoring:signing",)),
    # scoring: reports, sheets and their review
    Page("scoring", "unit_a", "scoring:submission_list", BY, ("scoring:submission_open",)),
    Page("scoring", "unit_a", "scoring:submission", (*BY, "submission_id=sub_draft"), ("scoring:submission_report", "scoring:submission_file_add", "scoring:submission_file_remove", "scoring:submission_submit")),
    Page("scoring", "unit_a", "scoring:sheet_signer", (*BY, "submission_id=sub_draft"), ("scoring:sheet_signer",)),
    Page("scoring", "chair", "scoring:review_setup", BY, ("scoring:review_setup",)),
    Page("scoring", "chair", "scoring:review_round_finalize", (*BY, "round_id=round"), ("scoring:review_round_finalize",)),
    Page("scoring", "chair", "scoring:review", (*BY, "submission_id=sub_review"), ("scoring:review_layer_done", "scoring:review_return")),
    Page("scoring", "chair", "scoring:review", (*BY, "submission_id=sub_final"), ("scoring:review_reopen",)),
    Page("scoring", "chair", "scoring:review", (*BY, "submission_id=sub_reviewed"), ("scoring:review_finalize",)),
    Page("scoring", "chair", "reports:compiled_report", (*BY, "round_id=round"), ("reports:compiled_report", "reports:compiled_issue")),
    # ranking and compliance
    Page("ranking", "chair", "scoring:ranking", BY, ("scoring:ranking_compute",)),
    Page("ranking", "chair", "scoring:ranking_rules", BY, ("scoring:ranking_rules",)),
    Page("ranking", "chair", "scoring:meeting", BY, ("scoring:meeting", "scoring:ranking_vote", "scoring:ranking_tie_votes"), {"vote_for": "4", "vote_against": "0", "vote_total": "4"}),
    Page("ranking", "chair", "scoring:ranking_adopt", BY, ("scoring:ranking_adopt",)),
    Page("ranking", "chair", "scoring:compliance", BY, ("scoring:compliance", "scoring:compliance_delete"), {"points": "2"}),
    Page("ranking", "chair", "scoring:compliance_edit", (*BY, "flag_id=flag"), ("scoring:compliance_edit",)),
    # proposals
    Page("proposals", "chair", "scoring:proposals", BY, ("scoring:proposal_vote", "scoring:proposal_remove"), {"vote_for": "9", "vote_against": "1", "vote_total": "10"}),
    Page("proposals", "chair", "scoring:proposal_add", BY, ("scoring:proposal_add",)),
    Page("proposals", "chair", "scoring:proposals_submit", BY, ("scoring:proposals_submit",)),
    Page("proposals", "chair", "scoring:proposal_edit", (*BY, "proposal_id=proposal"), ("scoring:proposal_edit",)),
    Page("dossier", "reviewer", "scoring:proposals", BY, ("scoring:proposal_review",)),
    Page("dossier", "reviewer", "scoring:proposal_decide", (*BY, "proposal_id=approved"), ("scoring:proposal_decide",), {"number": "125/QĐ-UBND"}),
]  # fmt: skip
