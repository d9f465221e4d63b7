"""The dashboard in-process over ASGI: pages, the token on a non-loopback bind, CSRF on every
state-changing request, no path traversal on export/download, and friendly errors."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from sekisho.errors import ConfigError
from sekisho.web import WebConfig, create_app
from tests.web.conftest import SAMPLES, Client, make_client

PAGES = ["/", "/services", "/services?level=2&category=ime&country=CN&found=1", "/services/baidu-ime",
         "/clients", "/clients/10.20.0.157", "/unknown", "/unknown?q=google", "/exports", "/scans", "/alerts"]  # fmt: skip


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pages_render_in_both_languages(client: Client, url: str, lang: str) -> None:
    r = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
    assert r.status_code == 200
    assert f'<html lang="{lang}">' in r.text
    assert re.search(r"<title>[^<]+ — sekisho</title>", r.text)
    assert r.text.count("<h1>") == 1
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert r.headers["x-frame-options"] == "DENY"


def test_language_from_accept_language_and_cookie(client: Client) -> None:
    assert (
        'lang="ja"' in client.get("/", headers={"accept": "text/html", "accept-language": "ja,en;q=0.5"}).text
    )
    token = client.csrf("/")
    r = client.post("/lang", data={"csrf_token": token, "lang": "ja", "next": "/services?level=0"})
    assert r.status_code == 303 and r.headers["location"] == "/services?level=0"
    assert "サービス" in client.get("/services").text


def test_filters(client: Client) -> None:
    page = client.get("/services?level=0").text
    levels = set(re.findall(r'<span class="lvl l(\d)"', page))
    assert levels == {"0"}
    cn = client.get("/services?country=CN&found=1").text
    assert "/services/deepseek" in cn and "/services/line" not in cn


def test_dossier_shows_sources_and_scope(client: Client) -> None:
    page = client.get("/services/baidu-ime").text
    assert "Facts and sources" in page and 'rel="noopener noreferrer nofollow"' in page
    assert page.count('href="/clients/10.20.0.') == 14
    assert "/exports/download?format=unbound&amp;policy=" in page


def test_client_view(client: Client) -> None:
    page = client.get("/clients/10.20.0.157").text
    assert "/services/baidu-ime" in page
    assert client.get("/clients/192.0.2.99").status_code == 404


# --- who may use it -----------------------------------------------------------------------------


def test_non_loopback_bind_needs_a_token(db: Path) -> None:
    with pytest.raises(ConfigError, match="needs a token"):
        create_app(db=db, config=WebConfig(host="0.0.0.0"))


def test_unauthenticated_requests_are_refused_on_a_network_bind(db: Path) -> None:
    c = make_client(db, host="0.0.0.0", token="s3cret-token")
    r = c.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    for url in ("/services/deepseek", "/exports/download?format=hosts&policy=level0", "/report?format=json"):
        r = c.request("GET", url)
        assert r.status_code == 401, url
        assert "deepseek.com" not in r.text and "Sign-in needed" in r.text
    assert c.post("/scans/path", data={"path": str(SAMPLES)}).status_code == 401
    # a wrong token, then the right one (in a form with its CSRF token)
    token = c.csrf("/login")
    assert c.post("/login", data={"csrf_token": token, "token": "guess"}).status_code == 401
    r = c.post("/login", data={"csrf_token": token, "token": "s3cret-token", "next": "/services"})
    assert r.status_code == 303 and r.headers["location"] == "/services"
    assert c.get("/").status_code == 200
    # or as a bearer token, without a session
    fresh = Client(c.app)
    ok = fresh.request("GET", "/exports/download?format=hosts&policy=level0",
                       headers={"authorization": "Bearer s3cret-token"})  # fmt: skip
    assert ok.status_code == 200 and "deepseek.com" in ok.text
    bad = fresh.request("GET", "/", headers={"authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_login_redirect_stays_on_this_site(db: Path) -> None:
    c = make_client(db, host="0.0.0.0", token="t0ken-t0ken")
    token = c.csrf("/login")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = c.post("/login", data={"csrf_token": token, "token": "t0ken-t0ken", "next": target})
        assert r.headers["location"] == "/"


def test_loopback_bind_refuses_foreign_host_names(db: Path) -> None:
    c = Client(create_app(db=db), base_url="http://rebind.evil.example")
    r = c.get("/")
    assert r.status_code == 400 and "Unknown host name" in r.text
    assert (
        make_client(db, allowed_hosts=("sekisho.lan",)).get("/", headers={"host": "sekisho.lan"}).status_code
        == 200
    )


# --- CSRF ---------------------------------------------------------------------------------------


def test_state_changing_requests_need_the_csrf_token(client: Client) -> None:
    jobs = client.app.state.jobs
    token = client.csrf("/scans")
    for url, data in (("/lang", {"lang": "ja"}), ("/scans/path", {"path": str(SAMPLES)}), ("/logout", {})):
        missing = client.post(url, data=data)
        assert missing.status_code == 403 and "The form has expired" in missing.text, url
        wrong = client.post(url, data={**data, "csrf_token": "0" * 64})
        assert wrong.status_code == 403, url
    upload = client.post("/scans/upload", files={"file": ("dns.log", b"x")}, data={})
    assert upload.status_code == 403
    foreign = client.post(
        "/lang", data={"csrf_token": token, "lang": "ja"}, headers={"origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert jobs.recent() == []  # nothing was started
    # a token from another browser (another cookie) does not fit this one
    other = Client(client.app)
    assert other.post("/lang", data={"csrf_token": token, "lang": "ja"}).status_code == 403
    # the right token works, as a field or a header
    assert client.post("/lang", data={"csrf_token": token, "lang": "ja"}).status_code == 303
    assert client.post("/lang", data={"lang": "en"}, headers={"x-csrf-token": token}).status_code == 303


# --- exports and path traversal -----------------------------------------------------------------


def test_export_download(client: Client) -> None:
    r = client.get("/exports/download?format=dnsmasq&policy=level0,intel-law:CN")
    assert r.status_code == 200
    assert 'filename="sekisho-dnsmasq-level0+intel-law-CN.conf"' in r.headers["content-disposition"]
    assert "address=/deepseek.com/" in r.text and "policy level0,intel-law:CN" in r.text


def test_policy_files_are_offered_by_name(db: Path, tmp_path: Path) -> None:
    pdir = tmp_path / "policies"
    pdir.mkdir()
    (pdir / "acme.yaml").write_text("name: acme\nrules:\n  - deny: {service: line}\n    why: test\n")
    c = make_client(db, policy_dir=pdir)
    assert "file:acme" in c.get("/exports").text
    r = c.get("/exports/download?format=hosts&policy=file:acme")
    assert r.status_code == 200 and "line.me" in r.text


@pytest.mark.parametrize(
    "query",
    [
        "format=../../../../etc/passwd&policy=level0",
        "format=hosts&policy=../../../../etc/passwd",
        "format=hosts&policy=/etc/passwd",
        "format=hosts&policy=%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "format=hosts&policy=file:../../etc/passwd",
        "format=hosts&policy=level0,/etc/hosts",
        "format=hosts%00&policy=level0",
    ],
)
def test_export_path_traversal_is_refused(db: Path, tmp_path: Path, query: str) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: outside\nrules:\n  - deny: {service: line}\n    why: x\n")
    c = make_client(db, policy_dir=tmp_path / "empty")
    r = c.get(f"/exports/download?{query}")
    assert r.status_code == 400
    assert "root:" not in r.text and "line.me" not in r.text
    assert c.get(f"/exports/download?format=hosts&policy={outside}").status_code == 400


@pytest.mark.parametrize(
    "url", ["/static/../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..%2f..%2fapi.py"]
)
def test_static_path_traversal_is_refused(client: Client, url: str) -> None:
    r = client.request("GET", url)
    assert r.status_code == 404 and "[project]" not in r.text and "def scan" not in r.text


def test_scan_path_outside_the_scan_roots_is_refused(db: Path, tmp_path: Path) -> None:
    c = make_client(db, scan_roots=(tmp_path / "logs",))
    token = c.csrf("/scans")
    r = c.post("/scans/path", data={"csrf_token": token, "path": str(SAMPLES)})
    assert r.status_code == 403 and c.app.state.jobs.recent() == []
    r = c.post("/scans/path", data={"csrf_token": token, "path": f"{tmp_path}/logs/../../"})
    assert r.status_code in (400, 403)


# --- scans --------------------------------------------------------------------------------------


def _wait(c: Client, location: str) -> dict:
    deadline = time.monotonic() + 60
    while True:
        job = c.request("GET", location + ".json").json()
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_upload_scan_runs_and_reports(db: Path, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    client = make_client(db, upload_dir=uploads)
    token = client.csrf("/scans")
    log = (SAMPLES / "squid" / "access.log").read_bytes()[:200_000]
    r = client.post(f"/scans/upload?csrf_token={token}", data={"format": "squid"},
                    files={"file": ("../../access.log", log, "text/plain")})  # fmt: skip
    assert r.status_code == 303
    job = _wait(client, r.headers["location"])
    assert job["state"] == "done", job
    page = client.get(r.headers["location"]).text
    assert "finished" in page and "/services/" in page
    # the uploaded copy is gone once scanned, and its name kept no directory part
    assert list(uploads.iterdir()) == []
    assert "access.log" in page and "../" not in page


def test_scan_of_a_non_log_fails_politely(db: Path, tmp_path: Path) -> None:
    client = make_client(db, scan_roots=(tmp_path,))
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02" * 100)
    token = client.csrf("/scans")
    r = client.post("/scans/path", data={"csrf_token": token, "path": str(junk)})
    job = _wait(client, r.headers["location"])
    assert job["state"] == "failed" and "Traceback" not in (job["error"] or "")
    assert (
        client.post("/scans/path", data={"csrf_token": token, "path": f"{tmp_path}/no/such"}).status_code
        == 400
    )
    assert (
        client.post(
            "/scans/path", data={"csrf_token": token, "path": str(junk), "format": "nope"}
        ).status_code
        == 400
    )


# --- reports ------------------------------------------------------------------------------------


def test_report_downloads(client: Client) -> None:
    r = client.get("/report?format=csv&table=scope&pseudonymize=1")
    assert r.status_code == 200 and r.text.startswith("service,")
    assert not re.search(r"10\.20\.0\.\d+", r.text)
    html = client.get("/report?format=html&lang=ja")
    assert "データの行き先" in html.text and "attachment" in html.headers["content-disposition"]
    assert client.get("/report?format=exe").status_code == 400


# --- errors -------------------------------------------------------------------------------------


def test_errors_are_friendly_pages(client: Client) -> None:
    for url, code in (
        ("/services/no-such", 404),
        ("/nowhere", 404),
        ("/scans/jobs/999", 404),
        ("/scans/jobs/x", 400),
    ):
        r = client.get(url)
        assert r.status_code == code, url
        assert "<h1>" in r.text and "Traceback" not in r.text and "Back to the overview" in r.text
    assert client.request("DELETE", "/").status_code in (403, 405)


def test_a_crash_shows_no_traceback(
    db: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import sekisho.web.routes.pages as pages

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("secret internals at /srv/x.py line 3")

    monkeypatch.setattr(pages, "build_report", boom)
    c = Client(create_app(db=db), raise_errors=False)
    r = c.get("/")
    assert r.status_code == 500
    assert "Something went wrong" in r.text
    assert "secret internals" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
    assert "secret internals" in caplog.text  # …but the server log has it
