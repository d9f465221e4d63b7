"""Following sign-in logs: ``sekisho audit PATH... --follow``, and ``sekisho watch --signins PATH``
(the watcher polls a follower after each of its polls and lends it its sinks).

Each poll looks at the followed files (directories recursively; a followed file brings its rotated
copies, :class:`sekisho.watch.follow.Finder`); a file whose size, mtime or inode changed is read
again whole (its stored sign-ins are replaced; the same event in a log and its rotated copy counts
once), and the detections run again over the stored sign-ins. New alerts go to the sinks through
the watch alert table, so an alert already sent is folded, not sent again. Sign-in logs are small
next to DNS logs, so reading a changed file whole is the simple, exact way; the cost is in
docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sekisho.audit import load_params, run_audit, to_finding
from sekisho.audit.engine import AuditResult
from sekisho.errors import SekishoError
from sekisho.ingest.logins import get_login_format, read_logins
from sekisho.match.ipinfo import IpKnowledge, knowledge
from sekisho.store import Store
from sekisho.store.findings import save_findings
from sekisho.store.logins import load_login_events, save_login_events
from sekisho.watch.findings import send_findings
from sekisho.watch.follow import Finder, Signature, signature
from sekisho.watch.sinks import Dispatcher


@dataclass
class SigninPoll:
    read: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    result: AuditResult | None = None
    new_alerts: int = 0
    delivered: int = 0


@dataclass
class SigninFollower:
    paths: list[Path]
    db: Path | None
    sinks: list[str]
    since: dt.datetime | None = None
    fmt: str | None = None
    mapping: dict[str, str] | None = None
    overrides: dict[str, Any] | None = None
    mmdb: list[Path] | None = None
    dispatcher: Dispatcher | None = None  # inside `sekisho watch --signins`: the watcher's sinks
    err: TextIO = field(default_factory=lambda: sys.stderr)
    _seen: dict[Path, Signature] = field(default_factory=dict)
    _finder: Finder | None = None

    def __post_init__(self) -> None:
        self._finder = Finder(list(self.paths))
        self._params = load_params(self.overrides)
        self._ip: IpKnowledge = IpKnowledge(mmdb=self.mmdb) if self.mmdb else knowledge()

    def poll(self) -> SigninPoll:
        out = SigninPoll()
        assert self._finder is not None
        changed = []
        for f in self._finder.files():
            try:
                sig = signature(f.stat())
            except OSError:
                continue
            if self._seen.get(f) != sig:
                changed.append((f, sig))
        if not changed:
            return out
        with Store(self.db) as store:
            for f, sig in changed:
                try:
                    events, _acct = read_logins(
                        f, get_login_format(self.fmt, self.mapping) if self.fmt else None
                    )
                except SekishoError as e:
                    out.errors.append(str(e))
                    self._seen[f] = sig  # told once; read again when it changes
                    continue
                save_login_events(store, str(f), events)
                self._seen[f] = sig
                out.read.append(str(f))
            result = run_audit(lambda: load_login_events(store, self.since), self._params, self._ip)
            findings = [to_finding(a, result.databases) for a in result.alerts]
            save_findings(store, findings)
            if self.sinks or self.dispatcher is not None:
                ids, rnd = send_findings(store, findings, self.sinks, dispatcher=self.dispatcher)
                out.new_alerts, out.delivered = len(ids), rnd.delivered
        out.result = result
        return out

    def run(self, interval: float = 5.0, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        first = True
        while not stop.is_set():
            got = self.poll()
            for e in got.errors:
                print(f"error: {e}", file=self.err, flush=True)
            if first:
                assert self._finder is not None
                print(f"following {len(self._seen)} sign-in file(s)", file=self.err, flush=True)
                first = False
            elif got.read:
                print(
                    f"read {len(got.read)} changed file(s); {got.new_alerts} new alert(s), {got.delivered} delivered",
                    file=self.err,
                    flush=True,
                )
            stop.wait(interval)


__all__ = ["SigninFollower", "SigninPoll"]
