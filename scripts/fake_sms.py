"""A local stand-in for Tencent Cloud SMS (SendSms 2021-01-11) and Alibaba Cloud SMS (dysmsapi SendSms
2017-05-25) at one base URL, close enough that notifications/sms.py cannot tell the difference.
Development and tests point SMS_API_BASE_URL here.

    python -m scripts.fake_sms --port 8802

A request is Tencent's when it carries X-TC-Action, Alibaba's when it carries x-acs-action. Like the real
services it recomputes each signature (TC3-HMAC-SHA256 / ACS3-HMAC-SHA256) with the secrets it was started
with, checks the app, signature name, template and its variables, and answers per number in the provider's
shape. Tests drive it through the FakeSms object: ``fail``, ``rate_limit``, ``invalid_numbers``,
``blacklist``, ``thirty_second_rule``, ``daily_limit``, ``templates``; ``sent`` and ``requests`` record
what arrived.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import secrets
import time
from collections import Counter, deque
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, urlsplit

from .fake_http import FakeHandler, FakeServer

DEFAULT_SECRET_ID = "AKIDfakesms0000dev"
DEFAULT_SECRET_KEY = "fake-sms-secret-key"
DEFAULT_SDK_APP_ID = "1400000001"
DEFAULT_SIGN_NAME = "同心工会"
# Approved templates. {1} is Tencent's variable syntax; Alibaba requests fill the same slots as p1, p2, ….
DEFAULT_TEMPLATES = {
    "2001": "您有一条新的工会通知：{1}。请打开“同心”小程序查看。",
    "2002": "{1}提醒您：{2}将于{3}开始，请准时参加。",
}
MAX_TEXT = 500          # characters, signature included
TENCENT_MAX_NUMBERS = 200
ALIYUN_MAX_NUMBERS = 1000
SIGNATURE_MAX_AGE = 300  # seconds of clock skew Tencent allows; Alibaba allows 15 minutes
ALIYUN_MAX_AGE = 900
_VAR = re.compile(r"\{(\d+)\}")
_CN_E164 = re.compile(r"\+861[3-9]\d{9}")
_CN_PLAIN = re.compile(r"1[3-9]\d{9}")
_TC3 = re.compile(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([\w-]+)/tc3_request, "
                  r"SignedHeaders=([\w;-]+), Signature=([0-9a-f]{64})")
_ACS3 = re.compile(r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([\w;-]+),Signature=([0-9a-f]{64})")


class SentSms(NamedTuple):
    provider: str   # "tencent" or "aliyun"
    phone: str      # the 11-digit national number
    template: str
    params: list    # the variables in order
    serial_no: str = ""
    session_context: str = ""
    at: float = 0.0  # when it was accepted (time.time())


class SmsAnswer(Exception):
    """An error reply in the provider's shape. status: the HTTP status (Tencent always answers 200)."""

    def __init__(self, code: str, message: str, status: int = 200):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class FakeSms(FakeServer):
    thread_name = "fake-sms"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, secret_id: str = DEFAULT_SECRET_ID,
                 secret_key: str = DEFAULT_SECRET_KEY, sdk_app_id: str = DEFAULT_SDK_APP_ID,
                 sign_name: str = DEFAULT_SIGN_NAME, param_max_len: int = 20):
        self.secret_id, self.secret_key = secret_id, secret_key
        self.sdk_app_id, self.sign_name = sdk_app_id, sign_name
        self.echo = False
        self.param_max_len = param_max_len
        super().__init__(host, port, _Handler)

    def reset(self) -> None:
        """Back to a healthy server: no failures, limits or rules; the logs emptied; held requests let go."""
        with self._lock:
            super().reset()
            self.templates: dict[str, str] = dict(DEFAULT_TEMPLATES)
            self.per_second: float | None = None
            self._window = 1.0
            self._recent: deque[float] = deque()
            self.invalid_numbers: set[str] = set()   # 11-digit numbers answered as invalid
            self.blacklist: set[str] = set()         # numbers that unsubscribed (Tencent refuses them)
            self.thirty_second_rule = False          # same content to the same number within 30 s is refused
            self.daily_limit: int | None = None      # messages per number per (UTC+8) day
            self.report_delay = 0.0                  # seconds before an accepted message's report shows
            self.sent: list[SentSms] = []
            self.requests: deque[dict] = deque(maxlen=10_000)  # a long-running dev server stays small
            self._last: dict[tuple, float] = {}
            self._daily: Counter = Counter()
            self._nonces: set[str] = set()

    # --- switches for tests ------------------------------------------------------------------------

    def fail(self, provider: str | None = None, *, status: int | None = None, code: str | None = None,
             message: str = "fake failure", delay: float = 0, times: int | None = None, after: bool = False,
             action: str | None = None) -> None:
        """Make the next `times` requests (None: until reset) of `provider` ("tencent", "aliyun", None for
        both) misbehave: hang `delay` seconds first, then answer HTTP `status` with an HTML page, or the
        provider's error `code`, or normally. With `after`, the hang comes after the messages are accepted
        (a client killed meanwhile never learns it). `action` limits a Tencent rule to one action (e.g.
        "PullSmsSendStatusByPhoneNumber"). A later call for the same provider and action replaces it."""
        with self._lock:
            self.failures[(provider, action) if action else provider] = {
                "status": status, "code": code, "message": message, "delay": delay, "times": times, "after": after}

    def rate_limit(self, per_second: float | None, window: float = 1.0) -> None:
        """Refuse requests beyond `per_second` in any one-second window (RequestLimitExceeded /
        Throttling.User), as both providers limit API calls; None lifts the limit. A longer `window`
        counts over that many seconds instead, so a test's requests fall in one window however slow the
        machine is."""
        with self._lock:
            self.per_second, self._window = per_second, window
            self._recent.clear()

    def sent_to(self, phone: str) -> list[SentSms]:
        return [s for s in self.sent if s.phone == phone]

    # --- protocol ------------------------------------------------------------------------------------

    def _throttled(self) -> bool:
        with self._lock:
            if self.per_second is None:
                return False
            now = time.monotonic()
            while self._recent and self._recent[0] <= now - self._window:
                self._recent.popleft()
            if len(self._recent) >= self.per_second:
                return True
            self._recent.append(now)
            return False

    def _check_template(self, template_id: str, values: list, codes: dict[str, str]) -> str:
        """The rendered text; raises the provider's code for an unknown template or bad variables."""
        text = self.templates.get(template_id)
        if text is None:
            raise SmsAnswer(codes["template"], "template is not approved or does not exist")
        if len({m.group(1) for m in _VAR.finditer(text)}) != len(values):
            raise SmsAnswer(codes["count"], "the variables do not match the approved template")
        if any(not isinstance(v, str) for v in values):
            raise SmsAnswer(codes["count"], "template variables must be strings")
        if any(len(v) > self.param_max_len for v in values):
            raise SmsAnswer(codes["length"], f"a variable is longer than {self.param_max_len} characters")
        content = f"【{self.sign_name}】" + _VAR.sub(lambda m: values[int(m.group(1)) - 1], text)
        if len(content) > MAX_TEXT:
            raise SmsAnswer(codes["content"], f"the SMS is longer than {MAX_TEXT} characters")
        return content

    def _limit_hit(self, phone: str, template_id: str, values: list) -> str | None:
        """Which per-number rule this message breaks ("30s" or "daily"), if one is switched on."""
        now = time.time()
        day = datetime.fromtimestamp(now + 8 * 3600, UTC).date()
        if self.thirty_second_rule and now - self._last.get((phone, template_id, tuple(values)), -1e9) < 30:
            return "30s"
        if self.daily_limit is not None and self._daily[(phone, day)] >= self.daily_limit:
            return "daily"
        return None

    def _deliver(self, provider: str, phone: str, template_id: str, values: list, serial_no: str = "",
                 session_context: str = "") -> None:
        now = time.time()
        self._last[(phone, template_id, tuple(values))] = now
        self._daily[(phone, datetime.fromtimestamp(now + 8 * 3600, UTC).date())] += 1
        self.sent.append(SentSms(provider, phone, template_id, values, serial_no, session_context, now))
        if self.echo:  # the program prints each message, so development can see what members would read
            text = re.sub(r"\{(\d+)\}", lambda m: str(values[int(m.group(1)) - 1]) if int(m.group(1)) <= len(values)
                          else m.group(0), self.templates.get(template_id, ""))
            print(f"SMS {provider} → {phone}: 【{self.sign_name}】{text}", flush=True)

    # --- Tencent Cloud -----------------------------------------------------------------------------

    def _verify_tc3(self, headers: dict[str, str], path: str, query: str, raw: bytes) -> None:
        m = _TC3.fullmatch(headers.get("authorization", ""))
        if not m:
            raise SmsAnswer("AuthFailure.InvalidAuthorization", "Credential is invalid or malformed.")
        secret_id, date, service, signed, signature = m.groups()
        if secret_id != self.secret_id:
            raise SmsAnswer("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that "
                                                            "your SecretId is correct.")
        try:
            timestamp = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            raise SmsAnswer("AuthFailure.InvalidAuthorization", "X-TC-Timestamp is missing or invalid.") from None
        if abs(time.time() - timestamp) > SIGNATURE_MAX_AGE:
            raise SmsAnswer("AuthFailure.SignatureExpire", "Signature expired. Timestamp and server time "
                                                           "differ by more than 5 minutes.")
        names = signed.split(";")
        utc_date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
        if (date != utc_date or service != "sms" or not {"content-type", "host"} <= set(names)
                or names != sorted(names) or any(n not in headers for n in names)):
            raise SmsAnswer("AuthFailure.SignatureFailure", "The provided credentials could not be validated. "
                                                            "Please check your signature is correct.")
        canonical = "".join(f"{n}:{headers[n].strip().lower()}\n" for n in names)
        request = f"POST\n{path}\n{query}\n{canonical}\n{signed}\n{_sha256(raw)}"
        to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n{_sha256(request)}"
        key = _hmac(_hmac(_hmac(("TC3" + self.secret_key).encode(), date), service), "tc3_request")
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise SmsAnswer("AuthFailure.SignatureFailure", "The provided credentials could not be validated. "
                                                            "Please check your signature is correct.")

    def tencent(self, headers: dict[str, str], path: str, query: str, raw: bytes) -> dict:
        self._verify_tc3(headers, path, query, raw)
        action = headers.get("x-tc-action")
        if action not in ("SendSms", "PullSmsSendStatusByPhoneNumber"):
            raise SmsAnswer("InvalidAction", "The requested action does not exist.")
        if headers.get("x-tc-version") != "2021-01-11":
            raise SmsAnswer("NoSuchVersion", "The requested version does not exist or is not supported.")
        try:
            body = json.loads(raw)
        except ValueError:
            raise SmsAnswer("FailedOperation.JsonParseFail", "The request body is not valid JSON.") from None
        if action == "PullSmsSendStatusByPhoneNumber":
            return self.pull_by_phone(body)
        phones = body.get("PhoneNumberSet") if isinstance(body, dict) else None
        if not isinstance(phones, list) or not phones:
            raise SmsAnswer("MissingParameter", "The request is missing a required parameter `PhoneNumberSet`.")
        if len(phones) > TENCENT_MAX_NUMBERS:
            raise SmsAnswer("LimitExceeded.PhoneNumberCountLimit",
                            f"More than {TENCENT_MAX_NUMBERS} numbers in one request.")
        if body.get("SmsSdkAppId") != self.sdk_app_id:
            raise SmsAnswer("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verification failed.")
        if body.get("SignName") != self.sign_name:
            raise SmsAnswer("FailedOperation.SignatureIncorrectOrUnapproved",
                            "The signature is not approved or does not exist.")
        template_id, values = str(body.get("TemplateId")), body.get("TemplateParamSet") or []
        content = self._check_template(template_id, values, {
            "template": "FailedOperation.TemplateIncorrectOrUnapproved",
            "count": "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
            "length": "InvalidParameterValue.TemplateParameterLengthLimit",
            "content": "InvalidParameterValue.ContentLengthLimit"})
        fee = 1 if len(content) <= 70 else -(-len(content) // 67)  # long SMS are billed per 67 characters
        statuses = []
        with self._lock:
            for phone in phones:
                national = phone[3:] if isinstance(phone, str) and _CN_E164.fullmatch(phone) else None
                code, message = "Ok", "send success"
                if national is None or national in self.invalid_numbers:
                    code, message = "InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误"
                elif national in self.blacklist:
                    code, message = "FailedOperation.PhoneNumberInBlacklist", "手机号在免打扰名单库中"
                else:
                    hit = self._limit_hit(national, template_id, values)
                    if hit == "30s":
                        code, message = ("LimitExceeded.PhoneNumberThirtySecondLimit",
                                         "单个手机号30秒内下发短信条数超过设定的上限")
                    elif hit == "daily":
                        code, message = "LimitExceeded.PhoneNumberDailyLimit", "单个手机号日下发短信条数超过设定的上限"
                serial = f"2433:{secrets.token_hex(10)}" if code == "Ok" else ""
                if code == "Ok":
                    self._deliver("tencent", national, template_id, values, serial,
                                  str(body.get("SessionContext") or ""))
                ok = code == "Ok"
                statuses.append({"SerialNo": serial, "PhoneNumber": phone,
                                 "Fee": fee if ok else 0, "SessionContext": body.get("SessionContext", ""),
                                 "Code": code, "Message": message, "IsoCode": "CN" if national else "DEF"})
        return {"Response": {"SendStatusSet": statuses, "RequestId": _request_id()}}

    def pull_by_phone(self, body: Any) -> dict:
        """PullSmsSendStatusByPhoneNumber: the reports of messages this server accepted for one number,
        sent between BeginTime and EndTime (at most 7 days back), at most Limit (≤ 100) of them."""
        if not isinstance(body, dict):
            raise SmsAnswer("FailedOperation.JsonParseFail", "The request body is not valid JSON.")
        for name in ("BeginTime", "Offset", "Limit", "PhoneNumber", "SmsSdkAppId"):
            if name not in body:
                raise SmsAnswer("MissingParameter", f"The request is missing a required parameter `{name}`.")
        begin, end, limit = body["BeginTime"], body.get("EndTime"), body["Limit"]
        if not isinstance(begin, int) or not isinstance(limit, int) or not 0 < limit <= 100 \
                or body["Offset"] != 0 or (end is not None and not isinstance(end, int)):
            raise SmsAnswer("InvalidParameterValue", "BeginTime, EndTime, Offset or Limit is invalid.")
        if body["SmsSdkAppId"] != self.sdk_app_id:
            raise SmsAnswer("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verification failed.")
        now = time.time()
        if begin < now - 7 * 86400:
            raise SmsAnswer("InvalidParameterValue.StartTimeOutOfRange", "最多可拉取7天内的数据。")
        phone = body["PhoneNumber"]
        national = phone[3:] if isinstance(phone, str) and _CN_E164.fullmatch(phone) else None
        if national is None:
            raise SmsAnswer("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误")
        with self._lock:
            found = [s for s in self.sent if s.provider == "tencent" and s.phone == national and begin <= s.at
                     and (end is None or s.at <= end) and s.at + self.report_delay <= now]
            items = [{"UserReceiveTime": int(s.at), "CountryCode": "86", "SubscriberNumber": national,
                      "PhoneNumber": phone, "SerialNo": s.serial_no, "ReportStatus": "SUCCESS",
                      "Description": "DELIVRD", "SessionContext": s.session_context} for s in found[:limit]]
        return {"Response": {"PullSmsSendStatusSet": items, "RequestId": _request_id()}}

    # --- Alibaba Cloud -----------------------------------------------------------------------------

    def _verify_acs3(self, method: str, headers: dict[str, str], path: str, query: str, raw: bytes) -> None:
        m = _ACS3.fullmatch(headers.get("authorization", ""))
        if not m:
            raise SmsAnswer("IncompleteSignature", "The request signature does not conform to Aliyun standards.",
                            400)
        key_id, signed, signature = m.groups()
        if key_id != self.secret_id:
            raise SmsAnswer("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        try:
            sent_at = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            raise SmsAnswer("MissingParameter", "x-acs-date is missing or malformed.", 400) from None
        if abs(time.time() - sent_at.replace(tzinfo=UTC).timestamp()) > ALIYUN_MAX_AGE:
            raise SmsAnswer("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.", 400)
        names = signed.split(";")
        must = {"host"} | {h for h in headers if h.startswith("x-acs-")}
        if not must <= set(names) or names != sorted(names) or any(n not in headers for n in names) \
                or headers.get("x-acs-content-sha256") != _sha256(raw):
            raise SmsAnswer("SignatureDoesNotMatch", "Specified signature does not match our calculation.", 400)
        pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~"))
                       for k, v in parse_qsl(query, keep_blank_values=True))
        canonical_query = "&".join(f"{k}={v}" for k, v in pairs)
        canonical = "".join(f"{n}:{headers[n].strip()}\n" for n in names)
        request = f"{method}\n{path}\n{canonical_query}\n{canonical}\n{signed}\n{_sha256(raw)}"
        expected = hmac.new(self.secret_key.encode(), f"ACS3-HMAC-SHA256\n{_sha256(request)}".encode(),
                            hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise SmsAnswer("SignatureDoesNotMatch", "Specified signature does not match our calculation.", 400)
        with self._lock:
            nonce = headers.get("x-acs-signature-nonce", "")
            if nonce in self._nonces:
                raise SmsAnswer("SignatureNonceUsed", "Specified signature nonce was used already.", 400)
            self._nonces.add(nonce)

    def aliyun(self, method: str, headers: dict[str, str], path: str, query: str, raw: bytes) -> dict:
        self._verify_acs3(method, headers, path, query, raw)
        if headers.get("x-acs-action") != "SendSms":
            raise SmsAnswer("InvalidAction.NotFound", "Specified api is not found, please check your url "
                                                      "and method.", 404)
        if headers.get("x-acs-version") != "2017-05-25":
            raise SmsAnswer("InvalidVersion", "Specified parameter Version is not valid.", 400)
        params = dict(parse_qsl(query, keep_blank_values=True))
        if not params.get("PhoneNumbers"):
            raise SmsAnswer("MissingPhoneNumbers", "PhoneNumbers is mandatory for this action.", 400)
        phones = params["PhoneNumbers"].split(",")
        if len(phones) > ALIYUN_MAX_NUMBERS:
            raise SmsAnswer("isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        if params.get("SignName") != self.sign_name:
            raise SmsAnswer("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        template_id = params.get("TemplateCode", "")
        try:
            named = json.loads(params["TemplateParam"]) if params.get("TemplateParam") else {}
        except ValueError:
            raise SmsAnswer("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值") from None
        if not isinstance(named, dict):
            raise SmsAnswer("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        wanted = len({m.group(1) for m in _VAR.finditer(self.templates.get(template_id, ""))})
        if any(f"p{i}" not in named for i in range(1, wanted + 1)):
            raise SmsAnswer("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
        values = [named[f"p{i}"] for i in range(1, wanted + 1)]
        self._check_template(template_id, values, {
            "template": "isv.SMS_TEMPLATE_ILLEGAL", "count": "isv.INVALID_JSON_PARAM",
            "length": "isv.PARAM_LENGTH_LIMIT", "content": "isv.INVALID_PARAMETERS"})
        with self._lock:
            # One code for the whole request: any bad number refuses them all.
            for phone in phones:
                if not _CN_PLAIN.fullmatch(phone) or phone in self.invalid_numbers:
                    raise SmsAnswer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
                hit = self._limit_hit(phone, template_id, values)
                if hit == "30s":
                    raise SmsAnswer("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
                if hit == "daily":
                    raise SmsAnswer("isv.BUSINESS_LIMIT_CONTROL", f"触发天级流控Permits:{self.daily_limit}")
            for phone in phones:
                if phone not in self.blacklist:  # accepted, then dropped: only the delivery receipt tells
                    self._deliver("aliyun", phone, template_id, values)
        return {"Code": "OK", "Message": "OK", "BizId": f"{secrets.randbelow(10**15):015d}^0",
                "RequestId": _request_id()}


def _request_id() -> str:
    h = secrets.token_hex(16)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _params(provider: str | None, query: str, raw: bytes) -> Any:
    """What the request asked for: Tencent's JSON body, Alibaba's query parameters."""
    if provider == "aliyun":
        return dict(parse_qsl(query, keep_blank_values=True))
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return None


def _error_body(provider: str, e: SmsAnswer) -> tuple[int, dict]:
    if provider == "tencent":  # API 3.0 answers errors with HTTP 200
        return 200, {"Response": {"Error": {"Code": e.code, "Message": e.message}, "RequestId": _request_id()}}
    return e.status, {"RequestId": _request_id(), "Code": e.code, "Message": e.message}


class _Handler(FakeHandler):
    def do_POST(self):
        fake: FakeSms = self.server.fake  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        url = urlsplit(self.path)
        provider = "tencent" if "x-tc-action" in headers else "aliyun" if "x-acs-action" in headers else None
        with fake._lock:
            fake.requests.append({"provider": provider, "method": self.command, "path": url.path,
                                  "headers": headers, "params": _params(provider, url.query, raw)})
            release = fake._release
        if provider is None:
            return self._send(404, b"404 Not Found", "text/plain")
        # A rule for this provider and action, else for this provider, else for any.
        rule = fake._take_failure((provider, headers.get("x-tc-action")), provider, None)
        if not self._hold(release, rule):
            return
        if rule and rule["status"]:
            return self._send(rule["status"], b"<html>Service Unavailable</html>", "text/html")
        try:
            if rule and rule["code"]:
                limited = rule["code"].startswith(("isv.", "isp.")) or provider == "tencent"
                raise SmsAnswer(rule["code"], rule["message"], 200 if limited else 400)
            if fake._throttled():
                if provider == "tencent":
                    raise SmsAnswer("RequestLimitExceeded", "请求的次数超过了频率限制。")
                raise SmsAnswer("Throttling.User", "Request was denied due to user flow control.", 400)
            if provider == "tencent":
                status, answer = 200, fake.tencent(headers, url.path, url.query, raw)
            else:
                status, answer = 200, fake.aliyun(self.command, headers, url.path, url.query, raw)
        except SmsAnswer as e:
            status, answer = _error_body(provider, e)
        if not self._hold(release, rule, after=True):
            return
        self._send(status, json.dumps(answer, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    do_GET = do_POST


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Tencent Cloud / Alibaba Cloud SMS API for development.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8802)
    parser.add_argument("--secret-id", default=DEFAULT_SECRET_ID)
    parser.add_argument("--secret-key", default=DEFAULT_SECRET_KEY)
    parser.add_argument("--sdk-app-id", default=DEFAULT_SDK_APP_ID)
    parser.add_argument("--sign-name", default=DEFAULT_SIGN_NAME)
    parser.add_argument("--thirty-second-rule", action="store_true",
                        help="refuse the same content to the same number within 30 s, as the real services do")
    args = parser.parse_args()
    fake = FakeSms(args.host, args.port, args.secret_id, args.secret_key, args.sdk_app_id, args.sign_name)
    fake.thirty_second_rule = args.thirty_second_rule
    fake.echo = True
    print(f"fake SMS API (Tencent and Alibaba formats) at {fake.base_url}", flush=True)
    fake.serve()


if __name__ == "__main__":
    main()
