"""ASNs from a user-supplied MMDB, read with MaxMind's reader (``maxminddb``), in the two record
shapes the issue names: GeoLite2-ASN / DB-IP (``autonomous_system_number``) and IPinfo Lite
(``asn`` "AS2516"). The files are written here with ``mmdb-writer`` (the MaxMind DB format)."""

from __future__ import annotations

import json
from pathlib import Path

from netaddr import IPSet
from typer.testing import CliRunner

from sekisho.audit import load_params, run_audit
from sekisho.cli.main import app
from sekisho.match.ipinfo import IpKnowledge
from tests.audit.helpers import ev, geoip, ip_in, net


def _write(path: Path, kind: str, rows: dict[str, dict[str, object]]) -> Path:
    from mmdb_writer import MMDBWriter

    w = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type=kind, description={"en": "test"})
    for cidr, rec in rows.items():
        w.insert_network(IPSet([cidr]), rec)
    w.to_db_file(str(path))
    return path


def test_geolite_and_ipinfo_shapes(tmp_path: Path) -> None:
    a = _write(
        tmp_path / "asn.mmdb",
        "GeoLite2-ASN",
        {
            str(net("JP")): {
                "autonomous_system_number": 2516,
                "autonomous_system_organization": "KDDI CORPORATION",
            }
        },
    )
    b = _write(
        tmp_path / "lite.mmdb",
        "ipinfo_lite.mmdb",
        {str(net("US")): {"asn": "AS16509", "as_name": "Amazon.com, Inc.", "country_code": "US"}},
    )
    k = IpKnowledge(tmp_path / "geo", use_fallback=False, mmdb=[a, b])
    f = k.lookup(ip_in("JP"))
    assert (
        (f.asn, f.asn_org) == (2516, "KDDI CORPORATION")
        and f.asn_database
        and f.asn_database.startswith("GeoLite2-ASN (asn.mmdb)")
    )
    assert (k.lookup(ip_in("US")).asn, k.lookup(ip_in("US")).asn_org) == (16509, "Amazon.com, Inc.")
    assert k.lookup(ip_in("FR")).asn is None and k.lookup("10.0.0.1").asn is None
    names = [d["database"] for d in k.sources()]
    assert names[:2] == ["GeoLite2-ASN (asn.mmdb)", "ipinfo_lite.mmdb (lite.mmdb)"] and all(
        d["as_of"] for d in k.sources()[:2]
    )


def test_new_asn_from_the_mmdb(tmp_path: Path) -> None:
    db = _write(tmp_path / "asn.mmdb", "GeoLite2-ASN", {
        f"{ip_in('JP', 0)}/24": {"autonomous_system_number": 2516, "autonomous_system_organization": "KDDI"},
        f"{ip_in('JP', 0).rsplit('.', 2)[0]}.200.0/24": {"autonomous_system_number": 9370, "autonomous_system_organization": "SAKURA Internet"},
    })  # fmt: skip
    geoip(tmp_path / "geo")
    k = IpKnowledge(tmp_path / "geo", use_fallback=False, mmdb=[db])
    vps = ip_in("JP", 200 * 256 + 5)
    events = [ev("d", ip_in("JP", 1 + i), i * 60) for i in range(10)] + [ev("d", vps, 20 * 1440)]
    r = run_audit(lambda: events, load_params(), k)
    alerts = [a for a in r.alerts if a.rule == "new-asn"]
    assert [a.subject for a in alerts] == ["d AS9370"]
    assert alerts[0].detail["asns_before"] == [2516] and alerts[0].detail["signin"][
        "asn_database"
    ].startswith("GeoLite2-ASN")


def test_cli_mmdb(tmp_path: Path) -> None:
    db = _write(
        tmp_path / "asn.mmdb",
        "DBIP-ASN-Lite",
        {"133.11.0.0/16": {"autonomous_system_number": 2907, "autonomous_system_organization": "SINET"}},
    )
    log = tmp_path / "auth.log"
    log.write_text("Nov 30 10:00:00 gw sshd[9]: Accepted password for a from 133.11.0.9 port 4999 ssh2\n")
    r = CliRunner().invoke(
        app, ["audit", str(log), "--db", str(tmp_path / "s.db"), "--json", "--mmdb", str(db)]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["databases"][0]["database"] == "DBIP-ASN-Lite (asn.mmdb)" and not any(
        "new-asn" in n for n in out["notes"]
    )
    bad = tmp_path / "bad.mmdb"
    bad.write_bytes(b"not an mmdb")
    r = CliRunner().invoke(app, ["audit", str(log), "--db", str(tmp_path / "s.db"), "--mmdb", str(bad)])
    assert r.exit_code != 0 and "not a readable MMDB" in r.output
