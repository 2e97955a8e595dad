"""Every error code the API answers: its HTTP status, its default Chinese message and what it means.

``AppError(code)`` takes the status and the message from here; ``@api(errors=[...])`` refuses a code that
is not here when the module is imported; the OpenAPI document describes each declared code from here.
Codes and statuses are fixed by API.md. A call site passes its own message only when it tells the reader
more than the default (a limit, a time, a name, which of two reasons); clients switch on the code.
"""
from __future__ import annotations

from typing import NamedTuple


class ErrorCode(NamedTuple):
    status: int
    message: str  # default, shown to members and staff
    description: str  # for the OpenAPI document


CATALOGUE: dict[str, ErrorCode] = {
    # the request itself
    "invalid_request": ErrorCode(400, "请求内容有误", "The body, query or a header is malformed; details.fields names each."),
    "method_not_allowed": ErrorCode(405, "不支持该请求方法", "The path does not take this method; Allow lists those it takes."),
    "payload_too_large": ErrorCode(413, "请求内容过大", "The body exceeds the size limit."),
    "uri_too_long": ErrorCode(414, "请求地址过长", "The request line exceeds the size limit."),
    "unsupported_media_type": ErrorCode(415, "请求内容格式不受支持", "The body's media type is not one the route accepts."),
    "header_fields_too_large": ErrorCode(431, "请求头过大", "The request headers exceed the size limit."),
    "rate_limited": ErrorCode(429, "请求过于频繁，请稍后再试", "Too many attempts; Retry-After says when to try again."),
    "not_found": ErrorCode(404, "请求的内容不存在", "The path or the object it names does not exist."),
    "http_error": ErrorCode(400, "请求无法处理", "Any other HTTP error; the status is that error's own."),
    "internal_error": ErrorCode(500, "服务器内部错误", "An unexpected failure, logged on the server."),
    "service_unavailable": ErrorCode(503, "服务暂时不可用，请稍后重试", "Temporarily unavailable; retry after Retry-After."),
    "write_conflict": ErrorCode(409, "数据刚被其他操作修改，本次未保存，请重试",
                                "Another request stored a clashing change first; nothing was stored; a retry sees theirs."),
    # sign-in and roles
    "unauthenticated": ErrorCode(401, "请先登录", "No valid token: missing, expired, revoked, or its member is gone."),
    "forbidden": ErrorCode(403, "没有权限执行此操作", "The signed-in member lacks the role the route requires."),
    "invalid_credentials": ErrorCode(401, "工号或密码不正确", "Wrong employee number or password."),
    "wechat_login_failed": ErrorCode(401, "微信登录失败，请重试", "WeChat rejected the login code."),
    "wechat_unavailable": ErrorCode(503, "暂时无法连接微信服务，请稍后重试", "WeChat's servers did not answer."),
    "not_on_roster": ErrorCode(404, "该手机号不在工会会员名册中，请联系工会核对", "The phone number is on no active roster entry."),
    "phone_taken": ErrorCode(409, "该手机号已被其他会员使用", "Another member holds the phone number given."),
    "already_bound": ErrorCode(409, "该会员已绑定其他微信账号，请联系工会", "The member or the WeChat user is bound to another."),
    "not_bound": ErrorCode(403, "请先绑定手机号以验证会员身份", "The WeChat user is not yet bound to a roster entry."),
    # events, sign-up, check-in
    "not_eligible": ErrorCode(403, "您不在面向的部门或群体范围内", "The member is outside the audience."),
    "signup_closed": ErrorCode(409, "当前不在报名时间内", "Outside the sign-up window; details give its bounds."),
    "event_full": ErrorCode(409, "名额已满", "No seat left and no waiting list."),
    "event_cancelled": ErrorCode(409, "活动已取消", "The event is cancelled."),
    "event_started": ErrorCode(409, "活动已开始，不能取消报名", "The event has started; the registration stays."),
    "event_ended": ErrorCode(409, "活动已结束", "The event is over and can no longer be changed this way."),
    "capacity_below_confirmed": ErrorCode(409, "名额不能少于已报名成功的人数", "Capacity below the confirmed registrations."),
    "already_checked_in": ErrorCode(409, "您已签到，不能取消报名", "The member has checked in; the registration stays."),
    "invalid_token": ErrorCode(400, "签到码无效，请重新扫码", "The code or ticket is forged, malformed or for another event."),
    "token_expired": ErrorCode(400, "签到码已过期，请扫描现场最新的二维码", "The venue code has rotated past its validity."),
    "not_registered": ErrorCode(403, "您没有报名该活动", "No confirmed registration; details.reason says which state."),
    "checkin_closed": ErrorCode(409, "当前不在签到时间内", "Outside the check-in window; details give its bounds."),
    # notices
    "empty_audience": ErrorCode(400, "没有符合条件的会员，通知未发送", "The notice's audience has no member."),
    "poster_font_missing": ErrorCode(503, "缺少海报所需的中文字体", "The server lacks the Chinese font the poster needs."),
    # slot booking
    "slot_full": ErrorCode(409, "该时段已约满", "The slot has no place left."),
    "booking_limit": ErrorCode(409, "已达可同时预约的上限", "The member holds the calendar's maximum of active bookings."),
    "slot_not_open": ErrorCode(409, "该时段当前不可预约", "Cancelled, not yet published or started; details.reason says which."),
    "cancel_cutoff_passed": ErrorCode(409, "已过取消截止时间，如需取消请联系工会", "Too close to the start to cancel online."),
    "slot_overlap": ErrorCode(409, "时段重叠", "The slot overlaps another of the calendar; details.overlaps lists them."),
    "slot_cancelled": ErrorCode(409, "该时段已取消，不能修改", "The slot is cancelled."),
    "capacity_below_booked": ErrorCode(409, "名额不能少于已预约人数", "Capacity below the places already booked."),
    # suggestion box
    "suggestion_closed": ErrorCode(409, "该建议已关闭，不能再回复", "The suggestion is closed."),
    "no_staff_reply": ErrorCode(409, "请先答复该意见，再公开到意见公示栏", "Only a suggestion staff have answered can be made public."),
    # requests and uploads
    "invalid_transition": ErrorCode(409, "当前状态下不能进行此操作，请刷新后查看", "The action does not apply to the object's current status."),
    "invalid_attachment": ErrorCode(400, "图片无效", "An upload id is unknown, someone else's, already used, repeated, or too many."),
    "unsupported_image": ErrorCode(400, "图片格式不受支持或文件已损坏，请上传 JPEG、PNG 或 WebP 图片", "Not a JPEG, PNG or WebP by its content, or truncated or corrupt."),
    "image_too_large": ErrorCode(400, "图片像素过多，请缩小后再上传", "The image has more pixels than uploads allow (a decompression bomb, or simply too large)."),
    "invalid_assignee": ErrorCode(400, "不能指派给该会员", "The assignee is not staff, nor a liaison of the request's grid (for a request liaisons may see)."),
    # surveys
    "already_answered": ErrorCode(409, "您已提交过本问卷，每人只能提交一次", "The member has answered this survey already (one response per member)."),
    "survey_closed": ErrorCode(409, "问卷未开放或已结束", "The survey is not open: not yet opened, closed, or a draft."),
    "survey_not_draft": ErrorCode(409, "问卷已发布，不能再修改", "Only a draft survey can be edited or published."),
    "not_a_liaison": ErrorCode(400, "该会员不是网格联络员", "Grids are added only to a member who holds the liaison role."),
    # votes
    "already_voted": ErrorCode(409, "您已投过票，每人只能投一次", "The member has cast a ballot in this vote already."),
    "vote_closed": ErrorCode(409, "当前不在投票时间内", "The vote is not open now (not yet open, or closed); details give its bounds."),
    "vote_not_closed": ErrorCode(409, "投票尚未结束", "Paper counts are entered after the vote's close only."),
    "paper_counts_pending": ErrorCode(409, "已有其他工作人员录入纸质票数，请由您核对确认", "Another staff member's entry awaits confirmation: confirm it instead."),
    "paper_counts_missing": ErrorCode(409, "尚无待确认的纸质票数，请先录入", "Nothing entered yet to confirm."),
    "paper_counts_recorded": ErrorCode(409, "纸质票数已确认记录，不能再修改", "The paper count is confirmed and recorded."),
    "paper_same_person": ErrorCode(409, "纸质票数须由另一位工作人员核对确认", "The confirming staff member must differ from the one who entered."),
    "paper_counts_mismatch": ErrorCode(409, "两次录入的纸质票数不一致，请两位工作人员重新录入", "The confirmation differs from the entry; the entry is discarded and both enter again."),
    # Congress proposals
    "not_enough_cosigners": ErrorCode(409, "附议人数不足，暂不能提交", "Fewer co-signers than the session requires; details.required, details.cosigners."),
    "session_closed": ErrorCode(409, "本届提案征集已截止", "The congress session's closes_at has passed: no more submissions."),
    "already_cosigned": ErrorCode(409, "您已附议过该提案", "The member has co-signed this proposal already."),
    "own_proposal": ErrorCode(409, "不能附议自己的提案", "The proposer cannot co-sign their own proposal."),
    # council and craftsman star
    "not_in_department": ErrorCode(400, "该会员不在此部门的名册中", "A department's representative must be on that department's roster."),
    "topic_exists": ErrorCode(409, "该月份已有议事会议题", "One council topic per month."),
    "topic_closed": ErrorCode(409, "本议题已截止征集", "The council topic no longer takes ideas or supports."),
    "own_idea": ErrorCode(409, "不能支持自己提出的建议", "A member cannot support their own idea."),
    "already_supported": ErrorCode(409, "您已支持过这条建议", "One support per member and idea."),
    "not_supported": ErrorCode(409, "您没有支持过这条建议", "There is no support of the caller's to withdraw."),
    "round_exists": ErrorCode(409, "该年度已有工匠之星评选", "One craftsman-star round per year."),
    "nomination_closed": ErrorCode(409, "推荐已截止", "The round no longer takes nominations."),
    "already_nominated": ErrorCode(409, "该会员本年度已被推荐", "One nomination per nominee and round."),
    "review_closed": ErrorCode(409, "评审已截止", "The round's review period is over."),
    "already_reviewed": ErrorCode(409, "您已评审过该推荐", "One review per committee member and nomination."),
    "shortlist_too_short": ErrorCode(409, "入围人数少于评选名额，不能发起投票", "Fewer shortlisted nominees than winners."),
    # procurement comparisons and award procedures
    "procurement_decided": ErrorCode(409, "该比价已定标，不能再更改", "The purchase is decided: no more quotes, confirmations or decisions."),
    "not_enough_quotes": ErrorCode(409, "报价不足，暂不能定标", "At or over the threshold a decision needs three quotes; details.required, details.quotes."),
    "not_enough_representatives": ErrorCode(409, "参与比价的职工代表不足，暂不能定标", "At or over the threshold at least two named worker representatives must take part."),
    "representatives_unconfirmed": ErrorCode(409, "尚有职工代表未确认参与，暂不能定标", "Every named representative must confirm before the decision; details.unconfirmed names them."),
    "not_a_representative": ErrorCode(403, "您不是该比价指定的职工代表", "Only a named worker representative confirms taking part."),
    "already_confirmed": ErrorCode(409, "您已确认参与过该比价", "A representative confirms once."),
    "award_not_draft": ErrorCode(409, "评选已公示，不能再修改提名", "Nominees are added and removed only before the decision."),
    "too_many_winners": ErrorCode(400, "拟表彰人数超过名额", "The winners exceed the award's quota; details.quota."),
    "objection_closed": ErrorCode(409, "当前不在公示期内，不能提出异议", "Objections are taken only during the notice period; details.closes_at."),
    "notice_period_open": ErrorCode(409, "公示期尚未结束，暂不能确定最终名单", "The final list comes after the notice period; details.closes_at."),
    # union fund ledger
    "invalid_pdf": ErrorCode(400, "PDF 文件无效或已损坏", "Not a plain PDF by its content (header, trailer), or it carries active content."),
    "month_published": ErrorCode(409, "该月经费收支已公开，不能修改；请在以后月份录入冲销分录",
                                 "The month is published (sealed): its entries cannot be added, changed or deleted, nor the month published again."),
    "month_not_over": ErrorCode(409, "该月尚未结束，不能公开", "A month is published only after it has ended (Asia/Shanghai)."),
    "entries_pending": ErrorCode(409, "该月还有待审批的分录，不能公开", "The month has entries awaiting approval."),
    "previous_month_unpublished": ErrorCode(409, "上一个月尚未公开，请按月份顺序公开",
                                            "Months are published in order: the previous calendar month is not published."),
    "self_approval": ErrorCode(403, "不能审批自己录入或修改的分录，请由另一位管理员审批",
                               "Four eyes: an entry is approved or rejected by an admin who neither created nor last changed it."),
    "reversal_exceeds": ErrorCode(409, "冲销金额超过原分录尚未冲销的金额", "A reversal may take back at most what is left of the entry it reverses."),
    "entry_reversed": ErrorCode(409, "该分录已被冲销，不能修改金额、科目或删除", "An entry that reversals name keeps its kind, category and at least the amount they take back, and is not deleted."),
    "category_exists": ErrorCode(409, "该科目编码已存在", "Category codes are unique."),
    # audits and the improvement list
    "audit_exists": ErrorCode(409, "该期间的此类审计已存在", "One audit per kind and period."),
    "audit_incomplete": ErrorCode(409, "还有检查项目未判定，不能结束审计", "Every checklist item needs a result before the close; details.items lists the others."),
    "item_not_failed": ErrorCode(409, "只有判定为不符合的项目才能列入整改", "A finding is opened from an item marked fail."),
    # benefits and care packs
    "already_claimed": ErrorCode(409, "您已领取过本次福利，每人限领一份", "One live claim per member and campaign; details.claim_id."),
    "out_of_stock": ErrorCode(409, "该选项已领完，请选择其他选项", "The option's stock is all claimed; details.option_id."),
    "claim_closed": ErrorCode(409, "当前不在领取时间内", "Outside the claim window (or, to cancel a claim, after it); details.opens_at, closes_at."),
    "already_redeemed": ErrorCode(409, "该领取码已核销", "The claim was redeemed before; details.redeemed_at is the first time."),
    "redeem_closed": ErrorCode(409, "已超过核销截止时间", "The scan is after the campaign's redeem_until; details.redeem_until."),
    "claim_cancelled": ErrorCode(409, "该领取已取消", "The claim was cancelled by the member."),
    "benefit_cancelled": ErrorCode(409, "该福利活动已取消", "The campaign is cancelled: no claims, redemptions or changes."),
}


def check_codes(codes, where: str) -> list[str]:
    """The codes as a list, or ValueError naming ``where`` and the codes the catalogue lacks."""
    codes = list(codes)
    unknown = [c for c in codes if c not in CATALOGUE]
    if unknown:
        raise ValueError(f"{where}: error codes not in server/core/error_codes.py: {', '.join(unknown)}")
    return codes
