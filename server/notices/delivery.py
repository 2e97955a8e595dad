"""The delivery worker: claim due rows, send them, record what happened.

Claims are leases: a claimed row carries the worker's name and ``lease_until``; nobody else takes it
before then, and a killed worker's rows are taken again once the lease runs out. On PostgreSQL the
claim is ``FOR UPDATE SKIP LOCKED``, so any number of workers on any number of machines share the
work without overlap; on SQLite the database lock serialises the (short) claim transactions.
Outcomes are written only while our lease holds, so a worker that comes back late cannot overwrite
another's result.
"""
from __future__ import annotations

import logging
import os
import random
import socket
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy import and_, bindparam, or_, select, update

from notifications import push as push_channel
from notifications.base import Outcome, Result
from notifications.sms import build_provider
from notifications.wechat import get_gateway

from ..extensions import db
from ..members.models import Member, WechatUser
from ..timeutil import SHANGHAI, utcnow
from .models import Delivery, DeliveryStatus, Notice, NoticeStatus, SubscriptionQuota
from .ratelimit import RateLimiter
from .services import fallback_to_sms

log = logging.getLogger(__name__)


@dataclass
class Job:
    id: int
    notice_id: int
    member_id: int
    channel: str
    attempts: int
    phone: str | None = None
    openid: str | None = None


