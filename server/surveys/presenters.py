"""Rows → output shapes; a page loads what its rows need in a fixed number of statements."""
from __future__ import annotations

from . import services
from .models import Survey
from .schemas import MemberQuestionOut, MemberSurveyOut, QuestionOut, SurveyAudienceOut, SurveyOut


def surveys_out(surveys: list[Survey]) -> list[SurveyOut]:
    ids = [s.id for s in surveys]
    questions = services.questions_of(ids)
    tags = services.option_tags([q.id for qs in questions.values() for q in qs])
    audience = services.audience_names(ids)
    eligible = services.eligible_counts(ids)
    answered = services.answered_counts(ids)
    out = []
    for s in surveys:
        aud = audience[s.id]
        out.append(SurveyOut(
            id=s.id, title=s.title, description=s.description, anonymous=s.anonymous,
            status=services.effective_status(s),
            audience=SurveyAudienceOut(all=not any(aud.values()), **aud),
            opens_at=s.opens_at, closes_at=s.closes_at, created_at=s.created_at, published_at=s.published_at,
            questions=[QuestionOut(question=q.position, kind=q.kind, text=q.text, options=q.options,
                                   required=q.required, option_tags=tags.get(q.id, {})) for q in questions[s.id]],
            eligible_count=eligible[s.id], answered_count=answered[s.id]))
    return out


def survey_out(survey: Survey) -> SurveyOut:
    return surveys_out([survey])[0]


def member_surveys_out(rows: list[tuple[Survey, bool]], with_questions: bool = False) -> list[MemberSurveyOut]:
    questions = services.questions_of([s.id for s, _ in rows])
    return [MemberSurveyOut(
        id=s.id, title=s.title, description=s.description, anonymous=s.anonymous,
        status=services.effective_status(s), opens_at=s.opens_at, closes_at=s.closes_at, answered=answered,
        question_count=len(questions[s.id]),
        questions=[MemberQuestionOut(question=q.position, kind=q.kind, text=q.text, options=q.options,
                                     required=q.required) for q in questions[s.id]] if with_questions else None)
        for s, answered in rows]
