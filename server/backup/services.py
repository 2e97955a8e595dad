"""Taking a backup: a consistent dump of the database, beside it a manifest of what it should hold.

PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the manifest's row counts, alembic revision and
fund chain hash are read in that transaction and ``pg_dump --snapshot`` dumps the very same snapshot, so the
counts describe the dump exactly even while the app writes. (Counting from a restored copy afterwards would
only prove the dump agrees with itself.) SQLite: the online backup API copies the file as of one moment while
the app runs, and the manifest is read from that copy.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Optional

from flask import current_app
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, Connection, make_url

PREFIX = "union-hub-"
STAMP = "%Y%m%dT%H%M%SZ"
DEFAULT_KEEP = 14


class BackupError(RuntimeError):
    """A backup or drill cannot go on; the message is for the operator, in Chinese and English."""


@dataclass(frozen=True)
class Backup:
    manifest_path: Path
    manifest: dict

    @property
    def dump_path(self) -> Path:
        return self.manifest_path.parent / self.manifest["dump"]["file"]


def backup_dir() -> Path:
    return Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def code_head() -> str:
    """The newest migration in the code (server/migrations)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(Path(__file__).resolve().parents[1] / "migrations")).get_current_head()


# ---- what the database holds, read inside one snapshot ----

def app_schema(conn: Connection) -> Optional[str]:
    """The schema holding the app's tables on PostgreSQL (search_path's first; tests use one per worker)."""
    return conn.execute(text("SELECT current_schema()")).scalar() if conn.dialect.name == "postgresql" else None


def facts(conn: Connection) -> dict:
    """Row count of every table, the alembic revision and the fund chain's last hash, on ``conn`` (whose
    transaction fixes the snapshot). One count per table: a backup, not a request."""
    schema = app_schema(conn)
    names = sorted(inspect(conn).get_table_names(schema=schema))
    counts = {n: conn.execute(select(func.count()).select_from(table(n, schema=schema))).scalar_one() for n in names}
    revision = (conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if "alembic_version" in names else None)
    last_hash = (conn.execute(text("SELECT hash FROM fund_months ORDER BY month DESC LIMIT 1")).scalar()
                 if "fund_months" in names else None)
    return {"schema": schema, "alembic_revision": revision, "fund_last_hash": last_hash, "row_counts": counts}


# ---- PostgreSQL ----

def libpq(url: str | URL) -> tuple[str, dict]:
    """(a libpq URI without the password, the environment carrying it): pg_dump's command line shows in `ps`."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password is not None:
        env["PGPASSWORD"] = u.password
    return u._replace(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"未找到 {name}：请安装 PostgreSQL 客户端工具（Debian: postgresql-client，"
                          f"版本不低于数据库服务器）。 / {name} not found: install the PostgreSQL client tools "
                          "(Debian: postgresql-client, the server's major version or newer).")
    return path


def run_tool(args: list[str], env: dict) -> None:
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        name = Path(args[0]).name
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise BackupError(f"{name} 执行失败（退出码 {proc.returncode}）/ {name} failed (exit {proc.returncode}): "
                          + " | ".join(detail))


def _pg_dump(url: str, dest: Path) -> dict:
    pg_dump = tool("pg_dump")
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            # The first statement fixes the snapshot; exporting it lets pg_dump read exactly what we count.
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            found = facts(conn)
            uri, env = libpq(url)
            args = [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}", f"--dbname={uri}"]
            if found["schema"] and found["schema"] != "public":
                args.append(f"--schema={found['schema']}")  # tests: one schema per xdist worker
            run_tool(args, env)  # while the exporting transaction is still open
            conn.rollback()
    finally:
        engine.dispose()
    return found


# ---- SQLite ----

def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份 / an in-memory SQLite database cannot be backed up")
    if not Path(database).is_file():  # sqlite3 would make an empty one and back that up
        raise BackupError(f"数据库文件不存在 / no database file at {database}")
    return Path(database)


def sqlite_copy(source: Path, dest: Path) -> None:
    """A consistent copy of a live SQLite file: the online backup API copies every page in one step, as of one
    read transaction, while other connections go on writing (WAL)."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_dump(url: str, dest: Path) -> dict:
    sqlite_copy(sqlite_path(url), dest)
    engine = create_engine(f"sqlite:///{dest}")
    try:
        with engine.connect() as conn:
            found = facts(conn)
    finally:
        engine.dispose()
    # A standalone file (the app's engine turned WAL on while reading it): no -wal beside it to carry along.
    plain = sqlite3.connect(dest)
    try:
        plain.execute("PRAGMA journal_mode=DELETE")
    finally:
        plain.close()
    return found


