"""Scoring models: templates, registrations and rounds (templates.py); submissions, sheets,
reviews and files (sheets.py)."""

from scoring.models.proposals import Dossier  # noqa: F401
from scoring.models.ranking import (  # noqa: F401
    ComplianceFlag,
    Meeting,
    Proposal,
    ProvinceRules,
    Ranking,
    RankingRow,
    YearRules,
)
from scoring.models.sheets import (  # noqa: F401
    Attachment,
    CrossAssignment,
    Entry,
    Review,
    ReviewSetup,
    Submission,
    private_storage,
)
from scoring.models.templates import *  # noqa: F401,F403
from scoring.models.templates import (  # noqa: F401
    COLLECTIVE_TITLES,
    DEFAULT_TIE_BREAK,
    INDIVIDUAL_TITLES,
    POINTS,
    Criterion,
    RatingBand,
    Registration,
    Reminder,
    Round,
    SigningMeeting,
    Target,
    Template,
    TieBreak,
    Title,
    TitleGoal,
    default_tie_break,
)
