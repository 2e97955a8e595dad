"""The delivery worker: claim due rows, send them, record what happened, reconcile after a crash.

Claims are leases: a claimed row carries the worker's name and ``lease_until``; nobody else takes it
before then, and a killed worker's rows are taken again once the lease runs out. On PostgreSQL the
claim is ``FOR UPDATE SKIP LOCKED``, so any number of workers on any number of machines share the
work without overlap; on SQLite the database lock serialises the (short) claim transactions.

Only the requests actually in flight are ever in doubt: before each provider call (one push, or one SMS
request carrying several numbers) its rows are committed as ``sending``, and each result is committed as
it comes, together with the next calls' ``sending`` marks (one transaction per turn of the window, not
per row). A row left ``sending`` whose lease ran out belongs to a worker that died mid-call; reconcile()
asks the SMS provider what it accepted before anything is sent again, and never repeats a push, which
WeChat cannot tell us about (docs/delivery.md). Outcomes are written only while our lease holds, so a
worker that comes back late cannot overwrite another's result.
"""
from __future__ import annotations

import logging
import os
import queue
import random
import socket
import threading
from collections import defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import and_, bindparam, delete, or_, select, text, update

from notifications import push as push_channel
from notifications.base import Outcome, Result
from notifications.sms import SmsUnavailable, build_provider
from notifications.wechat import get_gateway

from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member, WechatUser
from .models import (
    HEARTBEAT_SECONDS,
    Delivery,
    DeliveryStatus,
    Notice,
    NoticeStatus,
    SubscriptionQuota,
    WorkerHeartbeat,
)
from .ratelimit import RateLimiter
from .services import fallback_to_sms

log = logging.getLogger(__name__)

S = DeliveryStatus
UNKNOWN_PUSH = "unknown: 发送中断，无法确认微信是否已送达；为免重复，不再重发"
UNKNOWN_SMS = "unknown: 发送中断，短信服务商无法查询送达状态；为免重复，不再重发"
NOT_ACCEPTED = "reconciled: 服务商未收到，已重新排队"
MEMBER_INACTIVE = "member inactive: 会员已停用，不再发送"
REPORT_DAYS = 7  # Tencent keeps status reports this long


def session_context(notice_id: int) -> str:
    """What an SMS request carries in SessionContext, echoed by the provider's status reports: the notice,
    which with the number names the delivery row (one SMS per member and notice)."""
    return f"notice:{notice_id}"


@dataclass
class Job:
    id: int
    notice_id: int
    member_id: int
    channel: str
    attempts: int
    phone: str | None = None
    openid: str | None = None
    sent_at: datetime | None = None
    active: bool = True  # still on the roster when claimed


@dataclass
class Call:
    """One provider request: a push (one row) or an SMS request (several numbers)."""

    channel: str
    jobs: list[Job] = field(default_factory=list)


