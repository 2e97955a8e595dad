"""HTTP for the suggestion box. Nothing here logs, and the submitter's identity is used only to count."""
from __future__ import annotations

from flask import current_app, g, request

from ..core import ratelimit
from ..core.api import PageQuery, api
from . import bp, services
from .presenters import message_out, public_suggestions_out, staff_suggestions_out, suggestion_out
from .schemas import (
    CreatedOut,
    MessageIn,
    MessageOut,
    MineOut,
    StaffMessageIn,
    StaffSuggestionOut,
    StatsOut,
    SuggestionBoardPage,
    SuggestionIn,
    SuggestionInboxPage,
    SuggestionInboxQuery,
    SuggestionOut,
    SuggestionPatch,
)

RECEIPT_HEADER = "X-Receipt"


@bp.post("/suggestions")
@api(roles=["member"], body=SuggestionIn, out=CreatedOut, status=201, errors=["rate_limited"])
def create_suggestion(body: SuggestionIn):
    """Submit a suggestion anonymously; the member only counts towards the daily limit.

    The receipt holder can read it at once; staff see it once the scheduler has filed it."""
    suggestion, receipt = services.submit(g.member.id, body.category, body.title, body.content)
    out = CreatedOut(id=suggestion.id, receipt=receipt, status=suggestion.status)
    return out


def _count_receipt_use() -> None:
    # Per client address, before any hashing: each receipt check is a 16 MiB scrypt and needs no sign-in.
    ratelimit.hit(current_app.config["RECEIPT_LOOKUP_LIMIT"], "suggestion-receipt", ratelimit.client_address())


RECEIPT_ERRORS = ["not_found", "rate_limited", "service_unavailable"]


# The receipt alone opens a suggestion: asking for a token too would tie the follow-up to a member.
@bp.get("/suggestions/mine")
@api(out=MineOut, errors=RECEIPT_ERRORS,
     headers={RECEIPT_HEADER: "the receipt code given when the suggestion was sent"})
def my_suggestion():
    """The suggestion of the receipt in X-Receipt, with its replies (also before staff can see it)."""
    _count_receipt_use()
    opened = services.by_receipt(request.headers.get(RECEIPT_HEADER))
    return MineOut(suggestion=suggestion_out(opened.suggestion),
                   messages=[message_out(m) for m in services.submitter_thread(opened)])


@bp.post("/suggestions/mine/messages")
@api(body=MessageIn, out=MessageOut, status=201, errors=RECEIPT_ERRORS + ["suggestion_closed"],
     headers={RECEIPT_HEADER: "the receipt code given when the suggestion was sent"})
def reply_as_submitter(body: MessageIn):
    """Reply in the thread of the receipt in X-Receipt; staff see the reply once it is filed."""
    _count_receipt_use()
    opened = services.by_receipt(request.headers.get(RECEIPT_HEADER))
    out = message_out(services.reply_as_submitter(opened, body.body))
    return out


@bp.get("/suggestions")
@api(roles=["staff"], query=SuggestionInboxQuery, out=SuggestionInboxPage)
def inbox(query: SuggestionInboxQuery):
    """The staff inbox, by status and category, with each thread."""
    rows, total = services.inbox(query.status, query.category, query.page, query.per_page)
    return SuggestionInboxPage(items=staff_suggestions_out(rows), page=query.page, per_page=query.per_page,
                               total=total)


@bp.post("/suggestions/<suggestion_id>/messages")
@api(roles=["staff"], body=StaffMessageIn, out=MessageOut, status=201, errors=["not_found", "suggestion_closed"])
def reply_as_staff(suggestion_id: str, body: StaffMessageIn):
    """Reply to a suggestion (staff); the receipt holder reads it. With mark_answered the suggestion is
    marked answered by the same request."""
    out = message_out(services.reply_as_staff(services.get(suggestion_id), body.body, body.mark_answered))
    return out


@bp.patch("/suggestions/<suggestion_id>")
@api(roles=["staff"], body=SuggestionPatch, out=SuggestionOut, errors=["not_found", "no_staff_reply"])
def patch_suggestion(suggestion_id: str, body: SuggestionPatch):
    """Change status or publish to the public board (staff); publishing needs a staff reply."""
    s = services.update_suggestion(suggestion_id, body.status, body.public)
    out = suggestion_out(s)
    return out


@bp.get("/suggestions/public")
@api(roles=["member"], query=PageQuery, out=SuggestionBoardPage)
def public_board(query: PageQuery):
    """Published suggestions with the staff's answers (the submitter's own replies stay private)."""
    rows, total = services.public_board(query.page, query.per_page)
    return SuggestionBoardPage(items=public_suggestions_out(rows), page=query.page, per_page=query.per_page,
                               total=total)


@bp.get("/suggestions/stats")
@api(roles=["staff"], out=StatsOut)
def suggestion_stats():
    """Counts by category and month (staff); no group under 5 is shown."""
    return StatsOut(**services.stats())


@bp.get("/suggestions/<suggestion_id>")
@api(roles=["staff"], out=StaffSuggestionOut, errors=["not_found"])
def staff_suggestion(suggestion_id: str):
    """One suggestion with its thread (staff)."""
    return staff_suggestions_out([services.get(suggestion_id)])[0]
