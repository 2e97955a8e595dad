"""Roster import speed: N generated rows into a fresh database, through the same code as the CLI.

    python bench/import_roster.py                      # 20,000 rows, temp SQLite file
    python bench/import_roster.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_import

The target database is emptied (drop_all/create_all): give it a database of its own.
Runs: first import (CSV), the same file again (XLSX, nothing changes), and a re-import where every
row changed (CSV). Each prints read and import seconds (wall clock; "our CPU" is this process alone,
so the database server's share is the difference) and rows per second.
"""
from __future__ import annotations

import argparse
import csv
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = ["employee_no", "name", "phone", "department", "grid", "roles", "tags"]
DEPARTMENTS = [f"部门{i:02d}" for i in range(30)]
GRIDS = [f"第{i}网格" for i in range(1, 13)]
TAGS = ["生产岗", "技术岗", "管理岗", "新员工", "老员工", "困难职工", "40岁以上"]


def generate(n: int, changed: bool = False) -> list[list[str]]:
    rows = []
    for i in range(n):
        shift = 1 if changed else 0
        rows.append([
            f"B{i:06d}", f"{'改' if changed else ''}职工{i}", f"139{(i + shift * n) % 10**8:08d}",
            DEPARTMENTS[(i + shift) % len(DEPARTMENTS)], GRIDS[(i + shift) % len(GRIDS)],
            "liaison" if (i + shift) % 50 == 0 else "",
            ";".join(TAGS[(i + shift + k) % len(TAGS)] for k in range(2)),
        ])
    return rows


def write_csv(path: Path, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, rows) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--database-url", help="default: a temp SQLite file")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))  # keep the dev key file out of it

    from server import create_app
    from server.core.extensions import db
    from server.members.roster import import_rows, read_roster

    first = generate(args.rows)
    files = [
        ("first import (CSV)", write_csv(tmp / "roster.csv", first)),
        ("same file again (XLSX)", write_xlsx(tmp / "roster.xlsx", first)),
        ("every row changed (CSV)", write_csv(tmp / "changed.csv", generate(args.rows, changed=True))),
    ]

    app = create_app({"DATABASE_URL": url})
    print(f"{args.rows} rows into {url.split(':')[0]}")
    with app.app_context():
        db.drop_all()
        db.create_all()
        for label, path in files:
            t0, c0 = time.perf_counter(), time.process_time()
            rows = read_roster(path)
            t1 = time.perf_counter()
            report = import_rows(rows)
            db.session.commit()
            t2, c2 = time.perf_counter(), time.process_time()
            print(f"{label:26s} read {t1 - t0:5.2f}s  import {t2 - t1:5.2f}s  total {t2 - t0:5.2f}s"
                  f" (our CPU {c2 - c0:5.2f}s)  {len(rows) / (t2 - t0):6.0f} rows/s"
                  f"  created {report.created} updated {report.updated}"
                  f" unchanged {report.unchanged} rejected {len(report.rejected)}")
        db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
