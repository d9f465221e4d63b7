"""MongoDB probe (OP_MSG, its own small BSON codec) against a replay server that decodes what the
probe sends with the real BSON library (Debian's python3-pymongo) and answers recorded replies
from MongoDB's driver specifications (tests/data/exposure/mongodb.yaml). Not a running mongod:
Debian does not package one."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from sekisho.exposure import check
from sekisho.exposure.probes.mongodb import bson_decode, bson_encode
from tests.conftest import DATA, ROOT, need
from tests.exposure.conftest import Audit, Server

HOST = "127.0.0.1"
PYTHON = "/usr/bin/python3"


def mongo(servers: list[Server], log: Path, *extra: str) -> int:
    ok = Path(PYTHON).exists() and subprocess.run([PYTHON, "-c", "import bson, yaml"]).returncode == 0
    need(ok, "bson for /usr/bin/python3 (apt-get install python3-pymongo python3-yaml; .ci/run does)")
    script = ROOT / "tests" / "exposure" / "mongo_replay.py"
    fixture = str(DATA / "exposure" / "mongodb.yaml")
    server = Server([PYTHON, str(script), fixture, str(log), *extra], ready=r"^ready \d+")
    servers.append(server)
    return int(re.search(r"ready (\d+)", "".join(server.lines)).group(1))  # type: ignore[union-attr]


def commands(log: Path) -> list[dict[str, object]]:
    return [json.loads(ln) for ln in log.read_text().splitlines()]


def test_mongodb_without_auth_lists_databases(servers, audit: Audit, tmp_path: Path) -> None:
    log = tmp_path / "commands.jsonl"
    port = mongo(servers, log)
    audit.allow(HOST, port)
    (f,) = check([f"{HOST}:{port}"]).findings
    assert (f.kind, f.severity) == ("mongodb_open", "high")  # 160 MiB on disk >= 100 MB
    v = f.detail["values"]
    assert (
        v["collections"] == ["admin", "local"] and v["bytes"] == "167772160" and v["max_wire_version"] == "21"
    )
    assert [next(iter(c)) for c in commands(log)] == ["hello", "listDatabases"]
    assert all(c["$db"] == "admin" for c in commands(log))


def test_mongodb_with_auth_is_protected(servers, audit: Audit, tmp_path: Path) -> None:
    port = mongo(servers, tmp_path / "commands.jsonl", "--auth")
    audit.allow(HOST, port)
    result = check([f"{HOST}:{port}"])
    assert result.findings == []
    (c,) = result.checked
    assert (c.status, c.service) == ("protected", "mongodb")
    assert "requires authentication" in (c.evidence[1].response or "")


def test_bson_codec_round_trip() -> None:
    doc = {"listDatabases": 1, "nameOnly": False, "$db": "admin", "sub": {"x": "y"}}
    assert bson_decode(bson_encode(doc))[0] == doc
