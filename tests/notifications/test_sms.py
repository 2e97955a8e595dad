"""The SMS providers against the fake SMS server over real HTTP: signed requests in both providers' formats,
per-number results, and how faults become sent / retry / failed outcomes. Also the text and phone rules."""
from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
import time_machine

from notifications.base import Result
from notifications.sms import (
    SMS_MAX_TEXT,
    AliyunSms,
    ConsoleSms,
    SmsTextError,
    TencentSms,
    acs3_authorization,
    build_provider,
    check_text,
    clip_param,
    normalize_phone,
    render_text,
    tc3_authorization,
)
from scripts.fake_sms import DEFAULT_SDK_APP_ID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, DEFAULT_SIGN_NAME

TEMPLATE = "2001"  # "您有一条新的工会通知：{1}。请打开“同心”小程序查看。"
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(autouse=True)
def fake(sms_server):
    sms_server.reset()
    return sms_server


@pytest.fixture(params=["tencent", "aliyun"])
def provider(request, fake):
    """Each test runs once per real provider, both talking to the fake."""
    return make(request.param, fake)


def make(kind, fake, **kw):
    kw.setdefault("timeout", 2.0)
    kw.setdefault("sign_name", DEFAULT_SIGN_NAME)
    if kind == "tencent":
        kw.setdefault("secret_id", DEFAULT_SECRET_ID)
        kw.setdefault("secret_key", DEFAULT_SECRET_KEY)
        return TencentSms(sdk_app_id=DEFAULT_SDK_APP_ID, base_url=fake.base_url, **kw)
    return AliyunSms(access_key_id=kw.pop("secret_id", DEFAULT_SECRET_ID),
                     access_key_secret=kw.pop("secret_key", DEFAULT_SECRET_KEY), base_url=fake.base_url, **kw)


def phones(n, start=0):
    return [f"139{i:08d}" for i in range(start, start + n)]


def results(outcomes):
    return [o.result for o in outcomes]


# --- happy paths -----------------------------------------------------------------------------------

def test_tencent_sends_a_signed_request_with_e164_numbers(fake):
    out = make("tencent", fake).send(["13912345678", "+86 139-1234-5679"], TEMPLATE, ["端午节福利发放"])

    assert results(out) == [Result.sent, Result.sent]
    assert all(o.provider_id and o.provider_id.startswith("2433:") for o in out)
    (req,) = fake.requests
    assert req["headers"]["x-tc-action"] == "SendSms"
    assert req["headers"]["authorization"].startswith("TC3-HMAC-SHA256 Credential=" + DEFAULT_SECRET_ID)
    assert req["params"]["PhoneNumberSet"] == ["+8613912345678", "+8613912345679"]
    assert [(s.provider, s.phone, s.params) for s in fake.sent] == [
        ("tencent", "13912345678", ["端午节福利发放"]), ("tencent", "13912345679", ["端午节福利发放"])]


def test_aliyun_sends_a_signed_request_with_plain_numbers(fake):
    out = make("aliyun", fake).send(["13912345678", "+8613912345679"], TEMPLATE, ["端午节福利发放"])

    assert results(out) == [Result.sent, Result.sent]
    assert out[0].provider_id == out[1].provider_id  # Alibaba gives one BizId per request
    (req,) = fake.requests
    assert req["headers"]["authorization"].startswith("ACS3-HMAC-SHA256 Credential=" + DEFAULT_SECRET_ID)
    assert req["params"]["PhoneNumbers"] == "13912345678,13912345679"
    assert json.loads(req["params"]["TemplateParam"]) == {"p1": "端午节福利发放"}
    assert {s.phone for s in fake.sent} == {"13912345678", "13912345679"}


