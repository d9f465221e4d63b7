"""The recommended response to what a scan found: which policy blocks what, and the ready commands.

For each built-in preset that blocks at least one service found in the logs, the report lists the
services it blocks and ``sekisho export`` commands for the usual resolvers and proxies. For the
services at level 0–1 it also writes a small policy file that blocks exactly those, for an
organisation that wants to go further than a preset.
"""

from __future__ import annotations

import json
from typing import Any

from sekisho.assess import Assessor
from sekisho.policy.presets import preset_reasons

# The export targets the report shows commands for, with their file suffix (report may not import
# export; tests/report checks these against sekisho.export.TARGETS). `sekisho export --list` has the rest.
COMMAND_TARGETS = {
    "unbound": ".conf",
    "bind": ".zone",
    "dnsmasq": ".conf",
    "adguard": ".txt",
    "squid": ".conf",
    "hosts": ".hosts",
}
POLICY_FILE = "sekisho-policy.yaml"


def preset_specs(assessor: Assessor) -> list[str]:
    """The built-in policies: ``level0``, ``intel-law:CC`` for each country with such a law, ``assessment``."""
    countries = sorted(
        {
            law.jurisdiction
            for law in assessor.catalog.laws.values()
            if law.compels_secret_cooperation.value and not law.compels_secret_cooperation.is_claim
        }
    )
    return ["level0", *(f"intel-law:{c}" for c in countries), "assessment"]


def export_command(fmt: str, policy: str) -> str:
    safe = policy.replace(":", "-").replace(",", "+").removesuffix(".yaml")
    return f"sekisho export --format {fmt} --policy {policy} -o sekisho-{safe}{COMMAND_TARGETS[fmt]}"


def commands(policy: str) -> list[str]:
    return [export_command(fmt, policy) for fmt in COMMAND_TARGETS]


def policy_yaml(service_ids: list[str], why: str) -> str:
    """A policy file that adds the level0 preset and denies ``service_ids`` by name."""
    lines = ["name: sekisho-report", "presets: [level0]"]
    if service_ids:
        lines += [
            "rules:",
            f"  - deny: {{service: [{', '.join(service_ids)}]}}",
            f"    why: {json.dumps(why, ensure_ascii=False)}",
        ]
    return "\n".join(lines) + "\n"


def blocking_presets(assessor: Assessor, service_ids: list[str]) -> dict[str, list[str]]:
    """For each service, the built-in policies that block it (in :func:`preset_specs` order)."""
    blocked_by: dict[str, list[str]] = {sid: [] for sid in service_ids}
    for spec in preset_specs(assessor):
        blocked = preset_reasons(assessor, spec)
        for sid in service_ids:
            if sid in blocked:
                blocked_by[sid].append(spec)
    return blocked_by


def recommend(assessor: Assessor, found: list[dict[str, Any]], why: str) -> dict[str, Any]:
    """``found``: the report's services (id, safety_level). Returns presets, commands and a policy file."""
    ids = [s["id"] for s in found]
    blocked_by = blocking_presets(assessor, ids)
    presets = []
    for spec in preset_specs(assessor):
        hits = [sid for sid in ids if spec in blocked_by[sid]]
        if hits:
            presets.append({"policy": spec, "services": hits, "commands": commands(spec)})
    risky = [s["id"] for s in found if s["safety_level"] <= 1]
    return {
        "presets": presets,
        "blocked_by": blocked_by,
        "risky": risky,
        "policy_file": POLICY_FILE,
        "policy_yaml": policy_yaml(risky, why),
        "policy_commands": commands(POLICY_FILE) if risky else [],
    }