class Worker:
    def __init__(self, app: Flask, name: str | None = None):
        self.app = app
        cfg = app.config
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{random.randrange(1 << 16):04x}"
        self.batch = cfg["DELIVERY_BATCH"]
        self.lease = timedelta(seconds=cfg["DELIVERY_LEASE_SECONDS"])
        self.max_attempts = cfg["DELIVERY_MAX_ATTEMPTS"]
        self.backoff_base = cfg["DELIVERY_BACKOFF_SECONDS"]
        self.pool = ThreadPoolExecutor(max_workers=cfg["DELIVERY_THREADS"], thread_name_prefix="push")
        self.sms = build_provider(cfg)
        self.limits = {
            "push": RateLimiter(cfg.get("REDIS_URL"), "push", cfg["PUSH_RATE_PER_SECOND"]),
            "sms": RateLimiter(cfg.get("REDIS_URL"), "sms", cfg["SMS_RATE_PER_SECOND"]),
        }
        self.stopping = threading.Event()

    # --- the loop ---------------------------------------------------------------------------------

    def run(self, idle_wait: float = 1.0) -> None:
        log.info("delivery worker %s started", self.name)
        while not self.stopping.is_set():
            try:
                done = self.run_once()
            except Exception:  # a database hiccup: log, wait, go on; leases protect the rows
                log.exception("delivery round failed")
                done = 0
            if not done:
                self.stopping.wait(idle_wait)
        self.pool.shutdown(wait=True)
        log.info("delivery worker %s stopped", self.name)

    def run_once(self) -> int:
        """Claim, send and record one batch. Returns rows handled."""
        with self.app.app_context():
            jobs = self.claim()
            if not jobs:
                return 0
            outcomes = self.send(jobs)
            self.record(jobs, outcomes)
            return len(jobs)

    # --- claim ------------------------------------------------------------------------------------

    def claim(self) -> list[Job]:
        now = utcnow()
        try:
            due = (
                select(Delivery.id)
                .where(Delivery.status == DeliveryStatus.queued, Delivery.next_attempt_at <= now,
                       or_(Delivery.lease_until.is_(None), Delivery.lease_until < now))
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            )
            rows = db.session.execute(
                update(Delivery).where(Delivery.id.in_(due.scalar_subquery()))
                .values(claimed_by=self.name, lease_until=now + self.lease, attempts=Delivery.attempts + 1)
                .returning(Delivery.id, Delivery.notice_id, Delivery.member_id, Delivery.channel, Delivery.attempts)
                .execution_options(synchronize_session=False)
            ).all()
            jobs = [Job(*r) for r in rows]
            if jobs:
                member_ids = {j.member_id for j in jobs}
                contacts = {mid: (phone, openid) for mid, phone, openid in db.session.execute(
                    select(Member.id, Member.phone, WechatUser.openid)
                    .outerjoin(WechatUser, WechatUser.member_id == Member.id)
                    .where(Member.id.in_(member_ids))
                ).all()}
                for j in jobs:
                    j.phone, j.openid = contacts.get(j.member_id, (None, None))
                self._notices = {n.id: n for n in db.session.scalars(
                    select(Notice).where(Notice.id.in_({j.notice_id for j in jobs}))).all()}
                for n in self._notices.values():
                    db.session.expunge(n)
            db.session.commit()
            return jobs
        finally:
            db.session.remove()

    # --- send -------------------------------------------------------------------------------------

    def send(self, jobs: list[Job]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        pushes = [j for j in jobs if j.channel == "push"]
        futures = {j.id: self.pool.submit(self._push, j) for j in pushes}
        sms = [j for j in jobs if j.channel == "sms"]
        try:
            outcomes.update(self._sms(sms))
        except Exception as e:  # a fault of ours: those rows are tried again, the others still recorded
            log.exception("SMS sending failed")
            outcomes.update({j.id: Outcome.retry(f"internal: {e}"[:500]) for j in sms if j.id not in outcomes})
        for jid, fut in futures.items():
            try:
                outcomes[jid] = fut.result()
            except Exception as e:  # one push's fault must never discard what the others already sent
                log.exception("push %s failed", jid)
                outcomes[jid] = Outcome.retry(f"internal: {e}"[:500])
        return outcomes

    def _push(self, job: Job) -> Outcome:
        if not job.openid:
            return Outcome.failed("no consent: 会员已解除微信绑定")
        notice = self._notices[job.notice_id]
        cfg = self.app.config
        values = {"title": notice.title, "body": notice.body,
                  "date": (notice.planned_at or utcnow()).astimezone(SHANGHAI), "sender": cfg["UNION_NAME"]}
        fields = {key: values.get(source, source) for key, source in cfg["WECHAT_NOTICE_FIELDS"].items()}
        self.limits["push"].acquire(1)
        return push_channel.send(get_gateway(self.app), job.openid, cfg["WECHAT_NOTICE_TEMPLATE_ID"], fields,
                                 page=notice.page or f"pages/notices/detail?id={notice.id}")

    def _sms(self, jobs: list[Job]) -> dict[int, Outcome]:
        out: dict[int, Outcome] = {}
        groups: dict[int, list[Job]] = defaultdict(list)
        for j in jobs:
            if not j.phone:
                out[j.id] = Outcome.failed("no phone: 名册中没有手机号")
            else:
                groups[j.notice_id].append(j)
        cfg = self.app.config
        # Everyone gets the same text for one notice, so one provider request carries many numbers.
        chunk = max(1, min(self.sms.max_batch, int(cfg["SMS_RATE_PER_SECOND"])))
        for notice_id, group in groups.items():
            params = sms_params(self._notices[notice_id], cfg)
            for i in range(0, len(group), chunk):
                part = group[i:i + chunk]
                self.limits["sms"].acquire(len(part))
                results = self.sms.send([j.phone for j in part], cfg["SMS_NOTICE_TEMPLATE_ID"], params)
                out.update({j.id: r for j, r in zip(part, results)})
        return out

    # --- record -----------------------------------------------------------------------------------

    def record(self, jobs: list[Job], outcomes: dict[int, Outcome]) -> None:
        now = utcnow()
        sent, final, retry = [], [], []
        no_consent: list[Job] = []
        refunds: list[Job] = []
        for j in jobs:
            o = outcomes[j.id]
            if o.result == Result.sent:
                sent.append({"b_id": j.id, "b_provider": o.provider_id})
            elif o.result == Result.retry and j.attempts < self.max_attempts:
                delay = o.retry_after or self.backoff_base * 2 ** (j.attempts - 1)
                delay = min(delay, 3600) * random.uniform(0.8, 1.2)
                retry.append({"b_id": j.id, "b_error": (o.error or "")[:500], "b_next": now + timedelta(seconds=delay)})
            else:
                final.append({"b_id": j.id, "b_error": (o.error or "")[:500]})
                if j.channel == "push":
                    (no_consent if (o.error or "").startswith(("43101", "no consent")) else refunds).append(j)
        mine = and_(Delivery.id == bindparam("b_id"), Delivery.claimed_by == self.name)
        with self.app.app_context():
            try:
                conn = db.session.connection()
                if sent:
                    conn.execute(update(Delivery).where(mine).values(
                        status=DeliveryStatus.sent, sent_at=now, provider_id=bindparam("b_provider"),
                        last_error=None, lease_until=None), sent)
                if retry:
                    conn.execute(update(Delivery).where(mine).values(
                        last_error=bindparam("b_error"), next_attempt_at=bindparam("b_next"), lease_until=None), retry)
                if final:
                    conn.execute(update(Delivery).where(mine).values(
                        status=DeliveryStatus.failed, last_error=bindparam("b_error"), lease_until=None), final)
                self._settle_consent(no_consent, refunds, now)
                self._finish_notices({j.notice_id for j in jobs}, now)
                db.session.commit()
            finally:
                db.session.remove()
        log.info("worker %s: %d sent, %d to retry, %d failed", self.name, len(sent), len(retry), len(final))

    def _settle_consent(self, no_consent: list[Job], refunds: list[Job], now) -> None:
        template = self.app.config["WECHAT_NOTICE_TEMPLATE_ID"]
        if no_consent:
            # WeChat says none is left: believe it, and send an SMS instead where the notice allows.
            db.session.execute(update(SubscriptionQuota).where(
                SubscriptionQuota.template_id == template,
                SubscriptionQuota.member_id.in_({j.member_id for j in no_consent})).values(remaining=0, updated_at=now))
            fallback_to_sms([(j.notice_id, j.member_id) for j in no_consent], now)
        if refunds:
            # WeChat only spends a consent on success; give back the one reserved at planning.
            db.session.execute(update(SubscriptionQuota).where(
                SubscriptionQuota.template_id == template,
                SubscriptionQuota.member_id.in_({j.member_id for j in refunds})).values(
                remaining=SubscriptionQuota.remaining + 1, updated_at=now))

    def _finish_notices(self, notice_ids: set[int], now) -> None:
        pending = select(Delivery.id).where(Delivery.notice_id == Notice.id, Delivery.status == DeliveryStatus.queued)
        db.session.execute(update(Notice).where(
            Notice.id.in_(notice_ids), Notice.status == NoticeStatus.sending, ~pending.exists()
        ).values(status=NoticeStatus.sent, sent_at=now).execution_options(synchronize_session=False))


def sms_params(notice: Notice, cfg: dict) -> list[str]:
    """The notice SMS template's variables: the title, cut to the provider's variable limit."""
    from notifications.sms import clip_param

    return [clip_param(notice.title, cfg["SMS_PARAM_MAX_LEN"])]


