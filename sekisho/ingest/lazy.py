"""Modules loaded on their first attribute use: every command imports the format registry, few
read a capture or a dnstap file (dpkt, cryptography, protobuf cost each start-up tens of ms)."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any


def lazy_module(name: str) -> Any:
    """The module ``name`` (a top-level one, or a package already imported: finding a submodule
    imports its parents), executed on its first attribute use."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None, name
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
