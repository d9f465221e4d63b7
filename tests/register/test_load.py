"""Reading a register: every problem with its file:line, the fideslang keys checked against the
vendored taxonomy, and the vendored files unchanged from the commit PROVENANCE.md names."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from sekisho.catalog.loader import Catalog
from sekisho.errors import InputError
from sekisho.register import check_register, load_register
from sekisho.register.taxonomy import keys
from tests.register.conftest import ROOT_DATA, acceptance_parties, write_csv, write_yaml


def msgs(path: Path, catalog: Catalog | None = None) -> list[str]:
    _, problems = load_register(path, catalog)
    return [str(p) for p in problems]


def test_csv_problems_name_file_and_line(tmp_path: Path, catalog: Catalog) -> None:
    path = write_csv(tmp_path / "r.csv", acceptance_parties())
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",processor,", ",vendor,")  # line 3: proc-jp
    lines[3] = lines[3].replace("user.government_id", "user.my_number")  # line 4: sub-jp
    lines[4] = lines[4].replace(",sub-jp,", ",nobody,")  # line 5: sub-cn
    lines.append('x,"a name, with a comma",processor')  # line 6: too few fields
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = msgs(path, catalog)
    assert any(m.startswith(f"{path}:3: role:") for m in got), got
    assert any(
        m.startswith(f"{path}:4: sub-jp: 'user.my_number' is not a published fideslang") for m in got
    ), got
    assert f"{path}:5: sub-cn: receives_from 'nobody' is no party of the register" in got
    assert f"{path}:6: 3 fields, the header has 13" in got
    # a register with errors is not checked
    result = check_register(path, catalog)
    assert result.errors and result.findings == []


def test_a_quoted_newline_keeps_the_next_rows_line(tmp_path: Path) -> None:
    parties = acceptance_parties()
    parties[1]["name"] = "Entry\nK.K."  # the row spans lines 3-4
    parties[2]["country"] = "Japan"
    path = write_csv(tmp_path / "r.csv", parties)
    assert any(m.startswith(f"{path}:5: country:") for m in msgs(path)), msgs(path)


def test_yaml_problems_name_the_line_of_the_key(tmp_path: Path, catalog: Catalog) -> None:
    parties = acceptance_parties()
    parties[3]["transfer_basis"] = "handshake"
    parties[2]["catalog_operator"] = "no-such-operator"
    parties[1]["colour"] = "blue"
    path = write_yaml(tmp_path / "r.yaml", parties)
    text = path.read_text(encoding="utf-8").splitlines()
    line_of = {k: i + 1 for i, t in enumerate(text) for k in ("handshake", "colour") if k in t}
    got = msgs(path, catalog)
    assert any(m.startswith(f"{path}:{line_of['handshake']}: transfer_basis:") for m in got), got
    assert any(m.startswith(f"{path}:{line_of['colour']}: colour: unknown column") for m in got), got
    assert any("catalog_operator 'no-such-operator' is not in the catalog" in m for m in got), got
    # the refused rows (proc-jp, sub-cn) are not reported again by the parties that name them
    assert not any("no party" in m or "does not start" in m for m in got), got
    assert len(got) == 3, got


def test_a_chain_must_reach_a_controller(tmp_path: Path) -> None:
    parties = acceptance_parties()
    parties[1]["receives_from"] = "sub-cn"  # proc-jp <- sub-cn <- sub-jp <- proc-jp: a cycle
    path = write_yaml(tmp_path / "r.yaml", parties)
    assert any("does not start at a controller" in m for m in msgs(path))


def test_a_repeated_id_points_at_the_first(tmp_path: Path) -> None:
    parties = acceptance_parties()
    parties.append(dict(parties[3]))
    path = write_csv(tmp_path / "r.csv", parties)
    assert f"{path}:6: id 'sub-cn' repeats the party at {path}:5" in msgs(path)


def test_unreadable_and_broken_files(tmp_path: Path) -> None:
    bad = tmp_path / "r.yaml"
    bad.write_text("parties:\n  - id: a\n   name: b\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_register(bad)
    assert str(e.value).startswith(f"{bad}:3: invalid YAML")
    latin = tmp_path / "r.csv"
    latin.write_bytes("id,name,role,country\nx,M\xfcller,controller,JP\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_register(latin)


def test_vendored_taxonomy_is_the_commit_provenance_names() -> None:
    provenance = (ROOT_DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    pinned = re.findall(r"\| (\S+) \| ([0-9a-f]{64}) \|", provenance)
    assert [n for n, _ in pinned] == ["data_categories.yml", "data_uses.yml", "LICENSE"]
    assert "40394c46599745a6b8f14d069889fddfa2651409" in provenance
    for name, digest in pinned:
        assert hashlib.sha256((ROOT_DATA / name).read_bytes()).hexdigest() == digest, name
    assert "user.government_id" in keys("data_category")
    assert "essential.service" in keys("data_use")
    assert keys("data_use")["personalize.profiling"].replaced_by == "personalize.content.profiling"
    assert len(keys("data_category")) == 85 and len(keys("data_use")) == 56  # = fideslang 3.1.4
