"""Offline IP knowledge: the tor-geoipdb format and date, unknown stays unknown, borders, distance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sekisho.match.ipinfo import UNKNOWN, IpKnowledge, borders, distance_km
from tests.audit.helpers import geoip, ip_in
from tests.conftest import need


def test_tor_format_and_date(tmp_path: Path) -> None:
    k = geoip(tmp_path)
    f = k.lookup(ip_in("JP", 5))
    assert f.country == "JP" and f.database == "IPFire Location via Debian tor-geoipdb (2026-06-25)"
    assert k.sources()[0]["as_of"] == "2026-06-25"


def test_unknown_is_never_a_country(tmp_path: Path) -> None:
    k = geoip(tmp_path)
    for ip, why in [
        ("99.0.1.2", "no database"),  # '??' in the data
        ("98.1.1.1", "no database"),  # in no range
        ("10.1.2.3", "private"),
        ("not-an-ip", "not an IP"),
        (None, "no address"),
    ]:
        f = k.lookup(ip)
        assert f.country == UNKNOWN and f.database is None and why in (f.why_unknown or ""), (ip, f)


def test_real_tor_geoipdb() -> None:
    need(Path("/usr/share/tor/geoip").is_file(), "Debian's tor-geoipdb (/usr/share/tor/geoip)")
    k = IpKnowledge(use_fallback=False)
    assert k.tor.as_of is not None and k.tor.as_of > dt.date(2020, 1, 1)
    # APNIC's 133.0.0.0/8 block is held by Japanese organisations
    assert k.lookup("133.11.0.1").country == "JP"
    assert k.lookup("2001:200::1").country == "JP"  # WIDE's v6, from geoip6
    assert k.lookup("192.168.1.1").country == UNKNOWN


def test_iptocc_fallback_places_what_tor_does_not(tmp_path: Path) -> None:
    k = IpKnowledge(tmp_path / "none", use_fallback=True)  # no tor data at all
    f = k.lookup("133.11.0.1")
    assert f.country == "JP" and f.database is not None and f.database.startswith("iptocc ")


def test_borders_and_distance() -> None:
    assert borders("FR", "DE") and borders("DE", "FR") and not borders("JP", "KR")
    assert distance_km("JP", "JP") == 0.0 and distance_km("JP", UNKNOWN) is None
    d = distance_km("JP", "US")
    assert d is not None and 9000 < d < 11500 and distance_km("US", "JP") == d