@pytest.mark.parametrize("kind, size", [("tencent", 200), ("aliyun", 1000)])
def test_a_full_batch_goes_in_one_request(fake, kind, size):
    sms = make(kind, fake)
    assert sms.max_batch == size

    out = sms.send(phones(size), TEMPLATE, ["年度体检安排"])

    assert results(out) == [Result.sent] * size
    assert len(fake.requests) == 1
    assert sorted(s.phone for s in fake.sent) == phones(size)
    with pytest.raises(ValueError):
        sms.send(phones(size + 1), TEMPLATE, ["年度体检安排"])


# --- per-number results ----------------------------------------------------------------------------

def test_one_invalid_number_fails_alone_and_the_rest_are_sent(fake, provider):
    batch = phones(9)
    fake.invalid_numbers.add(batch[4])

    out = provider.send(batch, TEMPLATE, ["工会小组会议"])

    assert results(out) == [Result.sent] * 4 + [Result.failed] + [Result.sent] * 4
    code = "InvalidParameterValue.IncorrectPhoneNumber" if provider.name == "tencent" else "isv.MOBILE_NUMBER_ILLEGAL"
    assert out[4].error.startswith(code)
    # Alibaba refuses a request with any bad number, so the batch is halved until the number is alone;
    # nobody gets the SMS twice.
    assert sorted(s.phone for s in fake.sent) == sorted(batch[:4] + batch[5:])


def test_a_number_that_is_not_a_mobile_fails_without_being_sent(fake, provider):
    out = provider.send(["13912345678", "021-12345678", ""], TEMPLATE, ["通知"])

    assert results(out) == [Result.sent, Result.failed, Result.failed]
    assert "invalid_phone" in out[1].error
    assert [s.phone for s in fake.sent] == ["13912345678"]


def test_tencent_refuses_a_blacklisted_number(fake):
    fake.blacklist.add("13900000001")

    out = make("tencent", fake).send(phones(3), TEMPLATE, ["通知"])

    assert results(out) == [Result.sent, Result.failed, Result.sent]
    assert out[1].error.startswith("FailedOperation.PhoneNumberInBlacklist")


# --- faults ----------------------------------------------------------------------------------------

def test_server_error_means_retry_for_every_phone(fake, provider):
    fake.fail(status=500)

    out = provider.send(phones(3), TEMPLATE, ["通知"])

    assert results(out) == [Result.retry] * 3
    assert "HTTP 500" in out[0].error
    assert fake.sent == []


def test_a_hanging_provider_is_given_up_after_the_timeout(fake, provider):
    fake.fail(delay=5)
    provider.timeout = 0.5

    started = time.monotonic()
    out = provider.send(phones(2), TEMPLATE, ["通知"])

    assert time.monotonic() - started < 2
    assert results(out) == [Result.retry] * 2
    assert "Timeout" in out[0].error


def test_unreachable_provider_means_retry(fake):
    sms = make("tencent", fake)
    sms.base_url = "http://127.0.0.1:9/"  # discard port: nothing listens

    out = sms.send(phones(1), TEMPLATE, ["通知"])

    assert results(out) == [Result.retry]
    assert out[0].error.startswith("network: ConnectionError")


def test_throttling_means_retry_soon(fake, provider):
    fake.rate_limit(1, window=600)  # the second request is throttled even if the machine stalls between them

    first = provider.send(phones(1), TEMPLATE, ["通知"])
    second = provider.send(phones(1, start=1), TEMPLATE, ["通知"])

    assert results(first) == [Result.sent], first[0].error
    assert results(second) == [Result.retry]
    assert second[0].error.split(":")[0] in ("RequestLimitExceeded", "Throttling.User")
    assert second[0].retry_after == 1


def test_failures_then_recovery_deliver_each_number_once(fake, provider):
    fake.fail(status=503, times=2)
    batch = phones(5)

    attempts = [provider.send(batch, TEMPLATE, ["换届选举"]) for _ in range(3)]

    assert [results(a) for a in attempts] == [[Result.retry] * 5, [Result.retry] * 5, [Result.sent] * 5]
    assert sorted(s.phone for s in fake.sent) == batch


