"""The one scheduler process: APScheduler 3 with its job store in the application's database.

Web workers never run it (gunicorn would multiply every job). `flask --app server scheduler` takes a
lease row first; a second process started by mistake waits as a stand-by and takes over only when
the first stops renewing. Jobs are idempotent besides (reminders are claimed by conditional UPDATE,
deliveries have unique keys), so even an overlap at hand-over sends nothing twice.

Jobs and their settings, chosen on purpose:
- ``reminders`` every REMINDER_TICK_SECONDS (1 s): fires due reminders. coalesce=True (after a pause,
  one catch-up run handles everything due, since it selects by due_at), max_instances=1 (no overlap),
  misfire_grace_time=None (a tick is never skipped for being late: the reminders' own grace decides).
- ``notices`` every 5 s: plans scheduled notices whose send_at has come (same settings).
- ``suggestions`` every 60 s: files held suggestions and receipt replies in shuffled batches (docs/
  anonymity.md); a run that finds too few waiting and none overdue does nothing (same settings).
- ``surveys`` every 60 s: files held anonymous survey responses per survey in shuffled batches, and reminds,
  once per survey (a conditional UPDATE on ``reminded_at``), the audience members who have not answered
  SURVEY_REMINDER_HOURS before the close (surveys/jobs.py; same settings).
- ``workdays`` every hour: while this year's (from November, next year's) holidays are entered nowhere, tells
  the admins once per ISO week (a row per week in ``workday_warnings`` decides; docs/workdays.md).
- ``uploads`` every hour: deletes uploads never attached within 24 hours (rows, then files) and sweeps stray
  files older than that with no row (server/uploads/jobs.py; same settings).
- ``request_clocks`` every 60 s: warns handlers before requests fall due and escalates late first
  responses (member_requests/jobs.py); each step is an UPDATE matching only rows not yet stepped.
- ``proposal_clocks`` every 60 s: warns staff before congress proposals' assignment and answer deadlines and
  escalates late ones (proposals/jobs.py), each step once by a conditional UPDATE.
- ``award_notices`` every 60 s: tells the staff member who decided an award that its notice period has ended
  and it can be finalized (awards/jobs.py), once per award by a conditional UPDATE.
- ``improvement_clocks`` every 60 s: warns owners of improvement items three working days before the due date,
  tells owner and secretaries when overdue and the admins seven days later (improvements/jobs.py), each once.
- ``request_digest`` every 300 s: on Monday from 09:00 (Asia/Shanghai) sends each liaison's weekly digest
  once (request_digests' key); an interval, not a cron trigger, so a scheduler restarted later that Monday
  still sends it (same settings).
- ``votes`` every 15 s: closes votes whose closes_at has come and files their held ballots in one shuffled
  batch (server/votes/jobs.py; the close itself is exact whenever this runs: ballots check the time under the
  vote row's lock, docs/votes.md); a closed vote is skipped, so a second run files nothing twice.
- ``care`` every 10 min: tells handlers the working day before a hardship case's visit is due (once per due
  date, a conditional UPDATE … RETURNING) and purges the details of cases ended CARE_RETENTION_DAYS ago, in
  batches, files after the commit (server/care/jobs.py).
- ``benefit_reminders`` every 60 s: reminds a benefit's audience members without a claim before the claim window
  closes and the holders of unredeemed claims before redeem_until (benefits/jobs.py), each once per campaign by
  a conditional UPDATE.
- ``effectiveness_report`` every 30 min: from 08:00 (Asia/Shanghai) on a quarter's first day, archives the
  previous quarter's effectiveness report (and after the fourth, the year's) with its PDF and tells the
  committee; the period's unique key makes every later run, or a second scheduler, a no-op
  (reports/jobs.py). An interval, not a cron trigger, so a scheduler that was down at 08:00 still does it.
- ``lease`` every third of SCHEDULER_LEASE_SECONDS (30 s): keeps the lease; losing it stops this scheduler.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import or_, update

from .core.extensions import db, transaction
from .core.timeutil import SHANGHAI, utcnow
from .reminders.models import SchedulerLease

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
_app: Flask | None = None  # the app jobs run in; set by run_scheduler


# --- job bodies (referenced by "module:function" so the job store can keep them) -------------------

def fire_reminders() -> None:
    from .reminders.services import fire_due

    with _app.app_context():
        try:
            results = fire_due()
            for r in results:
                log.info("reminder fired: %s", r)
        finally:
            db.session.remove()


def send_scheduled_notices() -> None:
    from .notices.services import send_due_notices

    with _app.app_context():
        try:
            with transaction():
                ids = send_due_notices()
            if ids:
                log.info("scheduled notices sent: %s", ids)
        finally:
            db.session.remove()


def file_suggestions() -> None:
    from .suggestions.jobs import file_held_writes

    with _app.app_context():
        try:
            file_held_writes()  # logs nothing: even a batch's time and size are kept out of the log
        finally:
            db.session.remove()


def run_surveys() -> None:
    from .surveys.jobs import run

    with _app.app_context():
        try:
            result = run()
            if result["reminded"]:  # the filed count stays out of the log, as for suggestions
                log.info("survey reminders sent: %s", result["reminded"])
        finally:
            db.session.remove()


def warn_missing_workdays() -> None:
    from .workdays.jobs import run

    with _app.app_context():
        try:
            run()
        except Exception:
            log.exception("workday calendar warning failed; the next run tries again")
        finally:
            db.session.remove()


def run_request_clocks() -> None:
    from .member_requests.jobs import run_clocks

    with _app.app_context():
        try:
            result = run_clocks()
            if any(step["requests"] for step in result.values()):
                log.info("request clocks: %s", result)
        finally:
            db.session.remove()


def run_proposal_clocks() -> None:
    from .proposals.jobs import run_clocks

    with _app.app_context():
        try:
            result = run_clocks()
            if any(step["proposals"] for step in result.values()):
                log.info("proposal clocks: %s", result)
        finally:
            db.session.remove()


def run_award_notices() -> None:
    from .awards.jobs import run

    with _app.app_context():
        try:
            told = run()
            if told:
                log.info("award notice periods ended: %s", told)
        finally:
            db.session.remove()


def run_improvement_clocks() -> None:
    from .improvements.jobs import run_clocks

    with _app.app_context():
        try:
            result = run_clocks()
            if any(step["items"] for step in result.values()):
                log.info("improvement clocks: %s", result)
        finally:
            db.session.remove()


def run_effectiveness_report() -> None:
    from .reports.jobs import run

    with _app.app_context():
        try:
            made = run()
            if made:
                log.info("effectiveness reports archived: %s", made)
        finally:
            db.session.remove()


def run_benefit_reminders() -> None:
    from .benefits.jobs import run

    with _app.app_context():
        try:
            told = run()
            if any(told.values()):
                log.info("benefit reminders sent: %s", told)
        finally:
            db.session.remove()


def clean_uploads() -> None:
    from .uploads.jobs import clean_uploads as clean

    with _app.app_context():
        try:
            clean()
        finally:
            db.session.remove()


def send_request_digests() -> None:
    from .member_requests.jobs import run_digest

    with _app.app_context():
        try:
            result = run_digest()
            if result["liaisons"]:
                log.info("request digests: %s", result)
        finally:
            db.session.remove()


def close_votes() -> None:
    from .votes.jobs import close_due_votes

    with _app.app_context():
        try:
            closed = close_due_votes()
            if closed:
                log.info("votes closed: %s", closed)
        finally:
            db.session.remove()


def run_care_jobs() -> None:
    from .care.jobs import run

    with _app.app_context():
        try:
            result = run()
            if any(result.values()):
                log.info("care: %s", result)
        finally:
            db.session.remove()


def renew_lease() -> None:
    if not take_lease(_app, _holder):
        log.error("scheduler lease lost to another process; stopping this scheduler")
        _stop.set()


# --- the lease --------------------------------------------------------------------------------------

def take_lease(app: Flask, holder: str) -> bool:
    """Take or renew the lease; True when we hold it."""
    seconds = app.config["SCHEDULER_LEASE_SECONDS"]
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    with app.app_context():
        try:
            with transaction():
                now = utcnow()
                insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
                db.session.execute(insert(SchedulerLease).values(name=LEASE_NAME, holder=holder,
                                                                 expires_at=now + timedelta(seconds=seconds))
                                   .on_conflict_do_nothing())
                got = db.session.execute(
                    update(SchedulerLease)
                    .where(SchedulerLease.name == LEASE_NAME,
                           or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
                    .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
                ).rowcount
            return bool(got)
        except Exception:
            log.exception("could not reach the database for the scheduler lease")
            return False
        finally:
            db.session.remove()


def release_lease(app: Flask, holder: str) -> None:
    with app.app_context(), transaction():
        db.session.execute(update(SchedulerLease).where(SchedulerLease.name == LEASE_NAME,
                                                        SchedulerLease.holder == holder)
                           .values(expires_at=utcnow() - timedelta(seconds=1)))


# --- building and running -------------------------------------------------------------------------

_holder = f"{socket.gethostname()}:{os.getpid()}"
_stop = threading.Event()  # set to stop this process's scheduler (signal, or the lease lost)


def build_scheduler(app: Flask, scheduler_class=BackgroundScheduler):
    global _app
    _app = app
    with app.app_context():
        engine = db.engine
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=SHANGHAI,
    )
    tick = app.config["REMINDER_TICK_SECONDS"]
    scheduler.add_job("server.scheduler:fire_reminders", "interval", seconds=tick, id="reminders",
                      name="fire due reminders", replace_existing=True)
    scheduler.add_job("server.scheduler:send_scheduled_notices", "interval", seconds=5, id="notices",
                      name="send scheduled notices", replace_existing=True)
    scheduler.add_job("server.scheduler:file_suggestions", "interval", seconds=60, id="suggestions",
                      name="file held suggestions", replace_existing=True)
    scheduler.add_job("server.scheduler:run_surveys", "interval", seconds=60, id="surveys",
                      name="file held survey responses, remind those who have not answered",
                      replace_existing=True)
    scheduler.add_job("server.scheduler:warn_missing_workdays", "interval", hours=1, id="workdays",
                      name="warn admins of a year without holidays", replace_existing=True)
    scheduler.add_job("server.scheduler:clean_uploads", "interval", minutes=60, id="uploads",
                      name="delete unattached uploads and stray files", replace_existing=True)
    scheduler.add_job("server.scheduler:run_request_clocks", "interval", seconds=60, id="request_clocks",
                      name="warn and escalate requests", replace_existing=True)
    scheduler.add_job("server.scheduler:run_proposal_clocks", "interval", seconds=60, id="proposal_clocks",
                      name="warn and escalate congress proposals", replace_existing=True)
    scheduler.add_job("server.scheduler:run_award_notices", "interval", seconds=60, id="award_notices",
                      name="tell deciders when award notice periods end", replace_existing=True)
    scheduler.add_job("server.scheduler:run_improvement_clocks", "interval", seconds=60, id="improvement_clocks",
                      name="warn and escalate improvement items", replace_existing=True)
    scheduler.add_job("server.scheduler:send_request_digests", "interval", seconds=300, id="request_digest",
                      name="weekly request digest to liaisons", replace_existing=True)
    scheduler.add_job("server.scheduler:close_votes", "interval", seconds=15, id="votes",
                      name="close votes and file their ballots", replace_existing=True)
    scheduler.add_job("server.scheduler:run_care_jobs", "interval", minutes=10, id="care",
                      name="care visit reminders and the retention purge", replace_existing=True)
    scheduler.add_job("server.scheduler:run_benefit_reminders", "interval", seconds=60, id="benefit_reminders",
                      name="remind unclaimed and unredeemed benefits", replace_existing=True)
    scheduler.add_job("server.scheduler:run_effectiveness_report", "interval", minutes=30,
                      id="effectiveness_report", name="archive the last quarter's effectiveness report",
                      replace_existing=True)
    scheduler.add_job("server.scheduler:renew_lease", "interval", seconds=_renew_every(app), id="lease",
                      name="renew the scheduler lease", replace_existing=True)
    return scheduler


def _renew_every(app: Flask) -> float:
    return app.config["SCHEDULER_LEASE_SECONDS"] / 3


def run_scheduler(app: Flask, stop: threading.Event = _stop) -> None:
    """Wait for the lease (stand-by), then run until stopped or the lease is lost."""
    global _stop
    _stop = stop
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)  # one line per tick is noise
    while not take_lease(app, _holder):
        log.info("another scheduler holds the lease (or the database is unreachable); standing by")
        if stop.wait(_renew_every(app)):
            return
    scheduler = build_scheduler(app)
    scheduler.start()
    log.info("scheduler %s started", _holder)
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        release_lease(app, _holder)
        log.info("scheduler %s stopped", _holder)
