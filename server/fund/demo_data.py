"""Demo fund ledger: D0008 keeps the books (role treasurer), D0001 (admin) approves. A year of entries up to
last month, every past month published in order (no notices: the demo's notices are its own), a correction by
reversal, budgets for this year, and this month's entries with one large purchase awaiting approval."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from . import services
from .chart import ensure_chart
from .models import FundEntry, FundMonth

TREASURER, ADMIN = "D0008", "D0001"
COMPANY = "公司财务部"
# (day, kind, category, amount in fen, counterparty, note) for each month; k is the month's index (0 = oldest).
MONTHLY = [
    (5, "income", "401", lambda k: 1_865_000 + 3_150 * (k % 4) + 7, COMPANY, "代扣会员会费"),
    (8, "expense", "501", lambda k: 412_360 + 10_010 * (k % 3), "城东蛋糕坊", "当月过生日会员蛋糕券"),
    (15, "expense", "503", lambda k: 86_420 + 1_001 * k, "市工人文化宫", "工会干部业务培训费"),
    (20, "expense", "501", lambda k: 153_999 + 2_000 * (k % 5), "阳光体育用品店", "班组文体活动用品"),
    (26, "expense", "504", lambda k: 23_810 + 99 * k, "文汇办公用品", "工会办公用品"),
]
QUARTERLY = (10, "income", "402", 16_842_057, COMPANY, "本季度工会经费拨缴（留成部分）")
EXTRAS = {
    # month index -> extra entries
    1: [(12, "expense", "502", 1_200_000, "困难职工帮扶对象（3 户）", "困难职工帮扶金")],
    3: [(18, "expense", "501", 2_856_300, "市体育中心", "职工篮球赛场地与裁判费")],
    5: [(9, "expense", "505", 3_468_000, "华联家具", "职工书屋书架与阅览桌")],
    7: [(22, "expense", "502", 480_000, "劳动保护用品公司", "高温慰问防暑用品")],
    9: [(16, "income", "405", 5_000_000, COMPANY, "行政补助职工活动经费")],
    10: [(11, "expense", "501", 1_750_050, "山水旅行社", "劳模疗休养")],
}
BUDGET = {"401": 22_500_000, "402": 67_400_000, "405": 5_000_000, "501": 26_000_000, "502": 3_000_000,
          "503": 1_500_000, "504": 400_000, "505": 4_000_000}


def _member(no: str) -> Member | None:
    return db.session.scalar(select(Member).where(Member.employee_no == no, Member.is_active.is_(True)))


def _months_back(today: date, n: int) -> tuple[int, int]:
    total = today.year * 12 + today.month - 1 - n
    return total // 12, total % 12 + 1


def load() -> int:
    """Add the ledger if it has no entries yet; returns how many entries were added."""
    ensure_chart()
    treasurer, admin = _member(TREASURER), _member(ADMIN)
    if treasurer is None or admin is None:
        return 0
    if "treasurer" not in (treasurer.roles or []):
        treasurer.roles = [*(treasurer.roles or ["member"]), "treasurer"]
    if db.session.scalar(select(func.count()).select_from(FundEntry)):
        return 0
    today = utcnow().astimezone(SHANGHAI).date()
    added = 0

    def add(y, m, day, kind, category, amount, counterparty, note, reverses=None):
        nonlocal added
        entry = services.create_entry(treasurer.id, date=date(y, m, min(day, 28)), kind=kind, category=category,
                                      amount_fen=amount, counterparty=counterparty, note=note, reverses=reverses)
        added += 1
        return entry

    duplicate = None
    months = []
    for k in range(12):
        y, m = _months_back(today, 12 - k)
        months.append(f"{y:04d}-{m:02d}")
        for day, kind, cat, amount, party, note in MONTHLY:
            e = add(y, m, day, kind, cat, amount(k), party, note)
            if k == 8 and cat == "503":
                duplicate = e
        if m in (1, 4, 7, 10):
            day, kind, cat, amount, party, note = QUARTERLY
            add(y, m, day, kind, cat, amount + 13 * k, party, note)
        for day, kind, cat, amount, party, note in EXTRAS.get(k, []):
            add(y, m, day, kind, cat, amount, party, note)
        if k == 9 and duplicate is not None:
            # The training fee of month 8 was entered twice by mistake: the correction reverses the copy.
            copy = add(*_months_back(today, 12 - 8), 16, "expense", "503", duplicate.amount_fen, duplicate.counterparty,
                       "（重复录入）" + duplicate.note)
            add(y, m, 3, "expense", "503", copy.amount_fen, copy.counterparty, "冲销上月重复录入的培训费",
                reverses=copy.id)
    for e in db.session.scalars(select(FundEntry).where(FundEntry.status == "pending")):
        services.decide(admin.id, e.id, True)
    for month in months:
        if db.session.get(FundMonth, month) is None:
            services.publish(admin.id, month, notify=False)
    y, m = today.year, today.month
    add(y, m, 2, "expense", "501", 328_800, "城东蛋糕坊", "当月过生日会员蛋糕券")
    add(y, m, 3, "expense", "501", 2_860_000, "百货集团团购部", "元旦春节职工慰问品（待审批）")
    services.put_budgets(admin.id, y, sorted(BUDGET.items()))
    db.session.flush()
    return added
