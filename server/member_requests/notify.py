"""Telling people about a request through the notice pipeline: one notice per step, queued in the same
transaction as the step (so no step goes unannounced and no notice announces a step that was undone).

The member hears when their request is accepted, answered or resolved; the grid's liaisons (staff, for a
confidential or hardship request, or one without a grid) hear of a new or reopened request; an assignee
hears of the assignment. Notices never carry the request's content: only its title and the step.
"""
from __future__ import annotations

from ..notices import services as notices
from ..notices.models import NoticeSource
from . import access
from .models import Request

MEMBER_PAGE = "pages/requests/detail?id={id}"
HANDLER_PAGE = "pages/requests/detail?id={id}&as=liaison"


def _send(member_ids: list[int], title: str, body: str, page: str) -> None:
    ids = sorted(set(member_ids))
    if not ids:
        return
    # tell(): a member who has left since (inactive) makes an empty audience, which must not undo the step.
    notices.tell({"member_ids": ids}, title=title, body=body, source=NoticeSource.request, page=page,
                 sms_fallback=True)


def _subject(req: Request) -> str:
    # Sensitive requests are named by number only: a lock-screen push must not tell a neighbour.
    return f"诉求 #{req.id}" if access.is_sensitive(req) else f"“{req.title}”"


def handlers_to_tell(req: Request) -> list[int]:
    """The grid's liaisons; staff when liaisons may not see it or the grid has none."""
    if not access.is_sensitive(req):
        liaisons = [m for m in access.liaisons_of_grid(req.grid_id) if m != req.member_id]
        if liaisons:
            return liaisons
    return [m for m in access.staff_ids() if m != req.member_id]


def raised(req: Request) -> None:
    urgent = "【紧急】" if req.urgent else ""
    # The liaison who raised it for the member knows already.
    _send([m for m in handlers_to_tell(req) if m != req.raised_by_id], f"{urgent}新诉求待受理",
          f"{urgent}收到新的会员诉求{_subject(req)}，请及时受理。", HANDLER_PAGE.format(id=req.id))


def reopened(req: Request) -> None:
    to = [req.assignee_id] if req.assignee_id else handlers_to_tell(req)
    _send(to, "诉求被重新打开", f"会员重新打开了诉求{_subject(req)}，请跟进处理。", HANDLER_PAGE.format(id=req.id))


def assigned(req: Request) -> None:
    if req.assignee_id:
        _send([req.assignee_id], "诉求指派给您", f"诉求{_subject(req)}已指派给您处理。", HANDLER_PAGE.format(id=req.id))


def accepted(req: Request) -> None:
    _send([req.member_id], "诉求已受理", f"您的诉求{_subject(req)}已受理，我们会尽快处理。",
          MEMBER_PAGE.format(id=req.id))


def answered(req: Request) -> None:
    _send([req.member_id], "诉求有新回复", f"您的诉求{_subject(req)}有新的回复，请查看。",
          MEMBER_PAGE.format(id=req.id))


def resolved(req: Request) -> None:
    _send([req.member_id], "诉求已办结", f"您的诉求{_subject(req)}已办结答复，请查看并确认。",
          MEMBER_PAGE.format(id=req.id))
