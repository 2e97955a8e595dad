"""Settings read from the environment (see README / API.md "Configuration")."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from limits import parse as parse_limit

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# WeChat's real API; development and tests point WECHAT_API_BASE_URL at scripts/fake_wechat.py.
WECHAT_REAL_BASE = "https://api.weixin.qq.com/"


class ConfigError(RuntimeError):
    pass


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret_key() -> str:
    """Generate a key once per checkout so tokens survive restarts in development."""
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


# One key per thing it protects, so rotating one leaves the others' work valid (docs/security.md).
# Unset, each falls back to SECRET_KEY, which is what signed all three before they were separate.
SEPARATE_KEYS = ("TOKEN_SECRET_KEY", "QR_SECRET_KEY", "RECEIPT_SECRET_KEY")
MIN_KEY_LENGTH = 32


def _key_list(value: str | None) -> list[str]:
    return [k.strip() for k in (value or "").split(",") if k.strip()]


def secret_keys(config, name: str) -> list[str]:
    """The keys for ``name`` (one of SEPARATE_KEYS): the current one first (it signs), then the
    previous ones from ``<name>_PREVIOUS`` (still accepted while a rotation is under way)."""
    current = config.get(name) or config["SECRET_KEY"]
    return [current, *(k for k in config.get(name + "_PREVIOUS") or () if k != current)]


def load_config(env: dict[str, str] | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    app_env = env.get("APP_ENV", "development")
    production = app_env == "production"
    cfg: dict = {
        "APP_ENV": app_env,
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'union.db'}",
        "WECHAT_APPID": env.get("WECHAT_APPID", "wx-dev-appid"),
        "WECHAT_SECRET": env.get("WECHAT_SECRET", "dev-wechat-secret"),
        "WECHAT_API_BASE_URL": env.get("WECHAT_API_BASE_URL", WECHAT_REAL_BASE),
        "WECHAT_TIMEOUT": float(env.get("WECHAT_TIMEOUT", "5")),
        # Which mini-program version QR codes and pushes open: release, trial or develop.
        "WECHAT_ENV_VERSION": env.get("WECHAT_ENV_VERSION", "release"),
        "SMS_PROVIDER": env.get("SMS_PROVIDER", "console"),
        "SMS_API_BASE_URL": env.get("SMS_API_BASE_URL", ""),
        # Tencent: secret id/key and SdkAppId; Aliyun: access key id/secret in SMS_SECRET_ID/KEY.
        "SMS_SECRET_ID": env.get("SMS_SECRET_ID", ""),
        "SMS_SECRET_KEY": env.get("SMS_SECRET_KEY", ""),
        "SMS_SDK_APP_ID": env.get("SMS_SDK_APP_ID", ""),
        "SMS_SIGN_NAME": env.get("SMS_SIGN_NAME") or env.get("UNION_NAME", "同心工会"),
        "SMS_REGION": env.get("SMS_REGION", "ap-guangzhou"),
        "SMS_TIMEOUT": float(env.get("SMS_TIMEOUT", "5")),
        # Longest template variable the SMS account allows (see the provider's console).
        "SMS_PARAM_MAX_LEN": int(env.get("SMS_PARAM_MAX_LEN", "20")),
        "SMS_POOL_SIZE": int(env.get("SMS_POOL_SIZE", "16")),
        "REDIS_URL": env.get("REDIS_URL") or None,
        # Notices: the approved templates, and how the pipeline paces and retries deliveries.
        "WECHAT_NOTICE_TEMPLATE_ID": env.get("WECHAT_NOTICE_TEMPLATE_ID", "notice-template-dev"),
        # Template field -> what fills it: title, body, date, sender, or a fixed text.
        "WECHAT_NOTICE_FIELDS": json.loads(env.get("WECHAT_NOTICE_FIELDS") or
                                           '{"thing1": "title", "thing2": "body", "time3": "date"}'),
        "SMS_NOTICE_TEMPLATE_ID": env.get("SMS_NOTICE_TEMPLATE_ID", "notice-sms-dev"),
        "SMS_RATE_PER_SECOND": float(env.get("SMS_RATE_PER_SECOND", "200")),
        "PUSH_RATE_PER_SECOND": float(env.get("PUSH_RATE_PER_SECOND", "500")),
        "DELIVERY_BATCH": int(env.get("DELIVERY_BATCH", "200")),
        "DELIVERY_THREADS": int(env.get("DELIVERY_THREADS", "16")),
        "DELIVERY_LEASE_SECONDS": int(env.get("DELIVERY_LEASE_SECONDS", "60")),
        "DELIVERY_MAX_ATTEMPTS": int(env.get("DELIVERY_MAX_ATTEMPTS", "8")),
        "DELIVERY_BACKOFF_SECONDS": float(env.get("DELIVERY_BACKOFF_SECONDS", "10")),
        # After a crash, an SMS left `sending` with no delivery report this long after it went out is sent
        # again (the provider never took it); sooner, reconciliation waits (docs/delivery.md).
        "DELIVERY_REPORT_WAIT_SECONDS": int(env.get("DELIVERY_REPORT_WAIT_SECONDS", "600")),
        # How often the scheduler looks for due reminders (a reminder goes out within this of its time).
        "REMINDER_TICK_SECONDS": float(env.get("REMINDER_TICK_SECONDS", "1")),
        # A scheduler that stops renewing its lease is replaced by a stand-by after this long.
        "SCHEDULER_LEASE_SECONDS": float(env.get("SCHEDULER_LEASE_SECONDS", "30")),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "FONT_PATH": env.get("FONT_PATH") or None,
        "CHECKIN_CODE_PERIOD": int(env.get("CHECKIN_CODE_PERIOD", "30")),
        "AUTH_DEV_LOGIN": _bool(env.get("AUTH_DEV_LOGIN")),
        "TOKEN_TTL_SECONDS": int(env.get("TOKEN_TTL_SECONDS", str(12 * 3600))),
        # Console sign-in throttles (docs/security.md): attempts per account in a short moving window,
        # so a mistyping person waits minutes at most and nobody else can shut an account for long;
        # failures per client address, which slows a guesser across accounts to a crawl.
        "SIGNIN_ACCOUNT_LIMIT": env.get("SIGNIN_ACCOUNT_LIMIT", "10/15 minutes"),
        "SIGNIN_ADDRESS_LIMIT": env.get("SIGNIN_ADDRESS_LIMIT", "30/hour"),
        "DEV_LOGIN_LIMIT": env.get("DEV_LOGIN_LIMIT", "60/minute"),
        "UNION_NAME": env.get("UNION_NAME", "同心工会"),
        # Reverse proxies in front of the app whose X-Forwarded-For is trusted (nginx: 1). The client
        # address keys the sign-in and receipt throttles, so with 0 behind a proxy everyone shares one.
        "TRUSTED_PROXY_COUNT": int(env.get("TRUSTED_PROXY_COUNT", "0")),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "SQLALCHEMY_ECHO": _bool(env.get("SQLALCHEMY_ECHO")),
        # Anonymous suggestions one member may submit per day (Asia/Shanghai).
        "SUGGESTIONS_PER_DAY": int(env.get("SUGGESTIONS_PER_DAY", "5")),
        # Suggestions and receipt replies are filed in shuffled batches once this many wait, or after a
        # random delay of at most SUGGESTION_MAX_DELAY_SECONDS (docs/anonymity.md).
        "SUGGESTION_BATCH_MIN": int(env.get("SUGGESTION_BATCH_MIN", "5")),
        "SUGGESTION_MAX_DELAY_SECONDS": int(env.get("SUGGESTION_MAX_DELAY_SECONDS", str(6 * 3600))),
        # Receipt look-ups (a 16 MiB scrypt each, no sign-in): per client address, and at once per host.
        "RECEIPT_LOOKUP_LIMIT": env.get("RECEIPT_LOOKUP_LIMIT", "20/minute"),
        "RECEIPT_CHECKS_CONCURRENT": int(env.get("RECEIPT_CHECKS_CONCURRENT", "2")),
        "RECEIPT_CHECK_DIR": env.get("RECEIPT_CHECK_DIR") or None,  # default: instance/receipt-checks
    }
    for name in ("SIGNIN_ACCOUNT_LIMIT", "SIGNIN_ADDRESS_LIMIT", "DEV_LOGIN_LIMIT"):
        try:
            parse_limit(cfg[name])
        except ValueError:
            raise ConfigError(f"{name} must be a rate such as 10/15 minutes, not {cfg[name]!r}") from None
    for name in SEPARATE_KEYS:
        cfg[name] = env.get(name) or None
        cfg[name + "_PREVIOUS"] = _key_list(env.get(name + "_PREVIOUS"))
    key = env.get("SECRET_KEY")
    if production:
        if not key or len(key) < 32:
            raise ConfigError("APP_ENV=production requires SECRET_KEY (at least 32 characters)")
        if cfg["AUTH_DEV_LOGIN"]:
            raise ConfigError("AUTH_DEV_LOGIN=1 is refused when APP_ENV=production")
        if cfg["WECHAT_APPID"] == "wx-dev-appid" or cfg["WECHAT_SECRET"] == "dev-wechat-secret":
            raise ConfigError("APP_ENV=production requires WECHAT_APPID and WECHAT_SECRET")
        missing = [n for n in SEPARATE_KEYS if len(cfg[n] or "") < MIN_KEY_LENGTH]
        if missing:
            raise ConfigError(f"APP_ENV=production requires {', '.join(missing)} (at least {MIN_KEY_LENGTH} characters "
                              "each; to keep existing sign-ins, venue codes and receipts valid, set them to the "
                              "current SECRET_KEY)")
    cfg["SECRET_KEY"] = key or _dev_secret_key()
    return cfg
