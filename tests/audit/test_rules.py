"""Each detection: sign-ins in, expected alerts out; the travel rule's properties with Hypothesis."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sekisho.audit import load_params, run_audit
from sekisho.audit.engine import AuditResult
from sekisho.audit.findings import to_finding
from sekisho.audit.model import Signin
from sekisho.audit.rules.impossible_travel import judge
from sekisho.ingest.logins.base import LoginEvent
from sekisho.match.ipinfo import IpKnowledge, borders, distance_km
from tests.audit.helpers import COUNTRIES, T0, ev, geoip, ip_in


@pytest.fixture(scope="module")
def k(tmp_path_factory: pytest.TempPathFactory) -> IpKnowledge:
    return geoip(tmp_path_factory.mktemp("geoip"))


def audit(events: list[LoginEvent], k: IpKnowledge, **over: Any) -> AuditResult:
    events = sorted(events, key=lambda e: e.ts)
    return run_audit(lambda: events, load_params(over), k)


def rules(r: AuditResult) -> list[str]:
    return [a.rule for a in r.alerts]


def test_impossible_travel_alert_explains_itself(k: IpKnowledge) -> None:
    r = audit(
        [ev("alice", ip_in("JP"), 0), ev("alice", ip_in("US"), 60)], k, new_country={"severity": "medium"}
    )
    travel = [a for a in r.alerts if a.rule == "impossible-travel"]
    assert len(travel) == 1
    d = travel[0].detail
    assert d["from"]["country"] == "JP" and d["to"]["country"] == "US" and d["hours"] == 1.0
    assert d["distance_km"] > 9000 and d["speed_kmh"] > 9000
    assert d["from"]["ip"] == ip_in("JP") and d["to"]["file"] == "test" and d["databases"]
    assert travel[0].to_json()["countries"] == ["JP", "US"]
    assert travel[0].title.startswith("Impossible travel: alice") and travel[0].title_ja.startswith(
        "不可能な移動: alice"
    )
    f = to_finding(travel[0], r.databases)
    assert f.stage == "audit" and f.kind == "impossible-travel" and f.evidence[0].values["country"] == "JP"
    assert f.sources[0].as_of is not None and f.sources[0].kind == "database"


def test_travel_at_airliner_speed_is_no_alert(k: IpKnowledge) -> None:
    r = audit([ev("alice", ip_in("JP"), 0), ev("alice", ip_in("US"), 14 * 60)], k)  # 14 h
    assert "impossible-travel" not in rules(r)


def test_organisation_address_learned_and_not_a_travel_point(k: IpKnowledge) -> None:
    vpn = ip_in("US", 9)  # the VPN's egress is abroad
    events = [ev(f"u{i}", vpn, day * 1440 + i) for day in range(14) for i in range(6)]
    events += [ev("u0", ip_in("JP"), 20 * 1440), ev("u0", vpn, 20 * 1440 + 30)]
    r = audit(events, k)
    assert vpn in r.own_addresses and "learned" in r.own_addresses[vpn]
    assert "impossible-travel" not in rules(r) and "many-accounts-one-ip" not in rules(r)
    # overridable: the same address marked as not the organisation's
    r = audit(events, k, organisation_addresses={"not_own": [vpn]})
    assert vpn not in r.own_addresses and "impossible-travel" in rules(r)


def test_office_is_a_place_for_travel(k: IpKnowledge) -> None:
    office = ip_in("JP", 9)  # learned, in a home country: an office, so a travel point
    events = [ev(f"u{i}", office, day * 1440 + i) for day in range(14) for i in range(6)]
    events += [ev("u0", office, 20 * 1440), ev("u0", ip_in("BR"), 20 * 1440 + 25)]  # a stolen cookie
    r = audit(events, k)
    assert office in r.own_addresses
    travel = [a for a in r.alerts if a.rule == "impossible-travel"]
    assert len(travel) == 1 and "learned" in travel[0].detail["from"]["organisation_address"]


def test_known_network_and_allowed_asn(k: IpKnowledge) -> None:
    events = [ev("a", ip_in("JP"), 0), ev("a", ip_in("US"), 30)]
    assert "impossible-travel" not in rules(
        audit(events, k, allow={"known_networks": [f"{ip_in('US', 0)}/16"], "asns": []})
    )
    relay = [ev("a", ip_in("JP"), 0), ev("a", ip_in("US"), 30, asn=13335)]
    assert "impossible-travel" not in rules(audit(relay, k))


def test_non_interactive_refreshes_excluded(k: IpKnowledge) -> None:
    events = [ev("a", ip_in("JP"), 0), ev("a", ip_in("US"), 30, interactive=False)]
    r = audit(events, k)
    assert r.alerts == [] and r.considered == 1 and r.events == 2
    assert "impossible-travel" in rules(audit(events, k, include_non_interactive=True))


def test_new_country_after_learning_only(k: IpKnowledge) -> None:
    history = [ev("bob", ip_in("JP"), i * 600) for i in range(10)]  # 10 sign-ins: learned
    staff = [ev(f"s{i}", ip_in("JP", 50 + i), 5 + i) for i in range(30)]
    early = [ev("carol", ip_in("JP"), 0), ev("carol", ip_in("SG"), 24 * 60)]  # within learning
    late = [ev("bob", ip_in("SG"), 30 * 1440)]
    r = audit(history + staff + early + late, k)
    nc = [a for a in r.alerts if a.rule == "new-country"]
    assert [(a.user, a.countries, a.severity) for a in nc] == [("bob", ["SG"], "medium")]
    assert nc[0].detail["countries_before"] == ["JP"]
    assert nc[0].detail["organisation"]["other_users_from_country"] == 1  # carol
    # common in the organisation (2 others of 32 users >= 5%): no alert, counted
    more = [ev("dave", ip_in("JP"), 0), ev("dave", ip_in("SG"), 60)]
    r = audit(history + staff + early + more + late, k)
    assert "new-country" not in rules(r) and r.suppressed == {"new-country": 1}


def test_new_asn_needs_asns(k: IpKnowledge) -> None:
    events = [ev("d", ip_in("JP"), i * 60, asn=2516) for i in range(10)] + [
        ev("d", ip_in("JP", 7), 20 * 1440, asn=4134)
    ]
    r = audit(events, k)
    assert [a.subject for a in r.alerts if a.rule == "new-asn"] == ["d AS4134"]
    assert any("new-asn" in n for n in audit([ev("d", ip_in("JP"), 0)], k).notes)


def test_spray_then_success(k: IpKnowledge) -> None:
    atk = ip_in("RU", 3)
    fails = [ev(f"v{i}", atk, i, ok=False) for i in range(5)]
    r = audit([*fails, ev("v2", atk, 20)], k)
    spray = [a for a in r.alerts if a.rule == "spray-then-success"]
    assert len(spray) == 1 and spray[0].detail["failed_users"] == [f"v{i}" for i in range(5)]
    assert spray[0].detail["success"]["user"] == "v2"
    # the /24: failures from neighbours of one address, success from another
    near = [ev(f"v{i}", ip_in("RU", 10 + i), i, ok=False) for i in range(5)] + [ev("v9", ip_in("RU", 40), 10)]
    assert [a.detail["source_kind"] for a in audit(near, k).alerts if a.rule == "spray-then-success"] == [
        "prefix"
    ]
    # under the thresholds: 4 users, or the success after the window
    assert "spray-then-success" not in rules(audit([*fails[:4], ev("v2", atk, 20)], k))
    assert "spray-then-success" not in rules(audit([*fails, ev("v2", atk, 200)], k))


def test_spray_by_asn_only_when_the_asn_is_rare(k: IpKnowledge) -> None:
    # five users fail from five different networks of one ASN, then a sixth address of it gets in
    spray = [ev(f"v{i}", ip_in("BR", 256 * (i + 1)), i, ok=False, asn=64500) for i in range(5)]
    spray.append(ev("v9", ip_in("BR", 256 * 9), 10, asn=64500))
    got = [a.detail["source"] for a in audit(spray, k).alerts if a.rule == "spray-then-success"]
    assert got == ["AS64500"]
    # the same from a carrier a tenth of the organisation uses every day: ordinary, no alert
    staff = [ev(f"s{i}", ip_in("BR", 60000 + i), -100 + i, asn=64500) for i in range(3)]
    others = [ev(f"o{i}", ip_in("JP", 100 + i), -100 + i) for i in range(27)]
    assert "spray-then-success" not in rules(audit(staff + others + spray, k))


def test_many_accounts_one_ip(k: IpKnowledge) -> None:
    box = ip_in("VN", 8)
    r = audit([ev(f"w{i}", box, i * 5) for i in range(5)], k)
    m = [a for a in r.alerts if a.rule == "many-accounts-one-ip"]
    assert len(m) == 1 and m[0].detail["users"] == [f"w{i}" for i in range(5)] and m[0].user is None
    assert "many-accounts-one-ip" not in rules(audit([ev(f"w{i}", box, i * 30) for i in range(5)], k))


def test_foreign_access_by_policy(k: IpKnowledge) -> None:
    events = [
        ev("e", ip_in("JP"), 0),
        ev("e", ip_in("CN"), 3000),
        ev("e", ip_in("CN"), 4000),
        ev("e", "99.0.0.5", 5000),
    ]
    assert "foreign-access" not in rules(audit(events, k))  # no policy: off
    r = audit(events, k, foreign_access={"allowed_countries": ["JP"]})
    fa = [a for a in r.alerts if a.rule == "foreign-access"]
    assert len(fa) == 1 and fa[0].detail["sign_ins"] == 2 and fa[0].countries == ["CN"]
    assert r.unknown_country == 1  # the ?? address: unknown, never a country, never an alert


# --- Hypothesis: the travel rule ---------------------------------------------------------------

countries = st.sampled_from(COUNTRIES)
minutes = st.floats(min_value=0, max_value=3 * 24 * 60, allow_nan=False)
PARAMS = load_params()["impossible_travel"]


def _s(k: IpKnowledge, cc: str, t: float, user: str = "h") -> Signin:
    e = ev(user, ip_in(cc), t)
    return Signin(e, k.lookup(e.src_ip))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=countries, b=countries, t1=minutes, t2=minutes)
def test_travel_symmetric_in_order(k: IpKnowledge, a: str, b: str, t1: float, t2: float) -> None:
    one = judge(_s(k, a, t1), _s(k, b, t2), PARAMS)
    other = judge(_s(k, b, t1), _s(k, a, t2), PARAMS)
    swapped = judge(_s(k, b, t2), _s(k, a, t1), PARAMS)
    assert one[0] == other[0] == swapped[0]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    a=countries,
    b=countries,
    t=st.floats(min_value=0, max_value=600),
    back=st.floats(min_value=0, max_value=600),
)
def test_a_b_a_caught(k: IpKnowledge, a: str, b: str, t: float, back: float) -> None:
    """A then B then A: caught when either leg is too fast between far, non-bordering countries;
    silent otherwise."""
    km = distance_km(a, b)
    far = km is not None and round(km) >= 500 and a != b and not borders(a, b)
    fast = far and km is not None and any(round(km / max(m / 60, 1 / 60)) > 900 for m in (t, back))
    events = [ev("h", ip_in(a), 0), ev("h", ip_in(b), t), ev("h", ip_in(a), t + back)]
    travel = [x for x in audit(events, k).alerts if x.rule == "impossible-travel"]
    assert bool(travel) == fast, (a, b, t, back, km)
    for x in travel:
        assert {x.detail["from"]["country"], x.detail["to"]["country"]} == {a, b}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=countries, b=countries, t=minutes)
def test_under_thresholds_never_alert(k: IpKnowledge, a: str, b: str, t: float) -> None:
    km = distance_km(a, b)
    hit, facts = judge(_s(k, a, 0), _s(k, b, t), PARAMS)
    if km is None or km < 500 or km / max(t / 60, 1 / 60) <= 900:
        assert not hit, facts
    if hit:
        assert facts["distance_km"] >= 500 and facts["speed_kmh"] > 900


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(t=st.floats(min_value=0, max_value=30))
def test_bordering_suppressed(k: IpKnowledge, t: float) -> None:
    for a, b in [("FR", "DE"), ("US", "CA"), ("US", "MX"), ("CN", "VN"), ("CN", "IN"), ("CN", "RU")]:
        assert borders(a, b)
        hit, facts = judge(_s(k, a, 0), _s(k, b, t), PARAMS)
        assert not hit and facts["why_not"] == "bordering countries"
        hit, _ = judge(_s(k, a, 0), _s(k, b, t), {**PARAMS, "suppress_bordering": False})
        km = distance_km(a, b)
        assert hit == (km is not None and round(km) >= 500 and round(km / max(t / 60, 1 / 60)) > 900)


def test_geoip_file_is_the_helpers(tmp_path: Path) -> None:
    assert geoip(tmp_path).lookup(ip_in("KR")).country == "KR" and T0.tzinfo is not None


def test_titles_in_both_languages() -> None:
    from sekisho.audit.rules import RULES
    from sekisho.i18n import messages

    for rule in RULES:
        en, ja = messages("en").get(f"audit.title.{rule}"), messages("ja").get(f"audit.title.{rule}")
        assert en and ja and en != ja, rule
        assert sorted(re.findall(r"{(\w+)}", en)) == sorted(re.findall(r"{(\w+)}", ja)), rule
