"""`flask report --quarter 2026Q4`: the effectiveness report written to a file (docs/reports.md)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.command("report")
@click.option("--quarter", help="季度，如 2026Q4")
@click.option("--year", type=int, help="整年，如 2026（与 --quarter 二选一）")
@click.option("--format", "fmt", type=click.Choice(["pdf", "xlsx", "json"]), default="pdf", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="输出文件（默认 effectiveness-<期间>.<格式>，写在当前目录）")
@click.option("--store", is_flag=True, help="同时归档并通知工会委员（与调度器季末生成相同；已归档则不重复）")
@with_appcontext
def report_command(quarter: str | None, year: int | None, fmt: str, output: str | None, store: bool):
    """生成工会管理效能报告（默认上一个完整季度）。

    Writes the report for the quarter or year to a file; --store also archives it with its PDF and tells
    the committee, as the scheduler does after each quarter.
    """
    from ..core.errors import AppError
    from ..core.extensions import transaction
    from . import services
    from .build import build_report

    try:
        period = services.period_from(quarter, year)
        report = build_report(period)
        body = (json.dumps(report, ensure_ascii=False, indent=2).encode() if fmt == "json"
                else services.render(report, fmt))
    except AppError as e:
        fields = "；".join(f"{k}: {v}" for k, v in (e.details or {}).get("fields", {}).items())
        raise click.ClickException(f"{e.message}{('（' + fields + '）') if fields else ''}") from None
    path = Path(output or services.filename(period, fmt))
    path.write_bytes(body)
    click.echo(f"{period.label}效能报告已写入 {path}（{len(body):,} 字节）")
    if store:
        with transaction():
            row = services.archive(period, origin="command")
        click.echo("已归档并通知工会委员" if row else f"{period.key} 已归档过，未重复生成")
