"""Drafting, publishing and reading surveys; who may answer (the audience, in SQL)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select

from ..core import audiences as audiences_
from ..core.errors import AppError, invalid_request
from ..core.extensions import db
from ..core.timeutil import utcnow
from ..members.models import Member, Tag
from .models import (
    QuestionKind,
    Survey,
    SurveyAudience,
    SurveyOptionTag,
    SurveyParticipation,
    SurveyQuestion,
    SurveyStatus,
)

MIN_OPTIONS = 2


def not_found() -> AppError:
    return AppError("not_found", "问卷不存在")


def effective_status(s: Survey, now: datetime | None = None) -> str:
    """draft and closed as stored; a published survey is scheduled before opens_at, open until closes_at,
    closed after."""
    if s.status != SurveyStatus.scheduled:
        return s.status
    now = now or utcnow()
    if now < s.opens_at:
        return SurveyStatus.scheduled
    return SurveyStatus.open if now < s.closes_at else SurveyStatus.closed


def status_condition(status: str, now: datetime):
    """SQL on Survey for an effective status (the list filter)."""
    published = Survey.status == SurveyStatus.scheduled
    return {
        SurveyStatus.draft: Survey.status == SurveyStatus.draft,
        SurveyStatus.scheduled: and_(published, Survey.opens_at > now),
        SurveyStatus.open: and_(published, Survey.opens_at <= now, Survey.closes_at > now),
        SurveyStatus.closed: (Survey.status == SurveyStatus.closed) | and_(published, Survey.closes_at <= now),
    }[SurveyStatus(status)]


# --- drafting ---------------------------------------------------------------------------------------

def _check_questions(questions: list[dict], bad: dict[str, str]) -> None:
    for i, q in enumerate(questions):
        kind, options, tags = q["kind"], q.get("options") or [], q.get("option_tags") or {}
        at = f"questions.{i}"
        if kind in (QuestionKind.single, QuestionKind.multiple):
            if len(options) < MIN_OPTIONS:
                bad[f"{at}.options"] = "单选、多选题至少需要 2 个选项"
            elif any(not o.strip() or len(o) > 200 for o in options):
                bad[f"{at}.options"] = "选项不能为空，且不超过 200 字"
            elif len(set(options)) != len(options):
                bad[f"{at}.options"] = "选项不能重复"
        elif options:
            bad[f"{at}.options"] = "评分题和文字题不设选项"
        if tags:
            if kind not in (QuestionKind.single, QuestionKind.multiple):
                bad[f"{at}.option_tags"] = "只有单选、多选题的选项可以对应标签"
            for key, tag in tags.items():
                if not key.isdigit() or int(key) >= len(options):
                    bad[f"{at}.option_tags"] = f"选项序号 {key} 不存在（从 0 开始）"
                elif not tag.strip() or len(tag) > 50:
                    bad[f"{at}.option_tags"] = "标签名不能为空，且不超过 50 字"


def _check(fields: dict[str, Any]) -> None:
    bad: dict[str, str] = {}
    if fields["opens_at"] >= fields["closes_at"]:
        bad["closes_at"] = "结束时间必须晚于开始时间"
    _check_questions(fields["questions"], bad)
    audiences_.resolve_names(fields["audience"], bad)
    if bad:
        raise invalid_request(bad)


def _tag_ids(names: set[str]) -> dict[str, int]:
    """Tags by name, created when missing (a needs-profile survey brings its own tags)."""
    if not names:
        return {}
    found = dict(db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names))).all())
    missing = sorted(names - set(found))
    if missing:
        db.session.execute(insert(Tag), [{"name": n} for n in missing])
        found = dict(db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names))).all())
    return found


def _write_parts(survey: Survey, audience: dict[str, list[str]], questions: list[dict]) -> None:
    db.session.execute(delete(SurveyAudience).where(SurveyAudience.survey_id == survey.id))
    db.session.execute(delete(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id))
    rows = audiences_.resolve_rows(audience)
    if rows:
        db.session.execute(insert(SurveyAudience), [{"survey_id": survey.id, "kind": k, "ref_id": r} for k, r in rows])
    qs = [SurveyQuestion(survey_id=survey.id, position=i, kind=q["kind"], text=q["text"].strip(),
                         options=list(q.get("options") or []), required=q.get("required", True))
          for i, q in enumerate(questions)]
    db.session.add_all(qs)
    db.session.flush()
    tag_ids = _tag_ids({t.strip() for q in questions for t in (q.get("option_tags") or {}).values()})
    links = [{"question_id": row.id, "option_index": int(k), "tag_id": tag_ids[t.strip()]}
             for row, q in zip(qs, questions, strict=True) for k, t in (q.get("option_tags") or {}).items()]
    if links:
        db.session.execute(insert(SurveyOptionTag), links)


def create_survey(created_by: int, fields: dict[str, Any]) -> Survey:
    """A draft survey. Raises 400 invalid_request naming the bad fields."""
    _check(fields)
    survey = Survey(title=fields["title"].strip(), description=fields.get("description"),
                    anonymous=fields["anonymous"], status=SurveyStatus.draft, opens_at=fields["opens_at"],
                    closes_at=fields["closes_at"], created_by=created_by)
    db.session.add(survey)
    db.session.flush()
    _write_parts(survey, fields["audience"], fields["questions"])
    db.session.flush()
    return survey


def get(survey_id: int, lock: bool = False) -> Survey:
    q = select(Survey).where(Survey.id == survey_id)
    survey = db.session.scalar(q.with_for_update() if lock else q)
    if survey is None:
        raise not_found()
    return survey


def _draft(survey_id: int) -> Survey:
    survey = get(survey_id, lock=True)
    if survey.status != SurveyStatus.draft:
        raise AppError("survey_not_draft")
    return survey


def update_survey(survey_id: int, changes: dict[str, Any]) -> Survey:
    """Edit a draft (409 survey_not_draft once published); questions and audience are replaced whole."""
    survey = _draft(survey_id)
    current = {"opens_at": survey.opens_at, "closes_at": survey.closes_at, "questions": [],
               "audience": {}}
    merged = {**current, **{k: v for k, v in changes.items() if v is not None}}
    _check(merged)
    for key in ("title", "description", "anonymous", "opens_at", "closes_at"):
        if changes.get(key) is not None:
            setattr(survey, key, changes[key])
    if changes.get("audience") is not None or changes.get("questions") is not None:
        audience = changes.get("audience")
        questions = changes.get("questions")
        if audience is None:
            audience = {f: v for f, v in audiences_.names(SurveyAudience, SurveyAudience.survey_id,
                                                           [survey.id])[survey.id].items()}
        if questions is None:
            questions = _questions_as_input(survey.id)
        _write_parts(survey, audience, questions)
    db.session.flush()
    return survey


def _questions_as_input(survey_id: int) -> list[dict]:
    qs = questions_of([survey_id])[survey_id]
    tags = option_tags([q.id for q in qs])
    return [{"kind": q.kind, "text": q.text, "options": q.options, "required": q.required,
             "option_tags": tags.get(q.id, {})} for q in qs]


def publish(survey_id: int) -> Survey:
    """Draft → published: scheduled until opens_at, then open (409 survey_not_draft otherwise)."""
    survey = _draft(survey_id)
    now = utcnow()
    if survey.closes_at <= now:
        raise invalid_request({"closes_at": "结束时间已过，请先修改"})
    survey.status = SurveyStatus.scheduled
    survey.published_at = now
    db.session.flush()
    return survey


def close(survey_id: int) -> Survey:
    """Close a published survey early (closing a closed one changes nothing). A draft is not open:
    409 survey_closed. closes_at keeps the planned time; the stored status says it closed."""
    survey = get(survey_id, lock=True)
    if survey.status == SurveyStatus.draft:
        raise AppError("survey_closed", "问卷尚未发布")
    survey.status = SurveyStatus.closed
    db.session.flush()
    return survey


def list_surveys(status: str | None, page: int, per_page: int) -> tuple[list[Survey], int]:
    q = select(Survey)
    if status:
        q = q.where(status_condition(status, utcnow()))
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    rows = db.session.scalars(q.order_by(Survey.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


# --- reads for output ---------------------------------------------------------------------------------

def questions_of(survey_ids: list[int]) -> dict[int, list[SurveyQuestion]]:
    out: dict[int, list[SurveyQuestion]] = {i: [] for i in survey_ids}
    if survey_ids:
        for q in db.session.scalars(select(SurveyQuestion).where(SurveyQuestion.survey_id.in_(survey_ids))
                                    .order_by(SurveyQuestion.survey_id, SurveyQuestion.position)):
            out[q.survey_id].append(q)
    return out


def option_tags(question_ids: list[int]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    if question_ids:
        rows = db.session.execute(select(SurveyOptionTag.question_id, SurveyOptionTag.option_index, Tag.name)
                                  .join(Tag, Tag.id == SurveyOptionTag.tag_id)
                                  .where(SurveyOptionTag.question_id.in_(question_ids)))
        for qid, idx, name in rows:
            out.setdefault(qid, {})[str(idx)] = name
    return out


def audience_names(survey_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    return audiences_.names(SurveyAudience, SurveyAudience.survey_id, survey_ids)


def admits_member_columns(survey_col=Survey.id):
    """SQL: the outer members row is active and in the survey's audience."""
    return and_(Member.is_active.is_(True),
                audiences_.admits(SurveyAudience, SurveyAudience.survey_id, survey_col, *audiences_.member_columns()))


