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


# --- one response plan (issue 13 item 2) ------------------------------------------------------

# What a level's responses (rules.yaml `responses`) call for, as a manager reads it, strictest first.
ACTIONS = ("stop", "forbid", "approve", "monitor")
BLOCKING = ("stop", "forbid")
PLAN_FILE = "sekisho-plan.yaml"

# The resolver a log format comes from (a sensor such as Zeek or Suricata names none).
FORMAT_RESOLVER = {
    "unbound": "unbound",
    "dnsmasq": "dnsmasq",
    "bind": "bind",
    "infoblox": "bind",  # Infoblox NIOS loads RPZ zones
    "squid": "squid",
    "adguard": "adguard",
}
DEFAULT_RESOLVER = "unbound"

# Per resolver: (step message key, command) with {policy} and {file}; a command of None is a manual step.
RESOLVER_FILES = {
    "unbound": "/etc/unbound/unbound.conf.d/sekisho.conf",
    "dnsmasq": "/etc/dnsmasq.d/sekisho.conf",
    "bind": "/etc/bind/db.rpz.sekisho",
    "squid": "/etc/squid/conf.d/sekisho.conf",
    "adguard": "/opt/AdGuardHome/sekisho.txt",
    "hosts": "sekisho.hosts",
}
RESOLVER_STEPS: dict[str, list[tuple[str, str | None]]] = {
    "unbound": [
        ("plan.step.export", "sekisho export --format unbound --policy {policy} -o {file}"),
        ("plan.step.check", "unbound-checkconf"),
        ("plan.step.reload", "unbound-control reload"),
        ("plan.step.verify_dns", "dig @127.0.0.1 {probe}"),
    ],
    "dnsmasq": [
        ("plan.step.export", "sekisho export --format dnsmasq --policy {policy} -o {file}"),
        ("plan.step.check", "dnsmasq --test"),
        ("plan.step.reload", "systemctl restart dnsmasq"),
        ("plan.step.verify_dns", "dig @127.0.0.1 {probe}"),
    ],
    "bind": [
        ("plan.step.export", "sekisho export --format bind --policy {policy} -o {file}"),
        ("plan.step.bind_conf", None),
        ("plan.step.check", "named-checkconf -z"),
        ("plan.step.reload", "rndc reload"),
        ("plan.step.verify_dns", "dig @127.0.0.1 {probe}"),
    ],
    "squid": [
        ("plan.step.export", "sekisho export --format squid --policy {policy} -o {file}"),
        ("plan.step.squid_conf", None),
        ("plan.step.check", "squid -k parse"),
        ("plan.step.reload", "squid -k reconfigure"),
        ("plan.step.verify_proxy", "curl -sI -x http://127.0.0.1:3128 http://{probe}/"),
    ],
    "adguard": [
        ("plan.step.export", "sekisho export --format adguard --policy {policy} -o {file}"),
        ("plan.step.adguard_list", None),
        ("plan.step.verify_dns", "dig @127.0.0.1 {probe}"),
    ],
    "hosts": [
        ("plan.step.export", "sekisho export --format hosts --policy {policy} -o {file}"),
        ("plan.step.hosts_merge", None),
    ],
}


def action_for(response_keys: list[str]) -> str:
    """The action a level's response keys call for: stop, forbid, approve or monitor."""
    if "remove_software" in response_keys or "delete_accounts" in response_keys:
        return "stop"
    if "block_network" in response_keys:
        return "forbid"
    if "approval_only" in response_keys:
        return "approve"
    return "monitor"


def detect_resolver(formats: dict[str, int]) -> str | None:
    """The resolver of the scanned logs: the format with the most lines that names one."""
    ranked = sorted(((n, f) for f, n in formats.items() if f in FORMAT_RESOLVER), reverse=True)
    return FORMAT_RESOLVER[ranked[0][1]] if ranked else None


def plan_policy_yaml(base: str, deny: list[str], why: str) -> str:
    """The plan's policy file: the organisation's base preset plus a deny rule for what it misses."""
    lines = ["name: sekisho-plan", f"presets: [{base}]"]
    if deny:
        lines += [
            "rules:",
            f"  - deny: {{service: [{', '.join(deny)}]}}",
            f"    why: {json.dumps(why, ensure_ascii=False)}",
        ]
    return "\n".join(lines) + "\n"


def response_plan(
    assessor: Assessor,
    found: list[dict[str, Any]],
    *,
    resolver: str | None,
    formats: dict[str, int],
    why: str,
    base_policy: str = "level0",
) -> dict[str, Any]:
    """One plan: per service found, the action its level calls for (or the organisation's base
    policy, when stricter), and the steps that block exactly the services it marks for blocking on
    the organisation's resolver. ``found``: the report's services (id, name, safety_level)."""
    if resolver is not None:
        source = "settings"
    else:
        resolver = detect_resolver(formats)
        source = "logs" if resolver else "default"
        resolver = resolver or DEFAULT_RESOLVER
    base_blocks = preset_reasons(assessor, base_policy)
    items = []
    for s in found:
        rating = assessor.rate(s["id"])
        by_level = action_for([m.key.removeprefix("response.") for m in rating.response])
        action, because = by_level, "level"
        if s["id"] in base_blocks and by_level not in BLOCKING:
            action, because = "forbid", "policy"
        items.append(
            {
                "id": s["id"],
                "name": s["name"],
                "safety_level": s["safety_level"],
                "provisional": s.get("provisional", False),
                "action": action,
                "because": because,
                "block": action in BLOCKING,
            }
        )
    items.sort(key=lambda i: (ACTIONS.index(i["action"]), i["safety_level"], i["id"]))
    blocked = [i["id"] for i in items if i["block"]]
    deny = [sid for sid in blocked if sid not in base_blocks]
    # the plan names a built-in policy when that alone blocks exactly what it marks, else its own file
    found_ids = {s["id"] for s in found}
    policy = base_policy if not deny and set(blocked) == set(base_blocks) & found_ids else PLAN_FILE
    probe = next((_probe(assessor, sid) for sid in blocked), "example.com")
    file = RESOLVER_FILES[resolver]
    steps = [
        {"key": key, "command": cmd.format(policy=policy, file=file, probe=probe) if cmd else None}
        for key, cmd in RESOLVER_STEPS[resolver]
    ]
    return {
        "resolver": resolver,
        "resolver_source": source,
        "base_policy": base_policy,
        "policy": policy,
        "policy_yaml": plan_policy_yaml(base_policy, deny, why) if policy == PLAN_FILE else None,
        "file": file,
        "probe": probe,
        "items": items,
        "blocked": blocked,
        "steps": steps if blocked else [],
        "export_command": steps[0]["command"] if blocked else None,
    }


def _probe(assessor: Assessor, service_id: str) -> str:
    svc = assessor.catalog.service(service_id)
    names = [n for n in svc.domains.value if "*" not in n]
    return names[0] if names else service_id
