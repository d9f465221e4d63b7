"""Engines Debian does not package (Elasticsearch, CouchDB, Docker Engine, S3/MinIO): the probes
against a small server that replays *recorded real answers* from those projects' specification,
documentation or test suites (cited in tests/data/exposure/*.yaml and tests/data/README.md).
They prove the probes read the real answer shapes; they are not a running engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sekisho.exposure import check
from tests.exposure.conftest import Audit
from tests.exposure.replay import Replay

HOST = "127.0.0.1"


@pytest.fixture()
def replay(audit: Audit) -> Iterator[object]:
    started: list[Replay] = []

    def start(name: str) -> Replay:
        r = Replay(name)
        audit.allow(HOST, r.port)
        started.append(r)
        return r

    yield start
    for r in started:
        r.close()


def test_elasticsearch_documented_answers_make_a_finding(replay) -> None:
    r = replay("elasticsearch")
    result = check([f"{HOST}:{r.port}"])
    (f,) = result.findings
    assert (f.kind, f.severity) == ("elasticsearch_open", "medium")
    v = f.detail["values"]
    assert v["collections"] == ["my-index-000001", "my-index-000002"]
    assert v["records"] == 1200 and v["bytes"] == int(88.1 * 1024) + 260
    assert (v["version"], v["cluster"], v["health"], v["nodes"]) == ("9.1.0", "my_test_cluster", "yellow", 1)
    assert [e.request for e in f.evidence] == [
        f"GET http://{HOST}:{r.port}/",
        f"GET http://{HOST}:{r.port}/_cluster/health",
        f"GET http://{HOST}:{r.port}/_cat/indices?format=json&bytes=b",
    ]
    assert all(method == "GET" for method, _ in r.requests)


def test_couchdb_admin_party_and_protected(replay) -> None:
    open_ = replay("couchdb")
    locked = replay("couchdb_protected")
    result = check([f"{HOST}:{open_.port}", f"{HOST}:{locked.port}"])
    (f,) = result.findings
    assert f.subject == f"{HOST}:{open_.port}" and f.detail["values"]["collections"] == [
        "_users", "contacts", "docs", "invoices", "locations",
    ]  # fmt: skip
    status = {c.target: (c.status, c.service) for c in result.checked}
    assert status[f"{HOST}:{locked.port}"] == ("protected", "couchdb")


def test_docker_engine_api_is_high_whatever_it_counts(replay) -> None:
    r = replay("docker")
    (f,) = check([f"{HOST}:{r.port}"]).findings
    assert (f.kind, f.severity) == ("docker_open", "high")
    assert f.detail["values"]["version"] == "18.01.0-ce" and f.detail["values"]["containers"] == 1
    assert all(method == "GET" for method, _ in r.requests)  # never a POST to create or start


def test_s3_anonymous_listing_and_access_denied(replay) -> None:
    open_ = replay("s3")
    locked = replay("s3_protected")
    result = check([f"{HOST}:{open_.port}", f"{HOST}:{locked.port}"])
    (f,) = result.findings
    assert f.kind == "s3_open" and f.detail["values"]["records"] == 1
    assert "hello.txt" not in str(f.detail["values"])  # a count, not the key
    status = {c.target: c.status for c in result.checked}
    assert status[f"{HOST}:{locked.port}"] == "protected"


def test_unrecognised_401_is_protected_not_safe(replay) -> None:
    """A 401 with a challenge that no probe recognises: an HTTP challenge written for this test in
    the form RFC 9110 §11.6.1 defines, not a recorded engine answer."""
    r = replay("couchdb_protected")
    r.responses = {"/": {"status": 401, "headers": {"WWW-Authenticate": 'Basic realm="x"'}, "body": ""}}
    (c,) = check([f"{HOST}:{r.port}"]).checked
    assert (c.status, c.service) == ("protected", "http")
