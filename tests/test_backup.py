"""Backups and the restore drill (docs/backups.md), with real commits, real pg_dump/pg_restore on PostgreSQL and
SQLite's online backup API. On PostgreSQL the tests' tables live in one schema per xdist worker (conftest
_pg_schema_url): the backup dumps that schema (--schema) and the drill restores it into a fresh database."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from server.audit_trail.models import AuditTrailEntry
from server.backup import drill
from server.backup.services import backups, code_head, sha256_of, sqlite_copy, take_backup
from server.fund import services as fund
from server.fund.chart import ensure_chart
from server.fund.models import FundMonth
from server.members.models import Member

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # November 2026 is over (Asia/Shanghai)


def _pg(app) -> bool:
    return app.config["DATABASE_URL"].startswith("postgresql")


@pytest.fixture
def ledger(app, committing_db):
    """Members, a published month (the chain has a hash), audit-trail rows, and the alembic revision stamped as
    a migrated database has it (the tests' tables come from create_all)."""
    db = committing_db
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": code_head()})
    try:
        with time_machine.travel(PUBLISHED, tick=False):
            ensure_chart()
            treasurer = Member(employee_no="BK0001", name="会计", roles=["member", "treasurer"])
            db.session.add_all([treasurer, *(Member(employee_no=f"BK1{i:03d}", name=f"会员{i}", roles=["member"])
                                             for i in range(5))])
            db.session.flush()
            fund.create_entry(treasurer.id, date=date(2026, 11, 5), kind="expense", category="501",
                              amount_fen=90_000, counterparty="城东蛋糕坊", note="蛋糕券")
            fund.create_entry(treasurer.id, date=date(2026, 11, 9), kind="income", category="401",
                              amount_fen=300_000, counterparty="行政拨款", note="")
            fund.publish(treasurer.id, "2026-11", notify=False)
            db.session.commit()
        yield db
    finally:
        db.session.remove()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))


def _overrides(app) -> dict:
    return dict(app.config)


def _drill_databases(app) -> set[str]:
    engine = create_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'drill_%'")).scalars())
    finally:
        engine.dispose()


