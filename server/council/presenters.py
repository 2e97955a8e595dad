"""Rows → output models; a page in a fixed number of statements."""
from __future__ import annotations

from . import services
from .models import CouncilIdea, CouncilTopic
from .schemas import IdeaOut, PersonOut, RepresentativeOut, TopicOut


def ideas_out(rows: list[tuple[CouncilIdea, int]], viewer_id: int) -> list[IdeaOut]:
    ids = [i.id for i, _ in rows]
    mine = services.supported_by(viewer_id, ids)
    authors = services.names(i.author_id for i, _ in rows)
    return [IdeaOut(id=i.id, topic_id=i.topic_id, title=i.title, body=i.body,
                    author=PersonOut(id=i.author_id, name=authors.get(i.author_id, "")), status=i.status, supports=n,
                    supported=i.id in mine, mine=i.author_id == viewer_id, created_at=i.created_at,
                    selected_at=i.selected_at, answer=i.answer, answered_at=i.answered_at) for i, n in rows]


def idea_out(idea: CouncilIdea, viewer_id: int) -> IdeaOut:
    return ideas_out([(idea, services.supports_of([idea.id]).get(idea.id, 0))], viewer_id)[0]


def topics_out(topics: list[CouncilTopic]) -> list[TopicOut]:
    counts = services.idea_counts([t.id for t in topics])
    return [TopicOut(id=t.id, month=t.month, title=t.title, description=t.description,
                     status=services.topic_status(t), closes_at=t.closes_at, ideas_count=counts.get(t.id, 0),
                     created_at=t.created_at, selected=[]) for t in topics]


def topic_out(topic: CouncilTopic, viewer_id: int) -> TopicOut:
    out = topics_out([topic])[0]
    out.selected = ideas_out(services.selected_ideas(topic.id), viewer_id)
    return out


def representatives_out(rows) -> list[RepresentativeOut]:
    return [RepresentativeOut(department=dept, member=PersonOut(id=r.member_id, name=name), appointed_at=r.appointed_at)
            for r, dept, name in rows]
