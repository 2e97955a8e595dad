"""Output of the suggestion box: rows into the response schemas; each page's threads in one statement."""
from __future__ import annotations

from . import services
from .models import Suggestion, SuggestionCategory
from .schemas import AnswerOut, MessageOut, PublicSuggestionOut, StaffSuggestionOut, SuggestionOut


def suggestion_out(s: Suggestion) -> SuggestionOut:
    return SuggestionOut(
        id=s.id, category=s.category, category_label=SuggestionCategory(s.category).label,
        title=s.title, content=s.content, status=s.status, public=s.is_public, submitted_on=s.submitted_on,
    )


def message_out(m) -> MessageOut:
    return MessageOut(from_=m.author, body=m.body, created_at=m.created_at)


def staff_suggestions_out(rows: list[Suggestion]) -> list[StaffSuggestionOut]:
    """Suggestions with their whole threads (staff), the threads of the page read at once."""
    threads = services.thread([s.id for s in rows])
    return [StaffSuggestionOut(**suggestion_out(s).model_dump(), messages=[message_out(m) for m in threads[s.id]])
            for s in rows]


def public_suggestions_out(rows: list[Suggestion]) -> list[PublicSuggestionOut]:
    """Published suggestions with the staff's answers only (the submitter's own replies stay private)."""
    threads = services.thread([s.id for s in rows])
    return [
        PublicSuggestionOut(
            id=s.id, category=s.category, category_label=SuggestionCategory(s.category).label,
            title=s.title, content=s.content, submitted_on=s.submitted_on,
            answers=[AnswerOut(body=m.body, created_at=m.created_at) for m in threads[s.id] if m.author == "staff"],
        )
        for s in rows
    ]
