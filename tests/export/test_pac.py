"""PAC: the file is evaluated by pacparser, a real PAC engine (a JavaScript engine with the standard
helper functions): blocked names and their subdomains go to the blackhole proxy, the exception under
a blocked name and everything else go DIRECT."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sekisho.export import export
from sekisho.export.targets.pac import BLACKHOLE
from sekisho.policy import Plan
from tests.conftest import need
from tests.export.conftest import BLOCKED_FOR_ALL, GENERATED, UPSTREAM

try:
    import pacparser
except ImportError:  # pragma: no cover - reported by need() below
    pacparser = None


@pytest.fixture()
def engine() -> Iterator[object]:
    need(pacparser is not None, "the pacparser package (pip install -e '.[dev]')")
    pacparser.init()
    yield pacparser
    pacparser.cleanup()


def test_pac_sends_blocked_names_to_the_blackhole(engine: object, plan: Plan) -> None:
    pacparser.parse_pac_string(export(plan, "pac", GENERATED).data.decode("utf-8"))
    for name in UPSTREAM:
        expected = BLACKHOLE if name in BLOCKED_FOR_ALL else "DIRECT"
        assert pacparser.find_proxy(f"https://{name}/path", name) == expected, name
    # case and a trailing dot do not get past it; a look-alike name is not blocked
    assert pacparser.find_proxy("https://API.Alpha-Cloud.Example./", "API.Alpha-Cloud.Example.") == BLACKHOLE
    assert pacparser.find_proxy("https://notalpha-ime.example/", "notalpha-ime.example") == "DIRECT"
    assert (
        pacparser.find_proxy("https://a.b.alpha-dict.s3.amazonaws.com/", "a.b.alpha-dict.s3.amazonaws.com")
        == BLACKHOLE
    )
    assert pacparser.find_proxy("https://other.s3.amazonaws.com/", "other.s3.amazonaws.com") == "DIRECT"


def test_pacparser_rejects_a_broken_pac(engine: object) -> None:
    with pytest.raises(Exception):  # noqa: B017 - pacparser raises its own error type
        pacparser.parse_pac_string("function FindProxyForURL(url, host) { return ")
