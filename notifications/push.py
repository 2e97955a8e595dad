"""Mini-program subscribe messages: one message per consent, fields cut to WeChat's rules."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .base import Outcome
from .wechat import WeChatError, WeChatGateway, WeChatUnavailable

NO_CONSENT = 43101
# Errors that no retry will mend.
PERMANENT = {
    NO_CONSENT: "用户未授权或授权次数已用完",
    40003: "openid 无效",
    40037: "模板 ID 无效",
    47003: "模板数据不符合规则",
    41030: "页面路径无效",
}
RETRY_LATER = {45009: 60.0, -1: 5.0}  # frequency limit, system busy

# Length limits per field type (INTEGRATIONS.md §2): characters, counted as WeChat counts them.
LIMITS = {"thing": 20, "number": 32, "letter": 32, "symbol": 5, "character_string": 32,
          "phone_number": 17, "car_number": 8, "name": 10, "phrase": 5}


def clip(value: str, limit: int) -> str:
    """Cut to `limit` characters at a clean place, marking the cut with an ellipsis."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    return value[: limit - 1].rstrip("，。、；：,.;: ") + "…"


def field_value(key: str, value: Any) -> str:
    """A template field's value made valid for its type (the type is the key without its number)."""
    kind = key.rstrip("0123456789")
    if isinstance(value, datetime):
        value = value.strftime("%Y-%m-%d %H:%M") if kind in ("time", "date") else value.isoformat()
    text = str(value)
    if kind == "phrase":
        text = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff") or "通知"
    limit = LIMITS.get(kind)
    return clip(text, limit) if limit else text


def build_data(fields: Mapping[str, Any]) -> dict[str, str]:
    return {key: field_value(key, value) for key, value in fields.items()}


def send(gateway: WeChatGateway, openid: str, template_id: str, fields: Mapping[str, Any],
         page: str | None = None) -> Outcome:
    """Send one subscribe message and say what happened; never raises for WeChat's faults."""
    try:
        gateway.send_subscribe_message(openid, template_id, build_data(fields), page=page)
    except WeChatUnavailable as e:
        return Outcome.retry(f"unavailable: {e}"[:500])
    except WeChatError as e:
        error = f"{e.errcode} {PERMANENT.get(e.errcode, e.errmsg)}"[:500]
        if e.errcode in PERMANENT:
            return Outcome.failed(error)
        return Outcome.retry(error, retry_after=RETRY_LATER.get(e.errcode))
    return Outcome.sent()
