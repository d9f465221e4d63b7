"""Writing output files safely: a temp file in the same directory, then an atomic rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sekisho.errors import OutputError


def check_writable(path: Path) -> None:
    """Refuse, before any work, an output that cannot be written — with what to do, not a traceback."""
    path = Path(path)
    if str(path) == "-":
        return
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory (name a file in it)")
    if not directory.is_dir():
        raise OutputError(f"cannot write {path}: the directory {directory} does not exist (create it first)")
    if not os.access(directory, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"cannot write {path}: permission denied")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a failure never leaves a truncated file behind."""
    path = Path(path)
    check_writable(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise OutputError(f"cannot write {path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {e.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
