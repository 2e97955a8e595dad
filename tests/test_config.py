"""Settings come from the environment through pydantic-settings: a malformed value stops the start-up with
one line naming the variable, and the defaults are the documented ones."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from server.core.config import INSTANCE, SEPARATE_KEYS, ConfigError, Settings, load_config

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
        "LOG_FORMAT": "text", "METRICS_ALLOW": "127.0.0.1,::1", "METRICS_TOKEN": "", "BACKUP_DIR": None,
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


ENV_EXAMPLE = ROOT / "deploy" / "union-hub.env.example"


def read_env_example(fill: str = "f" * 48) -> dict[str, str]:
    """deploy/union-hub.env.example as systemd reads it (NAME=value lines, # comments), each <placeholder>
    replaced by ``fill``."""
    env = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = re.sub(r"<[^>]*>", fill, value.strip())
    return env


def test_the_env_example_filled_in_loads_in_production():
    env = read_env_example()
    assert "<" not in ENV_EXAMPLE.read_text().split("APP_ENV=")[1].split("\n")[0]  # APP_ENV itself is literal
    cfg = load_config(env)
    assert cfg["APP_ENV"] == "production"
    assert cfg["DATABASE_URL"].startswith("postgresql+psycopg://") and cfg["REDIS_URL"].startswith("redis://")
    assert cfg["TRUSTED_PROXY_COUNT"] == 1 and cfg["SMS_PROVIDER"] == "tencent"
    # Every setting the example names is one the app reads, or one the systemd units read.
    assert set(env) - set(Settings.model_fields) == set()
    commented = set(re.findall(r"^# ([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))
    assert commented - set(Settings.model_fields) == {"UNION_HUB_BIND", "GUNICORN_CMD_ARGS"}


def test_the_env_example_has_a_placeholder_for_every_secret():
    # Left as it is, the example does not start: the keys are placeholders, not values anyone could reuse.
    env = read_env_example(fill="")
    assert all(env[name] == "" for name in ("SECRET_KEY", *SEPARATE_KEYS, "WECHAT_SECRET", "SMS_SECRET_KEY"))
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(env)


def production(**changes: str) -> dict[str, str]:
    """A production environment that starts, with ``changes``."""
    env = {"APP_ENV": "production", "SECRET_KEY": "s" * 40, "WECHAT_APPID": "wx1234567890abcdef",
           "WECHAT_SECRET": "real-secret", **{name: name[0].lower() * 40 for name in SEPARATE_KEYS},
           "DATABASE_URL": "postgresql+psycopg://union@db/union", "REDIS_URL": "redis://redis:6379/0",
           "PUBLIC_BASE_URL": "https://union.example.cn", "SMS_PROVIDER": "tencent",
           "SMS_SECRET_ID": "AKID", "SMS_SECRET_KEY": "key", "SMS_SDK_APP_ID": "1400000001"}
    return {**env, **changes}


def test_the_production_baseline_starts():
    assert load_config(production())["APP_ENV"] == "production"
    # Another https host for WeChat or SMS (an egress proxy in front of the provider) is allowed.
    cfg = load_config(production(WECHAT_API_BASE_URL="https://wx-proxy.internal/",
                                 SMS_API_BASE_URL="https://sms-proxy.internal/"))
    assert cfg["WECHAT_API_BASE_URL"] == "https://wx-proxy.internal/"


@pytest.mark.parametrize("changes, line", [
    ({"DATABASE_URL": ""}, "APP_ENV=production requires a PostgreSQL DATABASE_URL (postgresql+psycopg://...); "
                           "SQLite is for development and tests (got sqlite)"),
    ({"DATABASE_URL": "sqlite:////srv/union.db"}, "APP_ENV=production requires a PostgreSQL DATABASE_URL "
                                                 "(postgresql+psycopg://...); SQLite is for development and tests "
                                                 "(got sqlite)"),
    ({"REDIS_URL": ""}, "APP_ENV=production requires REDIS_URL (without it each process keeps its own sign-in, "
                        "receipt and provider rate limits)"),
    ({"PUBLIC_BASE_URL": "http://union.example.cn"},
     "APP_ENV=production requires PUBLIC_BASE_URL to be https://... (got 'http://union.example.cn')"),
    ({"PUBLIC_BASE_URL": "https://"}, "APP_ENV=production requires PUBLIC_BASE_URL to be https://... (got 'https://')"),
    ({"SMS_PROVIDER": "console"}, "SMS_PROVIDER=console is refused when APP_ENV=production (it only prints "
                                  "messages; set tencent or aliyun)"),
    ({"SMS_PROVIDER": ""}, "SMS_PROVIDER=console is refused when APP_ENV=production (it only prints "
                           "messages; set tencent or aliyun)"),
    ({"WECHAT_API_BASE_URL": "http://127.0.0.1:8801/"},
     "APP_ENV=production requires WECHAT_API_BASE_URL to be WeChat's (https://api.weixin.qq.com/), not a local "
     "fake (got 'http://127.0.0.1:8801/')"),
    ({"WECHAT_API_BASE_URL": "https://localhost:8801/"},
     "APP_ENV=production requires WECHAT_API_BASE_URL to be WeChat's (https://api.weixin.qq.com/), not a local "
     "fake (got 'https://localhost:8801/')"),
    ({"WECHAT_API_BASE_URL": "https://[::1]/"},
     "APP_ENV=production requires WECHAT_API_BASE_URL to be WeChat's (https://api.weixin.qq.com/), not a local "
     "fake (got 'https://[::1]/')"),
    ({"SMS_API_BASE_URL": "http://127.0.0.1:8802/"},
     "APP_ENV=production requires SMS_API_BASE_URL to be empty (the provider's own) or https on another host, "
     "not a local fake (got 'http://127.0.0.1:8802/')"),
], ids=["no-database", "sqlite", "no-redis", "http-base-url", "https-without-host", "console-sms",
        "default-sms", "fake-wechat", "wechat-on-localhost", "wechat-on-ipv6-loopback", "fake-sms"])
def test_production_refuses_what_development_runs_with(changes, line):
    with pytest.raises(ConfigError) as exc:
        load_config(production(**changes))
    assert str(exc.value) == line
    # Development keeps running with all of them.
    assert load_config({**production(**changes), "APP_ENV": "development"})["APP_ENV"] == "development"


def test_scripts_run_development_settings_are_refused_in_production():
    # What ./scripts/run exports (fake WeChat and SMS on local ports, SQLite), with production's keys.
    run = (ROOT / "scripts" / "run").read_text()
    assert "WECHAT_API_BASE_URL:-http://127.0.0.1:" in run and "SMS_API_BASE_URL=http://127.0.0.1:" in run
    with pytest.raises(ConfigError, match="WECHAT_API_BASE_URL"):
        load_config(production(WECHAT_API_BASE_URL="http://127.0.0.1:8801/"))
