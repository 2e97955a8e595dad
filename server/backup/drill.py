"""The restore drill (scripts/restore-drill, docs/backups.md): restore a backup into a fresh database and check
it against its manifest and the code.

PostgreSQL: ``CREATE DATABASE drill_<time>_<random>`` on the server DATABASE_URL names (its user needs
CREATEDB), then ``pg_restore --no-owner``. The drill database's URL is DATABASE_URL with only the database name
changed, so a search_path option (the tests' per-worker schema) still finds the restored schema. SQLite: the
copy is restored into a temporary folder. The drill database is dropped afterwards unless ``keep``.
"""
from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from .services import (
    PREFIX,
    Backup,
    BackupError,
    backup_dir,
    backups,
    code_head,
    facts,
    libpq,
    run_tool,
    sha256_of,
    tool,
)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Restored:
    kind: str
    url: str      # SQLAlchemy URL of the restored copy
    where: str    # what to show: the drill database's name, or the file
    folder: Optional[Path] = None


def find_backup(given: Optional[str], folder: Path) -> Backup:
    """The backup named by ``given`` (its manifest, its dump, or its name), else the newest in ``folder``."""
    if given is None:
        found = backups(folder)
        if not found:
            raise BackupError(f"{folder} 中没有备份 / no backup in {folder}")
        return found[-1]
    path = Path(given)
    if path.parent == Path() and not path.exists():
        path = folder / path  # a bare name: in the backup folder
    if not path.name.endswith(".json"):
        path = path.with_name(path.name.split(".")[0] + ".json")
    for b in backups(path.parent):
        if b.manifest_path.resolve() == path.resolve():
            return b
    raise BackupError(f"找不到备份清单 {path} / no backup manifest at {path}")


def _admin(source_url: str):
    return create_engine(source_url, isolation_level="AUTOCOMMIT")


