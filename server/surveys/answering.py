"""Answering a survey, and filing held anonymous responses.

One response per member: the participation row's primary key decides, inside a SAVEPOINT, so of two
requests at once (two devices, sixteen threads) one inserts and the other gets 409 already_answered.
An identified response is written at once, with the member, and adds the needs-profile tags. An anonymous
response is sealed (core.sealed) into ``survey_held_responses`` and filed later by ``file_held`` in a
shuffled batch, with a random id, the batch's day, and only those of its department and grid names that at
least 5 of the survey's respondents share (docs/anonymity.md).
"""
from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from ..core import sealed
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, savepoint
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Department, Grid, Member, MemberTag, Tag, TagSource
from ..notices.services import upsert
from . import services
from .models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyHeldResponse,
    SurveyOptionTag,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)

log = logging.getLogger(__name__)
PURPOSE = "surveys/held-responses"


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


# --- checking the answers ---------------------------------------------------------------------------

def answer_rows(questions: list[SurveyQuestion], answers: list[dict]) -> list[dict]:
    """The answers as answer rows without response and survey ids: ``question_id``, ``item``, ``value``,
    ``text``. Raises 400 invalid_request naming each bad ``answers.<i>`` (or ``answers`` for a required
    question left out)."""
    by_pos = {q.position: q for q in questions}
    bad: dict[str, str] = {}
    rows: list[dict] = []
    seen: set[int] = set()
    for i, a in enumerate(answers):
        at = f"answers.{i}"
        q = by_pos.get(a["question"])
        if q is None:
            bad[at] = "题目不存在"
            continue
        if q.position in seen:
            bad[at] = "同一题只能回答一次"
            continue
        seen.add(q.position)
        given = {k for k in ("choice", "choices", "value", "text") if a.get(k) is not None}
        expected = {"single": "choice", "multiple": "choices", "scale": "value", "text": "text"}[q.kind]
        if given != {expected}:
            bad[at] = {"choice": "单选题请填写 choice（选项序号）", "choices": "多选题请填写 choices（选项序号数组）",
                       "value": "评分题请填写 value（1–5）", "text": "文字题请填写 text"}[expected]
            continue
        if q.kind == QuestionKind.single:
            if a["choice"] >= len(q.options):
                bad[at] = "选项不存在"
                continue
            rows.append({"question_id": q.id, "item": a["choice"], "value": None, "text": None})
        elif q.kind == QuestionKind.multiple:
            choices = a["choices"]
            if not choices and q.required:
                bad[at] = "请至少选择一项"
            elif len(set(choices)) != len(choices):
                bad[at] = "选项不能重复"
            elif any(c < 0 or c >= len(q.options) for c in choices):
                bad[at] = "选项不存在"
            else:
                rows += [{"question_id": q.id, "item": c, "value": None, "text": None} for c in choices]
        elif q.kind == QuestionKind.scale:
            rows.append({"question_id": q.id, "item": 0, "value": a["value"], "text": None})
        else:
            text = a["text"].strip()
            if not text:
                if q.required:
                    bad[at] = "请填写内容"
                continue
            rows.append({"question_id": q.id, "item": 0, "value": None, "text": text})
    missing = [q.position for q in questions if q.required and q.position not in seen]
    if missing:
        bad["answers"] = "以下必答题未回答：" + "、".join(str(p) for p in missing)
    if bad:
        raise invalid_request(bad)
    return rows


# --- answering --------------------------------------------------------------------------------------

