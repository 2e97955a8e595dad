"""SMS: Tencent Cloud SMS (API 3.0), Alibaba Cloud dysmsapi, or the log in development.

Chinese SMS providers only send approved templates: a call names a template and fills its variables.
Requests are signed by hand (TC3-HMAC-SHA256, ACS3-HMAC-SHA256; INTEGRATIONS.md §3) and sent over one
keep-alive requests.Session per provider, so no SDK is needed. `send()` never raises for a provider or
network fault: it returns one Outcome per phone, in order, for the delivery pipeline to record.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
import unicodedata
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter

from .base import Outcome, SmsMessage

log = logging.getLogger(__name__)
# Prefixes the description of a request that went out but got no answer (see Result.in_doubt).
IN_DOUBT = "in doubt: "

TENCENT_BASE_URL = "https://sms.tencentcloudapi.com/"
ALIYUN_BASE_URL = "https://dysmsapi.aliyuncs.com/"
SMS_MAX_TEXT = 500       # characters in the whole SMS, signature included (both providers)
SMS_PARAM_MAX_LEN = 20   # characters per variable; Tencent sets the real cap per account (see its console)
BEIJING = timezone(timedelta(hours=8))  # providers' daily limits reset at midnight Beijing time

_MOBILE = re.compile(r"1[3-9]\d{9}")
_PLACEHOLDER = re.compile(r"\{(\d+)\}|\$\{p(\d+)\}")  # Tencent's {1}; our Aliyun templates' ${p1}
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}  # zero-width joiner, variation selectors


# --- text rules -----------------------------------------------------------------------------------

class SmsTextError(ValueError):
    """The provider would refuse this SMS. code: param_count, param_too_long or text_too_long."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def normalize_phone(raw: str | None) -> str | None:
    """The 11-digit mainland mobile number in raw ("+86 139-1234-5678", "0086…"), or None if it is not one."""
    if not raw:
        return None
    digits = re.sub(r"[\s\-()]", "", str(raw))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if _MOBILE.fullmatch(digits) else None


def _continues(text: str, i: int) -> bool:
    """Whether text[i] belongs to the character before it (a combining mark, joiner, skin tone…)."""
    c = text[i]
    return (unicodedata.category(c) in ("Mn", "Me") or c in _JOINERS or text[i - 1] == "\u200d"
            or "\U0001f3fb" <= c <= "\U0001f3ff")


def clip_param(value: Any, max_len: int = SMS_PARAM_MAX_LEN) -> str:
    """value as one line of at most max_len characters; a longer one is cut and ends with "…".

    The cut never splits a character from its accents or an emoji sequence, so nothing half-drawn is sent.
    """
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())  # templates are one line
    if len(text) <= max_len:
        return text
    end = max_len - 1
    while end > 0 and _continues(text, end):
        end -= 1
    return text[:end].rstrip() + "…"


def render_text(sign_name: str, template_text: str, params: Sequence[str]) -> str:
    """The SMS as the member reads it: 【sign】 and the template with {1}… (or ${p1}…) filled in."""
    def fill(m: re.Match) -> str:
        i = int(m.group(1) or m.group(2))
        if not 1 <= i <= len(params):
            raise SmsTextError("param_count", f"template variable {m.group(0)} has no value")
        return params[i - 1]

    return f"【{sign_name}】" + _PLACEHOLDER.sub(fill, template_text)


def check_text(sign_name: str, template_text: str, params: Sequence[str],
               param_max_len: int = SMS_PARAM_MAX_LEN) -> str:
    """The text that will be sent, after the checks the provider makes; raises SmsTextError.

    Call it before queueing: a refused SMS fails for every recipient, so clip (clip_param) or refuse first.
    """
    wanted = len({m.group(0) for m in _PLACEHOLDER.finditer(template_text)})
    if wanted != len(params):
        raise SmsTextError("param_count", f"template takes {wanted} values, got {len(params)}")
    for p in params:
        if len(p) > param_max_len:
            raise SmsTextError("param_too_long", f"a value is {len(p)} characters; the limit is {param_max_len}")
    text = render_text(sign_name, template_text, params)
    if len(text) > SMS_MAX_TEXT:
        raise SmsTextError("text_too_long", f"the SMS is {len(text)} characters; the limit is {SMS_MAX_TEXT}")
    return text


