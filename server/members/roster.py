"""Roster import: HR spreadsheet rows in, members created or updated by employee number.

Set-based on purpose: the whole roster is read with a few SELECTs, written with bulk INSERT/UPDATE in
chunks, so 20,000 rows take seconds, not one round trip per row. Members missing from a file are left
alone unless the caller asks to deactivate them.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from ..core.extensions import db
from ..core.roles import MemberRole
from ..core.timeutil import utcnow
from .auth import revoke_tokens
from .models import ROLES, Department, Grid, Member, MemberTag, Tag, TagSource
from .services import deactivate

COLUMNS = ("employee_no", "name", "phone", "department", "grid", "roles", "tags")
CHUNK = 1000

# Headers as Chinese HR exports tend to write them.
HEADER_ALIASES = {
    "工号": "employee_no", "员工编号": "employee_no", "员工号": "employee_no",
    "姓名": "name", "手机": "phone", "手机号": "phone", "手机号码": "phone", "电话": "phone",
    "部门": "department", "网格": "grid", "网格小组": "grid", "角色": "roles", "标签": "tags",
}
# Each role's label as the console shows it, and the shorter words HR files use.
ROLE_ALIASES = {
    **{role.label: role.value for role in MemberRole},
    "联络员": "liaison", "干事": "staff", "主席": "secretary", "管理员": "admin",
}
LIST_SEPARATORS = re.compile(r"[;；]")
PHONE_JUNK = re.compile(r"[\s\-()（）]")
MOBILE = re.compile(r"1\d{10}")


class RosterFileError(Exception):
    """The file as a whole cannot be imported (unreadable, wrong format, wrong headers)."""


@dataclass
class RosterRow:
    """One data row as read from the file; ``line`` is its line (CSV) or row number (XLSX)."""

    line: int
    employee_no: str = ""
    name: str = ""
    phone: str = ""
    department: str = ""
    grid: str = ""
    roles: str = ""
    tags: str = ""


@dataclass
class Rejection:
    line: int
    employee_no: str
    reason: str

    def __str__(self) -> str:
        who = f"（工号 {self.employee_no}）" if self.employee_no else ""
        return f"第 {self.line} 行{who}：{self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    # What deactivating the missing members released (see services.deactivate).
    registrations_released: int = 0
    promoted: int = 0
    bookings_released: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def imported(self) -> int:
        """Rows that are now on the roster as the file says (created, updated or already so)."""
        return self.created + self.updated + self.unchanged


@dataclass
class _Clean:
    line: int
    employee_no: str
    name: str
    phone: str | None
    department: str | None
    grid: str | None
    roles: list[str] | None  # None: the cell was empty, keep what the member has
    tags: list[str] | None


# --- reading files --------------------------------------------------------------------------------

def read_roster(path: str | Path) -> list[RosterRow]:
    """Read a .csv or .xlsx roster. Raises RosterFileError naming what is wrong with the file."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    return read_csv(path)


