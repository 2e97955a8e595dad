"""Council rules: representatives, topics, ideas, supports, the selection and management's answer.
Services never commit. Status steps are conditional UPDATEs (409 invalid_transition when another got there
first); a support is the insert of its primary key inside a savepoint (409 already_supported)."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise, savepoint
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Department, Member
from .models import (
    CouncilIdea,
    CouncilIdeaStatus,
    CouncilRepresentative,
    CouncilSupport,
    CouncilTopic,
    CouncilTopicStatus,
)

log = logging.getLogger(__name__)
TOPIC_PAGE = "pages/council/topic?id={id}"


def topic_not_found() -> AppError:
    return AppError("not_found", "议题不存在")


def idea_not_found() -> AppError:
    return AppError("not_found", "建议不存在")


def get_topic(topic_id: int) -> CouncilTopic:
    return get_or_raise(CouncilTopic, topic_id, topic_not_found)


def get_idea(idea_id: int) -> CouncilIdea:
    return get_or_raise(CouncilIdea, idea_id, idea_not_found)


def topic_status(topic: CouncilTopic, now: datetime | None = None) -> CouncilTopicStatus:
    return CouncilTopicStatus.open if (now or utcnow()) < topic.closes_at else CouncilTopicStatus.closed


def _notify(member_ids: list[int] | None, title: str, body: str, page: str) -> None:
    """One notice (source council): to the listed members, or to everyone when None."""
    from ..notices import services as notices
    from ..notices.models import NoticeSource

    audience = {"all": True} if member_ids is None else {"member_ids": sorted(set(member_ids))}
    if notices.tell(audience, title=title, body=body, page=page, source=NoticeSource.council) is None:
        log.info("council notice %r: nobody to tell", title)


# --- representatives ---------------------------------------------------------------------------------

def set_representative(admin_id: int, department: str, member_id: int) -> CouncilRepresentative:
    """Appoint (or replace) the department's representative. 400 invalid_request for an unknown department,
    400 not_in_department for a member who is not on that department's roster."""
    dept = db.session.scalar(select(Department).where(Department.name == department))
    if dept is None:
        raise invalid_request({"department": "部门不存在"})
    member = db.session.scalar(select(Member).where(Member.id == member_id, Member.is_active.is_(True)))
    if member is None or member.department_id != dept.id:
        raise AppError("not_in_department", f"该会员不在名册的{dept.name}中")
    row = db.session.get(CouncilRepresentative, dept.id)
    if row is None:
        row = CouncilRepresentative(department_id=dept.id)
        db.session.add(row)
    row.member_id, row.appointed_by, row.appointed_at = member.id, admin_id, utcnow()
    db.session.flush()
    return row


def representatives() -> list[tuple[CouncilRepresentative, str, str]]:
    """(row, department name, member name), by department name, in one statement."""
    return [tuple(r) for r in db.session.execute(
        select(CouncilRepresentative, Department.name, Member.name)
        .join(Department, Department.id == CouncilRepresentative.department_id)
        .join(Member, Member.id == CouncilRepresentative.member_id)
        .order_by(Department.name)).all()]


# --- topics ------------------------------------------------------------------------------------------

def create_topic(staff_id: int, *, month: str, title: str, description: str, closes_at: datetime,
                 notify: bool = True) -> CouncilTopic:
    """The month's topic; all members are told. 409 topic_exists when the month has one already."""
    if closes_at <= utcnow():
        raise invalid_request({"closes_at": "截止时间必须晚于现在"})
    topic = CouncilTopic(month=month, title=title, description=description, closes_at=closes_at,
                         created_by=staff_id, created_at=utcnow())
    try:
        with savepoint():
            db.session.add(topic)
            db.session.flush()
    except IntegrityError:
        raise AppError("topic_exists", f"{month} 已有议题") from None
    if notify:
        closes = closes_at.astimezone(SHANGHAI).strftime("%m月%d日 %H:%M")
        _notify(None, f"议事会议题：{title}",
                f"本月职工议事会议题“{title}”开始征集建议，截止 {closes}，欢迎提出您的想法。",
                TOPIC_PAGE.format(id=topic.id))
    return topic