def test_same_content_within_30_seconds_is_retried_after_30_seconds(fake, provider):
    fake.thirty_second_rule = True
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=BEIJING), tick=False) as clock:
        assert results(provider.send(phones(2), TEMPLATE, ["通知"])) == [Result.sent] * 2

        again = provider.send(phones(2), TEMPLATE, ["通知"])
        assert results(again) == [Result.retry] * 2
        assert again[0].error.split(":")[0] in ("LimitExceeded.PhoneNumberThirtySecondLimit",
                                                "isv.BUSINESS_LIMIT_CONTROL")
        assert 30 <= again[0].retry_after <= 60

        clock.shift(31)
        assert results(provider.send(phones(2), TEMPLATE, ["通知"])) == [Result.sent] * 2
    assert len(fake.sent) == 4


def test_a_number_over_its_daily_limit_waits_for_midnight_beijing_time(fake, provider):
    fake.daily_limit = 1
    with time_machine.travel(datetime(2026, 6, 1, 22, 0, tzinfo=BEIJING), tick=False):
        provider.send(phones(1), TEMPLATE, ["通知一"])

        out = provider.send(phones(1), TEMPLATE, ["通知二"])

    # Retry rather than fail: the member should still hear of the notice, the next morning.
    assert results(out) == [Result.retry]
    assert out[0].retry_after == 2 * 3600


@pytest.mark.parametrize("kind, secret_id, code", [
    ("tencent", DEFAULT_SECRET_ID, "AuthFailure.SignatureFailure"),
    ("tencent", "AKIDunknown", "AuthFailure.SecretIdNotFound"),
    ("aliyun", DEFAULT_SECRET_ID, "SignatureDoesNotMatch"),
    ("aliyun", "LTAIunknown", "InvalidAccessKeyId.NotFound"),
])
def test_wrong_credentials_fail_for_good(fake, kind, secret_id, code, caplog):
    # A misconfiguration never heals by itself; failing (and logging an error) surfaces it at once.
    sms = make(kind, fake, secret_id=secret_id, secret_key="not-the-secret")

    out = sms.send(phones(2), TEMPLATE, ["通知"])

    assert results(out) == [Result.failed] * 2
    assert out[0].error.startswith(code)
    assert fake.sent == []
    assert any(r.levelno == logging.ERROR for r in caplog.records)


@pytest.mark.parametrize("kind, code, result", [
    ("tencent", "FailedOperation.TemplateIncorrectOrUnapproved", Result.failed),
    ("tencent", "InternalError.Timeout", Result.retry),
    ("tencent", "FailedOperation.InsufficientBalanceInSmsPackage", Result.retry),
    ("aliyun", "isv.SMS_SIGNATURE_ILLEGAL", Result.failed),
    ("aliyun", "isp.SYSTEM_ERROR", Result.retry),
    ("aliyun", "isv.AMOUNT_NOT_ENOUGH", Result.retry),
])
def test_provider_error_codes_map_to_outcomes(fake, kind, code, result):
    fake.fail(kind, code=code, message="来自服务商的说明")

    out = make(kind, fake).send(phones(2), TEMPLATE, ["通知"])

    assert results(out) == [result] * 2
    assert out[0].error == f"{code}: 来自服务商的说明"


def test_unknown_template_fails(fake, provider):
    out = provider.send(phones(1), "9999", ["通知"])

    assert results(out) == [Result.failed]
    assert out[0].error.split(":")[0] in ("FailedOperation.TemplateIncorrectOrUnapproved", "isv.SMS_TEMPLATE_ILLEGAL")


def test_a_variable_over_the_limit_fails_before_any_request(fake, provider):
    out = provider.send(phones(2), TEMPLATE, ["一" * 21])

    assert results(out) == [Result.failed] * 2
    assert out[0].error.startswith("param_too_long")
    assert len(fake.requests) == 0


# --- text and phone rules --------------------------------------------------------------------------

