from __future__ import annotations

from flask import g

from ..core.api import PageQuery, api
from . import bp, services
from .presenters import idea_out, ideas_out, representatives_out, topic_out, topics_out
from .schemas import (
    AnswerIn,
    IdeaIn,
    IdeaOut,
    IdeaPage,
    IdeaQuery,
    RepresentativeIn,
    RepresentativeList,
    RepresentativeOut,
    TopicIn,
    TopicOut,
    TopicPage,
)


@bp.get("/council/representatives")
@api(roles=["member"], out=RepresentativeList)
def list_representatives():
    """The council: one representative per department, by department name."""
    return RepresentativeList(items=representatives_out(services.representatives()))


@bp.put("/council/representatives")
@api(roles=["admin"], body=RepresentativeIn, out=RepresentativeOut, errors=["not_in_department"])
def put_representative(body: RepresentativeIn):
    """Appoint or replace a department's representative; the member must be on that department's roster."""
    services.set_representative(g.member.id, body.department, body.member_id)
    rows = [r for r in services.representatives() if r[1] == body.department]
    return representatives_out(rows)[0]


@bp.post("/council/topics")
@api(roles=["staff"], body=TopicIn, out=TopicOut, status=201, errors=["topic_exists"])
def create_topic(body: TopicIn):
    """The month's topic (one per month); every member is told (notice source council)."""
    topic = services.create_topic(g.member.id, **body.model_dump())
    return topic_out(topic, g.member.id)


@bp.get("/council/topics")
@api(roles=["member"], query=PageQuery, out=TopicPage)
def list_topics(query: PageQuery):
    """Topics, latest month first."""
    topics, total = services.list_topics(query.page, query.per_page)
    return TopicPage(items=topics_out(topics), page=query.page, per_page=query.per_page, total=total)


@bp.get("/council/topics/<int:topic_id>")
@api(roles=["member"], out=TopicOut, errors=["not_found"])
def get_topic(topic_id: int):
    """A topic with the council's selection and management's answers."""
    return topic_out(services.get_topic(topic_id), g.member.id)


@bp.get("/council/topics/<int:topic_id>/ideas")
@api(roles=["member"], query=IdeaQuery, out=IdeaPage, errors=["not_found"])
def list_ideas(topic_id: int, query: IdeaQuery):
    """A topic's ideas with their support counts, most supported first (``sort=new``: newest first)."""
    rows, total = services.list_ideas(topic_id, query.sort, query.status, query.page, query.per_page)
    return IdeaPage(items=ideas_out(rows, g.member.id), page=query.page, per_page=query.per_page, total=total)


@bp.post("/council/topics/<int:topic_id>/ideas")
@api(roles=["member"], body=IdeaIn, out=IdeaOut, status=201, errors=["not_found", "topic_closed"])
def post_idea(topic_id: int, body: IdeaIn):
    """An idea for an open topic."""
    return idea_out(services.post_idea(g.member.id, topic_id, body.title, body.body), g.member.id)


@bp.post("/council/ideas/<int:idea_id>/support")
@api(roles=["member"], out=IdeaOut, status=201, errors=["not_found", "topic_closed", "own_idea", "already_supported"])
def support_idea(idea_id: int):
    """Support an idea (one support per member; not one's own) while its topic is open."""
    return idea_out(services.support(g.member.id, idea_id), g.member.id)


@bp.delete("/council/ideas/<int:idea_id>/support")
@api(roles=["member"], out=IdeaOut, errors=["not_found", "topic_closed", "not_supported"])
def withdraw_support(idea_id: int):
    """Withdraw one's support while the topic is open."""
    return idea_out(services.withdraw_support(g.member.id, idea_id), g.member.id)


@bp.post("/council/ideas/<int:idea_id>/select")
@api(roles=["staff"], out=IdeaOut, errors=["not_found", "invalid_transition"])
def select_idea(idea_id: int):
    """Staff record the council's selection: forwarded to management; the author is told."""
    return idea_out(services.select_idea(g.member.id, idea_id), g.member.id)


@bp.post("/council/ideas/<int:idea_id>/answer")
@api(roles=["staff"], body=AnswerIn, out=IdeaOut, errors=["not_found", "invalid_transition"])
def answer_idea(idea_id: int, body: AnswerIn):
    """Management's answer to a selected idea, published with its topic; the author is told."""
    return idea_out(services.answer_idea(g.member.id, idea_id, body.answer), g.member.id)