# --- signatures -----------------------------------------------------------------------------------

def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tc3_authorization(secret_id: str, secret_key: str, service: str, timestamp: int,
                      headers: Mapping[str, str], payload: bytes,
                      signed_headers: Sequence[str] = ("content-type", "host", "x-tc-action")) -> str:
    """Tencent Cloud API 3.0 "TC3-HMAC-SHA256" Authorization header for a POST to "/"."""
    lower = {k.lower(): v for k, v in headers.items()}
    names = sorted(h.lower() for h in signed_headers)
    canonical_headers = "".join(f"{h}:{lower[h].strip().lower()}\n" for h in names)
    signed = ";".join(names)
    canonical_request = f"POST\n/\n\n{canonical_headers}\n{signed}\n{_sha256(payload)}"
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256(canonical_request)}"
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode(), date), service), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed}, Signature={signature}"


def percent_encode(value: str) -> str:
    """RFC 3986, as Alibaba Cloud canonicalises: space is %20, "*" is %2A, "~" stays."""
    return quote(value, safe="-_.~")


def acs3_authorization(access_key_id: str, access_key_secret: str, method: str, path: str,
                       query: Mapping[str, str], headers: Mapping[str, str], payload: bytes) -> str:
    """Alibaba Cloud "ACS3-HMAC-SHA256" (V3) Authorization header; host and every x-acs-* header are signed."""
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    names = sorted(h for h in lower if h in ("host", "content-type") or h.startswith("x-acs-"))
    canonical_query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(query.items()))
    canonical_headers = "".join(f"{h}:{lower[h]}\n" for h in names)
    signed = ";".join(names)
    canonical_request = f"{method}\n{path}\n{canonical_query}\n{canonical_headers}\n{signed}\n{_sha256(payload)}"
    string_to_sign = f"ACS3-HMAC-SHA256\n{_sha256(canonical_request)}"
    signature = hmac.new(access_key_secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"ACS3-HMAC-SHA256 Credential={access_key_id},SignedHeaders={signed},Signature={signature}"


# --- providers ------------------------------------------------------------------------------------

class SmsProvider(Protocol):
    name: str
    max_batch: int       # phones per send() call
    param_max_len: int   # characters per template variable
    can_pull: bool       # whether pull_status() can ask the provider what it accepted

    def send(self, phones: Sequence[str], template_id: str, params: Sequence[str],
             session_context: str | None = None) -> list[Outcome]:
        """Send one template to every phone; one Outcome per phone, in the same order. Never raises for
        provider or network faults. session_context comes back unchanged in the delivery reports."""
        ...

    def pull_status(self, phone: str, since: datetime, until: datetime) -> list[DeliveryReport]:
        """The provider's delivery reports for one phone between since and until. Raises SmsUnavailable
        when the provider cannot be asked now (network, 5xx, throttled, refused)."""
        ...


class SmsUnavailable(Exception):
    """The provider could not answer a status query; try again later (never read it as "not sent")."""


@dataclass(frozen=True)
class DeliveryReport:
    """A message the provider accepted, as its status report describes it."""

    phone: str                 # the 11-digit national number
    serial_no: str             # the provider's message id (SendSms' SerialNo)
    status: str                # SUCCESS or FAIL: whether the handset got it (both mean the provider took it)
    description: str
    session_context: str       # what SendSms carried in SessionContext
    received_at: datetime | None = None


def _seconds_to_midnight() -> float:
    now = datetime.now(BEIJING)
    return (datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), BEIJING) - now).total_seconds()


