"""`sekisho watch`: follow logs, raise alerts (and `sekisho alerts`, registered with it)."""

from __future__ import annotations

import datetime as dt
import gc
import signal
import sys
import threading
from pathlib import Path

import typer

from sekisho.cli import alerts_cmd
from sekisho.cli.common import CatalogOpt, LangOpt, SettingsOpt, check_lang, fail, handle_errors
from sekisho.cli.scan_cmd import DbOpt
from sekisho.errors import did_you_mean


def register(app: typer.Typer) -> None:
    app.command("watch")(watch)
    app.command("alerts")(alerts_cmd.alerts)


def _log(quiet: bool, lang: str = "en"):  # type: ignore[no-untyped-def]
    """The status lines on stderr; in Japanese through the reason table (the watcher says them in
    English, as its tests and users' log filters read them)."""
    from sekisho.i18n_reasons import translate

    def log(msg: str) -> None:
        if not quiet:
            stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            sys.stderr.write(f"{stamp} sekisho watch: {translate(msg, lang)}\n")
            sys.stderr.flush()

    return log


@handle_errors
def watch(
    paths: list[Path] = typer.Argument(
        None, help="Log files (their rotated copies come with them) or directories.", show_default=False
    ),
    db: Path | None = DbOpt,
    catalog: Path | None = CatalogOpt,
    settings: Path | None = SettingsOpt,
    rules: Path | None = typer.Option(
        None, "--rules", envvar="SEKISHO_ALERT_RULES", help="Alert rules YAML, applied over the defaults."
    ),
    policy: str | None = typer.Option(
        None, "--policy", help="Policy for the blocked-use rule (presets or YAML)."
    ),
    sink: list[str] = typer.Option(
        [],
        "--sink",
        help="Where alerts go (repeatable): stdout, jsonl:PATH, syslog://HOST:PORT, syslog+tcp://HOST:PORT, "
        "https://URL (webhook), smtp://HOST:PORT?from=…&to=…. Default: the rules file's sinks (stdout).",
    ),
    interval: float = typer.Option(0.5, "--interval", help="Seconds between polls."),
    once: bool = typer.Option(False, "--once", help="Read what is there, send the alerts, and stop."),
    fmt: str | None = typer.Option(None, "--format", "-f", help="Force a format (see `sekisho formats`)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages on stderr."),
    keep_all: bool = typer.Option(
        False, "--keep-all", help="Roll up and expire nothing (retention only says what it would do)."
    ),
    exposure: list[str] = typer.Option(
        [],
        "--exposure",
        help="Instead of logs: check these hosts (as `sekisho exposure check`) --every so often and alert "
        "on new findings.",
    ),
    every: str = typer.Option("1h", "--every", help="With --exposure: how often (90s, 30m, 1h, 1d)."),
    signins: list[Path] = typer.Option(
        [],
        "--signins",
        help="Also follow these sign-in logs (files or directories; repeatable) as `sekisho audit --follow` "
        "does, and send their new alerts to the same sinks. --settings' audit: section applies.",
    ),
    mmdb: list[Path] = typer.Option(
        [], "--mmdb", help="With --signins: an ASN database you supply (.mmdb), as `sekisho audit --mmdb`."
    ),
    lang: str = LangOpt,
) -> None:
    """Follow logs like a log shipper: new lines, rotation, restarts — and alert on them."""
    lg = check_lang(lang)
    if exposure:
        if paths:
            raise fail("--exposure checks hosts on its own; follow the logs with a second `sekisho watch`")
        from sekisho.cli.exposure_cmd import watch_exposure

        watch_exposure(exposure, db=db, sinks=sink or ["stdout"], every=every, once=once)
        return
    paths = paths or []
    if not paths and not signins:
        raise fail("give the log files or directories to follow (or --signins LOGS, or --exposure TARGETS)")
    if interval <= 0:
        raise fail("--interval must be more than 0")
    for p in [*paths, *signins]:
        if not p.exists() and not p.parent.is_dir():
            raise fail(f"{p}: no such file or directory")
    if fmt:  # (the formats' modules are imported only then: the store opens while they are)
        from sekisho.ingest import FORMATS

        if fmt not in FORMATS:
            raise fail(f"unknown format {fmt!r}{did_you_mean(fmt, FORMATS)}; known: {', '.join(FORMATS)}")
    # Start-up (the imports, the catalog, the first batch) makes objects that live as long as the
    # watcher: no cyclic collection until the first batch is in (0.02-0.03 s of a 0.55 s start),
    # then they are frozen out of every later collection (gc.freeze) and collection resumes.
    gc.disable()
    from sekisho.store.watch import OPEN_WAIT, StoreOpener

    # the store opens (a new one is created) while the watcher's modules are imported; a watcher
    # that does not start closes it (and stops waiting for another process's lock)
    opener = StoreOpener(db, OPEN_WAIT)
    opener.start()
    try:
        from sekisho.watch import Watcher, WatchOptions, load_alert_rules, make_sink, parse_sink_spec
        from sekisho.watch.watcher import USER_LAYOUT

        if fmt in USER_LAYOUT:  # their layout is the user's; the watcher cannot take it yet
            raise fail(
                f"`sekisho watch` cannot take the layout --format {fmt} needs (a logformat line, a --map); "
                "scan such logs with `sekisho scan` instead"
            )
        alert_rules = load_alert_rules(rules)
        if policy:
            alert_rules = alert_rules.with_policy(policy)
        specs = [parse_sink_spec(s) for s in sink] or alert_rules.sinks or [{"type": "stdout"}]
        sinks = [make_sink(s) for s in specs]
        log = _log(quiet, lg)
        from sekisho.i18n import text

        default_store = text("cli.watch.default_store", lg)  # type: ignore[arg-type]
        watcher = Watcher(
            paths,
            db,
            alert_rules,
            sinks,
            catalog_dir=catalog,
            settings=settings,
            options=WatchOptions(interval=interval, once=once, format_name=fmt, keep_all=keep_all),
            log=log,
            opener=opener,
        )
        watcher.on_ready.append(_collect_from_now)
        if signins:
            _follow_signins(watcher, signins, db, settings, mmdb, log)
        stop = threading.Event()

        def on_signal(signum: int, _frame: object) -> None:
            log(f"{signal.Signals(signum).name}: stopping after this batch")
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        log(
            f"starting: {', '.join(map(str, [*paths, *signins]))} into {db or default_store}; catalog "
            f"{watcher.catalog.meta.version}; sinks: {', '.join(s.name for s in sinks)}"
        )
        watcher.run(stop)
    finally:
        gc.enable()  # a watcher that stopped or failed before its first batch
        opener.discard()  # a watcher that never started: its store is closed (else a no-op)


