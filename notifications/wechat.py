"""WeChat server API for the mini-program: sign-in, phone number, subscribe messages, mini-program codes.

A thin wrapper over wechatpy 1.8.18 (INTEGRATIONS.md §1) that fixes what it lacks for us: a configurable
base URL, a timeout on every request (the token fetch included), a token store that enforces its TTL,
one retry with a fresh token, and two exceptions callers can act on instead of wechatpy's and requests'.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

log = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # access_token invalid, malformed or expired
REFRESH_MARGIN = 300  # a token is replaced this many seconds before WeChat says it expires
# getwxacodeunlimit's env_version -> subscribe/send's miniprogram_state
MINIPROGRAM_STATE = {"release": "formal", "trial": "trial", "develop": "developer"}


class WeChatError(Exception):
    """WeChat answered with a non-zero errcode (e.g. 40029 bad code, 43101 no consent, 47003 bad field)."""

    def __init__(self, errcode: int, errmsg: str = ""):
        super().__init__(f"WeChat error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatUnavailable(Exception):
    """WeChat could not be used: timeout, connection refused, HTTP error, answer that is not JSON."""


class MemoryTokenStore:
    """In-process store; unlike wechatpy's MemoryStorage it drops entries when their ttl runs out."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[Any, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        value, expires_at = self._data.get(key, (None, 0.0))
        return value if expires_at > time.time() else default

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        with self._lock:
            self._data[key] = (value, time.time() + (ttl or 7200))

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class RedisTokenStore(RedisStorage):
    """Shared by all processes; Redis expires the key. A Redis outage costs a token fetch, not a sign-in."""

    def get(self, key, default=None):
        import redis

        try:
            return super().get(key, default)
        except redis.RedisError:
            log.warning("token cache unavailable; fetching from WeChat", exc_info=True)
            return default

    def set(self, key, value, ttl=None):
        import redis

        try:
            super().set(key, value, ttl)
        except redis.RedisError:
            log.warning("token cache unavailable; token not shared", exc_info=True)

    def delete(self, key):
        import redis

        try:
            super().delete(key)
        except redis.RedisError:
            log.warning("token cache unavailable", exc_info=True)


class _Client(WeChatClient):
    def __init__(self, base_url: str, appid: str, secret: str, store: Any, timeout: float):
        # auto_retry=False: wechatpy retries token errors without limit; the gateway retries once.
        super().__init__(appid, secret, session=store, timeout=timeout, auto_retry=False)
        # wechatpy names api.weixin.qq.com in three places (INTEGRATIONS.md §1); the third is the
        # token URL, replaced by fetch_access_token() below.
        self.base_url = base_url
        self.API_BASE_URL = base_url + "cgi-bin/"
        self.wxa.API_BASE_URL = base_url
        # Enough kept-alive connections for every delivery thread (wechatpy's session keeps 10).
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=64)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)

    @property
    def access_token(self) -> str:
        # The store enforces the TTL, so what it holds is fresh (wechatpy trusts any stored token).
        return self.session.get(self.access_token_key) or self.fetch_access_token()

    def fetch_access_token(self, force: bool = False) -> str:
        """stable_token: every process gets the same token, so workers do not invalidate each other's."""
        payload = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
                   "force_refresh": force}
        try:
            res = self._http.post(self.base_url + "cgi-bin/stable_token", json=payload, timeout=self.timeout)
            res.raise_for_status()
            result = res.json()
        except requests.RequestException as e:  # includes a body that is not JSON
            raise WeChatUnavailable(f"access_token fetch failed: {e}") from e
        if not isinstance(result, dict) or result.get("errcode") or not result.get("access_token"):
            errcode = result.get("errcode") if isinstance(result, dict) else None
            if errcode == -1 or not isinstance(errcode, int):
                raise WeChatUnavailable(f"access_token fetch failed: {str(result)[:200]}")
            log.error("WeChat refused the access_token request (check WECHAT_APPID/SECRET): %s", result)
            raise WeChatError(errcode, result.get("errmsg", ""))
        token = result["access_token"]
        expires_in = int(result.get("expires_in", 7200))
        # stable_token hands out the current token with its remaining lifetime, which near the end is
        # under the margin: keep it for half of what is left rather than refetching on every call.
        ttl = expires_in - REFRESH_MARGIN if expires_in > 2 * REFRESH_MARGIN else expires_in // 2
        self.session.set(self.access_token_key, token, max(ttl, 1))
        return token


def _token_in(request: Any) -> str | None:
    url = getattr(request, "url", None) or ""
    return parse_qs(urlsplit(url).query).get("access_token", [None])[0]


def _field(result: Any, key: str) -> Any:
    if not isinstance(result, dict) or key not in result:
        raise WeChatUnavailable(f"unexpected answer from WeChat: {str(result)[:200]}")
    return result[key]