def respond(survey_id: int, member: Member, answers: list[dict]) -> list[str]:
    """Record the member's response. Returns the needs-profile tags added (identified surveys).
    Raises 404 not_found (no such survey, or a draft), 409 survey_closed, 403 not_eligible,
    400 invalid_request, 409 already_answered."""
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.status == SurveyStatus.draft:
        raise services.not_found()
    if services.effective_status(survey) != SurveyStatus.open:
        raise AppError("survey_closed")
    if not services.is_eligible(survey, member):
        raise AppError("not_eligible")
    if services.has_answered(survey.id, member.id):
        raise AppError("already_answered")
    questions = services.questions_of([survey.id])[survey.id]
    rows = answer_rows(questions, answers)
    day = today()
    try:
        with savepoint():
            db.session.execute(insert(SurveyParticipation).values(survey_id=survey.id, member_id=member.id,
                                                                  answered_on=day))
    except IntegrityError:
        raise AppError("already_answered") from None
    department = db.session.get(Department, member.department_id).name if member.department_id else None
    grid = db.session.get(Grid, member.grid_id).name if member.grid_id else None
    if survey.anonymous:
        _hold(survey.id, department, grid, rows)
        return []
    response_id = sealed.new_id()
    db.session.execute(insert(SurveyResponse).values(id=response_id, survey_id=survey.id, member_id=member.id,
                                                     department=department, grid=grid, answered_on=day))
    db.session.execute(insert(SurveyAnswer), [{**r, "response_id": response_id, "survey_id": survey.id}
                                              for r in rows])
    return _add_tags(member.id, rows)


def _add_tags(member_id: int, rows: list[dict]) -> list[str]:
    """The needs profile: tags of the chosen options, added to the member in one statement."""
    chosen = [(r["question_id"], r["item"]) for r in rows if r["value"] is None and r["text"] is None]
    if not chosen:
        return []
    from sqlalchemy import tuple_

    tags = db.session.execute(select(Tag.id, Tag.name).join(SurveyOptionTag, SurveyOptionTag.tag_id == Tag.id)
                              .where(tuple_(SurveyOptionTag.question_id, SurveyOptionTag.option_index).in_(chosen))
                              ).all()
    if not tags:
        return []
    ids = sorted({t for t, _ in tags})
    db.session.execute(upsert(MemberTag).values([{"member_id": member_id, "tag_id": t, "source": TagSource.survey.value}
                                                 for t in ids]).on_conflict_do_nothing())
    return sorted({n for _, n in tags})


def reapply_tags(survey_id: int) -> None:
    """Add again, in one INSERT … SELECT, the needs-profile tags of every identified response of the survey
    (after an admin removed them by hand, say; a roster import leaves survey tags alone)."""
    chosen = (select(SurveyResponse.member_id, SurveyOptionTag.tag_id, literal(TagSource.survey.value))
              .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
              .join(SurveyOptionTag, (SurveyOptionTag.question_id == SurveyAnswer.question_id)
                    & (SurveyOptionTag.option_index == SurveyAnswer.item))
              .where(SurveyResponse.survey_id == survey_id, SurveyResponse.member_id.is_not(None),
                     SurveyAnswer.value.is_(None), SurveyAnswer.text.is_(None))
              .distinct())
    db.session.execute(upsert(MemberTag).from_select(["member_id", "tag_id", "source"], chosen)
                       .on_conflict_do_nothing())


# --- held anonymous responses -----------------------------------------------------------------------

def _hold(survey_id: int, department: str | None, grid: str | None, rows: list[dict]) -> None:
    """Keep an anonymous response sealed until file_held files it. Its due time is random within the
    maximum delay, so a response that never finds company is not filed at a predictable time."""
    most = current_app.config["SURVEY_MAX_DELAY_SECONDS"]
    due = utcnow() + timedelta(seconds=secrets.SystemRandom().uniform(most / 2, most))
    row_id = sealed.new_id()
    payload = {"id": sealed.new_id(), "department": department, "grid": grid,
               "answers": [[r["question_id"], r["item"], r["value"], r["text"]] for r in rows],
               "due_at": due.isoformat()}
    db.session.execute(insert(SurveyHeldResponse).values(id=row_id, survey_id=survey_id,
                                                         sealed=sealed.seal(PURPOSE, payload, row_id)))