class Worker:
    def __init__(self, app: Flask, name: str | None = None):
        self.app = app
        cfg = app.config
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{random.randrange(1 << 16):04x}"
        self.batch = cfg["DELIVERY_BATCH"]
        self.window = max(1, cfg["DELIVERY_THREADS"])
        self.turn = max(1, self.window // 2)  # calls back before the next commit
        self.lease = timedelta(seconds=cfg["DELIVERY_LEASE_SECONDS"])
        self.report_wait = timedelta(seconds=cfg["DELIVERY_REPORT_WAIT_SECONDS"])
        self.max_attempts = cfg["DELIVERY_MAX_ATTEMPTS"]
        self.backoff_base = cfg["DELIVERY_BACKOFF_SECONDS"]
        self.pool = ThreadPoolExecutor(max_workers=self.window, thread_name_prefix="deliver")
        self.sms = build_provider(cfg)
        self.limits = {
            "push": RateLimiter(cfg.get("REDIS_URL"), "push", cfg["PUSH_RATE_PER_SECOND"]),
            "sms": RateLimiter(cfg.get("REDIS_URL"), "sms", cfg["SMS_RATE_PER_SECOND"]),
            # Tencent allows 20 status pulls a second per account.
            "sms_pull": RateLimiter(cfg.get("REDIS_URL"), "sms_pull", 20),
        }
        self._notices: dict[int, Notice] = {}
        self.stopping = threading.Event()
        # Liveness (docs/operations.md): one row per process, written at most every HEARTBEAT_SECONDS.
        self.started_at = utcnow()
        self.processed = 0
        self._beat_at: datetime | None = None

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
        self._drop_heartbeat()  # stopped on purpose: not a stale worker to alert on
        log.info("delivery worker %s stopped", self.name)

    def run_once(self) -> int:
        """Reconcile what crashed workers left in flight, then claim, send and record one batch.
        Returns rows handled."""
        with self.app.app_context():
            settled = self.reconcile()
            jobs = self.claim()
            if jobs:
                self.send(jobs)
            self.processed += settled + len(jobs)
            self.heartbeat()
            return settled + len(jobs)

    def heartbeat(self) -> None:
        """Record that this process is alive (at most every HEARTBEAT_SECONDS) and drop the rows of workers
        silent for a day. Its own transaction; a failure is logged and never stops the deliveries."""
        now = utcnow()
        if self._beat_at is not None and (now - self._beat_at).total_seconds() < HEARTBEAT_SECONDS:
            return
        host, pid = socket.gethostname()[:80], os.getpid()
        values = {"worker_id": f"{host}:{pid}", "host": host, "pid": pid, "started_at": self.started_at,
                  "last_seen_at": now, "processed": self.processed}
        try:
            if db.engine.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            stmt = insert(WorkerHeartbeat).values(values)
            db.session.execute(stmt.on_conflict_do_update(
                index_elements=[WorkerHeartbeat.worker_id],
                set_={k: stmt.excluded[k] for k in ("started_at", "last_seen_at", "processed")}))
            db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.last_seen_at < now - timedelta(days=1)))
            db.session.commit()
            self._beat_at = now
        except Exception:
            db.session.rollback()
            log.warning("worker heartbeat not written", exc_info=True)
        finally:
            db.session.remove()

    def _drop_heartbeat(self) -> None:
        with self.app.app_context():
            try:
                db.session.execute(delete(WorkerHeartbeat).where(
                    WorkerHeartbeat.worker_id == f"{socket.gethostname()[:80]}:{os.getpid()}"))
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.warning("worker heartbeat not removed", exc_info=True)
            finally:
                db.session.remove()

    # --- claim ------------------------------------------------------------------------------------

    def claim(self) -> list[Job]:
        now = utcnow()
        try:
            due = (
                select(Delivery.id)
                .where(Delivery.status == S.queued, Delivery.next_attempt_at <= now,
                       or_(Delivery.lease_until.is_(None), Delivery.lease_until < now))
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            )
            claim = update(Delivery).values(claimed_by=self.name, lease_until=now + self.lease,
                                            attempts=Delivery.attempts + 1)
            if db.engine.dialect.name == "postgresql":
                # The due rows are locked and picked once, in a MATERIALIZED CTE, then updated by id. As
                # "id IN (subquery)" PostgreSQL could plan a nested loop that re-ran the locked, sorted
                # subquery once per row: with a generic plan cached while the queue was empty (psycopg
                # prepares a statement run 5 times), the first claim after a notice to 100,000 members ran
                # for minutes (docs/cluster.md). Planning for the rows there now is asked for as well.
                db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
                picked = due.cte("due").prefix_with("MATERIALIZED")
                claim = claim.where(Delivery.id == picked.c.id)
            else:
                claim = claim.where(Delivery.id.in_(due.scalar_subquery()))
            rows = db.session.execute(
                claim.returning(Delivery.id, Delivery.notice_id, Delivery.member_id, Delivery.channel,
                                Delivery.attempts)
                .execution_options(synchronize_session=False)
            ).all()
            jobs = [Job(*r) for r in rows]
            if jobs:
                member_ids = {j.member_id for j in jobs}
                contacts = {mid: (phone, openid, active) for mid, phone, openid, active in db.session.execute(
                    select(Member.id, Member.phone, WechatUser.openid, Member.is_active)
                    .outerjoin(WechatUser, WechatUser.member_id == Member.id)
                    .where(Member.id.in_(member_ids))
                ).all()}
                for j in jobs:
                    j.phone, j.openid, j.active = contacts.get(j.member_id, (None, None, False))
                self._notices = {n.id: n for n in db.session.scalars(
                    select(Notice).where(Notice.id.in_({j.notice_id for j in jobs}))).all()}
                for n in self._notices.values():
                    db.session.expunge(n)
            db.session.commit()
            return jobs
        finally:
            db.session.remove()

    # --- send ---------------------------------------------------------------------------------------

    def send(self, jobs: list[Job]) -> None:
        """Send the claimed jobs with at most `window` provider calls in flight, recording as they finish.

        Each turn commits, in one transaction, the outcomes that came in and the `sending` marks of the
        calls about to start; a call starts only for rows whose mark committed (our lease still holds).
        """
        calls, outcomes = self._calls(jobs)
        pending = deque(calls)
        running: dict[Future, Call] = {}
        came_back: queue.SimpleQueue[Future] = queue.SimpleQueue()  # calls in the order they finish
        finished: list[Job] = [j for j in jobs if j.id in outcomes]  # refused before any provider call
        try:
            while pending or running or finished:
                starting: list[Call] = []
                while pending and len(running) + len(starting) < self.window:
                    starting.append(pending.popleft())
                marked = self._turn(finished, outcomes, [j for c in starting for j in c.jobs])
                finished = []
                for c in starting:
                    c.jobs = [j for j in c.jobs if j.id in marked]
                    if c.jobs:
                        fut = self.pool.submit(self._call, c)
                        running[fut] = c
                        fut.add_done_callback(came_back.put)
                # The next turn (one commit) once half of the calls in flight have come back: what is in
                # doubt stays about what is in flight, and the commits a few per window, not one per message.
                calls_back, target = 0, min(self.turn, (len(running) + 1) // 2)
                while running:
                    try:
                        # Block until the target is met, then take whatever else has already come back.
                        fut = came_back.get() if calls_back < target else came_back.get_nowait()
                    except queue.Empty:
                        break
                    call = running.pop(fut)
                    calls_back += 1
                    try:
                        outcomes.update(fut.result())
                    except Exception as e:  # a fault of ours: those rows are tried again, the others kept
                        log.exception("%s call failed", call.channel)
                        outcomes.update({j.id: Outcome.retry(f"internal: {e}"[:500]) for j in call.jobs})
                    finished.extend(call.jobs)
        finally:
            db.session.remove()
        self._finish({j.notice_id for j in jobs})

    def _calls(self, jobs: list[Job]) -> tuple[list[Call], dict[int, Outcome]]:
        """The provider calls for these jobs, and the outcomes of jobs that need none (no phone, no openid)."""
        calls: list[Call] = []
        outcomes: dict[int, Outcome] = {}
        groups: dict[int, list[Job]] = defaultdict(list)
        for j in jobs:
            if not j.active:  # deactivated after the notice was planned: a member who left is not messaged
                outcomes[j.id] = Outcome.skipped(MEMBER_INACTIVE)
            elif j.channel == "push":
                if j.openid:
                    calls.append(Call("push", [j]))
                else:
                    outcomes[j.id] = Outcome.failed("no consent: 会员已解除微信绑定")
            elif j.phone:
                groups[j.notice_id].append(j)
            else:
                outcomes[j.id] = Outcome.failed("no phone: 名册中没有手机号")
        # Everyone gets the same text for one notice, so one provider request carries many numbers.
        chunk = max(1, min(self.sms.max_batch, int(self.app.config["SMS_RATE_PER_SECOND"])))
        sms_calls = [Call("sms", group[i:i + chunk]) for group in groups.values()
                     for i in range(0, len(group), chunk)]
        return sms_calls + calls, outcomes  # the SMS requests first: each carries many messages

    def _call(self, call: Call) -> dict[int, Outcome]:
        if call.channel == "push":
            (job,) = call.jobs
            return {job.id: self._push(job)}
        return self._sms(call.jobs)

    def _push(self, job: Job) -> Outcome:
        notice = self._notices[job.notice_id]
        cfg = self.app.config
        values = {"title": notice.title, "body": notice.body,
                  "date": (notice.planned_at or utcnow()).astimezone(SHANGHAI), "sender": cfg["UNION_NAME"]}
        fields = {key: values.get(source, source) for key, source in cfg["WECHAT_NOTICE_FIELDS"].items()}
        self.limits["push"].acquire(1)
        return push_channel.send(get_gateway(self.app), job.openid, cfg["WECHAT_NOTICE_TEMPLATE_ID"], fields,
                                 page=notice.page or f"pages/notices/detail?id={notice.id}")

    def _sms(self, jobs: list[Job]) -> dict[int, Outcome]:
        cfg = self.app.config
        notice = self._notices[jobs[0].notice_id]
        self.limits["sms"].acquire(len(jobs))
        results = self.sms.send([j.phone for j in jobs], cfg["SMS_NOTICE_TEMPLATE_ID"], sms_params(notice, cfg),
                                session_context=session_context(notice.id))
        return {j.id: r for j, r in zip(jobs, results, strict=False)}

    # --- record -----------------------------------------------------------------------------------

    def _turn(self, finished: list[Job], outcomes: dict[int, Outcome], starting: list[Job]) -> set[int]:
        """One transaction: record the finished jobs, mark the starting ones `sending`. Returns the ids
        marked (rows whose lease we lost are left alone and not sent)."""
        marked: set[int] = set()
        if finished:
            self._write_outcomes(finished, outcomes)
        if starting:
            now = utcnow()
            marked = set(db.session.execute(
                update(Delivery)
                .where(Delivery.id.in_([j.id for j in starting]), Delivery.claimed_by == self.name,
                       Delivery.status == S.queued)
                .values(status=S.sending, sent_at=now, lease_until=now + self.lease)
                .returning(Delivery.id).execution_options(synchronize_session=False)).scalars())
        if finished or starting:
            db.session.commit()
        return marked

    def record(self, jobs: list[Job], outcomes: dict[int, Outcome]) -> None:
        """Record these jobs' outcomes in one transaction (only where our claim still holds)."""
        with self.app.app_context():
            try:
                self._write_outcomes(jobs, outcomes)
                db.session.commit()
            finally:
                db.session.remove()
        self._finish({j.notice_id for j in jobs})

    def _write_outcomes(self, jobs: list[Job], outcomes: dict[int, Outcome]) -> None:
        now = utcnow()
        sent, final, retry, skipped, in_doubt = [], [], [], [], []
        no_consent: list[Job] = []
        refunds: list[Job] = []
        for j in jobs:
            o = outcomes[j.id]
            if o.result == Result.sent:
                sent.append({"b_id": j.id, "b_provider": o.provider_id})
            elif o.result == Result.skipped:
                skipped.append({"b_id": j.id, "b_error": (o.error or "")[:500]})
            elif o.result == Result.in_doubt:
                # Left `sending` under its lease: when the lease runs out, reconcile() asks the provider's
                # reports, as for a worker that died mid-call (sent if taken, queued again if not).
                in_doubt.append({"b_id": j.id, "b_error": (o.error or "")[:500]})
            elif o.result == Result.retry and j.attempts < self.max_attempts:
                delay = o.retry_after or self.backoff_base * 2 ** (j.attempts - 1)
                delay = min(delay, 3600) * random.uniform(0.8, 1.2)
                retry.append({"b_id": j.id, "b_error": (o.error or "")[:500], "b_next": now + timedelta(seconds=delay)})
            else:
                final.append({"b_id": j.id, "b_error": (o.error or "")[:500]})
                if j.channel == "push":
                    (no_consent if (o.error or "").startswith(("43101", "no consent")) else refunds).append(j)
        # No IN (…) here: an expanding parameter cannot go in an executemany.
        mine = and_(Delivery.id == bindparam("b_id"), Delivery.claimed_by == self.name,
                    or_(Delivery.status == S.queued, Delivery.status == S.sending))
        conn = db.session.connection()
        # Pushes come back without a message id: one statement for all of them.
        plain = [r["b_id"] for r in sent if r["b_provider"] is None]
        sent = [r for r in sent if r["b_provider"] is not None]
        if plain:
            conn.execute(update(Delivery).where(
                Delivery.id.in_(plain), Delivery.claimed_by == self.name, Delivery.status.in_((S.queued, S.sending))
            ).values(status=S.sent, sent_at=now, last_error=None, lease_until=None))
        if sent:
            conn.execute(update(Delivery).where(mine).values(
                status=S.sent, sent_at=now, provider_id=bindparam("b_provider"), last_error=None,
                lease_until=None), sent)
        if retry:
            conn.execute(update(Delivery).where(mine).values(
                status=S.queued, last_error=bindparam("b_error"), next_attempt_at=bindparam("b_next"),
                sent_at=None, lease_until=None), retry)
        if final:
            conn.execute(update(Delivery).where(mine).values(
                status=S.failed, last_error=bindparam("b_error"), sent_at=None, lease_until=None), final)
        if in_doubt:
            conn.execute(update(Delivery).where(mine).values(last_error=bindparam("b_error")), in_doubt)
        if skipped:
            conn.execute(update(Delivery).where(mine).values(
                status=S.skipped, last_error=bindparam("b_error"), sent_at=None, lease_until=None), skipped)
        self._settle_consent(no_consent, refunds, now)
        log.debug("worker %s: %d sent, %d to retry, %d failed", self.name, len(sent), len(retry), len(final))

    # --- reconcile ------------------------------------------------------------------------------------

    def reconcile(self) -> int:
        """Settle rows a dead worker left `sending` (lease run out) before anything is sent again.

        Push: WeChat has no status query and a repeat cannot be taken back, so the row becomes `unknown`
        and is never sent again; where the notice allows, an SMS goes instead. SMS: the provider's status
        reports for the number, matched by SessionContext, decide: accepted once → `sent`, more than once →
        `duplicate`; no report although DELIVERY_REPORT_WAIT_SECONDS have passed → `queued` again (it never
        took it); no report yet, or the provider cannot be asked → still `sending`, looked at again later.
        A provider with no status query here → `unknown`. Returns the rows looked at.
        """
        now = utcnow()
        with self.app.app_context():
            jobs = self._take_stale(now)
        if not jobs:
            return 0
        settled = self._settle_push([j for j in jobs if j.channel == "push"], now)
        settled.update(self._settle_sms([j for j in jobs if j.channel == "sms"], now))
        with self.app.app_context():
            try:
                mine = and_(Delivery.id == bindparam("b_id"), Delivery.claimed_by == self.name,
                            Delivery.status == S.sending)
                conn = db.session.connection()
                for values, params in _group_updates(settled):
                    conn.execute(update(Delivery).where(mine).values(**values), params)
                unknown_push = [(j.notice_id, j.member_id) for j in jobs
                                if j.channel == "push" and settled[j.id][0]["status"] == S.unknown]
                # A missed push can still reach the member by SMS where the notice allows it.
                fallback_to_sms(unknown_push, now)
                db.session.commit()
            finally:
                db.session.remove()
        counts = defaultdict(int)
        for values, _ in settled.values():
            counts[values.get("status", "sending")] += 1
        log.warning("worker %s reconciled %d deliveries left in flight: %s", self.name, len(jobs), dict(counts))
        self._finish({j.notice_id for j in jobs})
        return len(jobs)

    def _take_stale(self, now) -> list[Job]:
        """Claim rows left `sending` whose lease ran out (their worker died mid-call), with the phones."""
        try:
            stale = (select(Delivery.id)
                     .where(Delivery.status == S.sending, Delivery.lease_until < now)
                     .order_by(Delivery.lease_until).limit(self.batch).with_for_update(skip_locked=True))
            rows = db.session.execute(
                update(Delivery).where(Delivery.id.in_(stale.scalar_subquery()))
                .values(claimed_by=self.name, lease_until=now + self.lease)
                .returning(Delivery.id, Delivery.notice_id, Delivery.member_id, Delivery.channel,
                           Delivery.attempts, Delivery.sent_at)
                .execution_options(synchronize_session=False)).all()
            jobs = [Job(id=r.id, notice_id=r.notice_id, member_id=r.member_id, channel=r.channel,
                        attempts=r.attempts, sent_at=r.sent_at) for r in rows]
            if jobs:
                phones = dict(db.session.execute(select(Member.id, Member.phone).where(
                    Member.id.in_({j.member_id for j in jobs}))).all())
                for j in jobs:
                    j.phone = phones.get(j.member_id)
            db.session.commit()
        finally:
            db.session.remove()
        return jobs

    def _settle_push(self, jobs: list[Job], now) -> dict[int, tuple[dict, dict]]:
        return {j.id: ({"status": S.unknown, "last_error": UNKNOWN_PUSH, "lease_until": None}, {"b_id": j.id})
                for j in jobs}

    def _settle_sms(self, jobs: list[Job], now) -> dict[int, tuple[dict, dict]]:
        out: dict[int, tuple[dict, dict]] = {}
        down: str | None = None
        for j in jobs:
            sent_at = j.sent_at or now
            if not self.sms.can_pull or not j.phone or now - sent_at > timedelta(days=REPORT_DAYS):
                out[j.id] = ({"status": S.unknown, "last_error": UNKNOWN_SMS, "lease_until": None}, {"b_id": j.id})
                continue
            if down is None:
                self.limits["sms_pull"].acquire(1)
                try:
                    # From a little before the request, for clock skew between us and the provider.
                    reports = self.sms.pull_status(j.phone, sent_at - timedelta(minutes=5), now)
                except SmsUnavailable as e:
                    down = str(e)  # no use asking for the others now (each would wait out the timeout)
            if down is not None:
                # Unreachable is not "never sent": keep it in flight and ask again after a lease.
                out[j.id] = ({"last_error": f"reconcile: 服务商暂时无法查询，稍后再查：{down}"[:500]}, {"b_id": j.id})
                continue
            serials = sorted({r.serial_no for r in reports if r.session_context == session_context(j.notice_id)})
            if len(serials) > 1:
                out[j.id] = ({"status": S.duplicate, "provider_id": serials[0], "lease_until": None,
                              "last_error": f"duplicate: 服务商接受了 {len(serials)} 次"}, {"b_id": j.id})
            elif serials:
                out[j.id] = ({"status": S.sent, "provider_id": serials[0], "lease_until": None, "last_error": None},
                             {"b_id": j.id})
            elif now - sent_at >= self.report_wait:
                out[j.id] = ({"status": S.queued, "next_attempt_at": now, "lease_until": None, "sent_at": None,
                              "last_error": NOT_ACCEPTED}, {"b_id": j.id})
            else:
                # No report yet: it may still come. Look again when the wait is over.
                out[j.id] = ({"lease_until": sent_at + self.report_wait}, {"b_id": j.id})
        return out

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

    def _finish(self, notice_ids: set[int]) -> None:
        """Notices with nothing left queued or in flight are sent."""
        if not notice_ids:
            return
        pending = select(Delivery.id).where(Delivery.notice_id == Notice.id,
                                            Delivery.status.in_((S.queued, S.sending)))
        with self.app.app_context():
            try:
                db.session.execute(update(Notice).where(
                    Notice.id.in_(notice_ids), Notice.status == NoticeStatus.sending, ~pending.exists()
                ).values(status=NoticeStatus.sent, sent_at=utcnow()).execution_options(synchronize_session=False))
                db.session.commit()
            finally:
                db.session.remove()


def _group_updates(settled: dict[int, tuple[dict, dict]]):
    """The same UPDATE for every row with the same changes: (values, [params…]) per distinct change."""
    groups: dict[tuple, tuple[dict, list]] = {}
    for values, params in settled.values():
        key = tuple(sorted((k, str(v)) for k, v in values.items()))
        groups.setdefault(key, (values, []))[1].append(params)
    return groups.values()


def sms_params(notice: Notice, cfg: dict) -> list[str]:
    """The notice SMS template's variables: the title, cut to the provider's variable limit."""
    from notifications.sms import clip_param

    return [clip_param(notice.title, cfg["SMS_PARAM_MAX_LEN"])]


