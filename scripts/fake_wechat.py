"""A local stand-in for WeChat's server API, close enough to the real protocol that wechatpy and
notifications/wechat.py cannot tell the difference. Development and tests point WECHAT_API_BASE_URL here.

    python -m scripts.fake_wechat --port 8801

Conventions so the mini-program and the demo sign in without set-up: the js_code ``code-<openid>``
signs in as that openid; the phone code ``phone-<digits>`` reports that phone number.
Tests drive it through the FakeWeChat object: ``add_code``, ``add_phone_code``, ``grant``,
``fail`` (error code, HTTP status, hang or garbage for an endpoint), ``revoke_tokens``, ``requests``.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import secrets
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import qrcode

from .fake_http import FakeHandler, FakeServer

DEFAULT_APPID = "wx-dev-appid"
DEFAULT_SECRET = "dev-wechat-secret"
# cgi-bin/token: the previous token stays valid this long after a new one is issued.
OLD_TOKEN_GRACE = 300

_DATE = r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
_TIME_POINT, _DATE_POINT = rf"(?:{_DATE}\s*)?{_TIME}", rf"{_DATE}(?:\s*{_TIME})?"

# Subscribe-message data rules by key type (INTEGRATIONS.md §2); a key is "<type><n>", e.g. thing1.
FIELD_RULES: dict[str, re.Pattern] = {
    "thing": re.compile(r".{1,20}", re.S),
    "number": re.compile(r"[-+]?[\d.]{1,32}"),
    "letter": re.compile(r"[A-Za-z]{1,32}"),
    "symbol": re.compile(r"[^\w\s]{1,5}"),
    "character_string": re.compile(r"[\x21-\x7e]{1,32}"),
    "time": re.compile(rf"{_TIME_POINT}(?:\s*~\s*{_TIME_POINT})?"),  # "~" joins a range
    "date": re.compile(rf"{_DATE_POINT}(?:\s*~\s*{_DATE_POINT})?"),
    "amount": re.compile(r"[¥￥$]?\d{1,10}(?:\.\d{1,2})?元?"),
    "phone_number": re.compile(r"[\d+\- ]{1,17}"),
    "car_number": re.compile(r"\S{1,8}"),
    "name": re.compile(r"[\u4e00-\u9fff·]{1,10}|[A-Za-z .]{1,20}"),
    "phrase": re.compile(r"[\u4e00-\u9fff]{1,5}"),
}
SCENE = re.compile(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}")


class WeChatAnswer(Exception):
    """An error reply in WeChat's shape: HTTP 200 with {"errcode", "errmsg"}."""

    def __init__(self, errcode: int, errmsg: str):
        super().__init__(errmsg)
        self.errcode, self.errmsg = errcode, errmsg


