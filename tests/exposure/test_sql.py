"""PostgreSQL and MariaDB probes against the real servers from Debian's packages, on loopback.

PostgreSQL: ``trust`` → a finding; ``scram-sha-256`` → protected; ``log_statement=all`` shows the
probe's statements are SELECTs only. MariaDB: a user the admin names with no password → a finding;
with a password → protected; no user named → the greeting only (``unknown``), and the general
query log shows no login as root and only SHOW/SELECT.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from sekisho.exposure import check
from tests.conftest import need_program
from tests.exposure.conftest import Audit, Server, as_user_dir, free_port, pg_bin, rmtree

HOST = "127.0.0.1"


@pytest.fixture()
def pg_dir() -> tuple[Path, list[str]]:
    path, prefix = as_user_dir("sekisho-pg-", "postgres")
    yield path, prefix
    rmtree(path)


def start_pg(servers: list[Server], pg_dir: tuple[Path, list[str]], host_auth: str) -> int:
    root, prefix = pg_dir
    data = root / "data"
    subprocess.run(
        [
            *prefix,
            pg_bin("initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth-local=trust",
            f"--auth-host={host_auth}",
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    cmd = [
        *prefix,
        pg_bin("postgres"),
        "-D", str(data), "-p", str(port), "-k", str(root),
        "-c", f"listen_addresses={HOST}", "-c", "log_statement=all", "-c", "log_line_prefix=app=%a ",
        "-c", "logging_collector=off", "-c", "fsync=off",
    ]  # fmt: skip
    servers.append(Server(cmd, ready=r"database system is ready to accept connections"))
    sql = "CREATE DATABASE shop; \\c shop\nCREATE TABLE orders AS SELECT g AS id FROM generate_series(1, 5000) g; ANALYZE orders;"
    subprocess.run(
        [*prefix, need_program("psql"), "-h", str(root), "-p", str(port), "-U", "postgres", "-d", "postgres", "-q"],
        input=sql, text=True, check=True, capture_output=True,
    )  # fmt: skip
    return port


def test_postgres_trust_is_a_finding_and_only_reads(servers, pg_dir, audit: Audit) -> None:
    port = start_pg(servers, pg_dir, "trust")
    audit.allow(HOST, port)
    before = len(servers[-1].lines)
    result = check([f"{HOST}:{port}"])
    (f,) = result.findings
    assert (f.kind, f.subject) == ("postgresql_open", f"{HOST}:{port}")
    values = f.detail["values"]
    assert {"postgres", "shop"} <= set(values["collections"])
    assert values["bytes"] > 1_000_000  # pg_database_size of both databases
    assert values["server_version"].startswith("15")
    assert values["records"] == "0"  # the planner's rows of the database it connected to (postgres)
    assert f.severity == "medium"  # data seen, below 100,000 records and 100 MB
    # log_statement=all: every statement of the check (application_name sekisho-exposure) is a SELECT
    mine = [ln for ln in servers[-1].lines[before:] if ln.startswith("app=sekisho-exposure ")]
    statements = [re.sub(r".*statement: ", "", ln).strip() for ln in mine if "statement:" in ln]
    assert len(statements) == 2 and all(s.startswith("SELECT ") for s in statements), mine


def test_postgres_password_is_protected(servers, pg_dir, audit: Audit) -> None:
    port = start_pg(servers, pg_dir, "scram-sha-256")
    audit.allow(HOST, port)
    result = check([f"{HOST}:{port}"])
    assert result.findings == []
    (c,) = result.checked
    assert (c.status, c.service) == ("protected", "postgresql")
    assert c.evidence[0].response == "auth sasl SCRAM-SHA-256"


@pytest.fixture()
def mariadb(servers, tmp_path: Path) -> tuple[int, Path]:
    data = tmp_path / "data"
    subprocess.run(
        [need_program("mariadb-install-db"), "--no-defaults", f"--datadir={data}", "--user=root",
         "--auth-root-authentication-method=socket", "--skip-test-db"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    sock = tmp_path / "mysqld.sock"
    general = tmp_path / "general.log"
    cmd = [
        need_program("mariadbd"), "--no-defaults", f"--datadir={data}", f"--port={port}", f"--bind-address={HOST}",
        f"--socket={sock}", "--user=root", "--skip-name-resolve", "--skip-log-bin", "--general-log",
        f"--general-log-file={general}", f"--pid-file={tmp_path / 'pid'}",
    ]  # fmt: skip
    servers.append(Server(cmd, ready=r"ready for connections"))
    sql = (
        "CREATE USER report@'%'; CREATE USER locked@'%' IDENTIFIED BY 'not-guessed';"
        "CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY) ENGINE=InnoDB;"
        "INSERT INTO shop.orders SELECT seq FROM shop.seq_1_to_3000; ANALYZE TABLE shop.orders;"
        "GRANT SELECT ON shop.* TO report@'%'; GRANT SELECT ON shop.* TO locked@'%';"
    )
    done = subprocess.run(
        [need_program("mariadb"), "--no-defaults", f"--socket={sock}", "-u", "root", "-e", sql],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return port, general


def test_mariadb_named_user_without_password_is_a_finding(mariadb, audit: Audit) -> None:
    port, general = mariadb
    audit.allow(HOST, port)
    start = general.stat().st_size
    result = check([f"{HOST}:{port}"], users={"mysql": "report"})
    (f,) = result.findings
    assert (f.kind, f.subject) == ("mysql_open", f"{HOST}:{port}")
    values = f.detail["values"]
    assert "shop" in values["collections"] and "MariaDB" in values["version"]
    assert int(values["records"]) > 2000  # InnoDB's estimate of 3,000 rows
    assert f.severity == "medium"
    log = general.read_bytes()[start:].decode()
    connects = re.findall(r"Connect\s+(\S+)@", log)
    queries = re.findall(r"Query\s+(.+)", log)
    assert connects == ["report"], log
    assert queries and all(q.startswith(("SHOW DATABASES", "SELECT ")) for q in queries), queries


def test_mariadb_password_is_protected_and_unnamed_is_unknown(mariadb, audit: Audit) -> None:
    port, general = mariadb
    audit.allow(HOST, port)
    start = general.stat().st_size
    locked = check([f"{HOST}:{port}"], users={"mysql": "locked"})
    assert locked.findings == []
    assert [(c.status, c.service) for c in locked.checked] == [("protected", "mysql")]
    unnamed = check([f"{HOST}:{port}"])
    assert unnamed.findings == []
    (c,) = unnamed.checked
    assert (c.status, c.service) == ("unknown", "mysql") and "MariaDB" in c.values["version"]
    assert c.note and "--user" in c.note
    log = general.read_bytes()[start:].decode()
    assert "root@" not in log and not re.findall(r"Query\s+", log), log
