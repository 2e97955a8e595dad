"""Demo procurements: one decided (three quotes, two representatives who confirmed), shown to members once the
fund month of its decision is published; one open over the threshold with D0010 named and not yet confirmed
(the mini-program's 待我确认的比价). No notices."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from . import services
from .models import Procurement

DECIDED = "职工书屋图书采购"
OPEN = "职工之家健身器材采购"


def _members(numbers) -> list[Member]:
    wanted = [f"D{n:04d}" for n in numbers]
    by_no = {m.employee_no: m for m in db.session.scalars(select(Member).where(Member.employee_no.in_(wanted)))}
    return [by_no[n] for n in wanted if n in by_no]


def load() -> int:
    """Add what is missing; returns how many purchases were added."""
    people = _members([1, 10, 11, 12])
    if len(people) < 4:
        return 0
    admin, d10, d11, d12 = people
    titles = set(db.session.scalars(select(Procurement.title)))
    added = 0
    if DECIDED not in titles:
        p = services.create(admin.id, title=DECIDED, description="补充职工书屋图书约 600 册（技能类、文学类）",
                            category="501", amount_fen=2_500_000, representatives=[d11.id, d12.id],
                            notify=False)
        quotes = [services.add_quote(admin.id, p.id, supplier=s, amount_fen=a, note=n, attachments=[])
                  for s, a, n in (("新华书店城西店", 2_380_000, "含送货上架"), ("博文图书批发", 2_290_000, "不含上架"),
                                  ("书香文化公司", 2_450_000, "含编目"))]
        for m in (d11, d12):
            services.confirm(m.id, p.id)
        services.decide(admin.id, p.id, quotes[0].id,
                        "价格居中但含送货上架，综合成本最低；两位职工代表参与比价并同意。")
        # Decided last month, whose ledger the fund's demo has published: members see it with that month.
        decided = (utcnow().astimezone(SHANGHAI).replace(day=1) - timedelta(days=20)).replace(hour=10, minute=0)
        db.session.execute(update(Procurement).where(Procurement.id == p.id)
                           .values(decided_at=decided, month=decided.strftime("%Y-%m")))
        added += 1
    if OPEN not in titles:
        p = services.create(admin.id, title=OPEN, description="职工之家更新跑步机两台、动感单车四台",
                            category="501", amount_fen=4_800_000, representatives=[d10.id, d11.id],
                            notify=False)
        for s, a in (("康体器材有限公司", 4_650_000), ("健力体育用品", 4_720_000), ("舒华专卖店", 4_980_000)):
            services.add_quote(admin.id, p.id, supplier=s, amount_fen=a, note="含安装、三年保修", attachments=[])
        services.confirm(d11.id, p.id)
        added += 1
    db.session.flush()
    return added