class _Provider:
    name = ""
    max_batch = 1
    can_pull = False

    def __init__(self, *, sign_name: str, param_max_len: int = SMS_PARAM_MAX_LEN):
        self.sign_name = sign_name
        self.param_max_len = param_max_len

    def send(self, phones: Sequence[str], template_id: str, params: Sequence[str],
             session_context: str | None = None) -> list[Outcome]:
        if len(phones) > self.max_batch:
            raise ValueError(f"{self.name} takes at most {self.max_batch} phones per call, got {len(phones)}")
        params = [str(p) for p in params]
        outcomes: list[Outcome | None] = [None] * len(phones)
        numbers: dict[int, str] = {}
        for i, raw in enumerate(phones):
            number = normalize_phone(raw)
            if number is None:
                outcomes[i] = Outcome.failed("invalid_phone: not a mainland mobile number")
            else:
                numbers[i] = number
        # Checked here, not only by the provider: a refused variable fails the whole request anyway.
        too_long = next((p for p in params if len(p) > self.param_max_len), None)
        if too_long is not None:
            error = f"param_too_long: a value is {len(too_long)} characters; the limit is {self.param_max_len}"
            return [o or Outcome.failed(error) for o in outcomes]
        if numbers:
            for i, outcome in zip(numbers, self._send(list(numbers.values()), template_id, params,
                                                      session_context), strict=False):
                outcomes[i] = outcome
        return outcomes  # type: ignore[return-value]

    def _send(self, numbers: list[str], template_id: str, params: list[str],
              session_context: str | None) -> list[Outcome]:
        raise NotImplementedError

    def pull_status(self, phone: str, since: datetime, until: datetime) -> list[DeliveryReport]:
        raise NotImplementedError(f"{self.name} SMS has no status query here")


class ConsoleSms(_Provider):
    """Development: each SMS is one log line and kept in `outbox` (the latest 1,000)."""

    name = "console"
    max_batch = 1000

    def __init__(self, *, sign_name: str = "同心工会", param_max_len: int = SMS_PARAM_MAX_LEN):
        super().__init__(sign_name=sign_name, param_max_len=param_max_len)
        self.outbox: deque[SmsMessage] = deque(maxlen=1000)

    def _send(self, numbers: list[str], template_id: str, params: list[str],
              session_context: str | None) -> list[Outcome]:
        for number in numbers:
            self.outbox.append(SmsMessage(number, template_id, params))
            log.info("SMS to %s 【%s】 template %s %s", number, self.sign_name, template_id,
                     json.dumps(params, ensure_ascii=False))
        return [Outcome.sent(f"console-{uuid.uuid4().hex[:12]}") for _ in numbers]


class _HttpProvider(_Provider):
    def __init__(self, *, base_url: str, sign_name: str, timeout: float = 5.0,
                 param_max_len: int = SMS_PARAM_MAX_LEN, pool_size: int = 16):
        super().__init__(sign_name=sign_name, param_max_len=param_max_len)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.host = urlsplit(self.base_url).netloc
        self.timeout = timeout
        # One pool shared by the worker's threads; keep-alive saves a TLS handshake per request.
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _post(self, url: str, **kw: Any) -> tuple[int | None, Any, str]:
        """(HTTP status, parsed JSON or None, a description for errors); status None: no answer."""
        try:
            res = self.session.post(url, timeout=self.timeout, **kw)
        except requests.ReadTimeout as e:
            # The request was sent whole and the provider may have acted on it: not the same as never sent.
            return None, None, f"{IN_DOUBT}network: {type(e).__name__}: {e}"[:300]
        except requests.RequestException as e:
            return None, None, f"network: {type(e).__name__}: {e}"[:300]
        try:
            body = res.json()
        except ValueError:
            body = None
        return res.status_code, body, f"HTTP {res.status_code}: {res.text[:200]}"


# Tencent Cloud error codes (SendSms and the API 3.0 common errors).
_TENCENT_FAILED_PREFIXES = ("AuthFailure", "InvalidParameter", "MissingParameter", "UnauthorizedOperation",
                            "UnsupportedOperation", "UnknownParameter", "InvalidAction", "InvalidRequest")
