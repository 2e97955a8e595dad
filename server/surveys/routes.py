"""HTTP for surveys (API.md "Surveys"). Nothing here logs who answered what."""
from __future__ import annotations

from flask import g

from ..core import exports
from ..core.api import PageQuery, api
from ..core.errors import AppError
from . import answering, bp, results, services
from .models import SurveyStatus
from .presenters import member_surveys_out, survey_out, surveys_out
from .schemas import (
    MemberSurveyPage,
    ResponseCreatedOut,
    ResponseIn,
    ResultsQuery,
    SurveyIn,
    SurveyListQuery,
    SurveyOut,
    SurveyPage,
    SurveyPatch,
    SurveyResultsOut,
    SurveyTurnoutOut,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fields(body) -> dict:
    data = body.model_dump(exclude_unset=True)
    if body.audience is not None:
        data["audience"] = body.audience.groups()
    if body.questions is not None:
        data["questions"] = [{**q.model_dump(), "kind": q.kind.value} for q in body.questions]
    return data


@bp.post("/surveys")
@api(roles=["staff"], body=SurveyIn, out=SurveyOut, status=201, errors=["invalid_request"])
def create_survey(body: SurveyIn):
    """Create a draft survey (staff)."""
    return survey_out(services.create_survey(g.member.id, _fields(body)))


@bp.get("/surveys")
@api(roles=["staff"], query=SurveyListQuery, out=SurveyPage)
def list_surveys(query: SurveyListQuery):
    """Surveys, newest first, with eligible and answered counts (staff); ``status`` filters."""
    rows, total = services.list_surveys(query.status, query.page, query.per_page)
    return SurveyPage(items=surveys_out(rows), page=query.page, per_page=query.per_page, total=total)


@bp.get("/surveys/<int:survey_id>")
@api(roles=["member"], out=SurveyOut, errors=["not_found", "not_eligible"],
     also={200: "a member of the audience gets MemberSurveyOut (the questions to answer)"})
def get_survey(survey_id: int):
    """Staff: the whole survey. A member of its audience: the questions to answer and ``answered``."""
    survey = services.get(survey_id)
    if g.member.is_staff:
        return survey_out(survey)
    if survey.status == SurveyStatus.draft:
        raise services.not_found()
    if not services.is_eligible(survey, g.member):
        raise AppError("not_eligible")
    answered = services.has_answered(survey.id, g.member.id)
    return member_surveys_out([(survey, answered)], with_questions=True)[0]


@bp.patch("/surveys/<int:survey_id>")
@api(roles=["staff"], body=SurveyPatch, out=SurveyOut, errors=["not_found", "invalid_request", "survey_not_draft"])
def update_survey(survey_id: int, body: SurveyPatch):
    """Edit a draft survey (staff); questions and audience, when given, are replaced whole."""
    return survey_out(services.update_survey(survey_id, _fields(body)))


@bp.post("/surveys/<int:survey_id>/publish")
@api(roles=["staff"], out=SurveyOut, errors=["not_found", "invalid_request", "survey_not_draft"])
def publish_survey(survey_id: int):
    """Publish a draft: scheduled until opens_at, then open until closes_at (staff)."""
    return survey_out(services.publish(survey_id))


@bp.post("/surveys/<int:survey_id>/close")
@api(roles=["staff"], out=SurveyOut, errors=["not_found", "survey_closed"])
def close_survey(survey_id: int):
    """Close a published survey now (staff)."""
    return survey_out(services.close(survey_id))


@bp.get("/me/surveys")
@api(roles=["member"], query=PageQuery, out=MemberSurveyPage)
def my_surveys(query: PageQuery):
    """Open surveys of my audience, closing soonest first, with whether I have answered."""
    rows, total = services.my_open_surveys(g.member, query.page, query.per_page)
    return MemberSurveyPage(items=member_surveys_out(rows), page=query.page, per_page=query.per_page, total=total)


@bp.post("/surveys/<int:survey_id>/responses")
@api(roles=["member"], body=ResponseIn, out=ResponseCreatedOut, status=201,
     errors=["not_found", "invalid_request", "already_answered", "not_eligible", "survey_closed"])
def respond(survey_id: int, body: ResponseIn):
    """Answer a survey, once. In an identified survey, chosen options with tags add them to me."""
    added = answering.respond(survey_id, g.member, [a.model_dump() for a in body.answers])
    return ResponseCreatedOut(survey_id=survey_id, answered=True, tags_added=added)


@bp.get("/surveys/<int:survey_id>/results")
@api(roles=["staff"], query=ResultsQuery, out=SurveyResultsOut, errors=["not_found", "invalid_request"])
def survey_results(survey_id: int, query: ResultsQuery):
    """Counts per option, scale means, texts in a random order; ``by`` breaks down by department, grid or
    tag (identified surveys) with groups under 5 respondents merged into "other" (staff)."""
    return SurveyResultsOut(**results.compute(services.get(survey_id), query.by))


@bp.get("/surveys/<int:survey_id>/results.xlsx")
@api(roles=["staff"], produces=[XLSX], errors=["not_found"])
def survey_results_xlsx(survey_id: int):
    """The results as a spreadsheet, texts in a random order (staff)."""
    survey = services.get(survey_id)
    headers, rows = results.export_rows(results.compute(survey))
    return exports.download(rows, headers, "xlsx", sheet="问卷结果", ascii_name=f"survey-{survey.id}-results",
                            filename=f"{survey.title[:50]}结果")


@bp.get("/surveys/<int:survey_id>/turnout")
@api(roles=["staff"], out=SurveyTurnoutOut, errors=["not_found"])
def survey_turnout(survey_id: int):
    """Eligible and answered, overall and by department (groups under 5 merged), from the "has answered"
    record only (staff)."""
    return SurveyTurnoutOut(**results.turnout(services.get(survey_id)))