# ---- the backup ----

def take_backup(output: Optional[Path] = None, keep: int = DEFAULT_KEEP, with_uploads: bool = False,
                now: Optional[datetime] = None) -> Backup:
    """Dump the database into ``output`` (default BACKUP_DIR), write the manifest last (a backup without one
    is unfinished), then keep only the newest ``keep`` backups."""
    if keep < 1:
        raise BackupError("--keep 至少为 1 / --keep must be at least 1")
    uploads_root = _uploads_root() if with_uploads else None  # refused for S3 before anything is written
    url = current_app.config["DATABASE_URL"]
    kind = "postgresql" if make_url(url).get_backend_name() == "postgresql" else "sqlite"
    out = Path(output) if output else backup_dir()
    out.mkdir(parents=True, exist_ok=True)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    stem = PREFIX + now.strftime(STAMP)
    manifest_path = out / f"{stem}.json"
    if manifest_path.exists():
        raise BackupError(f"{manifest_path.name} 已存在 / already exists")
    dump = out / (f"{stem}.dump" if kind == "postgresql" else f"{stem}.sqlite3")
    partial = dump.with_name(dump.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        found = _pg_dump(url, partial) if kind == "postgresql" else _sqlite_dump(url, partial)
        partial.rename(dump)
    finally:
        partial.unlink(missing_ok=True)
    manifest = {
        "created_at": now.isoformat().replace("+00:00", "Z"),
        "database": kind,
        **found,
        "dump": {"file": dump.name, "format": "pg_dump custom" if kind == "postgresql" else "sqlite3",
                 "bytes": dump.stat().st_size, "sha256": sha256_of(dump)},
        "uploads": _uploads(uploads_root, out, stem) if uploads_root else None,
    }
    tmp = manifest_path.with_suffix(".json.partial")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.rename(manifest_path)
    prune(out, keep)
    return Backup(manifest_path, manifest)


def _uploads_root() -> Path:
    if current_app.config.get("STORAGE_S3_BUCKET"):
        raise BackupError("照片存放在 S3 存储桶中，请使用存储桶的版本控制与跨区域复制（见 docs/backups.md）"
                          "/ uploads are in S3: use bucket versioning and replication instead of --with-uploads "
                          "(docs/backups.md)")
    return Path(current_app.config.get("STORAGE_ROOT") or Path(current_app.instance_path) / "uploads")


def _uploads(root: Path, out: Path, stem: str) -> dict:
    dest = out / f"{stem}.uploads.tar.gz"
    with tarfile.open(dest, "w:gz") as tar:
        if root.exists():
            tar.add(root, arcname="uploads")
    return {"file": dest.name, "bytes": dest.stat().st_size, "sha256": sha256_of(dest)}


def backups(folder: Path) -> list[Backup]:
    """The finished backups in ``folder``, oldest first (names carry the UTC time)."""
    found = []
    for path in sorted(Path(folder).glob(f"{PREFIX}*.json")):
        try:
            found.append(Backup(path, json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, OSError):
            continue
    return found


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups (dump, uploads archive and manifest, the manifest last)."""
    removed = []
    for old in backups(folder)[:-keep]:
        files = [old.dump_path]
        if old.manifest.get("uploads"):
            files.append(old.manifest_path.parent / old.manifest["uploads"]["file"])
        for path in [*files, old.manifest_path]:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
