"""Dashboard hardening (issue 10): exports from the policy directory go through the same checks as
the CLI, server-path scans need --scan-root, errors never echo file contents, CSRF is checked before
an upload is read, uploads are limited while they stream, and a busy store answers 503."""

from __future__ import annotations

from pathlib import Path

from tests.web.conftest import make_client


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