def _collect_from_now() -> None:
    gc.freeze()
    gc.enable()


def _follow_signins(watcher, signins: list[Path], db, settings, mmdb: list[Path], log) -> None:  # type: ignore[no-untyped-def]
    """`--signins`: the follower of `sekisho audit --follow`, polled by the watcher after each of its
    polls (:attr:`sekisho.watch.Watcher.also`), raising its alerts through the watcher's sinks."""
    from sekisho.cli.audit_cmd import _overrides
    from sekisho.watch.signins import SigninFollower

    follower = SigninFollower(
        list(signins), db, [], overrides=_overrides(settings, False, []), mmdb=mmdb or None,
        dispatcher=watcher.dispatcher,
    )  # fmt: skip
    said: list[bool] = []

    def poll() -> None:
        got = follower.poll()
        for e in got.errors:
            log(f"sign-ins: error: {e}")
        if not said:
            said.append(True)
            notes = got.result.notes if got.result else []
            log(f"sign-ins: following {len(got.read)} file(s); {got.new_alerts} new alert(s)")
            for n in notes:
                if n.startswith("ASN:"):  # what the IP knowledge lacks: said once
                    log(f"sign-ins: note: {n}")
        elif got.read:
            log(
                f"sign-ins: read {len(got.read)} changed file(s); {got.new_alerts} new alert(s), "
                f"{got.delivered} delivered"
            )
        if got.delivered < got.new_alerts:
            # a sink failed: the watcher's next poll reads when its retry is due (it keeps that time
            # only for what it queued itself) and delivers then, as for its own alerts
            from sekisho.store import watch as wstore

            watcher._next_due = wstore.utcnow()

    watcher.also.append(poll)