def restore(backup: Backup, source_url: str) -> Restored:
    kind = backup.manifest["database"]
    source_kind = "postgresql" if make_url(source_url).get_backend_name() == "postgresql" else "sqlite"
    if kind != source_kind:
        raise BackupError(f"备份来自 {kind}，而 DATABASE_URL 指向 {source_kind} / the backup is of {kind} but "
                          f"DATABASE_URL is {source_kind}")
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="union-hub-drill-"))
        path = folder / "restored.sqlite3"
        shutil.copyfile(backup.dump_path, path)
        return Restored(kind, f"sqlite:///{path}", str(path), folder)
    pg_restore = tool("pg_restore")
    name = f"drill_{stamp}_{secrets.token_hex(3)}"
    engine = _admin(source_url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as exc:
        raise BackupError(f"无法创建演练数据库（该用户需要 CREATEDB 权限）/ cannot create the drill database (the "
                          f"user needs CREATEDB): {str(exc.orig).strip()}") from None
    finally:
        engine.dispose()
    restored = Restored(kind, make_url(source_url).set(database=name).render_as_string(hide_password=False), name)
    uri, env = libpq(restored.url)
    try:
        # One transaction: all or nothing, and one commit instead of one per object.
        run_tool([pg_restore, "--no-owner", "--single-transaction", "--exit-on-error", f"--dbname={uri}",
                  str(backup.dump_path)], env)
    except BackupError:
        drop(restored, source_url)
        raise
    return restored


def drop(restored: Restored, source_url: str) -> None:
    if restored.kind == "sqlite":
        shutil.rmtree(restored.folder, ignore_errors=True)
        return
    engine = _admin(source_url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored.where}" WITH (FORCE)'))
    finally:
        engine.dispose()


def check_file(backup: Backup) -> Check:
    want = backup.manifest["dump"]["sha256"]
    if not backup.dump_path.exists():
        return Check("sha256", False, f"缺少 {backup.dump_path.name} / missing")
    got = sha256_of(backup.dump_path)
    return Check("sha256", got == want, got[:16] if got == want else f"{got[:16]} ≠ {want[:16]} (清单 manifest)")


def check_restored(backup: Backup, restored: Restored, app_overrides: dict) -> list[Check]:
    """The restored copy against the manifest: alembic revision (also the code's head), every table's row count,
    and the fund chain verified by the app itself on the restored database."""
    m = backup.manifest
    checks = []
    engine = create_engine(restored.url)
    try:
        with engine.connect() as conn:
            found = facts(conn)
            if restored.kind == "sqlite":
                result = conn.execute(text("PRAGMA integrity_check")).scalar()
                checks.append(Check("integrity_check", result == "ok", result))
    finally:
        engine.dispose()

    head, rev = code_head(), found["alembic_revision"]
    checks.append(Check("alembic", rev == m["alembic_revision"] == head,
                        f"{rev}" if rev == m["alembic_revision"] == head
                        else f"库 db {rev} / 清单 manifest {m['alembic_revision']} / 代码 code {head}"))

    want, got = m["row_counts"], found["row_counts"]
    diff = [f"{t}: {got.get(t, '缺 missing')} ≠ {want.get(t, '缺 missing')}" for t in sorted(set(want) | set(got))
            if got.get(t) != want.get(t)]
    checks.append(Check("row counts", not diff, "; ".join(diff[:5]) + (" …" if len(diff) > 5 else "")
                        if diff else f"{len(want)} 张表 tables, {sum(want.values())} 行 rows"))
    checks.append(_chain(restored.url, m["fund_last_hash"], app_overrides))
    return checks


def _chain(url: str, manifest_hash: Optional[str], app_overrides: dict) -> Check:
    from .. import create_app
    from ..core.extensions import db
    from ..fund.chain import verify
    from ..fund.models import FundMonth

    app = create_app({**app_overrides, "DATABASE_URL": url})
    with app.app_context():
        try:
            ok, broken_at = verify()
            last = db.session.scalar(select(FundMonth.hash).order_by(FundMonth.month.desc()).limit(1))
        finally:
            db.session.remove()
            db.engine.dispose()
    if not ok:
        return Check("fund chain", False, f"{broken_at} 的分录与公开时的校验值不一致 / broken at {broken_at}")
    if last != manifest_hash:
        return Check("fund chain", False,
                     f"末位哈希 last hash {str(last)[:16]} ≠ 清单 manifest {str(manifest_hash)[:16]}")
    return Check("fund chain", True, f"末位哈希 last hash {last[:16]}" if last else "尚无公开月份 no month published")


def run_drill(backup: Backup, source_url: str, app_overrides: dict, keep: bool = False) \
        -> tuple[bool, list[Check], Optional[Restored]]:
    """Check the file, restore it, check the copy; drop the copy unless ``keep``. (ok, checks, the copy if kept)."""
    checks = [check_file(backup)]
    if not checks[0].ok:
        return False, checks, None  # a damaged file: nothing restored from it could be trusted
    began = time.monotonic()
    try:
        restored = restore(backup, source_url)
    except BackupError as exc:
        checks.append(Check("restore", False, str(exc)))
        return False, checks, None
    # How long a real restore of this backup takes, give or take (docs/backups.md).
    checks.append(Check("restore", True, f"{restored.where} ({time.monotonic() - began:.1f} s)"))
    try:
        checks += check_restored(backup, restored, app_overrides)
    finally:
        if not keep:
            drop(restored, source_url)
    return all(c.ok for c in checks), checks, restored if keep else None


def render(backup: Backup, checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"恢复演练 restore drill: {backup.manifest_path.name} ({backup.manifest['database']}, "
             f"{backup.manifest['created_at']})"]
    lines += [f"  {c.name:<{width}}  {'通过 ok  ' if c.ok else '失败 FAIL'}  {c.detail}" for c in checks]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/restore-drill", description=(
        "Restore a backup (default: the newest in BACKUP_DIR) into a fresh database and check it."))
    parser.add_argument("backup", nargs="?", help=f"a manifest, dump or name such as {PREFIX}20261203T020000Z")
    parser.add_argument("--dir", help="where the backups are (default: BACKUP_DIR)")
    parser.add_argument("--keep", action="store_true", help="keep the drill database (or file) afterwards")
    args = parser.parse_args(argv)

    from .. import create_app

    app = create_app()
    with app.app_context():
        source_url = app.config["DATABASE_URL"]
        folder = Path(args.dir) if args.dir else backup_dir()
    try:
        backup = find_backup(args.backup, folder)
        ok, checks, kept = run_drill(backup, source_url, {}, keep=args.keep)
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(render(backup, checks))
    if kept:
        print(f"保留演练库 kept: {make_url(kept.url).render_as_string(hide_password=True)}")
    print("演练通过 drill passed" if ok else "演练失败 drill FAILED", file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1

