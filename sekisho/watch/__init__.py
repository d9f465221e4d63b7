"""Watch: follow logs as they grow, raise alerts by rules, hand them to sinks.

    from sekisho.watch import Watcher, load_alert_rules, make_sink
    watcher = Watcher([Path("/var/log/dnsmasq.log")], Path("site.duckdb"), load_alert_rules(),
                      [make_sink({"type": "stdout"})])
    watcher.run()          # until stopped; WatchOptions(once=True) reads what is there and returns

See ``docs/watch.md``.
"""

from __future__ import annotations

from pathlib import Path

from sekisho.watch.alerts import Candidate, ack_alerts, alert_payload, list_alerts
from sekisho.watch.rules import RULE_TYPES, AlertRules, load_alert_rules
from sekisho.watch.sinks import SINKS, Dispatcher, Sink, SinkError, make_sink, parse_sink_spec
from sekisho.watch.watcher import Watcher, WatchOptions

__all__ = [
    "RULE_TYPES",
    "SINKS",
    "AlertRules",
    "Candidate",
    "Dispatcher",
    "Sink",
    "SinkError",
    "WatchOptions",
    "Watcher",
    "ack_alerts",
    "alert_payload",
    "check_catalog_now",
    "list_alerts",
    "load_alert_rules",
    "make_sink",
    "parse_sink_spec",
]


def check_catalog_now(
    db: Path | None,
    catalog_dir: Path | None = None,
    settings: Path | None = None,
    rules: Path | None = None,
    sinks: list[str] | None = None,
) -> list[int]:
    """Compare the catalog (default: the active one) with what the store ``db`` last saw of each
    service in use, and store the catalog-change alerts (queued for ``sinks``, default: the rules
    file's). Returns the new alert ids."""
    from sekisho.assess import Assessor, load_rules, load_settings
    from sekisho.catalog import validate
    from sekisho.catalog.update import active_catalog_dir
    from sekisho.errors import CatalogError
    from sekisho.match import NameMatcher
    from sekisho.match.scan import match_new_names
    from sekisho.store import watch as wstore
    from sekisho.watch.catalog_watch import check_catalog

    alert_rules = load_alert_rules(rules)
    names = sinks if sinks is not None else [make_sink(s).name for s in alert_rules.sinks]
    cat, findings = validate(Path(catalog_dir) if catalog_dir else active_catalog_dir())
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise CatalogError(errors[0].message, errors[0].location)
    assessor = Assessor(cat, load_rules(None), load_settings(settings))
    with wstore.open_store(db) as store, store.transaction():
        store.con.execute("CREATE OR REPLACE TEMP TABLE scan_names (name VARCHAR)")
        match_new_names(store, NameMatcher(cat))
        wstore.rebuild_summaries(store)
        return check_catalog(store, cat, assessor, alert_rules, names)
