"""`flask --app server members …`: roster import, roles and console passwords."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import inspect
from werkzeug.security import generate_password_hash

from ..core.extensions import db, transaction
from .auth import revoke_tokens
from .models import ROLES, Member
from .roster import RosterFileError, import_rows, read_roster
from .services import member_by_employee_no

members_cli = AppGroup("members", help="会员名册与角色 / Roster and roles.")

MIN_PASSWORD = 8


def require_schema() -> None:
    if not inspect(db.session.connection()).has_table(Member.__tablename__):
        raise click.ClickException("数据库尚未初始化，请先运行 flask --app server db upgrade"
                                   " / The database has no tables yet: run `flask --app server db upgrade`")


@members_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--deactivate-missing", is_flag=True,
              help="把文件中没有的会员设为停用，并释放其报名与预约 / Set members not in the file inactive and "
                   "release their sign-ups and bookings.")
def import_command(file: str, deactivate_missing: bool) -> None:
    """Import the roster from FILE (.csv or .xlsx). 从文件导入会员名册。

    文件中没有的会员不会被删除（加 --deactivate-missing 则设为停用）；错误的行会列出行号和原因，其余行照常导入。

    \b
    Columns: employee_no,name,phone,department,grid,roles,tags
    (Chinese headers 工号,姓名,手机号,部门,网格,角色,标签 also work;
    roles and tags separated by ";" or "；"). CSV in UTF-8 or GBK.

    Members are matched by employee_no: new ones are created, existing ones updated
    (name, phone, department, grid; roles and tags when their cell is filled, an empty
    cell keeps the current ones). Departments, grids and tags are created as named.
    Bad rows are listed with their line number and the other rows still imported.
    Members missing from the file are NOT deleted or changed, unless
    --deactivate-missing is given: they are then set inactive, their tickets
    refused, their sign-ups for events not yet ended and their upcoming bookings
    cancelled (waiting lists move up). Listed again later, a member is active
    again but gets nothing back. Exit code 1 when the file cannot be read or nothing in it could be imported.
    """
    require_schema()
    try:
        rows = read_roster(file)
    except RosterFileError as e:
        raise click.ClickException(str(e)) from None
    if not rows:
        click.echo("文件中没有数据行 / No data rows in the file.")
        return

    with transaction():
        with click.progressbar(length=len(rows), label="导入中 / Importing", show_pos=True) as bar:
            report = import_rows(rows, deactivate_missing=deactivate_missing, progress=bar.update)
        if not report.imported:
            db.session.rollback()  # nothing importable: nor is anyone deactivated

    click.echo(f"新增 created: {report.created}  更新 updated: {report.updated}  "
               f"未变 unchanged: {report.unchanged}  拒绝 rejected: {len(report.rejected)}")
    if deactivate_missing:
        click.echo(f"停用 deactivated: {report.deactivated}  "
                   f"释放报名 registrations released: {report.registrations_released}  "
                   f"候补递补 waiting-list promotions: {report.promoted}  "
                   f"释放预约 bookings released: {report.bookings_released}"
                   + ("" if report.imported else "（未执行 / not applied）"))
    if report.rejected:
        click.echo("以下行未导入 / Rejected rows:")
        for r in report.rejected:
            click.echo(f"  {r}")
    if not report.imported:
        raise click.ClickException("没有可导入的行 / No row could be imported")


def _member_or_fail(employee_no: str) -> Member:
    require_schema()
    member = member_by_employee_no(employee_no)
    if member is None:
        raise click.ClickException(f"工号 {employee_no} 不在会员名册中 / No member with employee number {employee_no}")
    return member


def _role(role: str) -> str:
    role = role.strip().lower()
    if role not in ROLES:
        raise click.ClickException(f"未知角色 {role}，可用：{', '.join(ROLES)} / Unknown role; use one of the above")
    return role


@members_cli.command("grant")
@click.argument("employee_no")
@click.argument("role")
def grant_command(employee_no: str, role: str) -> None:
    """Give the member a role (member, liaison, staff, secretary, admin)."""
    role = _role(role)
    member = _member_or_fail(employee_no)
    if role in (member.roles or ()):
        click.echo(f"{member.name}（{employee_no}）已有角色 {role}，无需更改")
        return
    # A new list, so the JSON column is seen as changed.
    with transaction():
        member.roles = sorted(set(member.roles or ()) | {role, "member"})
        revoke_tokens([member.id])  # a role change takes effect at the next sign-in, everywhere at once
    click.echo(f"已授予 {member.name}（{employee_no}）角色 {role}；现有角色：{', '.join(member.roles)}")
    if not member.is_active:
        click.echo("注意：该会员已停用，启用前无法登录")


@members_cli.command("revoke")
@click.argument("employee_no")
@click.argument("role")
def revoke_command(employee_no: str, role: str) -> None:
    """Take a role from the member; the member role itself cannot be revoked."""
    role = _role(role)
    if role == "member":
        raise click.ClickException("member 是每位会员的基本角色，不能撤销；如需停用请用 import --deactivate-missing"
                                   " / The member role cannot be revoked")
    member = _member_or_fail(employee_no)
    if role not in (member.roles or ()):
        click.echo(f"{member.name}（{employee_no}）没有角色 {role}，无需更改")
        return
    with transaction():
        member.roles = sorted(set(member.roles) - {role})
        revoke_tokens([member.id])
    click.echo(f"已撤销 {member.name}（{employee_no}）的角色 {role}；现有角色：{', '.join(member.roles)}")


@members_cli.command("set-password")
@click.argument("employee_no")
@click.option("--password", help="用于脚本；不给则交互输入两次 / For scripts; prompted twice (hidden) if omitted.")
def set_password_command(employee_no: str, password: str | None) -> None:
    """Set the console password (web console sign-in with employee number + password)."""
    member = _member_or_fail(employee_no)
    if password is None:
        password = click.prompt("新密码 / New password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(
            f"密码至少 {MIN_PASSWORD} 位 / The password needs at least {MIN_PASSWORD} characters")
    with transaction():
        member.password_hash = generate_password_hash(password)
        revoke_tokens([member.id])  # whoever signed in with the old password is signed out
    click.echo(f"已设置 {member.name}（{employee_no}）的管理后台密码")
    if not member.is_staff:
        click.echo("注意：该会员没有 staff/secretary/admin 角色，登录后无法使用管理功能")


@members_cli.command("sign-out")
@click.argument("employee_no")
def sign_out_command(employee_no: str) -> None:
    """End every session of the member (mini-program and console); they sign in again."""
    member = _member_or_fail(employee_no)
    with transaction():
        revoke_tokens([member.id])
    click.echo(f"已让 {member.name}（{employee_no}）在所有设备上退出登录")