def test_clip_param_cuts_cleanly_with_an_ellipsis():
    assert clip_param("全体会员大会") == "全体会员大会"
    assert clip_param("关于2026年端午节慰问品发放及领取时间地点安排的通知", 20) == "关于2026年端午节慰问品发放及领取时…"
    assert len(clip_param("x" * 100, 20)) == 20
    assert clip_param("第一行\n  第二行", 20) == "第一行 第二行"  # a variable is one line
    assert clip_param("家庭活动👨\u200d👩\u200d👧日", 7) == "家庭活动…"  # never half an emoji
    assert clip_param("cafe\u0301 ok", 5) == "café…"


def test_check_text_enforces_the_provider_limits():
    template = "您有一条新的工会通知：{1}。请打开“同心”小程序查看。"

    assert check_text("同心工会", template, ["端午节福利"]) == (
        "【同心工会】您有一条新的工会通知：端午节福利。请打开“同心”小程序查看。")
    with pytest.raises(SmsTextError) as e:
        check_text("同心工会", template, ["一" * 21])
    assert e.value.code == "param_too_long"
    with pytest.raises(SmsTextError) as e:
        check_text("同心工会", template, [])
    assert e.value.code == "param_count"
    long_template = "通知：{1}" + "。" * SMS_MAX_TEXT
    with pytest.raises(SmsTextError) as e:
        check_text("同心工会", long_template, ["短"])
    assert e.value.code == "text_too_long"
    assert render_text("同心工会", "${p1}于${p2}开始", ["大会", "9:00"]) == "【同心工会】大会于9:00开始"


@pytest.mark.parametrize("raw, number", [
    ("13912345678", "13912345678"), ("+86 139 1234 5678", "13912345678"), ("0086-139-1234-5678", "13912345678"),
    ("8613912345678", "13912345678"), ("(139)1234-5678", "13912345678"),
    ("12912345678", None), ("1391234567", None), ("021-12345678", None), ("+1 415 555 0100", None), (None, None),
])
def test_normalize_phone(raw, number):
    assert normalize_phone(raw) == number


# --- console and configuration ---------------------------------------------------------------------

def test_console_provider_logs_each_sms(caplog):
    sms = build_provider({"SMS_PROVIDER": "console"})
    caplog.set_level(logging.INFO, logger="notifications.sms")

    out = sms.send(["+8613912345678", "13912345679"], TEMPLATE, ["端午节福利"])

    assert results(out) == [Result.sent, Result.sent]
    assert isinstance(sms, ConsoleSms)
    assert [m.phone for m in sms.outbox] == ["13912345678", "13912345679"]
    lines = [r.getMessage() for r in caplog.records if r.name == "notifications.sms"]
    assert len(lines) == 2 and "13912345678" in lines[0] and "端午节福利" in lines[0]


def test_build_provider_reads_the_sms_settings(fake):
    settings = {"SMS_PROVIDER": "tencent", "SMS_API_BASE_URL": fake.base_url, "SMS_SECRET_ID": DEFAULT_SECRET_ID,
                "SMS_SECRET_KEY": DEFAULT_SECRET_KEY, "SMS_SDK_APP_ID": DEFAULT_SDK_APP_ID,
                "SMS_SIGN_NAME": DEFAULT_SIGN_NAME, "SMS_TIMEOUT": "3"}
    tencent = build_provider(settings)
    aliyun = build_provider(settings | {"SMS_PROVIDER": "aliyun"})

    assert (tencent.timeout, tencent.region, tencent.param_max_len) == (3.0, "ap-guangzhou", 20)
    assert results(tencent.send(phones(1), TEMPLATE, ["通知"])) == [Result.sent]
    assert results(aliyun.send(phones(1), TEMPLATE, ["通知"])) == [Result.sent]
    assert build_provider({"SMS_PROVIDER": "aliyun", "SMS_SECRET_ID": "x", "SMS_SECRET_KEY": "y",
                           "SMS_SIGN_NAME": "z"}).base_url == "https://dysmsapi.aliyuncs.com/"
    with pytest.raises(ValueError, match="SMS_SDK_APP_ID"):
        build_provider(settings | {"SMS_SDK_APP_ID": ""})
    with pytest.raises(ValueError, match="console, tencent or aliyun"):
        build_provider({"SMS_PROVIDER": "twilio"})