class FakeWeChat(FakeServer):
    thread_name = "fake-wechat"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, appid: str = DEFAULT_APPID,
                 secret: str = DEFAULT_SECRET, token_ttl: int = 7200, require_consent: bool = True):
        self._default_apps = {appid: secret}
        self.token_ttl = token_ttl
        # Issued tokens outlive reset(), as a real server's would: token -> (appid, expires_at).
        self.tokens: dict[str, tuple[str, float]] = {}
        self._stable: dict[str, str] = {}
        self._require_consent = require_consent
        super().__init__(host, port, _Handler)

    def reset(self) -> None:
        """Forget codes, grants, failures and the request log (tokens stay valid); let held requests go."""
        with self._lock:
            super().reset()
            self.apps = dict(self._default_apps)
            self.codes: dict[str, tuple[str, str | None]] = {}
            self.used_codes: set[str] = set()
            self.phone_codes: dict[str, str] = {}
            self.grants: Counter = Counter()
            self.require_consent = self._require_consent
            self.requests: list[dict] = []
            self.sent: list[dict] = []

    # --- set-up for tests ---------------------------------------------------------------------

    def add_code(self, js_code: str, openid: str, unionid: str | None = None) -> None:
        """A one-time wx.login code, as WeChat's are (reuse answers 40163)."""
        self.codes[js_code] = (openid, unionid)

    def add_phone_code(self, code: str, phone: str) -> None:
        self.phone_codes[code] = phone

    def grant(self, openid: str, template_id: str, count: int = 1) -> None:
        """The user tapped "accept" count times: that many sends of the template are allowed."""
        with self._lock:
            self.grants[(openid, template_id)] += count

    def fail(self, path: str, *, errcode: int | None = None, errmsg: str = "fake failure",
             status: int | None = None, delay: float = 0, body: bytes | None = None,
             times: int | None = None, after: bool = False) -> None:
        """Make `path` (e.g. "sns/jscode2session") misbehave for its next `times` calls (None: until reset);
        a later call for the same path replaces the rule.

        errcode: a WeChat error reply; status: an HTTP error; body: raw non-JSON bytes; delay: seconds
        to hang first (then answer normally unless another option is given); after: hang after acting
        on the request instead (a message is sent, its answer held: a client killed meanwhile never knows).
        """
        with self._lock:
            self.failures[path.strip("/")] = {"errcode": errcode, "errmsg": errmsg, "status": status,
                                              "delay": delay, "body": body, "times": times, "after": after}

    def revoke_tokens(self) -> None:
        """Every issued access_token is refused from now on (40001), as after a secret reset."""
        with self._lock:
            self.tokens.clear()
            self._stable.clear()

    def calls(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path.strip("/")]

    # --- protocol --------------------------------------------------------------------------------

    def _check_app(self, appid: str | None, secret: str | None) -> None:
        if appid not in self.apps:
            raise WeChatAnswer(40013, "invalid appid")
        if self.apps[appid] != secret:
            raise WeChatAnswer(40125, "invalid appsecret")

    def _check_token(self, query: dict) -> str:
        entry = self.tokens.get(query.get("access_token") or "")
        if entry is None:
            raise WeChatAnswer(40001, "invalid credential, access_token is invalid or not latest")
        if entry[1] <= time.time():
            raise WeChatAnswer(42001, "access_token expired")
        return entry[0]

    def _issue(self, appid: str) -> str:
        token = "fake-token-" + secrets.token_urlsafe(24)
        self.tokens[token] = (appid, time.time() + self.token_ttl)
        return token

    def token(self, query: dict, body: dict) -> dict:
        if query.get("grant_type") != "client_credential":
            raise WeChatAnswer(40002, "invalid grant_type")
        self._check_app(query.get("appid"), query.get("secret"))
        with self._lock:
            limit = time.time() + OLD_TOKEN_GRACE
            for tok, (appid, exp) in list(self.tokens.items()):
                if appid == query["appid"]:
                    self.tokens[tok] = (appid, min(exp, limit))
            return {"access_token": self._issue(query["appid"]), "expires_in": self.token_ttl}

    def stable_token(self, query: dict, body: dict) -> dict:
        if body.get("grant_type") != "client_credential":
            raise WeChatAnswer(40002, "invalid grant_type")
        appid = body.get("appid")
        self._check_app(appid, body.get("secret"))
        with self._lock:
            current = self._stable.get(appid)
            entry = self.tokens.get(current or "")
            if body.get("force_refresh") or entry is None or entry[1] <= time.time():
                self.tokens.pop(current or "", None)
                current = self._stable[appid] = self._issue(appid)
            return {"access_token": current, "expires_in": int(self.tokens[current][1] - time.time())}

    def jscode2session(self, query: dict, body: dict) -> dict:
        self._check_app(query.get("appid"), query.get("secret"))
        if query.get("grant_type") != "authorization_code":
            raise WeChatAnswer(40002, "invalid grant_type")
        code = query.get("js_code") or ""
        with self._lock:
            if code in self.used_codes:
                raise WeChatAnswer(40163, "code been used")
            if code in self.codes:
                self.used_codes.add(code)
                openid, unionid = self.codes[code]
            elif re.fullmatch(r"code-[\w-]{1,64}", code):
                openid, unionid = code[len("code-"):], None
            else:
                raise WeChatAnswer(40029, "invalid code")
        answer = {"openid": openid, "session_key": secrets.token_urlsafe(16)}
        return answer | ({"unionid": unionid} if unionid else {})

    def getuserphonenumber(self, query: dict, body: dict) -> dict:
        appid = self._check_token(query)
        code = body.get("code") or ""
        phone = self.phone_codes.get(code)
        if phone is None and re.fullmatch(r"phone-\d{5,15}", code):
            phone = code[len("phone-"):]
        if phone is None:
            raise WeChatAnswer(40029, "invalid code")
        return {"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
            "watermark": {"timestamp": int(time.time()), "appid": appid}}}

    def subscribe_send(self, query: dict, body: dict) -> dict:
        self._check_token(query)
        openid, template_id = body.get("touser"), body.get("template_id")
        if not openid or not isinstance(openid, str):
            raise WeChatAnswer(40003, "invalid openid")
        if not template_id or not isinstance(template_id, str):
            raise WeChatAnswer(40037, "invalid template_id")
        if body.get("miniprogram_state", "formal") not in ("developer", "trial", "formal"):
            raise WeChatAnswer(47003, "argument invalid! miniprogram_state invalid")
        data = body.get("data")
        if not isinstance(data, dict) or not data:
            raise WeChatAnswer(47001, "data format error")
        for key, item in data.items():
            kind = re.fullmatch(r"([a-z_]+?)\d+", key)
            rule = FIELD_RULES.get(kind.group(1)) if kind else None
            value = item.get("value") if isinstance(item, dict) else None
            if rule is None or not isinstance(value, str) or not rule.fullmatch(value):
                raise WeChatAnswer(47003, f"argument invalid! data.{key}.value invalid")
        with self._lock:
            if self.require_consent:
                if self.grants[(openid, template_id)] <= 0:
                    raise WeChatAnswer(43101, "user refuse to accept the msg")
                self.grants[(openid, template_id)] -= 1
            self.sent.append(body)
            msgid = len(self.sent)
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def getwxacodeunlimit(self, query: dict, body: dict) -> bytes:
        self._check_token(query)
        scene, page = body.get("scene"), body.get("page")
        if not isinstance(scene, str) or not SCENE.fullmatch(scene):
            raise WeChatAnswer(40169, "invalid length for scene, or the data is not json string")
        if page and body.get("check_path", True):
            raise WeChatAnswer(41030, "invalid page rid: page not in the published version")
        if body.get("env_version", "release") not in ("release", "trial", "develop"):
            raise WeChatAnswer(40097, "invalid args")
        if not 280 <= int(body.get("width", 430)) <= 1280:
            raise WeChatAnswer(40097, "invalid args")
        out = io.BytesIO()
        qrcode.make(f"{page or 'pages/index/index'}?scene={scene}").save(out, format="PNG")
        return out.getvalue()