def list_topics(page: int, per_page: int) -> tuple[list[CouncilTopic], int]:
    total = db.session.scalar(select(func.count()).select_from(CouncilTopic))
    rows = db.session.scalars(select(CouncilTopic).order_by(CouncilTopic.month.desc())
                              .limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def idea_counts(topic_ids: list[int]) -> dict[int, int]:
    if not topic_ids:
        return {}
    return dict(db.session.execute(select(CouncilIdea.topic_id, func.count()).where(CouncilIdea.topic_id.in_(topic_ids))
                                   .group_by(CouncilIdea.topic_id)).all())


# --- ideas and supports ------------------------------------------------------------------------------

def _must_be_open(topic: CouncilTopic) -> None:
    if topic_status(topic) != CouncilTopicStatus.open:
        raise AppError("topic_closed", "本议题已截止征集")


def post_idea(member_id: int, topic_id: int, title: str, body: str) -> CouncilIdea:
    topic = get_topic(topic_id)
    _must_be_open(topic)
    idea = CouncilIdea(topic_id=topic.id, author_id=member_id, title=title, body=body,
                       status=CouncilIdeaStatus.submitted, created_at=utcnow())
    db.session.add(idea)
    db.session.flush()
    return idea


def support(member_id: int, idea_id: int) -> CouncilIdea:
    """One support per member and idea (the primary key decides, also for two devices at once); not one's
    own idea (409 own_idea); while the topic is open."""
    idea = get_idea(idea_id)
    if idea.author_id == member_id:
        raise AppError("own_idea", "不能支持自己提出的建议")
    _must_be_open(get_topic(idea.topic_id))
    try:
        with savepoint():
            db.session.execute(insert(CouncilSupport).values(idea_id=idea.id, member_id=member_id, created_at=utcnow()))
    except IntegrityError:
        raise AppError("already_supported", "您已支持过这条建议") from None
    return idea


def withdraw_support(member_id: int, idea_id: int) -> CouncilIdea:
    idea = get_idea(idea_id)
    _must_be_open(get_topic(idea.topic_id))
    gone = db.session.execute(delete(CouncilSupport).where(CouncilSupport.idea_id == idea.id,
                                                           CouncilSupport.member_id == member_id)).rowcount
    if not gone:
        raise AppError("not_supported", "您没有支持过这条建议")
    return idea


def support_counts():
    """A subquery: idea_id → supports, for joining into lists (set-based)."""
    return (select(CouncilSupport.idea_id, func.count().label("n")).group_by(CouncilSupport.idea_id)
            .subquery("support_counts"))


def list_ideas(topic_id: int, sort: str, status: str | None, page: int, per_page: int):
    """(idea, supports) rows of a topic, most supported first (ties: earlier first) or newest first."""
    get_topic(topic_id)
    counts = support_counts()
    n = func.coalesce(counts.c.n, 0)
    where = [CouncilIdea.topic_id == topic_id]
    if status:
        where.append(CouncilIdea.status == status)
    total = db.session.scalar(select(func.count()).select_from(CouncilIdea).where(*where))
    order = [n.desc(), CouncilIdea.id] if sort == "support" else [CouncilIdea.id.desc()]
    rows = db.session.execute(select(CouncilIdea, n).outerjoin(counts, counts.c.idea_id == CouncilIdea.id)
                              .where(*where).order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return [tuple(r) for r in rows], total


def selected_ideas(topic_id: int):
    """The council's selection of a topic with support counts: published to everyone."""
    counts = support_counts()
    n = func.coalesce(counts.c.n, 0)
    return [tuple(r) for r in db.session.execute(
        select(CouncilIdea, n).outerjoin(counts, counts.c.idea_id == CouncilIdea.id)
        .where(CouncilIdea.topic_id == topic_id,
               CouncilIdea.status.in_([CouncilIdeaStatus.selected, CouncilIdeaStatus.answered]))
        .order_by(CouncilIdea.selected_at, CouncilIdea.id)).all()]


def supports_of(idea_ids: list[int]) -> dict[int, int]:
    if not idea_ids:
        return {}
    return dict(db.session.execute(select(CouncilSupport.idea_id, func.count())
                                   .where(CouncilSupport.idea_id.in_(idea_ids)).group_by(CouncilSupport.idea_id)).all())


def supported_by(member_id: int, idea_ids: list[int]) -> set[int]:
    if not idea_ids:
        return set()
    return set(db.session.scalars(select(CouncilSupport.idea_id).where(CouncilSupport.member_id == member_id,
                                                                       CouncilSupport.idea_id.in_(idea_ids))))


def names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())


# --- selection and answer ----------------------------------------------------------------------------

def _transition(idea: CouncilIdea, from_status: str, values: dict) -> None:
    done = db.session.execute(update(CouncilIdea).where(CouncilIdea.id == idea.id, CouncilIdea.status == from_status)
                              .values(**values).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(idea)
    if done != 1:
        raise AppError("invalid_transition", details={"status": str(idea.status)})


def select_idea(staff_id: int, idea_id: int, *, notify: bool = True) -> CouncilIdea:
    """Staff record the council's selection: the idea is forwarded to management; its author is told."""
    idea = get_idea(idea_id)
    _transition(idea, CouncilIdeaStatus.submitted, {"status": CouncilIdeaStatus.selected, "selected_at": utcnow(),
                                                    "selected_by": staff_id})
    if notify:
        _notify([idea.author_id], "您的建议已被议事会选送",
                f"您的建议“{idea.title}”已被职工议事会选送管理层，答复后会通知您。",
                TOPIC_PAGE.format(id=idea.topic_id))
    return idea


def answer_idea(staff_id: int, idea_id: int, answer: str, *, notify: bool = True) -> CouncilIdea:
    """Management's answer to a selected idea, published with the topic; its author is told."""
    idea = get_idea(idea_id)
    _transition(idea, CouncilIdeaStatus.selected, {"status": CouncilIdeaStatus.answered, "answer": answer,
                                                   "answered_at": utcnow(), "answered_by": staff_id})
    if notify:
        _notify([idea.author_id], "您的建议已有答复", f"您的建议“{idea.title}”已收到管理层答复，请查看。",
                TOPIC_PAGE.format(id=idea.topic_id))
    return idea
