"""Policy: presets and an organisation's rules → a decision per service (block / warn / allow), each
with its reason, and the blocklists the exporters write.

    from sekisho.policy import load_policy, build_plan
    plan = build_plan(load_policy("level0"), assessor)
    plan.default.blocked      # names to block (subdomains collapsed)
"""

from sekisho.policy.blocklist import Blocklist, GroupBlocklist, Plan, build_plan, parents, plan_for
from sekisho.policy.engine import evaluate
from sekisho.policy.explain import NameAnswer, why
from sekisho.policy.load import load_policy, read_policy_file
from sekisho.policy.model import (
    Action,
    CatalogInfo,
    Decision,
    FactRef,
    Group,
    NameDecision,
    Policy,
    PolicyResult,
    Reason,
    Rule,
    Selector,
)
from sekisho.policy.presets import PRESETS, PUBLISHED_LIST

__all__ = [
    "PRESETS",
    "PUBLISHED_LIST",
    "Action",
    "Blocklist",
    "CatalogInfo",
    "Decision",
    "FactRef",
    "Group",
    "GroupBlocklist",
    "NameAnswer",
    "NameDecision",
    "Plan",
    "Policy",
    "PolicyResult",
    "Reason",
    "Rule",
    "Selector",
    "build_plan",
    "evaluate",
    "load_policy",
    "parents",
    "plan_for",
    "read_policy_file",
    "why",
]
