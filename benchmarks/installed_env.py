"""The environment the benchmarks run sekisho in: as installed, from compiled bytecode.

pip writes an installed sekisho's bytecode. Where PYTHONDONTWRITEBYTECODE is set (some CI and
sandbox shells), an editable install's modules would be compiled again in every measured run
(0.1-0.2 CPU s of each): the commands write and read their bytecode under a private
PYTHONPYCACHEPREFIX instead, never in the tree."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ENV = dict(os.environ)
if ENV.pop("PYTHONDONTWRITEBYTECODE", None):
    ENV.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "sekisho-bench-pycache"))
