"""Who a push-with-SMS-fallback notice would reach, and how, before it is written: the figures staff
see when asked whether to send (a reception day's announcement). The rules of planning
(services._plan): a push where the member has WeChat and a consent left, else an SMS where the roster
has a phone, else nothing. One statement, counted in SQL."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import and_, case, func, select

from ..core import audiences
from ..core.extensions import db
from ..members.models import Member, WechatUser
from .models import SubscriptionQuota


def reach(audience: dict) -> dict:
    """``{"recipients", "by_channel": {"push", "sms", "none"}}`` for a stored (resolved) audience;
    ``none`` counts members neither channel reaches (no consent left and no phone)."""
    q = SubscriptionQuota
    pushable = q.member_id.is_not(None)
    texted = and_(~pushable, Member.phone.is_not(None))
    stmt = (select(func.count(Member.id), func.sum(case((pushable, 1), else_=0)), func.sum(case((texted, 1), else_=0)))
            .select_from(Member)
            .outerjoin(WechatUser, WechatUser.member_id == Member.id)
            .outerjoin(q, and_(q.member_id == WechatUser.member_id, q.remaining > 0,
                               q.template_id == current_app.config["WECHAT_NOTICE_TEMPLATE_ID"]))
            .where(Member.is_active.is_(True), audiences.stored_condition(audience)))
    total, push, sms = db.session.execute(stmt).one()
    total, push, sms = total or 0, push or 0, sms or 0
    return {"recipients": total, "by_channel": {"push": push, "sms": sms, "none": total - push - sms}}
