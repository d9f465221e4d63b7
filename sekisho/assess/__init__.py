"""Rating: facts → three scores, a safety level 0–4 and verdicts, by the rules in one file."""

from sekisho.assess.engine import (
    Assessor,
    LawExposure,
    jurisdictions,
    operator_law_exposures,
    score_text,
    secret_law_exposures,
)
from sekisho.assess.rules import OrgSettings, Rules, load_rules, load_settings

__all__ = [
    "Assessor",
    "LawExposure",
    "OrgSettings",
    "Rules",
    "jurisdictions",
    "load_rules",
    "load_settings",
    "operator_law_exposures",
    "score_text",
    "secret_law_exposures",
]
