"""The WeChat gateway against the fake WeChat server over real HTTP: token caching and refresh,
subscribe messages, mini-program codes and how failures surface."""
from __future__ import annotations

import io
import socket
import time
import uuid
from datetime import timedelta

import pytest
import redis
import time_machine
from PIL import Image

from notifications.wechat import REFRESH_MARGIN, WeChatError, WeChatGateway, WeChatUnavailable, get_gateway
from scripts.fake_wechat import DEFAULT_APPID, DEFAULT_SECRET

REDIS_URL = "redis://127.0.0.1:6379/15"
PHONE_CODE = "phone-13912345678"


@pytest.fixture
def gateway(wechat_server):
    def build(**kw):
        kw.setdefault("appid", DEFAULT_APPID)
        kw.setdefault("secret", DEFAULT_SECRET)
        kw.setdefault("base_url", wechat_server.base_url)
        kw.setdefault("timeout", 2.0)
        return WeChatGateway(**kw)
    return build


@pytest.fixture
def redis_app(wechat_server):
    """Settings for gateways sharing a Redis token cache, under an appid of their own."""
    conn = redis.Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    appid = f"wx-test-{uuid.uuid4().hex[:12]}"
    wechat_server.apps[appid] = "test-secret"
    yield {"WECHAT_APPID": appid, "WECHAT_SECRET": "test-secret", "WECHAT_API_BASE_URL": wechat_server.base_url,
           "WECHAT_TIMEOUT": 2.0, "REDIS_URL": REDIS_URL}
    for key in conn.scan_iter(f"unionhub:wechat:{appid}*"):
        conn.delete(key)


def token_fetches(fake):
    return len(fake.calls("cgi-bin/stable_token")) + len(fake.calls("cgi-bin/token"))


def tokens_used(fake, path):
    return [c["query"].get("access_token") for c in fake.calls(path)]


# --- access token ------------------------------------------------------------------------------

def test_many_calls_share_one_token_fetch(gateway, wechat_server):
    gw = gateway()

    for _ in range(5):
        assert gw.get_phone_number(PHONE_CODE) == "13912345678"
    gw.get_wxa_code_unlimited("e=1")

    assert token_fetches(wechat_server) == 1
    fetch = wechat_server.calls("cgi-bin/stable_token")[0]["body"]
    assert fetch == {"grant_type": "client_credential", "appid": DEFAULT_APPID, "secret": DEFAULT_SECRET,
                     "force_refresh": False}
    assert len(set(tokens_used(wechat_server, "wxa/business/getuserphonenumber"))) == 1


def test_sign_in_needs_no_access_token(gateway, wechat_server):
    wechat_server.add_code("0c1one", "o-alice", unionid="u-alice")

    assert gateway().code_to_session("0c1one") == {"openid": "o-alice", "unionid": "u-alice"}

    assert token_fetches(wechat_server) == 0
    assert "access_token" not in wechat_server.calls("sns/jscode2session")[0]["query"]


def test_gateways_sharing_redis_share_the_token(redis_app, wechat_server):
    first = WeChatGateway.from_config(redis_app)
    second = WeChatGateway.from_config(redis_app)  # as in another worker process

    first.get_phone_number(PHONE_CODE)
    second.get_phone_number(PHONE_CODE)

    assert token_fetches(wechat_server) == 1
    assert len(set(tokens_used(wechat_server, "wxa/business/getuserphonenumber"))) == 1
    # Redis itself expires the entry, ahead of WeChat's two hours.
    conn = redis.Redis.from_url(REDIS_URL)
    ttl = conn.ttl(f"unionhub:wechat:{redis_app['WECHAT_APPID']}_access_token")
    assert 0 < ttl <= 7200 - REFRESH_MARGIN


def test_token_is_replaced_before_it_expires(gateway, wechat_server):
    # An appid of its own: the fake's stable token outlives reset(), as WeChat's does, so under the shared
    # appid an earlier test's token would come back with less than its full two hours left.
    appid = f"wx-test-{uuid.uuid4().hex[:12]}"
    wechat_server.apps[appid] = "test-secret"
    gw = gateway(appid=appid, secret="test-secret")
    gw.get_phone_number(PHONE_CODE)

    with time_machine.travel(timedelta(seconds=7200 - REFRESH_MARGIN - 60)):
        gw.get_phone_number(PHONE_CODE)
        assert token_fetches(wechat_server) == 1
    with time_machine.travel(timedelta(seconds=7200 - REFRESH_MARGIN + 1)):
        gw.get_phone_number(PHONE_CODE)
        assert token_fetches(wechat_server) == 2
    with time_machine.travel(timedelta(seconds=7200 + 1)):
        gw.get_phone_number(PHONE_CODE)

    used = tokens_used(wechat_server, "wxa/business/getuserphonenumber")
    # Four calls, none refused and retried; a new token once WeChat retired the old one.
    assert len(used) == 4 and used[-1] != used[0]


