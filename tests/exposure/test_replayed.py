"""Engines Debian does not package (Elasticsearch, OpenSearch, Kibana, CouchDB, Docker Engine,
S3/MinIO): the probes against a small server that replays *recorded real answers* from those
projects' specification, documentation or test suites (cited in tests/data/exposure/*.yaml and
tests/data/README.md). They prove the probes read the real answer shapes; they are not a running
engine."""

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


def test_opensearch_documented_answers_make_a_finding(replay) -> None:
    """OpenSearch's documented `GET /`, `_cluster/health` and the `_cat/indices` row, replayed: the
    Elasticsearch probe reads them (`version.distribution: opensearch`)."""
    r = replay("opensearch")
    result = check([f"{HOST}:{r.port}"])
    (f,) = result.findings
    assert (f.kind, f.severity) == ("elasticsearch_open", "medium")
    v = f.detail["values"]
    assert (v["distribution"], v["version"], v["cluster"]) == ("opensearch", "3.2.0", "opensearch-cluster")
    assert (v["health"], v["nodes"]) == ("yellow", 1)
    assert v["collections"] == ["movies"] and v["records"] == 1 and v["bytes"] == int(7.7 * 1024)
    assert [e.values["status"] for e in f.evidence] == [200, 200, 200]
    assert '"distribution": "opensearch"' in f.evidence[0].response
    assert all(method == "GET" for method, _ in r.requests)


def test_opensearch_security_plugin_is_protected_not_safe(replay) -> None:
    """The Security plugin's 401 (`WWW-Authenticate: Basic realm="OpenSearch Security"`, body
    `Unauthorized`, as OpenSearch's own test requires): identified, challenged, protected."""
    r = replay("opensearch_protected")
    result = check([f"{HOST}:{r.port}"])
    assert result.findings == []
    (c,) = result.checked
    assert (c.status, c.service, c.reason) == ("protected", "elasticsearch", "auth")
    (e,) = c.evidence  # challenged at the first request: nothing more is asked
    assert e.request == f"GET http://{HOST}:{r.port}/" and e.values["status"] == 401
    assert e.response == "HTTP 401 Unauthorized"
    assert all(method == "GET" for method, _ in r.requests)  # (detection asked other probes' paths too)


def test_kibana_documented_answers_make_a_finding(replay) -> None:
    """Kibana's documented `/api/status` and saved-objects `_find` answers (no security)."""
    r = replay("kibana")
    result = check([f"{HOST}:{r.port}"], probes=["kibana"])
    (f,) = result.findings
    assert (f.kind, f.subject, f.severity) == ("kibana_open", f"{HOST}:{r.port}", "medium")
    v = f.detail["values"]
    assert (v["version"], v["name"], v["level"]) == ("9.3.0", "kibana", "available")
    assert (v["dashboards"], v["records"]) == (1, 1)
    assert "Example dashboard 1" not in str(v)  # counted, not copied
    base = f"GET http://{HOST}:{r.port}"
    assert [(e.request, e.values["status"]) for e in f.evidence] == [
        (f"{base}/api/status", 200),
        (f"{base}/api/saved_objects/_find?type=dashboard&fields=title&per_page=1", 200),
        (f"{base}/api/saved_objects/_find?type=index-pattern&fields=title&per_page=100", 404),  # not recorded
    ]
    assert all(method == "GET" for method, _ in r.requests)


def test_kibana_on_its_default_port_is_found_by_detection_too(replay) -> None:
    """On a port no probe claims, service detection reaches the Kibana probe by its answers."""
    r = replay("kibana")
    (f,) = check([f"{HOST}:{r.port}"]).findings
    assert f.kind == "kibana_open"


def test_kibana_with_security_is_protected_not_safe(replay) -> None:
    """Unauthenticated: the redacted `/api/status` (identified, no version) then a 401 on the
    saved-objects API — protected, never open and never safe."""
    r = replay("kibana_protected")
    result = check([f"{HOST}:{r.port}"])
    assert result.findings == []
    (c,) = result.checked
    assert (c.status, c.service, c.reason) == ("protected", "kibana", "auth")
    assert "version" not in c.values and c.values["level"] == "available"
    assert [e.values["status"] for e in c.evidence] == [200, 401]
    assert c.evidence[1].response.startswith('HTTP 401 {"statusCode": 401, "error": "Unauthorized"')
    assert [p for _, p in r.requests if p.startswith("/api/saved_objects")] == [
        "/api/saved_objects/_find?type=dashboard&fields=title&per_page=1"
    ]  # stopped at the challenge


def test_kibana_identified_by_its_header_when_status_asks_for_login(replay) -> None:
    """A Kibana whose `/api/status` itself answers 401 (the same recorded 401 of an API route) is
    still told apart from an unknown HTTP challenge by the `kbn-name` header on every answer."""
    r = replay("kibana_protected")
    r.responses["/api/status"] = r.responses["/api/saved_objects/_find"]
    (c,) = check([f"{HOST}:{r.port}"]).checked
    assert (c.status, c.service) == ("protected", "kibana")
    r.responses["/api/status"] = dict(r.responses["/api/status"], headers={})
    r.requests.clear()
    (c,) = check([f"{HOST}:{r.port}"]).checked
    # Without the header nothing names the product, and `/` is not recorded here: unknown, not safe.
    assert (c.status, c.service, c.reason) == ("unknown", None, "unrecognised")


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