def _shared_groups(survey_id: int) -> tuple[set[tuple], set[str]]:
    """The (department, grid) pairs and the departments that at least MIN_GROUP of the survey's respondents
    share (from the participation record): a filed anonymous response keeps only group names that many
    others share, so no stored row stands out as the one respondent of a small group."""
    from .results import MIN_GROUP

    dept, grid = Department.name, Grid.name
    base = (select(dept, grid, func.count()).select_from(SurveyParticipation)
            .join(Member, Member.id == SurveyParticipation.member_id)
            .outerjoin(Department, Department.id == Member.department_id).outerjoin(Grid, Grid.id == Member.grid_id)
            .where(SurveyParticipation.survey_id == survey_id).group_by(dept, grid))
    counts = db.session.execute(base).all()
    pairs = {(d, g) for d, g, n in counts if n >= MIN_GROUP}
    per_dept: dict = {}
    for d, _g, n in counts:
        per_dept[d] = per_dept.get(d, 0) + n
    return pairs, {d for d, n in per_dept.items() if n >= MIN_GROUP}


def held_counts(survey_ids: list[int]) -> dict[int, int]:
    if not survey_ids:
        return {}
    rows = db.session.execute(select(SurveyHeldResponse.survey_id, func.count())
                              .where(SurveyHeldResponse.survey_id.in_(survey_ids))
                              .group_by(SurveyHeldResponse.survey_id)).all()
    return {i: 0 for i in survey_ids} | dict(rows)


def file_held(force: bool = False) -> int:
    """File held anonymous responses, survey by survey, each survey's batch in a random order.

    A survey's held responses are filed once at least SURVEY_BATCH_MIN wait, or one has waited its
    random delay, or the survey is no longer open (its results are then complete), or when forced.
    The held rows are deleted in the same transaction as the filed ones are written (all or nothing;
    a second filer at once deletes fewer rows than it read and files nothing). Returns how many
    responses were filed; the caller commits."""
    sealed.secure_delete_on()
    held = db.session.execute(select(SurveyHeldResponse.id, SurveyHeldResponse.survey_id,
                                     SurveyHeldResponse.sealed)).all()
    if not held:
        return 0
    by_survey: dict[int, list[tuple[str, dict]]] = {}
    for row_id, survey_id, blob in held:
        payload = sealed.unseal(PURPOSE, blob, row_id)
        if payload is None:
            log.warning("a held survey response cannot be opened with the current keys; it is kept")
            continue
        by_survey.setdefault(survey_id, []).append((row_id, payload))
    now = utcnow()
    surveys = {s.id: s for s in db.session.scalars(select(Survey).where(Survey.id.in_(list(by_survey))))}
    minimum = current_app.config["SURVEY_BATCH_MIN"]
    filed = 0
    for survey_id, items in by_survey.items():
        survey = surveys[survey_id]
        ended = services.effective_status(survey, now) == SurveyStatus.closed
        if not (force or ended or len(items) >= minimum
                or any(datetime.fromisoformat(p["due_at"]) <= now for _, p in items)):
            continue
        ids = [i for i, _ in items]
        with db.session.begin_nested() as taking:
            if db.session.execute(delete(SurveyHeldResponse).where(SurveyHeldResponse.id.in_(ids))).rowcount \
                    != len(ids):
                taking.rollback()  # another filer took some: it files them
                continue
        payloads = sealed.shuffled([p for _, p in items])
        pairs, departments = _shared_groups(survey_id)
        day = today()  # the batch's day, not the answer's: a day with one respondent would name them
        for p in payloads:  # one statement each, in the shuffled order
            department, grid = p["department"], p["grid"]
            if (department, grid) not in pairs:
                grid = None
                if department not in departments:
                    department = None
            db.session.execute(insert(SurveyResponse).values(
                id=p["id"], survey_id=survey_id, member_id=None, department=department, grid=grid,
                answered_on=day))
        answers = sealed.shuffled([{"response_id": p["id"], "survey_id": survey_id, "question_id": q, "item": item,
                                    "value": value, "text": text}
                                   for p in payloads for q, item, value, text in p["answers"]])
        for chunk in range(0, len(answers), 500):
            db.session.execute(insert(SurveyAnswer), answers[chunk:chunk + 500])
        filed += len(payloads)
    db.session.flush()
    return filed