def test_refused_token_is_replaced_and_the_call_retried_once(gateway, wechat_server):
    gw = gateway()
    gw.get_phone_number(PHONE_CODE)
    wechat_server.revoke_tokens()  # e.g. the secret was reset in the WeChat console

    assert gw.get_phone_number(PHONE_CODE) == "13912345678"

    first, refused, retried = tokens_used(wechat_server, "wxa/business/getuserphonenumber")
    assert refused == first and retried != first


def test_a_token_refused_twice_is_an_error_not_a_loop(gateway, wechat_server):
    gw = gateway()
    wechat_server.fail("wxa/business/getuserphonenumber", errcode=40001)

    with pytest.raises(WeChatError) as err:
        gw.get_phone_number(PHONE_CODE)

    assert err.value.errcode == 40001
    assert len(wechat_server.calls("wxa/business/getuserphonenumber")) == 2


def test_wrong_secret_is_an_error(gateway):
    with pytest.raises(WeChatError) as err:
        gateway(secret="wrong").get_phone_number(PHONE_CODE)
    assert err.value.errcode == 40125


# --- failures --------------------------------------------------------------------------------

def test_a_hanging_token_fetch_times_out(gateway, wechat_server):
    wechat_server.fail("cgi-bin/stable_token", delay=30)

    started = time.monotonic()
    with pytest.raises(WeChatUnavailable):
        gateway(timeout=0.3).get_phone_number(PHONE_CODE)

    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("failure", [{"status": 500}, {"status": 503}, {"body": b"<html>gateway</html>"},
                                     {"errcode": -1, "errmsg": "system error"}])
@pytest.mark.parametrize("path", ["cgi-bin/stable_token", "wxa/business/getuserphonenumber"])
def test_server_errors_and_nonsense_are_unavailable(gateway, wechat_server, path, failure):
    wechat_server.fail(path, **failure)

    with pytest.raises(WeChatUnavailable):
        gateway().get_phone_number(PHONE_CODE)


def test_connection_refused_is_unavailable(gateway):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    with pytest.raises(WeChatUnavailable):
        gateway(base_url=f"http://127.0.0.1:{port}").code_to_session("code-o-x")


# --- subscribe messages --------------------------------------------------------------------------

DATA = {"thing1": "职工篮球赛报名成功", "time2": "2026年12月1日 09:00", "thing3": "工会活动室",
        "phrase4": "已确认"}


def test_subscribe_message_is_delivered_once_per_consent(gateway, wechat_server):
    wechat_server.grant("o-alice", "TPL-EVENT")
    gw = gateway()

    gw.send_subscribe_message("o-alice", "TPL-EVENT", DATA, page="pages/events/detail?id=7")

    sent = wechat_server.sent[-1]
    assert sent["touser"] == "o-alice" and sent["page"] == "pages/events/detail?id=7"
    assert sent["data"]["thing1"] == {"value": "职工篮球赛报名成功"}
    assert sent["miniprogram_state"] == "formal"
    # The one consent is used up: WeChat refuses the next send.
    with pytest.raises(WeChatError) as err:
        gw.send_subscribe_message("o-alice", "TPL-EVENT", DATA)
    assert err.value.errcode == 43101


def test_subscribe_message_without_consent_is_43101(gateway):
    with pytest.raises(WeChatError) as err:
        gateway().send_subscribe_message("o-bob", "TPL-EVENT", DATA)
    assert err.value.errcode == 43101


@pytest.mark.parametrize("key, value", [
    ("thing1", "这是一段超过二十个字的活动名称用来测试长度限制"),
    ("phrase4", "已经确认完毕"),
    ("phrase4", "OK"),
    ("time2", "明天上午"),
    ("number5", "十二"),
    ("unknown6", "x"),
])
def test_field_breaking_its_rule_is_47003_and_uses_no_consent(gateway, wechat_server, key, value):
    wechat_server.grant("o-carol", "TPL-EVENT")
    gw = gateway()

    with pytest.raises(WeChatError) as err:
        gw.send_subscribe_message("o-carol", "TPL-EVENT", {**DATA, key: value})

    assert err.value.errcode == 47003 and key in err.value.errmsg
    gw.send_subscribe_message("o-carol", "TPL-EVENT", DATA)  # the consent is still there
    assert len(wechat_server.sent) == 1


# --- mini-program codes ----------------------------------------------------------------------------

def test_wxacode_is_a_png_for_an_unpublished_page(gateway, wechat_server):
    png = gateway(env_version="trial").get_wxa_code_unlimited("n=42", page="pages/notices/detail", width=430)

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 100
    body = wechat_server.calls("wxa/getwxacodeunlimit")[0]["body"]
    assert body["check_path"] is False and body["env_version"] == "trial"
    assert body["scene"] == "n=42" and body["page"] == "pages/notices/detail"


def test_wxacode_with_a_bad_scene_is_an_error(gateway):
    with pytest.raises(WeChatError) as err:
        gateway().get_wxa_code_unlimited("场景" * 20)
    assert err.value.errcode == 40169


def test_the_app_keeps_one_gateway_built_from_its_config(app, wechat_server):
    gw = get_gateway(app)

    assert get_gateway(app) is gw
    assert gw.base_url == wechat_server.base_url
    assert gw.client.timeout == app.config["WECHAT_TIMEOUT"]
