"""Telling people about a proposal through the notice pipeline (source ``proposal``), queued in the step's
transaction. A confidential proposal is named by number only: notices are kept in inboxes and SMS logs."""
from __future__ import annotations

from collections.abc import Iterable

from ..member_requests.jobs import members_with_role
from ..notices import services as notices
from ..notices.models import NoticeSource
from .models import Proposal

PAGE = "pages/proposals/detail?id={id}"
INVITE_PAGE = "pages/proposals/cosign?token={token}"


def send(member_ids: Iterable[int], title: str, body: str, page: str | None = None) -> int | None:
    """One notice to the active members among ``member_ids``; None when nobody is left to tell."""
    ids = sorted(set(member_ids))
    if not ids:
        return None
    notice = notices.tell({"member_ids": ids}, title=title, body=body, source=NoticeSource.proposal, page=page,
                          sms_fallback=True)
    return notice.id if notice else None


def subject(p: Proposal) -> str:
    return f"提案 #{p.id}" if p.confidential else f"提案“{p.title}”"


def staff_ids() -> set[int]:
    return members_with_role("staff")


def submitted(p: Proposal) -> None:
    send(staff_ids() - {p.member_id}, "新提案待审查", f"收到新的职代会{subject(p)}，请及时审查立案。",
         PAGE.format(id=p.id))


def invited(p: Proposal, member_ids: list[int], proposer_name: str, token: str) -> None:
    send(set(member_ids) - {p.member_id}, "邀请您附议提案",
         f"{proposer_name}邀请您附议{subject(p)}，请查看后决定是否附议。", INVITE_PAGE.format(token=token))


def reviewed(p: Proposal, decision_label: str) -> None:
    send([p.member_id], f"提案审查结果：{decision_label}", f"您的{subject(p)}审查结果为“{decision_label}”，请查看。",
         PAGE.format(id=p.id))


def assigned(p: Proposal) -> None:
    send([p.member_id], "提案已交办", f"您的{subject(p)}已交由{p.lead_department}牵头办理。", PAGE.format(id=p.id))


def completed(p: Proposal) -> None:
    send([p.member_id], "提案已办结", f"您的{subject(p)}已办结，请查看办理报告并评价。", PAGE.format(id=p.id))
