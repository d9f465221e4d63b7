"""Real syslog and journald around real DNS servers, for the envelope tests.

A program runs in a private mount namespace whose ``/dev/log`` is the socket of a real ``rsyslogd``
(started here, not the machine's), so its own ``syslog(3)`` calls are what rsyslog writes — in the
traditional file format, RFC 3164 with ``<PRI>``, RFC 5424, and ISO-stamped. The same messages are
handed to ``systemd-journal-remote`` (journal export format) and read back with ``journalctl``
in its ``short``, ``short-precise``, ``short-iso``, ``json`` and ``cat`` outputs. Nothing waits a
fixed time: each step waits for the program to say it is ready (a socket, a log line).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.tsigkeyring

from tests.conftest import need, need_program

RSYSLOG_TEMPLATES = {
    "rfc3164-file.log": "RSYSLOG_TraditionalFileFormat",
    "rfc5424.log": "RSYSLOG_SyslogProtocol23Format",
    "iso.log": "RSYSLOG_FileFormat",
    "rfc3164-pri.log": "pri3164",
}
JOURNAL_OUTPUTS = ("short", "short-precise", "short-iso", "json", "cat")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def query(
    port: int, name: str, rdtype: str = "A", keyring: object = None, keyname: str | None = None
) -> None:
    msg = dns.message.make_query(name, rdtype)
    if keyring is not None:
        msg.use_tsig(keyring, keyname=keyname, algorithm="hmac-sha256")
    # UDP on a loaded machine: a lost datagram is asked again, as a stub resolver would
    for attempt in range(6):
        try:
            dns.query.udp(msg, "127.0.0.1", port=port, timeout=5)
            return
        except dns.exception.Timeout:
            if attempt == 5:
                raise


class Rsyslog:
    def __init__(self, root: Path) -> None:
        need_program("rsyslogd")
        need_program("unshare")
        need(os.geteuid() == 0, "root (a private mount namespace gives the program its own /dev/log)")
        self.root = root
        self.sock = root / "log.sock"
        actions = "\n".join(
            f'*.* action(type="omfile" file="{root / f}" template="{t}")'
            for f, t in RSYSLOG_TEMPLATES.items()
        )
        conf = root / "rsyslog.conf"
        conf.write_text(
            f'global(workDirectory="{root}")\n'
            'module(load="imuxsock" SysSock.Use="off")\n'
            f'input(type="imuxsock" Socket="{self.sock}" CreatePath="on")\n'
            'template(name="pri3164" type="string" '
            'string="<%PRI%>%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\\n")\n'
            + actions
            + "\n"
        )
        self.err = open(root / "rsyslogd.err", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            ["rsyslogd", "-n", "-f", str(conf), "-i", str(root / "rsyslog.pid")],
            stdout=subprocess.DEVNULL,
            stderr=self.err,
        )
        wait_for("rsyslogd's socket", self.sock.exists)

    def file(self, name: str) -> Path:
        return self.root / name

    def lines(self, name: str = "rfc3164-file.log") -> list[str]:
        p = self.file(name)
        return p.read_text(errors="replace").splitlines() if p.exists() else []

    def run_logging(self, argv: list[str]) -> subprocess.Popen[bytes]:
        """Start ``argv`` with this rsyslog as its /dev/log (a private /dev in its own mount namespace)."""
        dev = self.root / "dev"
        dev.mkdir(exist_ok=True)
        script = (
            f"for f in null zero random urandom; do touch {dev}/$f; mount --bind /dev/$f {dev}/$f; done; "
            f'ln -sf {self.sock} {dev}/log; mount --rbind {dev} /dev && exec "$@"'
        )
        return subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.err.close()


def stop(proc: subprocess.Popen[bytes]) -> bytes:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    return err or b""


_RFC5424 = re.compile(r"^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) \S+ - ?(.*)$")


def journal_from_rfc5424(lines: list[str], out: Path) -> dict[str, Path]:
    """Feed rsyslog's RFC 5424 records to systemd-journal-remote (export format) and read the
    journal back with journalctl in every output form; returns {output: file}."""
    need_program("journalctl")
    remote = next(
        (
            p
            for p in ("/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote")
            if Path(p).exists()
        ),
        None,
    )
    need(remote is not None, "systemd-journal-remote (apt-get install systemd-journal-remote)")
    assert remote
    export = bytearray()
    import datetime as dt

    for ln in lines:
        m = _RFC5424.match(ln)
        if not m:
            continue
        pri, stamp, host, app, pid, msg = m.groups()
        t = dt.datetime.fromisoformat(stamp)
        usec = int(t.timestamp() * 1_000_000)
        fields = {
            "__REALTIME_TIMESTAMP": str(usec),
            "__MONOTONIC_TIMESTAMP": str(usec),
            "_BOOT_ID": "0123456789abcdef0123456789abcdef",
            "_HOSTNAME": host,
            "SYSLOG_IDENTIFIER": app,
            "_PID": pid,
            "PRIORITY": str(int(pri) % 8),
            "SYSLOG_FACILITY": str(int(pri) // 8),
            "MESSAGE": msg.strip(),
        }
        if pid == "-":  # the program did not log its pid (Unbound): journald has none either
            del fields["_PID"]
        for k, v in fields.items():
            export += f"{k}={v}\n".encode()
        export += b"\n"
    journal = out / "test.journal"
    subprocess.run([remote, f"--output={journal}", "-"], input=bytes(export), check=True, capture_output=True)
    files = {}
    for form in JOURNAL_OUTPUTS:
        path = out / f"journal-{form}.log"
        with path.open("wb") as f:
            subprocess.run(
                ["journalctl", f"--file={journal}", "-o", form, "--no-pager", "-q"],
                stdout=f,
                check=True,
                env={**os.environ, "TZ": "UTC"},
            )
        files[form] = path
    return files


def keyring(name: str, secret: str) -> object:
    return dns.tsigkeyring.from_text({name: ("hmac-sha256", secret)})


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]
