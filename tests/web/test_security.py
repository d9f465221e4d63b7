"""Dashboard hardening (issue 10): exports from the policy directory go through the same checks as
the CLI, server-path scans need --scan-root, errors never echo file contents, CSRF is checked before
an upload is read, uploads are limited while they stream, and a busy store answers 503."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sekisho.web import WebConfig
from tests.web.conftest import Client, make_client


def test_policy_dir_download_with_a_hostile_domain_is_refused(db: Path, tmp_path: Path) -> None:
    pdir = tmp_path / "policies"
    pdir.mkdir()
    (pdir / "evil.yaml").write_text(
        'name: evil\nrules:\n  - deny: {domain: "x.example\\nlocal-data: \\"bank.example A 1.2.3.4\\""}\n'
    )
    (pdir / "good.yaml").write_text("name: good\nrules:\n  - deny: {domain: Bücher.example}\n")
    c = make_client(db, policy_dir=pdir)
    bad = c.get("/exports/download?format=unbound&policy=file:evil")
    assert bad.status_code == 400
    assert "evil.yaml:3: domain" in bad.text and "is not a valid name" in bad.text
    good = c.get("/exports/download?format=unbound&policy=file:good")
    assert good.status_code == 200
    assert 'local-zone: "xn--bcher-kva.example." always_null' in good.text


# --- server-path scans ----------------------------------------------------------------------------


def test_server_path_scans_are_off_without_a_scan_root(db: Path, tmp_path: Path) -> None:
    c = make_client(db)
    page = c.get("/scans").text
    assert "--scan-root" in page and 'action="/scans/path"' not in page
    token = c.csrf("/scans")
    for path in ("/etc/passwd", str(tmp_path), "/no/such/file"):
        r = c.post("/scans/path", data={"csrf_token": token, "path": path})
        assert r.status_code == 403, path
    assert c.app.state.jobs.recent() == []


def test_a_path_outside_the_roots_says_nothing_about_its_existence(db: Path, tmp_path: Path) -> None:
    c = make_client(db, scan_roots=(tmp_path / "logs",))
    token = c.csrf("/scans")
    exists = c.post("/scans/path", data={"csrf_token": token, "path": "/etc/passwd"})
    missing = c.post("/scans/path", data={"csrf_token": token, "path": "/etc/no-such-file-here"})
    assert exists.status_code == missing.status_code == 403


SECRET = "root:$6$SECRETHASHdoNotShow:19000:0:99999:7:::"


def test_scan_errors_never_echo_file_contents(db: Path, tmp_path: Path) -> None:
    """The reported leak: a non-log under a scan root showed its first 80 characters."""
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "shadow").write_text(SECRET + "\n" + "daemon:*:19000:0:99999:7:::\n")
    c = make_client(db, scan_roots=(logs,))
    token = c.csrf("/scans")
    r = c.post("/scans/path", data={"csrf_token": token, "path": str(logs / "shadow")})
    assert r.status_code == 303
    job = _wait(c, r.headers["location"])
    assert job["state"] == "failed"
    assert "shadow" in job["error"]  # where
    page = c.get(r.headers["location"]).text
    for text in (job["error"], page):
        assert "SECRET" not in text and "root:" not in text and "daemon" not in text, text


def _wait(c: Client, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = c.request("GET", location + ".json").json()
        if job["state"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


# --- uploads: CSRF first, limit while streaming -------------------------------------------------

BOUNDARY = "sekishoTestBoundary"
CHUNK = 256 * 1024


class Body:
    """A multipart upload sent in chunks, counting how much of it the server actually pulled."""

    def __init__(self, size: int, line: bytes = b"") -> None:
        self.size, self.sent = size, 0
        self.line = line or b"Nov 30 10:00:00 dnsmasq[1]: query[A] example.com from 10.0.0.1\n"

    async def __aiter__(self) -> AsyncIterator[bytes]:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="format"\r\n\r\ndnsmasq\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="dns.log"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        yield self._count(head)
        lines = self.line * (CHUNK // len(self.line))
        left = self.size
        while left > 0:
            piece = lines[:left]
            left -= len(piece)
            yield self._count(piece)
        yield self._count(f"\r\n--{BOUNDARY}--\r\n".encode())

    def _count(self, b: bytes) -> bytes:
        self.sent += len(b)
        return b


HEADERS = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*")] if folder.exists() else []


def test_an_upload_without_a_token_is_refused_before_its_body_is_read(db: Path, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    c = make_client(db, upload_dir=uploads)
    c.csrf("/scans")  # the CSRF cookie, as a browser on another site would send it
    body = Body(20 * 1024 * 1024)
    r = c.post("/scans/upload", content=body, headers=HEADERS)
    assert r.status_code == 403
    assert body.sent < CHUNK, f"the server read {body.sent} bytes before refusing"
    # a token in the body does not count any more: the body is not read to find it
    token = c.csrf("/scans")
    form = c.post("/scans/upload", data={"csrf_token": token}, files={"file": ("dns.log", b"x")})
    assert form.status_code == 403
    assert _files(uploads) == [] and c.app.state.jobs.recent() == []


def test_an_upload_with_the_token_in_the_query_or_header_is_scanned(db: Path, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    c = make_client(db, upload_dir=uploads)
    token = c.csrf("/scans")
    for how in ("query", "header"):
        body = Body(300_000)
        url = f"/scans/upload?csrf_token={token}" if how == "query" else "/scans/upload"
        headers = HEADERS if how == "query" else {**HEADERS, "x-csrf-token": token}
        r = c.post(url, content=body, headers=headers)
        assert r.status_code == 303, (how, r.text[:300])
        job = _wait(c, r.headers["location"])
        assert job["state"] == "done", job
    assert _files(uploads) == []  # each upload's folder is removed after its scan


def test_the_upload_limit_holds_while_streaming(db: Path, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    c = make_client(db, upload_dir=uploads, max_upload_bytes=1024 * 1024)
    token = c.csrf("/scans")
    body = Body(16 * 1024 * 1024)
    r = c.post(f"/scans/upload?csrf_token={token}", content=body, headers=HEADERS)
    assert r.status_code == 413 and "too large" in r.text.lower()
    assert body.sent < 2 * 1024 * 1024, f"the server read {body.sent} bytes of a 16 MiB upload"
    assert _files(uploads) == [], "the partial upload was not deleted"
    # a declared length over the limit is refused before anything is read
    body = Body(16 * 1024 * 1024)
    declared = {**HEADERS, "content-length": str(16 * 1024 * 1024 + 500)}
    r = c.post(f"/scans/upload?csrf_token={token}", content=body, headers=declared)
    assert r.status_code == 413 and body.sent < CHUNK
    # just under the limit is fine
    body = Body(1024 * 1024 - 4096)
    r = c.post(f"/scans/upload?csrf_token={token}", content=body, headers=HEADERS)
    assert r.status_code == 303
    assert _wait(c, r.headers["location"])["state"] == "done"


def test_max_upload_option_parses_sizes() -> None:
    from sekisho.cli.web_cmd import parse_size

    assert parse_size("512M") == 512 * 1024**2
    assert parse_size("2G") == 2 * 1024**3
    assert parse_size("1000") == 1000
    assert WebConfig().max_upload_bytes == 512 * 1024**2