def eligible_counts(survey_ids: list[int]) -> dict[int, int]:
    """Members in each survey's audience, in one statement."""
    if not survey_ids:
        return {}
    rows = db.session.execute(select(Survey.id, func.count(Member.id)).select_from(Survey)
                              .join(Member, admits_member_columns()).where(Survey.id.in_(survey_ids))
                              .group_by(Survey.id)).all()
    return {i: 0 for i in survey_ids} | dict(rows)


def answered_counts(survey_ids: list[int]) -> dict[int, int]:
    if not survey_ids:
        return {}
    rows = db.session.execute(select(SurveyParticipation.survey_id, func.count())
                              .where(SurveyParticipation.survey_id.in_(survey_ids))
                              .group_by(SurveyParticipation.survey_id)).all()
    return {i: 0 for i in survey_ids} | dict(rows)


def member_condition(member: Member):
    """SQL on Survey: the member is in its audience."""
    return audiences_.admits(SurveyAudience, SurveyAudience.survey_id, Survey.id, *audiences_.member_values(member))


def is_eligible(survey: Survey, member: Member) -> bool:
    return bool(member.is_active) and bool(db.session.scalar(
        select(exists().where(Survey.id == survey.id, member_condition(member)))))


def has_answered(survey_id: int, member_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(SurveyParticipation.survey_id == survey_id,
                                                        SurveyParticipation.member_id == member_id))))


def my_open_surveys(member: Member, page: int, per_page: int) -> tuple[list[tuple[Survey, bool]], int]:
    """Open surveys of the member's audience, each with whether the member has answered."""
    now = utcnow()
    answered = exists().where(SurveyParticipation.survey_id == Survey.id, SurveyParticipation.member_id == member.id)
    q = select(Survey, answered.label("answered")).where(status_condition(SurveyStatus.open, now),
                                                          member_condition(member))
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    rows = db.session.execute(q.order_by(Survey.closes_at, Survey.id).offset((page - 1) * per_page)
                              .limit(per_page)).all()
    return [(s, bool(a)) for s, a in rows], total