_TENCENT_FAILED = {
    "FailedOperation.PhoneNumberInBlacklist", "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved", "FailedOperation.ContainSensitiveWord",
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate", "FailedOperation.PhoneNumberParseFail",
    "FailedOperation.MarketingSendTimeConstraint", "FailedOperation.JsonParseFail",
    "LimitExceeded.PhoneNumberCountLimit",  # a batch over 200 is our bug, not a passing fault
}
_TENCENT_WAIT = {  # code -> seconds before the number may be tried again
    "LimitExceeded.PhoneNumberThirtySecondLimit": 30,
    "LimitExceeded.PhoneNumberOneHourLimit": 3600,
    "LimitExceeded.PhoneNumberSameContentDailyLimit": None,  # None: until midnight
    "LimitExceeded.PhoneNumberDailyLimit": None,
    "LimitExceeded.AppDailyLimit": None,
    "LimitExceeded.DailyLimit": None,
    "RequestLimitExceeded": 1,
    "LimitExceeded.DeliveryFrequencyLimit": 60,
    "FailedOperation.InsufficientBalanceInSmsPackage": 3600,  # until someone tops up
}


def _tencent_outcome(code: str, message: str) -> Outcome:
    error = f"{code}: {message}"[:500]
    if code in _TENCENT_WAIT:
        wait = _TENCENT_WAIT[code]
        return Outcome.retry(error, retry_after=_seconds_to_midnight() if wait is None else wait)
    if code in _TENCENT_FAILED or code.startswith(_TENCENT_FAILED_PREFIXES):
        if code.startswith(("AuthFailure", "UnauthorizedOperation")):
            log.error("Tencent Cloud refused our credentials or app (check SMS_SECRET_*/SMS_SDK_APP_ID): %s", error)
        return Outcome.failed(error)
    return Outcome.retry(error)  # InternalError.*, unknown codes: the pipeline's attempt limit bounds it


class TencentSms(_HttpProvider):
    """Tencent Cloud SMS, SendSms 2021-01-11; numbers go as +86…; one result per number.

    SendSms carries a SessionContext that the status reports echo (PullSmsSendStatusByPhoneNumber), so a
    message can be matched to what asked for it after a crash.
    """

    name = "tencent"
    max_batch = 200
    can_pull = True

    def __init__(self, *, secret_id: str, secret_key: str, sdk_app_id: str, sign_name: str,
                 region: str = "ap-guangzhou", base_url: str = TENCENT_BASE_URL, **kw: Any):
        super().__init__(base_url=base_url, sign_name=sign_name, **kw)
        self.secret_id, self.secret_key = secret_id, secret_key
        self.sdk_app_id, self.region = sdk_app_id, region

    def _call(self, action: str, request: dict) -> tuple[int | None, Any, str]:
        """One signed API 3.0 call: (HTTP status, the parsed body, a description for errors)."""
        payload = json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(time.time())
        headers = {"Content-Type": "application/json; charset=utf-8", "Host": self.host,
                   "X-TC-Action": action, "X-TC-Version": "2021-01-11",
                   "X-TC-Timestamp": str(timestamp), "X-TC-Region": self.region}
        headers["Authorization"] = tc3_authorization(self.secret_id, self.secret_key, "sms", timestamp,
                                                     headers, payload)
        return self._post(self.base_url, data=payload, headers=headers)

    def _send(self, numbers: list[str], template_id: str, params: list[str],
              session_context: str | None) -> list[Outcome]:
        phones = ["+86" + n for n in numbers]
        request = {"PhoneNumberSet": phones, "SmsSdkAppId": self.sdk_app_id, "SignName": self.sign_name,
                   "TemplateId": template_id, "TemplateParamSet": params}
        if session_context:
            request["SessionContext"] = session_context
        status, body, described = self._call("SendSms", request)
        answer = body.get("Response") if isinstance(body, dict) else None
        if status is None and described.startswith(IN_DOUBT) and session_context:
            # The status reports can tell later whether it was taken (reconciliation); resending now might
            # send it twice.
            return [Outcome.in_doubt(described)] * len(numbers)
        if status != 200 or not isinstance(answer, dict):
            return [Outcome.retry(described)] * len(numbers)
        if isinstance(answer.get("Error"), dict):
            err = answer["Error"]
            return [_tencent_outcome(str(err.get("Code")), str(err.get("Message", "")))] * len(numbers)
        # Match results by number, not position: the API does not promise to keep the order.
        results: dict[str, deque] = {}
        for item in answer.get("SendStatusSet") or []:
            results.setdefault(item.get("PhoneNumber"), deque()).append(item)
        outcomes = []
        for phone in phones:
            item = results.get(phone, deque()).popleft() if results.get(phone) else None
            if item is None:
                outcomes.append(Outcome.retry(f"no result for this number: {described}"))
            elif item.get("Code") == "Ok":
                outcomes.append(Outcome.sent(item.get("SerialNo")))
            else:
                outcomes.append(_tencent_outcome(str(item.get("Code")), str(item.get("Message", ""))))
        return outcomes

    def pull_status(self, phone: str, since: datetime, until: datetime) -> list[DeliveryReport]:
        """PullSmsSendStatusByPhoneNumber (2021-01-11): at most 100 reports, 7 days back, 20 calls/s.

        A report can come minutes after SendSms accepted the message: an empty answer is not "not sent".
        """
        number = normalize_phone(phone)
        if number is None:
            return []
        status, body, described = self._call("PullSmsSendStatusByPhoneNumber", {
            "BeginTime": int(since.timestamp()), "EndTime": int(until.timestamp()), "Offset": 0, "Limit": 100,
            "PhoneNumber": "+86" + number, "SmsSdkAppId": self.sdk_app_id})
        answer = body.get("Response") if isinstance(body, dict) else None
        if status != 200 or not isinstance(answer, dict):
            raise SmsUnavailable(described)
        if isinstance(answer.get("Error"), dict):
            err = answer["Error"]
            raise SmsUnavailable(f"{err.get('Code')}: {err.get('Message', '')}"[:300])
        reports = []
        for item in answer.get("PullSmsSendStatusSet") or []:
            received = item.get("UserReceiveTime")
            reports.append(DeliveryReport(
                phone=normalize_phone(item.get("PhoneNumber")) or number, serial_no=str(item.get("SerialNo") or ""),
                status=str(item.get("ReportStatus") or ""), description=str(item.get("Description") or ""),
                session_context=str(item.get("SessionContext") or ""),
                received_at=datetime.fromtimestamp(received, UTC) if isinstance(received, int) else None))
        return reports