def test_backup_then_drill_restores_every_row_and_the_chain(app, ledger, tmp_path):
    db = ledger
    uploads = Path(app.config["STORAGE_ROOT"])
    (uploads / "ab").mkdir(parents=True, exist_ok=True)
    (uploads / "ab" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")

    b = take_backup(tmp_path, with_uploads=True)

    m = b.manifest
    assert m["database"] == ("postgresql" if _pg(app) else "sqlite")
    assert m["alembic_revision"] == code_head()
    counts = m["row_counts"]
    assert counts["members"] == 6 and counts["fund_entries"] == 2 and counts["fund_months"] == 1
    assert counts["audit_trail"] == db.session.scalar(select(func.count()).select_from(AuditTrailEntry)) >= 3
    assert counts["alembic_version"] == 1
    assert m["fund_last_hash"] == db.session.scalar(select(FundMonth.hash)) is not None
    assert m["dump"]["sha256"] == sha256_of(b.dump_path)
    with tarfile.open(tmp_path / m["uploads"]["file"]) as tar:
        assert tar.extractfile("uploads/ab/photo.jpg").read() == b"\xff\xd8 a photo"
    if _pg(app):
        # Only the worker's schema is in the dump (pg_restore --list names every object's schema).
        listing = subprocess.run(["pg_restore", "--list", str(b.dump_path)], capture_output=True, text=True,
                                 check=True).stdout
        assert f"SCHEMA - {m['schema']}" in listing and m["schema"].startswith("test_")
        assert " TABLE public " not in listing

    ok, checks, kept = drill.run_drill(b, app.config["DATABASE_URL"], _overrides(app))

    assert ok, drill.render(b, checks)
    assert {c.name for c in checks} >= {"sha256", "restore", "alembic", "row counts", "fund chain"}
    assert kept is None
    if _pg(app):
        name = next(c for c in checks if c.name == "restore").detail.split()[0]
        assert name.startswith("drill_") and name not in _drill_databases(app)  # dropped again
    else:
        assert next(c for c in checks if c.name == "integrity_check").ok


def test_a_changed_amount_in_the_restored_copy_breaks_the_chain(app, ledger, tmp_path):
    b = take_backup(tmp_path)
    url = app.config["DATABASE_URL"]
    restored = drill.restore(b, url)
    try:
        engine = create_engine(restored.url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE fund_entries SET amount_fen = amount_fen + 1 WHERE amount_fen = 90000"))
        engine.dispose()
        checks = {c.name: c for c in drill.check_restored(b, restored, _overrides(app))}
    finally:
        drill.drop(restored, url)
    assert checks["row counts"].ok and checks["alembic"].ok
    assert not checks["fund chain"].ok
    assert "2026-11" in checks["fund chain"].detail and "broken at 2026-11" in checks["fund chain"].detail


def test_a_manifest_that_disagrees_fails_the_drill_script(app, ledger, tmp_path):
    b = take_backup(tmp_path)
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "BACKUP_DIR": str(tmp_path),
           "SECRET_KEY": app.config["SECRET_KEY"], "APP_ENV": "development"}
    script = [sys.executable, str(ROOT / "scripts" / "restore-drill")]

    good = subprocess.run(script, env=env, capture_output=True, text=True, cwd=ROOT)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "演练通过 drill passed" in good.stdout and "FAIL" not in good.stdout

    # Someone "fixes" the manifest by hand: one member more, another last hash.
    m = json.loads(b.manifest_path.read_text())
    m["row_counts"]["members"] += 1
    m["fund_last_hash"] = "0" * 64
    b.manifest_path.write_text(json.dumps(m))
    bad = subprocess.run([*script, b.manifest_path.name], env=env, capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    lines = {line.split("  ")[1]: line for line in bad.stdout.splitlines()[1:]}
    assert "失败 FAIL" in lines["row counts"] and "members: 6 ≠ 7" in lines["row counts"]
    assert "失败 FAIL" in lines["fund chain"] and "清单 manifest 0000000000000000" in lines["fund chain"]
    assert "通过 ok" in lines["sha256"] and "通过 ok" in lines["alembic"]
    assert "演练失败 drill FAILED" in bad.stderr


def test_a_damaged_dump_is_refused_before_restoring(app, ledger, tmp_path):
    b = take_backup(tmp_path)
    data = bytearray(b.dump_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    b.dump_path.write_bytes(bytes(data))

    ok, checks, _ = drill.run_drill(b, app.config["DATABASE_URL"], _overrides(app))

    assert not ok
    assert [(c.name, c.ok) for c in checks] == [("sha256", False)]
    assert "≠" in checks[0].detail


def test_retention_keeps_the_newest(app, committing_db, tmp_path):
    start = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
    for day in range(4):
        take_backup(tmp_path, keep=2, now=start + timedelta(days=day))
    kept = backups(tmp_path)
    assert [b.manifest_path.name for b in kept] == ["union-hub-20261103T180000Z.json",
                                                    "union-hub-20261104T180000Z.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [b.manifest_path.name for b in kept] + [b.dump_path.name for b in kept])

    result = app.test_cli_runner().invoke(args=["backup", "--output", str(tmp_path), "--keep", "1"])
    assert result.exit_code == 0, result.output
    assert "备份完成 backup written" in result.output
    (only,) = backups(tmp_path)
    assert only.manifest_path.name > "union-hub-20261104T180000Z.json"
    assert len(list(tmp_path.iterdir())) == 2


def test_missing_or_failing_pg_dump_is_a_clear_error(app, committing_db, tmp_path, monkeypatch):
    if not _pg(app):
        pytest.skip("SQLite needs no pg_dump")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    runner = app.test_cli_runner()

    missing = runner.invoke(args=["backup", "--output", str(tmp_path / "out")])
    assert missing.exit_code == 1
    assert "未找到 pg_dump" in missing.output and "pg_dump not found" in missing.output

    # A pg_dump that fails (as one older than the server does), standing in for the real tool.
    fake = bin_dir / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump: error: aborting because of server version mismatch' >&2\nexit 1\n")
    fake.chmod(0o755)
    failed = runner.invoke(args=["backup", "--output", str(tmp_path / "out")])
    assert failed.exit_code == 1
    assert "pg_dump 执行失败（退出码 1）/ pg_dump failed (exit 1)" in failed.output
    assert "server version mismatch" in failed.output
    assert list((tmp_path / "out").iterdir()) == []  # no partial dump, no manifest


def test_a_drill_needs_the_same_kind_of_database(app, ledger, tmp_path):
    b = take_backup(tmp_path)
    other = "sqlite:///" + str(tmp_path / "x.db") if _pg(app) else "postgresql+psycopg://nobody@127.0.0.1/x"
    ok, checks, _ = drill.run_drill(b, other, _overrides(app))
    assert not ok and checks[-1].name == "restore" and "DATABASE_URL" in checks[-1].detail


def test_sqlite_online_backup_while_another_connection_writes(tmp_path):
    """The copy is one consistent moment: every batch of 100 rows is in it whole or not at all."""
    source, copy = tmp_path / "live.db", tmp_path / "copy.db"
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (batch INTEGER, pad BLOB)")
    with conn:
        conn.executemany("INSERT INTO t VALUES (0, randomblob(500))", [()] * 20_000)  # ~10 MB to copy
    conn.close()
    started, stop, written = threading.Event(), threading.Event(), []

    def writer():
        w = sqlite3.connect(source, timeout=30)
        batch = 1
        while not stop.is_set():
            with w:
                w.executemany("INSERT INTO t VALUES (?, randomblob(500))", [(batch,)] * 100)
            written.append(batch)
            started.set()
            batch += 1
        w.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert started.wait(30)
        sqlite_copy(source, copy)
        batches_during = len(written)
    finally:
        stop.set()
        thread.join()

    c = sqlite3.connect(copy)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    per_batch = dict(c.execute("SELECT batch, count(*) FROM t WHERE batch > 0 GROUP BY batch").fetchall())
    assert c.execute("SELECT count(*) FROM t WHERE batch = 0").fetchone()[0] == 20_000
    c.close()
    assert per_batch and set(per_batch.values()) == {100}
    assert sorted(per_batch) == list(range(1, len(per_batch) + 1))  # no gap: a prefix of the commits
    assert len(per_batch) <= batches_during <= len(written)
    live = sqlite3.connect(source)
    assert live.execute("SELECT count(DISTINCT batch) FROM t WHERE batch > 0").fetchone()[0] == len(written)
    live.close()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_the_backup_units_pass_systemd_analyze_verify(tmp_path):
    # Pointed at this checkout, so that verify finds the virtualenv's flask (a missing ExecStart is an error).
    units = []
    for name in ("union-hub-backup.service", "union-hub-backup.timer"):
        path = tmp_path / name
        path.write_text((ROOT / "deploy" / "systemd" / name).read_text().replace("/srv/union-hub", str(ROOT)))
        units.append(str(path))
    run = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert (run.returncode, run.stdout + run.stderr) == (0, "")
    assert "OnCalendar=*-*-* 02:30:00" in Path(units[1]).read_text()


def test_a_drill_user_without_createdb_is_told_so(app, ledger, tmp_path):
    if not _pg(app):
        pytest.skip("PostgreSQL only: SQLite restores into a file")
    b = take_backup(tmp_path)
    role = f"bak_nocreatedb_{os.getpid()}"
    admin = create_engine(app.config["DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN NOCREATEDB"))
    try:
        url = make_url(app.config["DATABASE_URL"]).set(username=role).render_as_string(hide_password=False)
        ok, checks, _ = drill.run_drill(b, url, _overrides(app))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()
    assert not ok and checks[-1].name == "restore"
    assert "CREATEDB" in checks[-1].detail and "permission denied" in checks[-1].detail


def test_uploads_in_s3_are_refused_before_anything_is_written(app, committing_db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_S3_BUCKET", "union-photos")
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(tmp_path), "--with-uploads"])
    assert result.exit_code == 1
    assert "存储桶的版本控制" in result.output and "use bucket versioning and replication" in result.output
    assert list(tmp_path.iterdir()) == []
