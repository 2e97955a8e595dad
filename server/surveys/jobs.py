"""The scheduler's survey work: file held anonymous responses, and remind those who have not answered."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, select, text, update

from ..core.extensions import db, transaction
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from ..notices import services as notices
from ..notices.models import NoticeSource
from . import answering, services
from .models import Survey, SurveyHeldResponse, SurveyParticipation, SurveyStatus

log = logging.getLogger(__name__)
REMINDER_PAGE = "pages/surveys/answer?id={id}"


def file_held_responses(force: bool = False) -> int:
    """File what is due in one transaction, then (PostgreSQL) vacuum the holding table, whose dead
    tuples' xmin would otherwise still sit next to the members' participation rows."""
    with transaction():
        filed = answering.file_held(force=force)
    if filed and db.engine.dialect.name == "postgresql":
        try:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"VACUUM {SurveyHeldResponse.__tablename__}"))
        except Exception:  # autovacuum gets there later; nothing is lost
            log.warning("could not vacuum the survey holding table", exc_info=True)
    return filed


def remind_due(now=None) -> list[int]:
    """Remind, once per survey, the members of its audience who have not answered, SURVEY_REMINDER_HOURS
    before it closes. Each survey in its own transaction; the claim is a conditional UPDATE, so a second
    run or a second scheduler reminds nobody twice. Uses the participation record only."""
    now = now or utcnow()
    before = timedelta(hours=current_app.config["SURVEY_REMINDER_HOURS"])
    due = db.session.scalars(select(Survey.id).where(
        Survey.status == SurveyStatus.scheduled, Survey.reminded_at.is_(None), Survey.opens_at <= now,
        Survey.closes_at > now, Survey.closes_at <= now + before)).all()
    reminded = []
    for survey_id in due:
        with transaction():
            claimed = db.session.execute(
                update(Survey).where(Survey.id == survey_id, Survey.reminded_at.is_(None),
                                     Survey.status == SurveyStatus.scheduled)
                .values(reminded_at=now)).rowcount
            if not claimed:
                continue
            survey = db.session.get(Survey, survey_id)
            member_ids = db.session.scalars(
                select(Member.id).where(services.admits_member_columns(survey.id),
                                        ~exists().where(SurveyParticipation.survey_id == survey.id,
                                                        SurveyParticipation.member_id == Member.id))
                .order_by(Member.id)).all()
            if member_ids:
                notice = notices.create_notice(
                    None, title=f"问卷提醒：{survey.title}"[:100],
                    body=f"您还没有填写问卷《{survey.title}》，问卷将于"
                         f"{survey.closes_at.astimezone(SHANGHAI):%m月%d日 %H:%M}截止，请抽空填写。",
                    channels=["push"], audience={"member_ids": list(member_ids)}, sms_fallback=False,
                    page=REMINDER_PAGE.format(id=survey.id), source=NoticeSource.survey)
                notices.send_notice(notice.id)
            reminded.append(survey_id)
    return reminded


def run() -> dict:
    """The scheduler's one survey job."""
    filed = file_held_responses()
    return {"filed": filed, "reminded": remind_due()}