# Alibaba Cloud answers one code for the whole request; these concern a single number in it.
_ALIYUN_PER_NUMBER = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.BUSINESS_LIMIT_CONTROL"}
_ALIYUN_RETRY = {"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.OUT_OF_SERVICE",
                 "isv.AMOUNT_NOT_ENOUGH", "isv.DATA_NOT_EXIST", "isv.BILLING_DEDUCTION_ERROR",
                 "SignatureNonceUsed", "InvalidTimeStamp.Expired", "ServiceUnavailable"}


def _aliyun_outcome(code: str, message: str) -> Outcome:
    error = f"{code}: {message}"[:500]
    if code == "isv.BUSINESS_LIMIT_CONTROL" or code == "isv.DAY_LIMIT_CONTROL":
        # The message names the window: 分钟级 (minute), 小时级 (hour) or 天级 (day) flow control.
        wait = (_seconds_to_midnight() if "天" in message or code == "isv.DAY_LIMIT_CONTROL"
                else 3600 if "小时" in message else 60)
        return Outcome.retry(error, retry_after=wait)
    if code.startswith("Throttling"):
        return Outcome.retry(error, retry_after=1)
    if code in ("isv.OUT_OF_SERVICE", "isv.AMOUNT_NOT_ENOUGH"):
        return Outcome.retry(error, retry_after=3600)  # until someone tops up
    if code in _ALIYUN_RETRY or code.startswith("isp.") or code.startswith("InternalError"):
        return Outcome.retry(error)
    if code.startswith(("SignatureDoesNotMatch", "InvalidAccessKeyId", "Forbidden", "isp.RAM")):
        log.error("Alibaba Cloud refused our credentials (check SMS_SECRET_ID/SMS_SECRET_KEY): %s", error)
    return Outcome.failed(error)  # isv.* content/template/number errors, signature and parameter errors


