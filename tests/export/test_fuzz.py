"""Export fuzz campaign (issue 10, acceptance): random policy files — names, reasons and domains
with hostile bytes — for every export target. Either the policy is refused with a clear
``file:line: reason``, or every export passes its real program (unbound-checkconf, dnsmasq --test,
named-checkzone, squid -k parse, nft -c in a network namespace, pacparser) and parses back to
exactly the intended entries. No file may be written outside the test's temporary directory
(``sys.addaudithook`` on ``open`` in a write mode and on ``os`` calls that create or move files).

Bounded: a fixed seed and a random one (printed, so a failure can be replayed with
``SEKISHO_FUZZ_SEED``), a few dozen examples in all, well under a minute.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import idna
import pytest
import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from sekisho.errors import ConfigError
from sekisho.export import TARGETS, export
from sekisho.export.targets.pac import BLACKHOLE
from sekisho.policy import plan_for
from tests.conftest import DATA, need, need_program
from tests.export.conftest import GENERATED

pytestmark = pytest.mark.program

EXAMPLES = 100  # per seed; about half are accepted, and each of those runs six real programs
HOSTILE = ['"', "'", "\n", "\r", ";", "\\", " ", "\x00", "\x1b", "\u2028", "\u202e", "#", "/", "$", "^",
           "{", "}", "*", "`", "\t", "ü", "例", "-", "_", ".", "..", "</script>", "@@||"]  # fmt: skip

label = st.from_regex(r"\A[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?\Z")
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=4)), max_size=6).map("".join)


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    """Rules over names that never lie under each other (each rule has its own ``rN.fuzz``), some
    allow rules for a name under a blocked one (exceptions), and, sometimes, hostile domains."""
    rules: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 4)) == 0:
            domain = draw(st.one_of(hostile_text, label.map(lambda s: s + draw(hostile_text) + ".fuzz")))
        else:
            domain = f"{draw(label)}.r{i}.fuzz"
        rules.append({"deny": {"domain": domain}, "why": draw(hostile_text)})
        if draw(st.booleans()):
            rules.append({"allow": {"domain": f"{draw(label)}.{domain}"}, "why": draw(hostile_text)})
        if draw(st.integers(0, 5)) == 0:  # change of mind: a later rule wins
            rules.append({"allow": {"domain": domain}})
    return {"name": draw(st.one_of(label, hostile_text)), "presets": [], "rules": rules}


def to_yaml(policy: dict[str, Any]) -> str:
    """JSON is YAML: every string is a double-quoted scalar, so any character can be in it."""
    lines = [f"name: {json.dumps(policy['name'])}", "presets: []", "rules:"]
    for r in policy["rules"]:
        verb = next(k for k in r if k in ("deny", "allow"))
        lines.append(f"  - {verb}: {{domain: {json.dumps(r[verb]['domain'])}}}")
        if "why" in r:
            lines.append(f"    why: {json.dumps(r['why'])}")
    return "\n".join(lines) + "\n"


def intended(policy: dict[str, Any]) -> tuple[set[str], set[str]]:
    """What the policy means, worked out here and not by sekisho: the last rule for a name wins;
    an allowed name is an exception when a strict parent of it is blocked."""
    last: dict[str, str] = {}
    for r in policy["rules"]:
        verb = next(k for k in r if k in ("deny", "allow"))
        name = normal(r[verb]["domain"])
        last.pop(name, None)
        last[name] = verb
    blocked = {n for n, v in last.items() if v == "deny"}
    holes = {n for n, v in last.items() if v == "allow" and any(n.endswith("." + b) for b in blocked)}
    return blocked, holes


def normal(name: str) -> str:
    """A-labels, lower case, no trailing dot (with the ``idna`` package, label by label)."""
    labels = name.strip(" ").removesuffix(".").split(".")
    return ".".join(lab.lower() if lab.isascii() else idna.encode(lab, uts46=True).decode() for lab in labels)


PLAIN_NAME = re.compile(r"\A[a-z0-9_.-]+\Z")


# --- files written only where they may be -------------------------------------------------------


@dataclass
class Sandbox:
    root: Path
    active: bool = False
    violations: list[str] | None = None


SANDBOX = Sandbox(Path("/nonexistent"))
_WRITE_EVENTS = {"os.mkdir", "os.rename", "os.replace", "os.symlink", "os.link", "os.truncate",
                 "os.chmod", "os.remove", "os.rmdir", "shutil.copyfile", "shutil.rmtree"}  # fmt: skip


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not SANDBOX.active or SANDBOX.violations is None:
        return
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        )
        paths = [path] if writing else []
    elif event in _WRITE_EVENTS:
        paths = [a for a in args[:2] if isinstance(a, (str, bytes, os.PathLike))]
    else:
        return
    for p in paths:
        if isinstance(p, int):
            continue
        text = os.fsdecode(p)
        full = os.path.realpath(text)
        if full != "/dev/null" and not full.startswith(str(SANDBOX.root) + os.sep):
            SANDBOX.violations.append(f"{event} {text}")


sys.addaudithook(_audit)  # cannot be removed; inert unless a fuzz test is running


@pytest.fixture(scope="module")
def work() -> Iterator[Path]:
    """The test's temporary directory, readable by Squid's own user (pytest's tmp_path is not)."""
    with tempfile.TemporaryDirectory(prefix="sekisho-fuzz-") as d:
        root = Path(d).resolve()
        root.chmod(0o777)
        shutil.copytree(DATA / "catalog_ok", root / "catalog")
        # the validated-catalog and parse caches are written inside too, where the sandbox allows
        before = os.environ.get("SEKISHO_CACHE")
        os.environ["SEKISHO_CACHE"] = str(root / "cache")
        try:
            yield root
        finally:
            if before is None:
                os.environ.pop("SEKISHO_CACHE", None)
            else:
                os.environ["SEKISHO_CACHE"] = before


@pytest.fixture(scope="module")
def programs() -> dict[str, str]:
    names = ("unbound-checkconf", "dnsmasq", "named-checkzone", "squid", "nft", "unshare")
    found = {n: need_program(n) for n in names}
    try:
        import pacparser
    except ImportError:
        pacparser = None
    need(pacparser is not None, "the pacparser package (pip install -e '.[dev]')")
    return found


# --- each target, checked by its program and parsed back ----------------------------------------


def run(argv: list[str], what: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{what} refused the export:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def grab(pattern: str, text: str) -> set[str]:
    return set(re.findall(pattern, text, re.M))


def check_all(d: Path, plan: Any, blocked: set[str], holes: set[str], prog: dict[str, str]) -> None:
    out = {name: export(plan, name, GENERATED).data.decode("utf-8") for name in TARGETS}
    for name, text in out.items():
        (d / f"sekisho.{name}").write_text(text)

    # Unbound
    conf = d / "unbound.conf"
    conf.write_text(f'server:\n    directory: "{d}"\n    chroot: ""\n    username: ""\n'
                    f'    pidfile: ""\ninclude: "{d}/sekisho.unbound"\n')  # fmt: skip
    assert "no errors" in run([prog["unbound-checkconf"], str(conf)], "unbound-checkconf")
    assert grab(r'^    local-zone: "(.+)\." always_null$', out["unbound"]) == blocked
    assert grab(r'^    local-zone: "(.+)\." transparent$', out["unbound"]) == holes
    # dnsmasq
    run([prog["dnsmasq"], "--test", f"--conf-file={d}/sekisho.dnsmasq"], "dnsmasq --test")
    assert grab(r"^address=/(.+)/#$", out["dnsmasq"]) == blocked
    assert grab(r"^server=/(.+)/#$", out["dnsmasq"]) == holes
    # BIND
    run([prog["named-checkzone"], "rpz.sekisho", f"{d}/sekisho.bind"], "named-checkzone")
    assert grab(r"^([^*;$@\s]\S*) A 0\.0\.0\.0$", out["bind"]) == blocked
    assert grab(r"^\*\.(\S+) AAAA ::$", out["bind"]) == blocked
    assert grab(r"^([^*;$@\s]\S*) CNAME rpz-passthru\.$", out["bind"]) == holes
    # Squid
    sq = d / "squid.conf"
    sq.write_text(f"http_port 127.0.0.1:3128\npid_filename none\ncache_log {d}/cache.log\n"
                  f"access_log none\ncoredump_dir {d}\ninclude {d}/sekisho.squid\nhttp_access deny all\n")  # fmt: skip
    log = run([prog["squid"], "-k", "parse", "-f", str(sq)], "squid -k parse")
    assert not [ln for ln in log.splitlines() if "ERROR" in ln or "WARNING" in ln], log
    assert grab(r"^acl sekisho_block dstdomain \.(.+)$", out["squid"]) == blocked
    assert grab(r"^acl sekisho_allow dstdomain \.(.+)$", out["squid"]) == holes
    # nftables (no catalog service is blocked: the sets are empty, the file must still load)
    run([prog["unshare"], "-rn", prog["nft"], "-c", "-f", f"{d}/sekisho.nftables"], "nft -c")
    # PAC, in a real JavaScript engine
    import pacparser

    pacparser.init()
    try:
        pacparser.parse_pac_string(out["pac"])
        for n in blocked:
            # a name under the blocked one, unless an exception covers it (the generator makes
            # exceptions such as x.<blocked>): then the exception's answer is the right one
            probe = f"x.{n}"
            under_hole = any(probe == h or probe.endswith(f".{h}") for h in holes)
            want = "DIRECT" if under_hole else BLACKHOLE
            assert pacparser.find_proxy(f"http://{probe}/", probe) == want, n
        for n in holes:
            assert pacparser.find_proxy(f"http://{n}/", n) == "DIRECT", n
        assert pacparser.find_proxy("http://unrelated.example/", "unrelated.example") == "DIRECT"
    finally:
        pacparser.cleanup()
    # the rest: each file parsed back by its own syntax
    assert grab(r"^0\.0\.0\.0 (.+)$", out["hosts"]) == grab(r"^:: (.+)$", out["hosts"]) == blocked
    assert {ln for ln in out["domains"].splitlines() if not ln.startswith("#")} == blocked
    assert grab(r"^\|\|(.+)\^$", out["adguard"]) == blocked
    assert grab(r"^@@\|\|(.+)\^$", out["adguard"]) == holes
    home = yaml.safe_load(out["adguardhome"])
    assert {r[2:-1] for r in home["user_rules"] or [] if r.startswith("||")} == blocked
    chrome = json.loads(out["chrome"])
    assert set(chrome["URLBlocklist"]) == blocked and set(chrome.get("URLAllowlist", [])) == holes
    assert grab(r"^add name=(\S+) type=NXDOMAIN", out["mikrotik"]) == blocked
    assert {
        re.sub(r"\\(.)", r"\1", m) for m in grab(r"^\^\(\.\+\\\.\)\?(.+)\$$", out["opensnitch"])
    } == blocked
    for name, text in out.items():  # nothing else sneaked in
        assert "\r" not in text and "\x00" not in text and "\x1b" not in text, name


# --- the campaign ---------------------------------------------------------------------------------


def campaign(work: Path, programs: dict[str, str], policy: dict[str, Any]) -> None:
    d = Path(tempfile.mkdtemp(dir=work))
    d.chmod(0o777)
    path = d / "fuzz.yaml"
    path.write_text(to_yaml(policy), encoding="utf-8")
    SANDBOX.root, SANDBOX.violations, SANDBOX.active = work, [], True
    try:
        try:
            plan = plan_for(path, work / "catalog", today=GENERATED.date())
        except ConfigError as e:
            msg = str(e)
            assert msg.startswith(f"{path}:"), msg
            assert re.match(rf"{re.escape(str(path))}:\d+: \S", msg), msg
            return
        blocked, holes = intended(policy)
        # Accepted: then every domain was a plain name (the generator's hostile ones never are).
        for n in blocked | holes:
            assert PLAIN_NAME.match(n), f"accepted a hostile name {n!r}"
        check_all(d, plan, blocked, holes, programs)
    finally:
        SANDBOX.active = False
        violations, SANDBOX.violations = SANDBOX.violations, None
        shutil.rmtree(d, ignore_errors=True)
    assert violations == [], f"files written outside the test's directory: {violations}"


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis directory in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@seed(20261201)
@FUZZ
@given(policy=policies())
def test_fuzz_policies_fixed_seed(work: Path, programs: dict[str, str], policy: dict[str, Any]) -> None:
    campaign(work, programs, policy)


RANDOM_SEED = int(os.environ.get("SEKISHO_FUZZ_SEED") or random.SystemRandom().randrange(2**32))


@seed(RANDOM_SEED)
@FUZZ
@given(policy=policies())
def test_fuzz_policies_random_seed(work: Path, programs: dict[str, str], policy: dict[str, Any]) -> None:
    print(f"fuzz seed {RANDOM_SEED} (replay: SEKISHO_FUZZ_SEED={RANDOM_SEED})")
    campaign(work, programs, policy)


def test_the_sandbox_sees_a_write_outside(work: Path) -> None:
    """The audit hook is not a no-op: a write outside the directory is recorded."""
    outside = Path(tempfile.gettempdir()) / f"sekisho-fuzz-probe-{os.getpid()}"
    SANDBOX.root, SANDBOX.violations, SANDBOX.active = work, [], True
    try:
        outside.write_text("x")
        (work / "inside").write_text("y")
    finally:
        SANDBOX.active = False
        seen, SANDBOX.violations = SANDBOX.violations, None
        outside.unlink()
    assert seen == [f"open {outside}"]


def test_hostile_domains_are_always_refused(work: Path) -> None:
    """The oracle the campaign relies on: every generator's hostile character refuses a domain."""
    for ch in HOSTILE:
        if ch in ("-", "_", ".", "ü", "例"):
            continue  # can be part of a valid name
        policy = {"name": "x", "presets": [], "rules": [{"deny": {"domain": f"a{ch}b.fuzz"}}]}
        path = work / "one.yaml"
        path.write_text(to_yaml(policy))
        with pytest.raises(ConfigError, match=r"one\.yaml:\d+: "):
            plan_for(path, work / "catalog", today=GENERATED.date())
