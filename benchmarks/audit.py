"""Audit benchmark (issue 14): a generated month of sign-ins with planted takeovers of each kind.

The organisation: ``--users`` staff in Japan (default 500), 30 days. Each works weekdays from one of
three office egresses (learned as the organisation's own) or from home / a phone (a home ISP
address that changes weekly, a mobile address that changes at every sign-in: address churn inside
two ASNs per user), some through the corporate VPN (a SASE egress in Singapore, used by 40% of the
staff on most days), domestic trips (other Japanese addresses), business trips abroad (2% of staff a
month to US/SG/KR/DE, with a flight of 10+ hours), and many non-interactive token refreshes. Real
addresses: drawn from Debian's tor-geoipdb ranges of each country, so every lookup is the real one.

Planted: impossible-travel (a stolen cookie used from abroad 20-40 min after the owner), new-country
(the account used from a country the owner never used, a day later), new-asn (a Japanese VPS
network the owner never used), spray-then-success (one address fails against 25 users in 30 min,
then gets in), many-accounts-one-ip (6 accounts from one address in 40 min), foreign-access
(subcontractors signing in from Vietnam every day; the policy allows JP and the trip countries).

Printed: every planted one found or not, false alerts (alerts matching no planted incident) per
1,000 users per day, events/s and peak RSS. ``--events N`` also times N events (more users, the same
month) through the detections, streamed (nothing is kept), and ``--parse N`` times reading N
auth.log lines through the OpenSSH format.

    .venv/bin/python benchmarks/audit.py
    .venv/bin/python benchmarks/audit.py --events 10000000 --parse 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sekisho.audit import load_params, run_audit
from sekisho.ingest.logins.base import LoginEvent
from sekisho.match.ipinfo import knowledge

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)  # a Sunday in JST terms; Nov 2 is Monday
DAYS = 30
TRIP_COUNTRIES = ["US", "SG", "KR", "DE"]
ASN = {"office": 2497, "vpn": 38001, "home": [2516, 4713, 17676, 2527], "mobile": [9605, 2516, 17676, 20473]}


def ranges_of(cc: str) -> list[tuple[int, int]]:
    k = knowledge()
    t = k._v4  # the loaded tor-geoipdb table (this benchmark needs the real data)
    assert t is not None, "tor-geoipdb is needed (/usr/share/tor/geoip)"
    return [(lo, hi) for lo, hi, c in zip(t.starts, t.ends, t.ccs, strict=True) if c == cc and hi - lo > 1024]


class Addresses:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cache: dict[str, list[tuple[int, int]]] = {}

    def pick(self, cc: str) -> str:
        if cc not in self.cache:
            self.cache[cc] = ranges_of(cc)
        lo, hi = self.rng.choice(self.cache[cc])
        return str(ipaddress.IPv4Address(self.rng.randint(lo + 1, hi - 1)))


@dataclass
class Plant:
    rule: str
    user: str | None
    ip: str | None
    when: dt.datetime
    found: bool = False


@dataclass
class World:
    users: list[str]
    offices: list[str]
    vpn: str
    home: dict[str, str]
    asns: dict[str, tuple[int, int]]
    vpn_users: set[str]
    trips: dict[str, tuple[int, int, str]]  # user -> (first day, last day, country)
    subcontractors: list[str]
    plants: list[Plant] = field(default_factory=list)
    plant_events: dict[int, list[LoginEvent]] = field(default_factory=dict)  # day -> events


def build(n_users: int, seed: int) -> World:
    rng = random.Random(seed)
    a = Addresses(rng)
    users = [f"user{i:05d}@city.example.jp" for i in range(n_users)]
    offices = [a.pick("JP") for _ in range(3)]
    vpn = a.pick("SG")
    home = {u: a.pick("JP") for u in users}
    asns = {u: (rng.choice(ASN["home"]), rng.choice(ASN["mobile"])) for u in users}
    vpn_users = {u for u in users if rng.random() < 0.4}
    trips = {}
    for u in rng.sample(users, max(1, n_users // 50)):
        d0 = rng.randint(8, DAYS - 6)
        trips[u] = (d0, d0 + rng.randint(2, 4), rng.choice(TRIP_COUNTRIES))
    subs = [f"sub{i}@vendor.example.vn" for i in range(3)]
    w = World(users, offices, vpn, home, asns, vpn_users, trips, subs)
    plant(w, rng, a)
    return w


def _ev(
    user: str, ip: str, t: dt.datetime, ok: bool = True, inter: bool = True, asn: int | None = None
) -> LoginEvent:
    return LoginEvent(t, user, ip, "success" if ok else "failure", None if ok else "wrong password",
                      "password", None, "portal", inter, "Mozilla/5.0", "generated", 0, "bench", asn)  # fmt: skip


def plant(w: World, rng: random.Random, a: Addresses) -> None:
    victims = iter(rng.sample([u for u in w.users if u not in w.trips], 40))

    def add(day: int, evs: list[LoginEvent]) -> None:
        w.plant_events.setdefault(day, []).extend(evs)

    for i in range(5):  # stolen cookie, used from abroad minutes after the owner
        u, day = next(victims), 16 + i
        t = START + dt.timedelta(days=day, hours=1 + i)  # 10:00 JST
        cc = ["NL", "RU", "BR", "US", "GB"][i]
        ip = a.pick(cc)
        add(day, [_ev(u, w.offices[0], t), _ev(u, ip, t + dt.timedelta(minutes=20 + 5 * i), asn=9009)])
        w.plants.append(Plant("impossible-travel", u, ip, t))
    for i in range(5):  # the account used from a country its owner never used, after a day
        u, day = next(victims), 18 + i
        t = START + dt.timedelta(days=day, hours=14)
        ip = a.pick(["CN", "KP", "IR", "NG", "UA"][i] if i != 1 else "TH")
        add(day, [_ev(u, ip, t, asn=4134)])
        w.plants.append(Plant("new-country", u, ip, t))
    for i in range(5):  # a domestic VPS network the owner never used
        u, day = next(victims), 19 + i
        t = START + dt.timedelta(days=day, hours=3)
        ip = a.pick("JP")
        add(day, [_ev(u, ip, t, asn=9370)])
        w.plants.append(Plant("new-asn", u, ip, t))
    for i in range(3):  # password spray, then a success
        day = 20 + i
        t = START + dt.timedelta(days=day, hours=16)
        ip = a.pick(["RU", "BR", "IN"][i])
        targets = rng.sample(w.users, 25)
        evs = [
            _ev(v, ip, t + dt.timedelta(seconds=70 * j), ok=False, asn=50000 + i)
            for j, v in enumerate(targets)
        ]
        evs.append(_ev(targets[7], ip, t + dt.timedelta(minutes=31), asn=50000 + i))
        add(day, evs)
        w.plants.append(Plant("spray-then-success", targets[7], ip, t))
    for i in range(3):  # stolen credentials replayed from one machine
        day = 24 + i
        t = START + dt.timedelta(days=day, hours=5)
        ip = a.pick(["VN", "ID", "PH"][i])
        accts = rng.sample(w.users, 6)
        add(day, [_ev(v, ip, t + dt.timedelta(minutes=7 * j), asn=60000 + i) for j, v in enumerate(accts)])
        w.plants.append(Plant("many-accounts-one-ip", None, ip, t))
    for s in w.subcontractors:  # staff abroad reaching the organisation's systems, every working day
        ip = a.pick("VN")
        w.plants.append(Plant("foreign-access", s, ip, START))
        for day in range(DAYS):
            t = START + dt.timedelta(days=day, hours=2, minutes=rng.randint(0, 300))
            add(day, [_ev(s, ip, t, asn=7552)])
    w.addresses = a  # type: ignore[attr-defined]


def day_events(w: World, day: int, rng: random.Random, a: Addresses, refreshes: int) -> list[LoginEvent]:
    base = START + dt.timedelta(days=day)
    weekday = (base + dt.timedelta(hours=9)).weekday() < 5
    out: list[LoginEvent] = list(w.plant_events.get(day, []))
    for u in w.users:
        trip = w.trips.get(u)
        abroad = trip is not None and trip[0] <= day <= trip[1]
        if not weekday and rng.random() < 0.7 and not abroad:
            continue
        home_asn, mobile_asn = w.asns[u]
        n = rng.randint(2, 6)
        for _ in range(n):
            t = base + dt.timedelta(minutes=rng.randint(-60, 11 * 60))  # 08:00-20:00 JST
            r = rng.random()
            if abroad and trip is not None:
                ip, asn = (w.vpn, ASN["vpn"]) if r < 0.3 else (a.pick(trip[2]), 16509)
                if day == trip[0]:
                    t = base + dt.timedelta(hours=12, minutes=rng.randint(0, 600))  # landed after a flight
            elif weekday and r < 0.55:
                ip, asn = rng.choice(w.offices), ASN["office"]
            elif u in w.vpn_users and r < 0.75:
                ip, asn = w.vpn, ASN["vpn"]
            elif r < 0.88:
                ip, asn = (
                    (w.home[u] if day % 7 else a.pick("JP")),
                    home_asn,
                )  # the home address changes weekly
                if day % 7 == 0:
                    w.home[u] = ip
            else:
                ip, asn = a.pick("JP"), mobile_asn  # mobile: a new address every time
            ok = rng.random() > 0.03
            out.append(_ev(u, ip, t, ok=ok, asn=asn))
            if not ok:
                out.append(_ev(u, ip, t + dt.timedelta(seconds=20), asn=asn))
        for _ in range(refreshes):  # token refreshes from anywhere the device is
            t = base + dt.timedelta(minutes=rng.randint(0, 1439))
            out.append(_ev(u, a.pick("JP"), t, inter=False, asn=mobile_asn))
    out.sort(key=lambda e: e.ts)
    return out


def stream(w: World, seed: int, refreshes: int) -> Iterator[LoginEvent]:
    rng = random.Random(seed + 1)
    a = Addresses(random.Random(seed + 2))
    a.cache = w.addresses.cache  # type: ignore[attr-defined]
    for day in range(DAYS):
        yield from day_events(w, day, rng, a, refreshes)


def params() -> dict[str, object]:
    return load_params({"foreign_access": {"allowed_countries": ["JP", *TRIP_COUNTRIES]}})


def score(w: World, alerts: list) -> tuple[int, list]:  # type: ignore[type-arg]
    false = []
    for al in alerts:
        hit = False
        for p in w.plants:
            mine = (p.user and p.user == al.user) or (p.ip and p.ip in al.ips)
            near = abs((al.first - p.when).total_seconds()) < 3 * 86400 or p.rule == "foreign-access"
            if mine and near:
                hit = True
                if p.rule == al.rule:
                    p.found = True
        if not hit:
            false.append(al)
    return sum(p.found for p in w.plants), false


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=500)
    ap.add_argument("--refreshes", type=int, default=20, help="non-interactive refreshes per user per day")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--events", type=int, default=0, help="also time this many events (e.g. 10000000)")
    ap.add_argument("--verbose", action="store_true", help="print each false alert")
    ap.add_argument("--parse", type=int, default=0, help="also time reading this many auth.log lines")
    args = ap.parse_args()

    knowledge()
    w = build(args.users, args.seed)
    t0 = time.perf_counter()
    r = run_audit(lambda: stream(w, args.seed, args.refreshes), params())
    secs = time.perf_counter() - t0
    found, false = score(w, r.alerts)
    print(f"month: {args.users} users, {DAYS} days, {r.events:,} events ({r.considered:,} interactive), "
          f"{len(r.own_addresses)} organisation addresses learned, {secs:.1f} s")  # fmt: skip
    for p in w.plants:
        print(f"  planted {p.rule:22} {p.user or p.ip:32} {'found' if p.found else 'MISSED'}")
    per = len(false) / (args.users * DAYS / 1000)
    print(f"planted found: {found}/{len(w.plants)}; alerts: {len(r.alerts)}; false alerts: {len(false)} "
          f"= {per:.2f} per 1,000 users per day (target <= 1)")  # fmt: skip
    by: dict[str, int] = {}
    for al in false:
        by[f"{al.rule}/{al.severity}"] = by.get(f"{al.rule}/{al.severity}", 0) + 1
    if by:
        print("  false alerts by rule/severity: " + ", ".join(f"{k} {v}" for k, v in sorted(by.items())))
        trips = sum(1 for al in false if al.user in w.trips)
        print(f"  of them on a business trip abroad (a new country that is real but legitimate): {trips}")
    if args.verbose:
        for al in false:
            print("   ", al.rule, al.severity, al.title)
    print(f"events/s (generation included): {r.events / secs:,.0f}; peak RSS {peak_rss_mb():.0f} MB")

    if args.events:
        per_user = r.events / args.users
        users = max(args.users, int(args.events / per_user))
        big = build(users, args.seed)
        t0 = time.perf_counter()
        generated = sum(1 for _ in stream(big, args.seed, args.refreshes))
        gen_secs = time.perf_counter() - t0
        print(
            f"generated {generated:,} events for {users:,} users in {gen_secs:.0f} s (one pass)", flush=True
        )
        t0 = time.perf_counter()
        rb = run_audit(lambda: stream(big, args.seed, args.refreshes), params())
        secs = time.perf_counter() - t0
        found, false = score(big, rb.alerts)
        det = secs - gen_secs * (1 + 14 / 30)  # two passes of generation: the whole month and 14 days
        print(f"{rb.events:,} events, {users} users: {secs:.0f} s with generation ({rb.events / secs:,.0f} events/s); "
              f"generation alone {gen_secs:.0f} s per pass; detections ~{rb.events / max(det, 1e-9):,.0f} events/s; "
              f"planted found {found}/{len(big.plants)}; false alerts {len(false) / (users * DAYS / 1000):.2f} per 1,000 users/day; "
              f"peak RSS {peak_rss_mb():.0f} MB")  # fmt: skip

    if args.parse:
        from sekisho.ingest.logins import read_logins

        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "auth.log"
            with open(p, "w") as f:
                for i in range(args.parse):
                    verdict = "Accepted" if i % 4 else "Failed"
                    f.write(f"Nov 30 10:{i // 60 % 60:02d}:{i % 60:02d} gw sshd[{i % 9000}]: {verdict} password "
                            f"for user{i % 500} from 133.{i % 250}.{i % 200}.{i % 199 + 1} port {1024 + i % 60000} ssh2\n")  # fmt: skip
            t0 = time.perf_counter()
            events, acct = read_logins(p)
            secs = time.perf_counter() - t0
            print(f"parse: {acct.lines:,} auth.log lines in {secs:.1f} s = {acct.lines / secs:,.0f} lines/s "
                  f"({acct.parsed:,} sign-ins, {acct.malformed} malformed); peak RSS {peak_rss_mb():.0f} MB")  # fmt: skip
            from sekisho.store import Store
            from sekisho.store.logins import load_login_events, save_login_events

            with Store(Path(d) / "bench.duckdb") as store:
                t0 = time.perf_counter()
                save_login_events(store, str(p), events)
                saved = time.perf_counter() - t0
                t0 = time.perf_counter()
                n = sum(1 for _ in load_login_events(store))
                loaded = time.perf_counter() - t0
            print(f"store: {len(events):,} sign-ins saved in {saved:.1f} s ({len(events) / saved:,.0f}/s), "
                  f"read back in time order in {loaded:.1f} s ({n / loaded:,.0f}/s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