class AliyunSms(_HttpProvider):
    """Alibaba Cloud dysmsapi SendSms 2017-05-25; plain 11-digit numbers, comma-separated.

    Template variables are named ${p1}, ${p2}, … in the console, so the positional params map onto them.
    """

    name = "aliyun"
    max_batch = 1000

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str,
                 base_url: str = ALIYUN_BASE_URL, **kw: Any):
        super().__init__(base_url=base_url, sign_name=sign_name, **kw)
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret

    def _send(self, numbers: list[str], template_id: str, params: list[str],
              session_context: str | None = None) -> list[Outcome]:
        code, message, biz_id, transient = self._request(numbers, template_id, params)
        if code == "OK":
            return [Outcome.sent(biz_id)] * len(numbers)
        if code in _ALIYUN_PER_NUMBER and len(numbers) > 1:
            # One bad number refuses the whole request: halve until it is alone, so the rest go out.
            half = len(numbers) // 2
            return (self._send(numbers[:half], template_id, params, session_context)
                    + self._send(numbers[half:], template_id, params, session_context))
        if transient is not None:
            return [Outcome.retry(transient)] * len(numbers)
        return [_aliyun_outcome(code, message)] * len(numbers)

    def _request(self, numbers: list[str], template_id: str,
                 params: list[str]) -> tuple[str, str, str | None, str | None]:
        """(Code, Message, BizId, description of a fault with no provider code)."""
        query = {"PhoneNumbers": ",".join(numbers), "SignName": self.sign_name, "TemplateCode": template_id}
        if params:
            query["TemplateParam"] = json.dumps({f"p{i}": v for i, v in enumerate(params, 1)},
                                                ensure_ascii=False, separators=(",", ":"))
        headers = {"Host": self.host, "x-acs-action": "SendSms", "x-acs-version": "2017-05-25",
                   "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "x-acs-signature-nonce": uuid.uuid4().hex, "x-acs-content-sha256": _sha256(b"")}
        headers["Authorization"] = acs3_authorization(self.access_key_id, self.access_key_secret, "POST", "/",
                                                      query, headers, b"")
        url = self.base_url + "?" + "&".join(f"{percent_encode(k)}={percent_encode(v)}"
                                             for k, v in sorted(query.items()))
        status, body, described = self._post(url, headers=headers)
        code = body.get("Code") if isinstance(body, dict) else None
        if status is None or status >= 500 or not isinstance(code, str):
            return "", "", None, described
        return code, str(body.get("Message", "")), body.get("BizId"), None


# --- configuration --------------------------------------------------------------------------------

def build_provider(config: Mapping[str, Any]) -> SmsProvider:
    """The provider named by SMS_PROVIDER (console, tencent or aliyun), from the SMS_* settings."""
    kind = (config.get("SMS_PROVIDER") or "console").lower()
    sign_name = config.get("SMS_SIGN_NAME") or "同心工会"
    param_max_len = int(config.get("SMS_PARAM_MAX_LEN") or SMS_PARAM_MAX_LEN)
    if kind == "console":
        return ConsoleSms(sign_name=sign_name, param_max_len=param_max_len)
    if kind not in ("tencent", "aliyun"):
        raise ValueError(f"SMS_PROVIDER must be console, tencent or aliyun, not {kind!r}")
    missing = [k for k in ("SMS_SECRET_ID", "SMS_SECRET_KEY", "SMS_SIGN_NAME")
               + (("SMS_SDK_APP_ID",) if kind == "tencent" else ()) if not config.get(k)]
    if missing:
        raise ValueError(f"SMS_PROVIDER={kind} needs {', '.join(missing)}")
    common = {"sign_name": sign_name, "param_max_len": param_max_len,
              "timeout": float(config.get("SMS_TIMEOUT") or 5),
              "pool_size": int(config.get("SMS_POOL_SIZE") or 16)}
    if kind == "tencent":
        return TencentSms(secret_id=config["SMS_SECRET_ID"], secret_key=config["SMS_SECRET_KEY"],
                          sdk_app_id=str(config["SMS_SDK_APP_ID"]),
                          region=config.get("SMS_REGION") or "ap-guangzhou",
                          base_url=config.get("SMS_API_BASE_URL") or TENCENT_BASE_URL, **common)
    return AliyunSms(access_key_id=config["SMS_SECRET_ID"], access_key_secret=config["SMS_SECRET_KEY"],
                     base_url=config.get("SMS_API_BASE_URL") or ALIYUN_BASE_URL, **common)
