"""CoreDNS's query log (the ``log`` plugin) in the wrappings a Kubernetes or container admin has.

No CoreDNS is packaged for Debian, so the lines are CoreDNS's own documented ones
(tests/data/README.md): the example of ``plugin/log/README.md``, the start-up banner and the
reload plugin's message as its source prints them. They are read bare (``kubectl logs``), with
``kubectl logs --timestamps``' time, as a node's CRI container log file (containerd and CRI-O
stamps), with CoreDNS 1.5's own stamp, and sent by the real util-linux ``logger`` through a real
rsyslogd and journald (tests/integration/syslog_world.py) as a CoreDNS service's output would be.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import need_program
from tests.integration.syslog_world import wait_for
from tests.integration.test_envelopes import _check_all, _every_envelope, _rsyslog, counts, engine_on

# coredns/coredns plugin/log/README.md (commit 63a21f254fcf6bcb8c1a0aa3f788b56badd8aa77)
README_LINE = (
    '[INFO] [::1]:50759 - 29008 "A IN example.org. udp 41 false 4096" NOERROR qr,rd,ra,ad 68 0.037990251s'
)
# the same query from an IPv4 client over TCP, in the Combined Log Format ({common} "{>opcode}",
# plugin/log/log_test.go: the opcode logged as "0")
COMBINED_LINE = '[INFO] 10.244.1.20:41822 - 18830 "AAAA IN www.example.org. tcp 44 false 512" NXDOMAIN qr,aa,rd 86 0.000121s "0"'
# start-up (coremain/run.go prints the server blocks, version and platform) and the reload plugin
BANNER = [
    ".:53",
    "CoreDNS-1.11.1",
    "linux/amd64, go1.20.7, ae2bbc2",
    "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5b046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908",
]


def _lines(prefix: str = "") -> list[str]:
    return [prefix + ln for ln in [*BANNER, README_LINE, COMBINED_LINE]]


def test_kubectl_logs_bare_take_the_files_time(tmp_path: Path) -> None:
    acc, rows = engine_on(tmp_path / "coredns.log", _lines())
    assert counts(acc) == ("coredns", None, 2, 4, 0)
    assert acc.skipped_reasons == {"coredns message, not a query": 4}
    assert {(r[1], r[2], r[3]) for r in rows} == {
        ("::1", "example.org", 1),
        ("10.244.1.20", "www.example.org", 1),
    }


def test_timestamps_and_container_log_files(tmp_path: Path) -> None:
    forms = {
        "kubectl --timestamps": "2026-11-30T23:59:58.123456789Z ",
        "containerd": "2026-11-30T23:59:58.123456789Z stdout F ",
        "CRI-O": "2026-12-01T08:59:58.123456789+09:00 stdout F ",
        "CoreDNS 1.5": "2026-11-30T23:59:58.123Z ",
    }
    for form, prefix in forms.items():
        acc, rows = engine_on(tmp_path / f"{form}.log", _lines(prefix))
        env = "cri" if "stdout" in prefix else "iso"
        assert counts(acc) == ("coredns", env, 2, 4, 0), form
        assert {r[4].replace(microsecond=0) for r in rows} == {dt.datetime(2026, 11, 30, 23, 59, 58)}, form


def test_a_custom_or_cut_line_is_malformed(tmp_path: Path) -> None:
    cut = README_LINE[:60]
    acc, _ = engine_on(tmp_path / "coredns.log", [*_lines(), cut])
    assert counts(acc) == ("coredns", None, 2, 4, 1)
    assert [s["line"] for s in acc.malformed_samples] == [7]


def test_coredns_service_through_rsyslog_and_journald(tmp_path: Path) -> None:
    logger = need_program("logger")
    src = tmp_path / "coredns.stdout"
    src.write_text("\n".join(_lines()) + "\n")
    rs = _rsyslog(tmp_path)
    try:
        proc = rs.run_logging([logger, "-t", "coredns", "--id=4242", "-f", str(src)])
        _, err = proc.communicate(timeout=20)  # logger has sent every line when it exits
        assert proc.returncode == 0, err
        wait_for("the lines in syslog", lambda: sum("coredns" in ln for ln in rs.lines()) == len(_lines()))
    finally:
        rs.stop()
    files = _every_envelope(rs, tmp_path)
    _check_all(files, tmp_path, "coredns", {"example.org": 1, "www.example.org": 1})
