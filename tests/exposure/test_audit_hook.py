"""The audit hook is real (an unlisted connection fails), and the engine sends nothing beyond the
listed target: it follows no redirect to another host and ignores proxy variables."""

from __future__ import annotations

import socket

import pytest

from sekisho.exposure import check
from tests.exposure import conftest as hook
from tests.exposure.conftest import Audit
from tests.exposure.replay import Replay

HOST = "127.0.0.1"


def test_hook_refuses_an_unlisted_address(audit: Audit) -> None:
    with pytest.raises(PermissionError), socket.socket() as s:
        s.connect(("192.0.2.1", 80))
    assert hook._VIOLATIONS == [("192.0.2.1", 80)]
    hook._VIOLATIONS.clear()  # this test's violation was the point


def test_redirects_are_not_followed_and_proxies_not_used(audit: Audit, monkeypatch) -> None:
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(var, "http://192.0.2.9:3128")
    r = Replay("couchdb")
    r.responses = {"/": {"status": 302, "headers": {"Location": "http://192.0.2.7/login"}, "body": ""}}
    audit.allow(HOST, r.port)
    try:
        (c,) = check([f"{HOST}:{r.port}"]).checked
    finally:
        r.close()
    assert (c.status, c.service) == ("protected", "http")  # a redirect to a login page
    assert hook._VIOLATIONS == []
