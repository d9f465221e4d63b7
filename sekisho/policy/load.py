"""Read a policy: a preset name (``level0``, ``level0,intel-law:CN``) or an organisation's YAML file.

The file (see ``docs/export.md``)::

    name: acme
    presets: [level0, "intel-law:CN"]
    rules:                      # applied in order; a later rule overrides an earlier one
      - deny: {category: ai}
        except: {service: [claude]}
        why: generative AI needs the CISO's approval
      - allow: {domain: ime.baidu.jp}
    groups:
      - name: research
        addresses: [10.20.0.0/16]
        rules:
          - allow: {service: deepseek}
            why: model evaluation on isolated hosts
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import re
from pathlib import Path
from typing import Any

from sekisho.errors import ConfigError, Location
from sekisho.model.names import check_name, describe_char
from sekisho.policy.model import ACTIONS, Group, Policy, Rule, Selector

SELECTOR_KEYS = {
    "service": "services",
    "category": "categories",
    "operator": "operators",
    "domain": "domains",
}
GROUP_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


def load_policy(spec: str | Path | None) -> Policy:
    """``None`` → the ``level0`` preset; a path to a YAML file → that policy; else preset names."""
    if spec is None:
        return Policy(name="level0", presets=("level0",))
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return read_policy_file(path)
    presets = tuple(p.strip() for p in str(spec).split(",") if p.strip())
    if not presets:
        raise ConfigError("empty --policy: give a preset (level0, intel-law:CN, assessment) or a YAML file")
    return Policy(name=",".join(presets), presets=presets)


def read_policy_file(path: Path) -> Policy:
    # the round-trip reader (line numbers for every error) is imported here: 0.02 s of every start
    # (its tree holds CommentedMap and CommentedSeq, a dict and a list)
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read policy file: {e.strerror}", Location(path)) from None
    try:
        tree = YAML(typ="rt").load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("policy file is not UTF-8 text", Location(path)) from None
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise ConfigError(
            f"invalid YAML: {(e.problem or e.context or '').strip()}",
            Location(path, mark.line + 1 if mark else 0),
        ) from None
    except YAMLError as e:
        raise ConfigError(f"invalid YAML: {e}", Location(path)) from None
    if not isinstance(tree, dict):
        raise ConfigError("a policy file is a mapping (name, presets, rules, groups)", Location(path, 1))
    _known(tree, {"name", "presets", "rules", "groups"}, path)
    presets = tuple(str(p) for p in _seq(tree, "presets", path))
    rules = tuple(_rule(item, path) for item in _seq(tree, "rules", path))
    groups = []
    for item in _seq(tree, "groups", path):
        groups.append(_group(item, path))
    _check_groups(groups, path)
    return Policy(
        name=_policy_name(tree, path),
        presets=presets,
        rules=rules,
        groups=tuple(groups),
        source=str(path),
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _policy_name(tree: dict[Any, Any], path: Path) -> str:
    name = str(tree.get("name") or path.stem)
    bad = next((c for c in name if not c.isprintable()), None)
    if bad is not None:
        raise ConfigError(
            f"policy name contains the control character {describe_char(bad)}; use one line of text",
            Location(path, _line(tree, "name") if "name" in tree else 1),
        )
    if len(name) > 200:
        raise ConfigError("policy name is longer than 200 characters", Location(path, _line(tree, "name")))
    return name


def _line(node: Any, key: Any | None = None) -> int:
    try:
        if key is not None:
            return int(node.lc.key(key)[0]) + 1
        return int(node.lc.line) + 1
    except (AttributeError, KeyError, TypeError):
        return 0


def _known(node: dict[Any, Any], keys: set[str], path: Path) -> None:
    for key in node:
        if key not in keys:
            raise ConfigError(
                f"unknown key {key!r} (expected one of: {', '.join(sorted(keys))})",
                Location(path, _line(node, key)),
            )


def _seq(node: dict[Any, Any], key: str, path: Path) -> list[Any]:
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{key} must be a list", Location(path, _line(node, key)))
    return list(value)


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(str(v).strip().lower().rstrip(".") if v is not None else "" for v in items)


def _names(value: Any, path: Path, line: int) -> tuple[str, ...]:
    """Domain values, each an IDNA-valid name of LDH labels (normalised), or the policy is refused."""
    out = []
    for i, v in enumerate(value if isinstance(value, list) else [value]):
        text = "" if v is None else str(v)
        try:
            out.append(check_name(text))
        except ValueError as e:
            at = line
            if isinstance(value, list):
                with contextlib.suppress(AttributeError, KeyError, TypeError, IndexError):
                    seq: Any = value  # a CommentedSeq: it knows each item's line
                    at = int(seq.lc.item(i)[0]) + 1
            raise ConfigError(f"domain {text[:80]!r} is not a valid name: {e}", Location(path, at)) from None
    return tuple(out)


def _selector(node: Any, path: Path, line: int) -> Selector:
    if not isinstance(node, dict) or not node:
        raise ConfigError(
            "a selector is a mapping such as {service: deepseek} or {category: ai}", Location(path, line)
        )
    fields: dict[str, tuple[str, ...]] = {}
    for key, value in node.items():
        if key not in SELECTOR_KEYS:
            raise ConfigError(
                f"unknown selector {key!r} (use service, category, operator or domain)",
                Location(path, _line(node, key)),
            )
        values = _names(value, path, _line(node, key)) if key == "domain" else _strings(value)
        if not all(values):
            raise ConfigError(f"empty value in selector {key!r}", Location(path, _line(node, key)))
        fields[SELECTOR_KEYS[key]] = values
    if "domains" in fields and len(fields) > 1:
        raise ConfigError(
            "a domain selector stands alone: it blocks or allows names, not services", Location(path, line)
        )
    return Selector(**fields)


def _rule(node: Any, path: Path) -> Rule:
    line = _line(node)
    if not isinstance(node, dict):
        raise ConfigError(
            "a rule is a mapping: {deny|warn|allow: selector, except: selector, why: text}",
            Location(path, line),
        )
    verbs = [k for k in node if k in ACTIONS]
    if len(verbs) != 1:
        raise ConfigError("a rule has exactly one of deny, warn, allow", Location(path, line))
    _known(node, {verbs[0], "except", "why"}, path)
    select = _selector(node[verbs[0]], path, line)
    unless = _selector(node["except"], path, _line(node, "except")) if "except" in node else None
    if unless and select.domains:
        raise ConfigError(
            "except does not apply to a domain rule; write an allow rule for the name instead",
            Location(path, _line(node, "except")),
        )
    why = node.get("why")
    return Rule(ACTIONS[verbs[0]], select, unless, str(why) if why else None, f"{path.name}:{line}")


def _group(node: Any, path: Path) -> Group:
    line = _line(node)
    if not isinstance(node, dict):
        raise ConfigError("a group is a mapping: {name, addresses, rules}", Location(path, line))
    _known(node, {"name", "addresses", "rules"}, path)
    name = str(node.get("name") or "")
    if not GROUP_NAME.match(name):
        raise ConfigError(
            f"group name {name!r}: lower-case letters, digits and '-', starting with a letter",
            Location(path, line),
        )
    addresses = []
    for value in _seq(node, "addresses", path):
        try:
            addresses.append(str(ipaddress.ip_network(str(value), strict=False)))
        except ValueError:
            raise ConfigError(
                f"group {name}: {value!r} is not an address or range (e.g. 10.20.0.0/16)",
                Location(path, _line(node, "addresses")),
            ) from None
    if not addresses:
        raise ConfigError(f"group {name}: addresses is empty", Location(path, line))
    rules = tuple(_rule(item, path) for item in _seq(node, "rules", path))
    return Group(name, tuple(addresses), rules)


def _check_groups(groups: list[Group], path: Path) -> None:
    seen: dict[str, str] = {}
    nets: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]] = []
    for g in groups:
        if g.name in seen:
            raise ConfigError(f"group {g.name!r} is defined twice", Location(path))
        seen[g.name] = g.name
        for a in g.addresses:
            net = ipaddress.ip_network(a)
            for other, owner in nets:
                if net.version == other.version and net.overlaps(other):
                    raise ConfigError(
                        f"groups {owner} and {g.name} overlap ({other} and {net}): a client belongs to one group",
                        Location(path),
                    )
            nets.append((net, g.name))