# --- signatures against the providers' published examples -------------------------------------------

def test_tc3_signature_matches_tencents_published_example():
    # Tencent Cloud API 3.0 "Signature v3" documentation: CVM DescribeInstances, timestamp 1551113065.
    payload = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    headers = {"Content-Type": "application/json; charset=utf-8", "Host": "cvm.tencentcloudapi.com"}

    auth = tc3_authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm",
                             1551113065, headers, payload, signed_headers=("content-type", "host"))

    assert auth == ("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
                    "SignedHeaders=content-type;host, "
                    "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")


def test_acs3_signature_matches_alibabas_published_example():
    # Alibaba Cloud "V3 request structure and signature" documentation: ECS RunInstances example.
    headers = {"host": "ecs.cn-shanghai.aliyuncs.com", "x-acs-action": "RunInstances",
               "x-acs-version": "2014-05-26", "x-acs-date": "2023-10-26T10:22:32Z",
               "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
               "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
    query = {"ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"}

    auth = acs3_authorization("YourAccessKeyId", "YourAccessKeySecret", "POST", "/", query, headers, b"")

    assert auth == ("ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;"
                    "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
                    "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0")


# --- status reports (reconciliation after a crash) ---------------------------------------------------

def test_tencent_status_pull_returns_what_the_provider_accepted_with_its_session_context(fake):
    sms = make("tencent", fake)
    since = datetime.now(UTC) - timedelta(seconds=5)
    sent = sms.send(phones(2), TEMPLATE, ["停水通知"], session_context="notice:7")
    sms.send(phones(1), TEMPLATE, ["停电通知"], session_context="notice:8")
    assert fake.requests[0]["params"]["SessionContext"] == "notice:7"

    reports = sms.pull_status(phones(1)[0], since, datetime.now(UTC) + timedelta(seconds=1))
    assert sorted(r.session_context for r in reports) == ["notice:7", "notice:8"]
    mine = next(r for r in reports if r.session_context == "notice:7")
    assert (mine.phone, mine.serial_no, mine.status) == (phones(1)[0], sent[0].provider_id, "SUCCESS")
    pull = fake.requests[-1]
    assert pull["headers"]["x-tc-action"] == "PullSmsSendStatusByPhoneNumber"
    assert pull["params"]["PhoneNumber"] == "+86" + phones(1)[0] and pull["params"]["Limit"] == 100
    # Nothing before the window, and nothing for a number that got nothing.
    assert sms.pull_status(phones(3)[2], since, datetime.now(UTC)) == []
    assert sms.pull_status(phones(1)[0], datetime.now(UTC) + timedelta(seconds=5),
                           datetime.now(UTC) + timedelta(seconds=10)) == []


@pytest.mark.parametrize("failure", [{"status": 502}, {"code": "RequestLimitExceeded"}])
def test_tencent_status_pull_that_cannot_answer_raises_unavailable(fake, failure):
    from notifications.sms import SmsUnavailable

    sms = make("tencent", fake)
    fake.fail("tencent", action="PullSmsSendStatusByPhoneNumber", **failure)
    now = datetime.now(UTC)
    with pytest.raises(SmsUnavailable):
        sms.pull_status(phones(1)[0], now - timedelta(minutes=1), now)
    assert sms.send(phones(1), TEMPLATE, ["通知"])[0].result == Result.sent  # the rule is for the pull only


def test_only_tencent_can_be_asked_for_status(fake):
    assert make("tencent", fake).can_pull and not make("aliyun", fake).can_pull
    assert not ConsoleSms().can_pull