class WeChatGateway:
    def __init__(self, *, appid: str, secret: str, base_url: str, timeout: float = 5.0,
                 store: Any = None, env_version: str = "release"):
        base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.client = _Client(base_url, appid, secret, store or MemoryTokenStore(), timeout)
        self.base_url = base_url
        self.env_version = env_version

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WeChatGateway:
        store = None
        timeout = float(config["WECHAT_TIMEOUT"])
        if config.get("REDIS_URL"):
            import redis

            conn = redis.Redis.from_url(config["REDIS_URL"], socket_timeout=timeout,
                                        socket_connect_timeout=timeout)
            store = RedisTokenStore(conn, prefix="unionhub:wechat")
        return cls(appid=config["WECHAT_APPID"], secret=config["WECHAT_SECRET"],
                   base_url=config["WECHAT_API_BASE_URL"], timeout=timeout, store=store,
                   env_version=config.get("WECHAT_ENV_VERSION", "release"))

    # --- the calls ---------------------------------------------------------------------------

    def code_to_session(self, js_code: str) -> dict:
        """Exchange a wx.login code: {"openid", "unionid" or None}. Bad or used code -> WeChatError."""
        # jscode2session takes no access_token; naming it None stops wechatpy fetching one
        # (and requests leaves None parameters out), so sign-in does not depend on the token.
        params = {"appid": self.client.appid, "secret": self.client.secret, "js_code": js_code,
                  "grant_type": "authorization_code", "access_token": None}
        result = self._call(lambda: self.client.get("sns/jscode2session", params=params,
                                                     api_base_url=self.base_url))
        return {"openid": _field(result, "openid"), "unionid": result.get("unionid")}

    def get_phone_number(self, code: str) -> str:
        """The phone number behind a getPhoneNumber button code (purePhoneNumber, no country code)."""
        result = self._call(lambda: self.client.post("wxa/business/getuserphonenumber", data={"code": code},
                                                      api_base_url=self.base_url))
        info = _field(result, "phone_info")
        return _field(info, "purePhoneNumber")

    def send_subscribe_message(self, openid: str, template_id: str, data: Mapping[str, Any],
                               page: str | None = None) -> None:
        """Send one subscribe message; data maps keys to values or to {"value": ...}.

        Raises WeChatError: 43101 no consent left, 47003 a field breaks its rule, 40003 bad openid.
        """
        body: dict[str, Any] = {
            "touser": openid, "template_id": template_id,
            "data": {k: v if isinstance(v, Mapping) else {"value": v} for k, v in data.items()},
            "miniprogram_state": MINIPROGRAM_STATE.get(self.env_version, "formal"), "lang": "zh_CN",
        }
        if page:
            body["page"] = page
        self._call(lambda: self.client.post("message/subscribe/send", data=body))

    def get_wxa_code_unlimited(self, scene: str, page: str | None = None, width: int = 430) -> bytes:
        """A mini-program code (PNG) opening `page` with `scene` (≤32 chars)."""
        # check_path=false: the page need not be in the published version yet.
        body: dict[str, Any] = {"scene": scene, "width": width, "check_path": False,
                                "env_version": self.env_version}
        if page:
            body["page"] = page
        res = self._call(lambda: self.client.post("wxa/getwxacodeunlimit", data=body, api_base_url=self.base_url))
        if isinstance(res, requests.Response) and res.headers.get("Content-Type", "").startswith("image/"):
            return res.content
        raise WeChatUnavailable(f"unexpected answer from WeChat: {str(res)[:200]}")

    # --- plumbing ------------------------------------------------------------------------------

    def _call(self, fn: Callable[[], Any]) -> Any:
        """Run one wechatpy call, translating its failures; a refused token is replaced and tried once more."""
        for attempt in (1, 2):
            try:
                return fn()
            except WeChatClientException as e:
                if e.errcode is None:  # wechatpy's wrapper around an HTTP error status
                    status = getattr(e.response, "status_code", None)
                    raise WeChatUnavailable(f"WeChat answered HTTP {status}") from e
                if e.errcode in TOKEN_ERRORS and attempt == 1:
                    log.info("WeChat refused the access_token (%s); fetching a new one", e.errcode)
                    self._replace_token(_token_in(e.request))
                    continue
                if e.errcode == -1:  # "system busy, try again"
                    raise WeChatUnavailable(f"WeChat busy: {e.errmsg}") from e
                raise WeChatError(e.errcode, str(e.errmsg)) from None
            except requests.RequestException as e:
                raise WeChatUnavailable(str(e)) from e
        raise AssertionError("unreachable")

    def _replace_token(self, rejected: str | None) -> None:
        store, key = self.client.session, self.client.access_token_key
        if store.get(key) not in (None, rejected):
            return  # another worker has already replaced it
        store.delete(key)
        if self.client.fetch_access_token() == rejected:
            # stable_token handed back the very token WeChat refused; only a forced refresh replaces it.
            self.client.fetch_access_token(force=True)


def get_gateway(app) -> WeChatGateway:
    """The app's gateway, built once from its config and shared by its threads."""
    gateway = app.extensions.get("wechat_gateway")
    if gateway is None:
        gateway = app.extensions.setdefault("wechat_gateway", WeChatGateway.from_config(app.config))
    return gateway
