"""A real OpenSSH server on a loopback port for the tests: a temporary host key and authorized key,
no PAM; ready when it says ``Server listening``. Its stderr (``sshd -e``) is the log the tests read."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def sshd(sshd_path: str, tmp: Path, pam: bool = False) -> Iterator[tuple[int, Path, Path]]:
    """Yields (port, client private key, the server's log file)."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / "host")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / "client")], check=True)
    (tmp / "authorized_keys").write_text((tmp / "client.pub").read_text())
    Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation directory
    port = free_port()
    log = tmp / "sshd.log"
    cmd = [
        sshd_path, "-D", "-e", "-f", "/dev/null", "-p", str(port),
        "-o", "ListenAddress=127.0.0.1", "-o", f"HostKey={tmp / 'host'}",
        "-o", f"AuthorizedKeysFile={tmp / 'authorized_keys'}", "-o", "StrictModes=no",
        "-o", f"UsePAM={'yes' if pam else 'no'}", "-o", "PasswordAuthentication=yes", "-o", "KbdInteractiveAuthentication=yes",
        "-o", "PermitRootLogin=yes", "-o", "MaxAuthTries=20", "-o", "LogLevel=INFO",
        "-o", f"PidFile={tmp / 'sshd.pid'}",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    ready = threading.Event()
    lines: list[str] = []

    def pump() -> None:
        assert proc.stderr is not None
        with open(log, "a") as out:
            for line in proc.stderr:
                lines.append(line)
                out.write(line)
                out.flush()
                if "Server listening" in line:
                    ready.set()
        ready.set()

    t = threading.Thread(target=pump, daemon=True)
    t.start()
    try:
        if not ready.wait(20) or proc.poll() is not None:
            raise RuntimeError("sshd did not start: " + "".join(lines))
        yield port, tmp / "client", log
    finally:
        proc.terminate()
        proc.wait(10)
        t.join(5)
        if proc.stderr is not None:
            proc.stderr.close()


def user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name
