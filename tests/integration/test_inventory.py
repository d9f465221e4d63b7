"""Issue 17: `sekisho inventory` — installed software matched against the catalog's software.

The exports are written by the test in the documented shapes of each tool (osquery's results log
and `osqueryi --json` output, PowerShell's Export-Csv of the Uninstall keys, `winget export`); no
osquery or Windows runs here (tests/data/README.md). Which machines have Baidu IME is decided by
the test, so the expected answer is known independently of sekisho.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sekisho.catalog import open_catalog
from sekisho.cli.main import app
from sekisho.inventory import read_inventory
from sekisho.store import Store
from sekisho.store.findings import load_findings

COMMON = [
    {"name": "Microsoft Edge", "version": "119.0.2151.72", "publisher": "Microsoft Corporation"},
    {"name": "7-Zip 23.01 (x64)", "version": "23.01", "publisher": "Igor Pavlov"},
    {"name": "Google 日本語入力", "version": "2.29.5220.0", "publisher": "Google LLC"},
]
BAIDU = {"name": "Baidu IME", "version": "3.6.1.6", "publisher": "Baidu Japan Inc."}
# look-alikes that must not match
DECOYS = [{"name": "Baidu IMEx Toolkit", "version": "1.0", "publisher": "Someone"}]
WITH_BAIDU = {"PC-03", "PC-07", "PC-10"}


def osquery_results_log(path: Path) -> dict[str, int]:
    """osqueryd's filesystem-logger results (event format), 10 machines; returns the line of each
    Baidu IME row."""
    lines: list[str] = []
    where: dict[str, int] = {}
    for i in range(1, 11):
        host = f"PC-{i:02d}"
        rows = [*COMMON, *(DECOYS if i == 5 else []), *([BAIDU] if host in WITH_BAIDU else [])]
        for row in rows:
            rec = {
                "name": "pack_inventory_programs",
                "hostIdentifier": host,
                "calendarTime": "Tue Dec  1 03:00:00 2026 UTC",
                "unixTime": 1796094000,
                "epoch": 0,
                "counter": 1,
                "numerics": False,
                "columns": {**row, "install_location": "", "identifying_number": "{0000}"},
                "action": "added",
            }
            lines.append(json.dumps(rec, ensure_ascii=False))
            if row is BAIDU:
                where[host] = len(lines)
    # a machine that later uninstalled it: a "removed" row is no install
    lines.append(
        json.dumps(
            {
                "name": "pack_inventory_programs",
                "hostIdentifier": "PC-04",
                "columns": BAIDU,
                "action": "removed",
            }
        )
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where


def test_osquery_programs_three_of_ten(tmp_path: Path) -> None:
    log = tmp_path / "osquery.results.log"
    where = osquery_results_log(log)
    db = tmp_path / "db.duckdb"
    run = CliRunner().invoke(app, ["inventory", str(log), "--json", "--db", str(db)])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    rows = out["findings"]
    assert {r["machine"] for r in rows} == WITH_BAIDU
    assert all(r["software"] == "baidu-ime-windows" and r["service"] == "baidu-ime" for r in rows)
    assert {r["machine"]: r["source"] for r in rows} == {h: f"{log}:{n}" for h, n in where.items()}
    assert all(r["version"] == "3.6.1.6" for r in rows)
    assert out["machines"] == 10 and out["problems"] == []
    with Store(db, read_only=True) as store:
        stored = load_findings(store, stage="inventory")
    assert {f.subject for f in stored} == {f"{h}/baidu-ime-windows" for h in WITH_BAIDU}
    assert all(f.stage == "inventory" and f.kind == "software_installed" for f in stored)
    # the same export again: the same findings, seen twice, not six
    CliRunner().invoke(app, ["inventory", str(log), "--db", str(db)])
    with Store(db, read_only=True) as store:
        assert len(load_findings(store, stage="inventory")) == 3


def test_osqueryi_array_uninstall_csv_winget(tmp_path: Path) -> None:
    cat = open_catalog(None)
    arr = tmp_path / "PC-21.json"  # osqueryi --json "SELECT * FROM programs"; machine from the file name
    arr.write_text(
        json.dumps(
            [*COMMON, {"name": "Sogou Input Method 13.4", "version": "13.4"}], indent=2, ensure_ascii=False
        )
    )
    csvf = (
        tmp_path / "uninstall.csv"
    )  # Get-ItemProperty …\Uninstall\* | Select … | Export-Csv (Windows PowerShell 5)
    csvf.write_text(
        "#TYPE Selected.System.Management.Automation.PSCustomObject\r\n"
        '"PSComputerName","DisplayName","DisplayVersion","Publisher"\r\n'
        '"PC-31","Baidu IME","3.6.1.6","Baidu Japan Inc."\r\n'
        '"PC-31","","",""\r\n'
        '"PC-32","Microsoft Edge","119.0","Microsoft Corporation"\r\n'
        '"PC-33","Baidu IME","3.6"\r\n',
        encoding="utf-8",
    )
    winget = tmp_path / "PC-41.json"
    winget.write_text(
        json.dumps(
            {
                "$schema": "https://aka.ms/winget-packages.schema.2.0.json",
                "CreationDate": "2026-12-01T10:00:00.000-00:00",
                "Sources": [
                    {
                        "Packages": [
                            {"PackageIdentifier": "Microsoft.Edge"},
                            {"PackageIdentifier": "Baidu.BaiduIME", "Version": "3.6"},
                        ],
                        "SourceDetails": {
                            "Argument": "https://cdn.winget.microsoft.com/cache",
                            "Identifier": "Microsoft.Winget.Source_8wekyb3d8bbwe",
                            "Name": "winget",
                            "Type": "Microsoft.PreIndexed.Package",
                        },
                    }
                ],
                "WinGetVersion": "1.6.3133",
            },
            indent=2,
        )
    )
    result = read_inventory([arr, csvf, winget], cat)
    got = {(f.detail["machine"], f.detail["software"]) for f in result.findings}
    assert got == {
        ("PC-21", "sogou-input-windows"),
        ("PC-31", "baidu-ime-windows"),
        ("PC-41", "baidu-ime-windows"),
    }
    assert [f["format"] for f in result.files] == ["osquery", "uninstall-csv", "winget"]
    # the short row is reported with its line, not dropped
    assert [(p.file, p.line) for p in result.problems] == [(str(csvf), 6)]
    sogou = next(f for f in result.findings if f.detail["software"] == "sogou-input-windows")
    assert sogou.evidence[0].line == 17  # "[" then three 5-line objects: the fourth starts on line 17


def test_unknown_export_refused(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("just some text\n", encoding="utf-8")
    run = CliRunner().invoke(app, ["inventory", str(f)])
    assert run.exit_code != 0
    assert "not a software inventory" in run.output


def test_android_and_macos(tmp_path: Path) -> None:
    """`pm list packages -f --show-versioncode` (Simeji is com.adamrocker.android.input.simeji, the
    package name Google Play lists) and `system_profiler SPApplicationsDataType -json`."""
    phone = tmp_path / "phone-01.txt"
    phone.write_text(
        "package:/data/app/~~x==/com.android.chrome-1/base.apk=com.android.chrome versionCode:599311533\n"
        "package:/data/app/~~y==/com.adamrocker.android.input.simeji-2/base.apk=com.adamrocker.android.input.simeji"
        " versionCode:1307\n"
        "garbage\n",
        encoding="utf-8",
    )
    mac = tmp_path / "Mac-01.json"
    mac.write_text(json.dumps({"SPApplicationsDataType": [
        {"_name": "Safari", "version": "17.1", "obtained_from": "apple", "path": "/Applications/Safari.app"},
        {"_name": "Baidu IME", "version": "1.0", "obtained_from": "identified_developer", "path": "/Applications/Baidu IME.app"},
    ]}, indent=2))  # fmt: skip
    result = read_inventory([phone, mac], open_catalog(None))
    got = {(f.detail["machine"], f.detail["software"]) for f in result.findings}
    # Simeji on the phone; the Windows-only Baidu IME entry does not match a Mac application
    assert got == {("phone-01", "simeji-android")}
    assert [(p.line, p.reason) for p in result.problems] == [(3, "not a 'package:NAME' line")]
    assert [f["format"] for f in result.files] == ["android-packages", "macos-apps"]
