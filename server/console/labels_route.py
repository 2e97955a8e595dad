"""TEMPORARY stand-in for `GET /api/v1/meta/labels` so the console can run on this branch.

The vocabulary branch serves the real route at the same path, built from the StrEnums; the lead deletes
this file (and its one registration line in console/__init__.py) when merging it. Same shape as the
contract: {vocabulary: {value: label}} in display order, ETag, public caching, 304 on If-None-Match.
"""
from __future__ import annotations

import hashlib
import json

from flask import Response, request

LABELS = {
    "event_kind": {"activity": "文体活动", "training": "培训", "health_check": "体检", "lecture": "讲座",
                   "volunteer": "志愿服务", "meeting": "会议", "other": "其他"},
    "event_status": {"published": "已发布", "cancelled": "已取消"},
    "registration_status": {"confirmed": "已报名", "waitlisted": "候补", "cancelled": "已取消"},
    "checkin_method": {"code": "签到码", "ticket": "电子票"},
    "audience_kind": {"department": "部门", "grid": "网格", "tag": "标签"},
    "calendar_kind": {"health_check": "体检", "reception_day": "书记接待日", "legal_clinic": "法律门诊"},
    "slot_status": {"open": "可预约", "cancelled": "已取消"},
    "booking_status": {"booked": "已预约", "cancelled": "已取消"},
    "suggestion_category": {"workplace_safety": "安全生产", "pay_benefits": "薪酬福利",
                            "canteen_facilities": "食堂与后勤", "management": "管理与作风",
                            "training_career": "培训与发展", "other": "其他"},
    "suggestion_status": {"new": "待处理", "in_progress": "处理中", "answered": "已答复", "closed": "已办结"},
    "notice_channel": {"push": "小程序推送", "sms": "短信", "poster": "海报"},
    "notice_status": {"draft": "草稿", "scheduled": "已排期", "sending": "发送中", "sent": "已发送"},
    "delivery_status": {"queued": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败",
                        "skipped": "未发送", "unknown": "状态未知", "duplicate": "重复"},
    "member_role": {"member": "会员", "liaison": "网格联络员", "staff": "工会干事", "secretary": "工会主席/书记",
                    "admin": "系统管理员"},
    "reminder_status": {"pending": "待发送", "sent": "已发送", "missed": "已错过"},
}
_BODY = json.dumps(LABELS, ensure_ascii=False, separators=(",", ":"))
_ETAG = hashlib.sha256(_BODY.encode()).hexdigest()[:32]


def meta_labels():
    """The display labels of every vocabulary (temporary stand-in, see the module docstring)."""
    headers = {"ETag": f'"{_ETAG}"', "Cache-Control": "public, max-age=300"}
    if request.if_none_match.contains(_ETAG):
        return Response(status=304, headers=headers)
    return Response(_BODY, mimetype="application/json", headers=headers)


def register(state) -> None:
    state.app.add_url_rule("/api/v1/meta/labels", "meta_labels_stub", meta_labels, methods=["GET"])
