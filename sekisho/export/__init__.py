"""Export a policy's blocklists in the language of each resolver, proxy and firewall.

    from sekisho.export import TARGETS, export
    result = export(plan, "unbound")        # Export(data=b"...", entries=42, warnings=(...))

Output is deterministic: the only moving part is the generation time in the header (and the RPZ
serial), taken from ``generated`` or the ``SOURCE_DATE_EPOCH`` environment variable when set.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from sekisho.errors import ConfigError, NotFoundError, did_you_mean
from sekisho.export.base import Export, Target
from sekisho.export.targets.adguard import Adguard
from sekisho.export.targets.adguardhome import AdguardHome
from sekisho.export.targets.bind import Bind
from sekisho.export.targets.chrome import Chrome
from sekisho.export.targets.dnsmasq import Dnsmasq
from sekisho.export.targets.domains import Domains
from sekisho.export.targets.hosts import Hosts
from sekisho.export.targets.mikrotik import Mikrotik
from sekisho.export.targets.nftables import Nftables
from sekisho.export.targets.opensnitch import OpenSnitch
from sekisho.export.targets.pac import Pac
from sekisho.export.targets.squid import Squid
from sekisho.export.targets.unbound import Unbound
from sekisho.policy import Plan, plan_for

__all__ = ["TARGETS", "Export", "Target", "export", "export_policy", "generation_time", "get_target"]

TARGETS: dict[str, type[Target]] = {
    "hosts": Hosts,
    "domains": Domains,
    "dnsmasq": Dnsmasq,
    "unbound": Unbound,
    "bind": Bind,
    "adguard": Adguard,
    "adguardhome": AdguardHome,
    "squid": Squid,
    "nftables": Nftables,
    "pac": Pac,
    "chrome": Chrome,
    "mikrotik": Mikrotik,
    "opensnitch": OpenSnitch,
}


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]()
    except KeyError:
        raise NotFoundError(
            f"unknown export format {name!r}{did_you_mean(name, TARGETS)} (formats: {', '.join(TARGETS)})"
        ) from None


def generation_time(value: str | None = None) -> dt.datetime:
    """``value`` (ISO time or seconds since 1970), else ``SOURCE_DATE_EPOCH``, else now; UTC, whole seconds."""
    raw = value if value is not None else os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        if raw.strip().isdigit():
            return dt.datetime.fromtimestamp(int(raw), dt.UTC)
        parsed = dt.datetime.fromisoformat(raw.strip())
    except (ValueError, OverflowError):
        raise ConfigError(f"generation time {raw!r} is neither seconds since 1970 nor an ISO time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).replace(microsecond=0)


def export(plan: Plan, fmt: str, generated: dt.datetime | None = None) -> Export:
    """Render ``plan`` in the format ``fmt``."""
    return get_target(fmt).render(plan, generated or generation_time())


def export_policy(
    fmt: str,
    policy: str | Path | None = None,
    catalog: Path | None = None,
    settings: Path | None = None,
    group: str | None = None,
    generated: str | dt.datetime | None = None,
) -> Export:
    """Load the policy (default ``level0``) over the catalog and render it as ``fmt``. Services are
    rated as of the generation date, so a fixed ``SOURCE_DATE_EPOCH`` gives the same bytes."""
    target = get_target(fmt)
    when = generated if isinstance(generated, dt.datetime) else generation_time(generated)
    plan = plan_for(policy, catalog, settings, group, today=when.date())
    return target.render(plan, when)