def read_csv(path: str | Path) -> list[RosterRow]:
    """UTF-8 (with or without BOM), falling back to GB18030, a superset of the GBK that HR tools export."""
    data = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any byte string
        raise RosterFileError("无法识别文件编码，请另存为 UTF-8 的 CSV / Cannot decode the file; save it as UTF-8 CSV")
    if "\x00" in text:
        raise RosterFileError("文件不是 CSV 文本（是否为 Excel 文件？请使用 .xlsx 扩展名）"
                              " / The file is not CSV text (an Excel file? name it .xlsx)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        columns = _columns(header)
        rows = []
        for values in reader:
            if any(v.strip() for v in values):
                # line_num is the physical line where this record ended (quoted fields may span lines).
                rows.append(_row(reader.line_num, columns, values))
    except csv.Error as e:
        line = reader.line_num
        raise RosterFileError(f"CSV 格式错误（第 {line} 行）/ Malformed CSV at line {line}: {e}") from None
    return rows


def read_xlsx(path: str | Path) -> list[RosterRow]:
    """The first worksheet of an .xlsx workbook, read in streaming mode."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as e:
        raise RosterFileError(f"无法读取 Excel 文件 / Cannot read the Excel file: {e}") from None
    try:
        it = wb.worksheets[0].iter_rows(values_only=True)
        columns = _columns([_cell(v) for v in next(it, None) or ()] or None)
        rows = []
        for number, values in enumerate(it, start=2):
            values = [_cell(v) for v in values]
            if any(values):
                rows.append(_row(number, columns, values))
        return rows
    finally:
        wb.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps phone and employee numbers typed as numbers as floats
    return str(value).strip()


def _columns(header: list[str] | None) -> dict[str, int]:
    if not header:
        raise RosterFileError("文件为空，缺少表头 / The file is empty: no header row")
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff").lower()
        name = HEADER_ALIASES.get(name, name)
        if name in COLUMNS and name not in columns:
            columns[name] = index
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise RosterFileError(
            f"表头缺少列：{', '.join(missing)}（应为 {','.join(COLUMNS)}）"
            f" / Missing columns: {', '.join(missing)} (expected {','.join(COLUMNS)})"
        )
    return columns


def _row(line: int, columns: dict[str, int], values: list[str]) -> RosterRow:
    return RosterRow(line=line, **{c: (values[i].strip() if i < len(values) else "") for c, i in columns.items()})


# --- validation -----------------------------------------------------------------------------------

def normalize_phone(raw: str) -> str | None:
    """'+86 138-0000-0001' -> '13800000001'; None when it is not a mainland mobile number."""
    phone = PHONE_JUNK.sub("", raw)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    return phone if MOBILE.fullmatch(phone) else None


def _split(cell: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in LIST_SEPARATORS.split(cell) if p.strip()))


def _clean(row: RosterRow) -> _Clean | str:
    """The row normalised, or the reason (in Chinese) it is rejected."""
    employee_no, name = row.employee_no.strip(), row.name.strip()
    if not employee_no:
        return "缺少工号"
    if len(employee_no) > 32:
        return "工号超过 32 个字符"
    if not name:
        return "缺少姓名"
    if len(name) > 50:
        return "姓名超过 50 个字符"
    phone = None
    if row.phone.strip():
        phone = normalize_phone(row.phone)
        if phone is None:
            return f"手机号格式不正确：{row.phone.strip()}（应为 11 位大陆手机号）"
    department, grid = row.department.strip() or None, row.grid.strip() or None
    if department and len(department) > 100:
        return "部门名称超过 100 个字符"
    if grid and len(grid) > 100:
        return "网格名称超过 100 个字符"
    roles = None
    if row.roles.strip():
        given = [ROLE_ALIASES.get(r, r.lower()) for r in _split(row.roles)]
        unknown = [r for r in given if r not in ROLES]
        if unknown:
            return f"未知角色：{'、'.join(unknown)}（可用：{', '.join(ROLES)}）"
        roles = sorted(set(given) | {"member"})
    tags = None
    if row.tags.strip():
        tags = _split(row.tags)
        too_long = [t for t in tags if len(t) > 50]
        if too_long:
            return f"标签超过 50 个字符：{too_long[0]}"
    return _Clean(row.line, employee_no, name, phone, department, grid, roles, tags)


# --- import ---------------------------------------------------------------------------------------

def import_rows(rows: Iterable[RosterRow], *, deactivate_missing: bool = False,
                progress: Callable[[int], None] | None = None) -> ImportReport:
    """Create or update members by employee number; never commits.

    Each bad row is rejected with its line and reason while the good rows go in. Departments, grids
    and tags are created as named. An empty roles or tags cell keeps the member's current ones (so
    roles granted on the command line survive a re-import of an HR file without that column filled);
    a filled cell replaces them, and ``member`` is always kept. Members absent from the file stay as
    they are, or are deactivated with ``deactivate_missing`` (services.deactivate: their seats and
    bookings are released). A member listed again is active again, with nothing given back.
    """
    rows = list(rows)
    progress = progress or (lambda n: None)
    report = ImportReport()

    # What the database holds of the members this file names, and who holds the phones it lists: memory in
    # proportion to the file, not to the roster (a district roster of a million members would otherwise be
    # loaded whole to import a hundred rows).
    columns = (Member.id, Member.employee_no, Member.name, Member.phone, Member.department_id, Member.grid_id,
               Member.roles, Member.is_active)
    existing = {}
    for chunk in _chunks(sorted({r.employee_no.strip() for r in rows})):
        existing.update((r.employee_no, r) for r in db.session.execute(
            select(*columns).where(Member.employee_no.in_(chunk))))
    phones = sorted({p for r in rows if (p := normalize_phone(r.phone or ""))})
    phone_owner = {r.phone: r.employee_no for r in existing.values() if r.phone}
    for chunk in _chunks(phones):
        phone_owner.update(db.session.execute(
            select(Member.phone, Member.employee_no).where(Member.phone.in_(chunk))).all())

    good, in_file = _validate(rows, report, phone_owner)
    progress(len(rows) - len(good))

    now = utcnow()
    if deactivate_missing:
        # Before any other member row is written: deactivation locks events, and a check-in holding an
        # event's lock may be about to read a member row (its foreign key) that a phone change would lock.
        gone = [i for i, no in db.session.execute(select(Member.id, Member.employee_no).where(
            Member.is_active.is_(True))) if no not in in_file["employee_nos"]]
        done = deactivate(gone, now)
        report.deactivated = done.deactivated
        report.registrations_released = done.registrations_released
        report.promoted = done.promoted
        report.bookings_released = done.bookings_released

    dept_ids = _ensure_named(Department, {c.department for c in good if c.department})
    grid_ids = _ensure_named(Grid, {c.grid for c in good if c.grid})
    tag_ids = _ensure_named(Tag, {t for c in good if c.tags for t in c.tags})
    # The file speaks for the roster's tags only: tags a survey added (the needs profile) stay.
    member_tags: dict[int, set[int]] = {}  # the roster's tags of each member
    other_tags: dict[int, set[int]] = {}  # tags from elsewhere, which the file neither removes nor adds again
    if any(c.tags is not None for c in good):
        for chunk in _chunks(sorted(r.id for r in existing.values())):  # the file's members only
            for member_id, tag_id, source in db.session.execute(select(
                    MemberTag.member_id, MemberTag.tag_id, MemberTag.source).where(MemberTag.member_id.in_(chunk))):
                (member_tags if source == TagSource.roster else other_tags).setdefault(member_id, set()).add(tag_id)

    # A phone moving from one member to another in this file must be let go before it is taken.
    moving = [existing[c.employee_no].id for c in good
              if c.employee_no in existing and existing[c.employee_no].phone
              and existing[c.employee_no].phone != c.phone and existing[c.employee_no].phone in in_file["phones"]]
    for ids in _chunks(moving):
        db.session.execute(update(Member).where(Member.id.in_(ids)).values(phone=None))

    roles_changed: list[int] = []
    for chunk in _chunks(good):
        new, changed, tag_sets = [], [], {}
        for c in chunk:
            values = {"name": c.name, "phone": c.phone, "department_id": dept_ids.get(c.department),
                      "grid_id": grid_ids.get(c.grid)}
            wanted_tags = {tag_ids[t] for t in c.tags} if c.tags is not None else None
            old = existing.get(c.employee_no)
            if old is None:
                new.append({"employee_no": c.employee_no, **values, "roles": c.roles or ["member"],
                            "is_active": True, "created_at": now, "updated_at": now})
                if wanted_tags:
                    tag_sets[c.employee_no] = wanted_tags
                continue
            roles = c.roles if c.roles is not None else sorted(set(old.roles or ()) | {"member"})
            # A tag the member holds from a survey counts as held: the file need not add it again.
            tags_differ = (wanted_tags is not None
                           and wanted_tags - other_tags.get(old.id, set()) != member_tags.get(old.id, set()))
            row_differs = (any(getattr(old, k) != v for k, v in values.items())
                           or set(old.roles or ()) != set(roles) or not old.is_active)
            if row_differs:
                changed.append({"id": old.id, **values, "roles": roles, "is_active": True, "updated_at": now})
            if set(old.roles or ()) != set(roles):
                roles_changed.append(old.id)
            if tags_differ:
                tag_sets[old.id] = wanted_tags
            if row_differs or tags_differ:
                report.updated += 1
            else:
                report.unchanged += 1
        if new:
            # A plain executemany, then one SELECT for the ids: cheaper on psycopg than INSERT … RETURNING,
            # whose batched form makes the driver re-parse a statement with thousands of placeholders.
            db.session.execute(insert(Member.__table__), new)
            report.created += len(new)
            ids = dict(db.session.execute(select(Member.employee_no, Member.id)
                                          .where(Member.employee_no.in_([n["employee_no"] for n in new]))).all())
            tag_sets = {ids.get(k, k): v for k, v in tag_sets.items()}
        if changed:
            db.session.execute(update(Member), changed)
        if tag_sets:
            db.session.execute(delete(MemberTag).where(MemberTag.member_id.in_(list(tag_sets)),
                                                       MemberTag.source == TagSource.roster))
            pairs = [{"member_id": m, "tag_id": t, "source": TagSource.roster.value}
                     for m, ts in tag_sets.items() for t in ts - other_tags.get(m, set())]
            if pairs:
                db.session.execute(insert(MemberTag.__table__), pairs)
        progress(len(chunk))

    # A changed role takes effect at once: the member's tokens are revoked and they sign in again.
    revoke_tokens(roles_changed)

    # Bulk statements bypass the identity map; objects loaded earlier must not keep stale values.
    db.session.expire_all()
    report.rejected.sort(key=lambda r: r.line)
    return report


def _validate(rows: list[RosterRow], report: ImportReport, phone_owner: dict[str, str]):
    """Split rows into clean ones and rejections (added to the report)."""
    first_line: dict[str, int] = {}
    phone_line: dict[str, int] = {}
    good: list[_Clean] = []
    for row in rows:
        c = _clean(row)
        if isinstance(c, str):
            report.rejected.append(Rejection(row.line, row.employee_no.strip(), c))
            continue
        if c.employee_no in first_line:
            report.rejected.append(Rejection(c.line, c.employee_no, f"工号与第 {first_line[c.employee_no]} 行重复"))
            continue
        first_line[c.employee_no] = c.line
        if c.phone and c.phone in phone_line:
            report.rejected.append(
                Rejection(c.line, c.employee_no, f"手机号 {c.phone} 与第 {phone_line[c.phone]} 行重复"))
            continue
        if c.phone:
            phone_line[c.phone] = c.line
        good.append(c)

    # A phone held by another member is free only if that member's accepted row gives it up.
    # Rejecting a row can keep a phone taken, so repeat until nothing changes (almost always once).
    while True:
        # In-file duplicates are gone, so an owner with an accepted row is moving to another phone.
        accepted = {c.employee_no for c in good}
        clash = {c.line for c in good if c.phone and phone_owner.get(c.phone, c.employee_no) != c.employee_no
                 and phone_owner[c.phone] not in accepted}
        if not clash:
            break
        for c in good:
            if c.line in clash:
                report.rejected.append(Rejection(
                    c.line, c.employee_no, f"手机号 {c.phone} 已被工号 {phone_owner[c.phone]} 的会员使用"))
        good = [c for c in good if c.line not in clash]

    in_file = {"employee_nos": {r.employee_no.strip() for r in rows}, "phones": {c.phone for c in good if c.phone}}
    return good, in_file


def _ensure_named(model, names: set[str]) -> dict[str, int]:
    """Name -> id for departments, grids or tags, creating the missing ones."""
    if not names:
        return {}
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(names)):
        found.update(db.session.execute(select(model.name, model.id).where(model.name.in_(chunk))).all())
    missing = [{"name": n} for n in sorted(names - found.keys())]
    if missing:
        found.update((n, i) for i, n in db.session.execute(insert(model).returning(model.id, model.name), missing))
    return found


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]
