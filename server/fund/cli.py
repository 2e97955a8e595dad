"""`flask funds verify`: recompute the fund's hash chain from the stored rows (docs/fund.md)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("funds")
def funds_cli():
    """The union fund ledger."""


@funds_cli.command("verify")
@with_appcontext
def verify_command():
    """Check every published month against its hash; exit 1 naming the first broken month."""
    from sqlalchemy import func, select

    from ..core.extensions import db
    from .chain import verify
    from .models import FundMonth

    ok, broken_at = verify()
    months = db.session.scalar(select(func.count()).select_from(FundMonth))
    db.session.rollback()
    if not ok:
        click.echo(f"经费账目校验失败：{broken_at} 的分录与公开时的校验值不一致（broken_at={broken_at}）", err=True)
        raise SystemExit(1)
    click.echo(f"经费账目校验通过：{months} 个已公开月份的哈希链完整")