ROUTES = {
    ("GET", "cgi-bin/token"): FakeWeChat.token,
    ("POST", "cgi-bin/stable_token"): FakeWeChat.stable_token,
    ("GET", "sns/jscode2session"): FakeWeChat.jscode2session,
    ("POST", "wxa/business/getuserphonenumber"): FakeWeChat.getuserphonenumber,
    ("POST", "cgi-bin/message/subscribe/send"): FakeWeChat.subscribe_send,
    ("POST", "wxa/getwxacodeunlimit"): FakeWeChat.getwxacodeunlimit,
}


class _Handler(FakeHandler):
    def do_GET(self):
        self._dispatch()

    do_POST = do_GET

    def _dispatch(self) -> None:
        method = self.command
        fake: FakeWeChat = self.server.fake  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        path = url.path.strip("/")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        with fake._lock:
            fake.requests.append({"method": method, "path": path, "query": query, "body": body})
            release = fake._release
        rule = fake._take_failure(path)
        if not self._hold(release, rule):
            return
        if rule and rule["status"]:
            return self._send(rule["status"], b"<html>Service Unavailable</html>", "text/html")
        if rule and rule["body"] is not None:
            return self._send(200, rule["body"], "text/html")
        handler = ROUTES.get((method, path))
        if handler is None:
            return self._send(404, b"404 Not Found", "text/plain")
        try:
            if rule and rule["errcode"] is not None:
                raise WeChatAnswer(rule["errcode"], rule["errmsg"])
            if not isinstance(body, dict):
                raise WeChatAnswer(47001, "data format error")
            answer = handler(fake, query, body)
        except WeChatAnswer as e:
            answer = {"errcode": e.errcode, "errmsg": f"{e.errmsg} rid: {secrets.token_hex(4)}"}
        if not self._hold(release, rule, after=True):
            return
        if isinstance(answer, bytes):
            return self._send(200, answer, "image/png")
        self._send(200, json.dumps(answer, ensure_ascii=False).encode(), "application/json; encoding=utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake WeChat server API for development.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--appid", default=DEFAULT_APPID)
    parser.add_argument("--secret", default=DEFAULT_SECRET)
    parser.add_argument("--require-consent", action="store_true",
                        help="answer 43101 to subscribe messages the user never accepted here")
    args = parser.parse_args()
    fake = FakeWeChat(args.host, args.port, args.appid, args.secret, require_consent=args.require_consent)
    print(f"fake WeChat API at {fake.base_url}", flush=True)
    fake.serve()


if __name__ == "__main__":
    main()
