"""Settings come from the environment through pydantic-settings: a malformed value stops the start-up with
one line naming the variable, and the defaults are the documented ones."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.core.config import INSTANCE, ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("env, line", [
    ({"DELIVERY_BATCH": "abc"}, "DELIVERY_BATCH: must be an integer (got 'abc')"),
    ({"TOKEN_TTL_SECONDS": "12h"}, "TOKEN_TTL_SECONDS: must be an integer (got '12h')"),
    ({"SMS_TIMEOUT": "fast"}, "SMS_TIMEOUT: must be a number (got 'fast')"),
    ({"AUTH_DEV_LOGIN": "maybe"}, "AUTH_DEV_LOGIN: must be 1, true, yes or on, or 0, false, no or off (got 'maybe')"),
    ({"WECHAT_NOTICE_FIELDS": "not-json"},
     """WECHAT_NOTICE_FIELDS: must be a JSON object of texts such as {"thing1": "title"} (got 'not-json')"""),
    ({"WECHAT_NOTICE_FIELDS": '["title"]'},
     """WECHAT_NOTICE_FIELDS: must be a JSON object of texts such as {"thing1": "title"} (got '["title"]')"""),
    ({"SIGNIN_ACCOUNT_LIMIT": "often"}, "SIGNIN_ACCOUNT_LIMIT: must be a rate such as 10/15 minutes (got 'often')"),
    ({"RECEIPT_LOOKUP_LIMIT": "lots"}, "RECEIPT_LOOKUP_LIMIT: must be a rate such as 10/15 minutes (got 'lots')"),
    ({"UPLOAD_LIMIT": "many"}, "UPLOAD_LIMIT: must be a rate such as 10/15 minutes (got 'many')"),
    ({"REQUEST_RESOLVE_WORKDAYS": "ten"},
     """REQUEST_RESOLVE_WORKDAYS: must be a JSON object such as {"default": 10, "hardship": 5} (got 'ten')"""),
    ({"REQUEST_RESOLVE_WORKDAYS": '{"default": 10, "canteen": 0}'},
     "REQUEST_RESOLVE_WORKDAYS: working days must be between 1 and 60"),
    ({"REQUEST_RESOLVE_WORKDAYS": '{"default": 10, "cantene": 3}'},
     "REQUEST_RESOLVE_WORKDAYS: unknown categories cantene (known: default, rights, hardship, welfare, training, "
     "canteen, workplace, other)"),
    ({"REQUEST_RESOLVE_WORKDAYS": '{"hardship": 3}'}, 'REQUEST_RESOLVE_WORKDAYS: must name "default"'),
    ({"DELIVERY_BATCH": "abc", "SMS_TIMEOUT": "fast"},
     "SMS_TIMEOUT: must be a number (got 'fast'); DELIVERY_BATCH: must be an integer (got 'abc')"),
])
def test_a_malformed_value_is_one_line_naming_the_variable(env, line):
    with pytest.raises(ConfigError) as exc:
        load_config(env)
    assert str(exc.value) == line


def test_values_are_read_with_their_types_and_empty_means_unset():
    cfg = load_config({"DELIVERY_BATCH": " 50 ", "SMS_TIMEOUT": "2.5", "AUTH_DEV_LOGIN": "Yes",
                       "WECHAT_NOTICE_FIELDS": '{"thing9": "sender"}', "TOKEN_SECRET_KEY_PREVIOUS": "a, b,",
                       "DELIVERY_THREADS": "", "SQLALCHEMY_ECHO": "", "DATABASE_URL": "", "SMS_SECRET_ID": "",
                       "UNION_NAME": "某某工会"})
    assert (cfg["DELIVERY_BATCH"], cfg["SMS_TIMEOUT"], cfg["AUTH_DEV_LOGIN"]) == (50, 2.5, True)
    assert cfg["WECHAT_NOTICE_FIELDS"] == {"thing9": "sender"}
    assert cfg["TOKEN_SECRET_KEY_PREVIOUS"] == ["a", "b"]
    assert (cfg["DELIVERY_THREADS"], cfg["SQLALCHEMY_ECHO"], cfg["SMS_SECRET_ID"]) == (16, False, "")
    assert cfg["DATABASE_URL"] == f"sqlite:///{INSTANCE / 'union.db'}"
    assert cfg["SMS_SIGN_NAME"] == "某某工会"  # the signature defaults to the union's name


def test_defaults_are_unchanged():
    # What load_config({}) gave before the settings moved to pydantic-settings (README "Configuration").
    cfg = load_config({})
    assert len(cfg.pop("SECRET_KEY")) >= 32  # generated once per checkout
    assert cfg == {
        "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{INSTANCE / 'union.db'}",
        "WECHAT_APPID": "wx-dev-appid", "WECHAT_SECRET": "dev-wechat-secret",
        "WECHAT_API_BASE_URL": "https://api.weixin.qq.com/", "WECHAT_TIMEOUT": 5.0, "WECHAT_ENV_VERSION": "release",
        "SMS_PROVIDER": "console", "SMS_API_BASE_URL": "", "SMS_SECRET_ID": "", "SMS_SECRET_KEY": "",
        "SMS_SDK_APP_ID": "", "SMS_SIGN_NAME": "同心工会", "SMS_REGION": "ap-guangzhou", "SMS_TIMEOUT": 5.0,
        "SMS_PARAM_MAX_LEN": 20, "SMS_POOL_SIZE": 16, "REDIS_URL": None,
        "WECHAT_NOTICE_TEMPLATE_ID": "notice-template-dev",
        "WECHAT_NOTICE_FIELDS": {"thing1": "title", "thing2": "body", "time3": "date"},
        "SMS_NOTICE_TEMPLATE_ID": "notice-sms-dev", "SMS_RATE_PER_SECOND": 200.0, "PUSH_RATE_PER_SECOND": 500.0,
        "DELIVERY_BATCH": 200, "DELIVERY_THREADS": 16, "DELIVERY_LEASE_SECONDS": 60, "DELIVERY_MAX_ATTEMPTS": 8,
        "DELIVERY_BACKOFF_SECONDS": 10.0, "DELIVERY_REPORT_WAIT_SECONDS": 600, "REMINDER_TICK_SECONDS": 1.0,
        "SCHEDULER_LEASE_SECONDS": 30.0, "PUBLIC_BASE_URL": "http://127.0.0.1:5000", "FONT_PATH": None,
        "CHECKIN_CODE_PERIOD": 30, "AUTH_DEV_LOGIN": False, "TOKEN_TTL_SECONDS": 43200,
        "SIGNIN_ACCOUNT_LIMIT": "10/15 minutes", "SIGNIN_ADDRESS_LIMIT": "30/hour", "DEV_LOGIN_LIMIT": "60/minute",
        "UNION_NAME": "同心工会", "TRUSTED_PROXY_COUNT": 0, "MAX_CONTENT_LENGTH": 1048576,
        "MEMBER_IMPORT_MAX_BYTES": 52428800, "SQLALCHEMY_ECHO": False,
        "LOG_FORMAT": "text", "METRICS_ALLOW": "127.0.0.1,::1", "METRICS_TOKEN": "",
        "SUGGESTIONS_PER_DAY": 5, "PROCUREMENT_QUOTES_THRESHOLD_FEN": 2_000_000, "AWARD_NOTICE_WORKING_DAYS": 5,
        "CARE_RETENTION_DAYS": 1095, "CARE_FUND_CATEGORY": "502",
        "VOLUNTEER_CHECKOUT_CLOSES_MINUTES_AFTER": 120, "VOLUNTEER_POINTS_PER_HOUR": 10,
        "BENEFIT_UNCLAIMED_REMINDER_HOURS": 24, "BENEFIT_UNREDEEMED_REMINDER_HOURS": 24,
        "SUGGESTION_BATCH_MIN": 5, "SUGGESTION_MAX_DELAY_SECONDS": 21600,
        "RECEIPT_LOOKUP_LIMIT": "20/minute", "RECEIPT_CHECKS_CONCURRENT": 2, "RECEIPT_CHECK_DIR": None,
        "UPLOAD_LIMIT": "60/hour", "FUND_APPROVAL_THRESHOLD_FEN": 500000,
        "MEMBER_SEARCH_LIMIT": "60/hour", "HEAD_LINK_POST_LIMIT": "20/hour",
        "STORAGE_ROOT": None, "STORAGE_S3_ENDPOINT": "", "STORAGE_S3_BUCKET": "",
        "STORAGE_S3_ACCESS_KEY": "", "STORAGE_S3_SECRET_KEY": "", "STORAGE_S3_REGION": "",
        "REQUEST_RESOLVE_WORKDAYS": {"default": 10, "hardship": 5},
        "REQUEST_WARN_HOURS": 4.0,
        "REQUEST_LEVEL2_HOURS": 24.0,
        "SURVEY_BATCH_MIN": 5, "SURVEY_MAX_DELAY_SECONDS": 21600, "SURVEY_REMINDER_HOURS": 24,
        "TOKEN_SECRET_KEY": None, "TOKEN_SECRET_KEY_PREVIOUS": [], "QR_SECRET_KEY": None,
        "QR_SECRET_KEY_PREVIOUS": [], "RECEIPT_SECRET_KEY": None, "RECEIPT_SECRET_KEY_PREVIOUS": [],
    }
    assert isinstance(cfg["DELIVERY_BATCH"], int) and isinstance(cfg["WECHAT_TIMEOUT"], float)


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "flask", "--app", "server", "routes"],
    [sys.executable, "-m", "flask", "--app", "server", "worker"],
    [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0"],
], ids=["flask-routes", "flask-worker", "gunicorn"])
def test_start_up_with_a_bad_value_stops_with_one_line(command):
    env = {**os.environ, "DELIVERY_BATCH": "abc"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert run.stderr.splitlines() == ["configuration error: DELIVERY_BATCH: must be an integer (got 'abc')"]
    assert run.stdout == ""
