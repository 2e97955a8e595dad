"""Settings read from the environment (see README / API.md "Configuration")."""
from __future__ import annotations

import ipaddress
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Optional
from urllib.parse import urlsplit

from limits import parse as parse_limit
from pydantic import BeforeValidator, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]  # the repository: server/core/config.py
INSTANCE = ROOT / "instance"

# WeChat's real API; development and tests point WECHAT_API_BASE_URL at scripts/fake_wechat.py.
WECHAT_REAL_BASE = "https://api.weixin.qq.com/"


class ConfigError(RuntimeError):
    """A setting is missing, malformed or unsafe. The message is one line that names the variable."""


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


TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _flag(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().lower()
        if word not in TRUE | FALSE:
            raise ValueError(f"must be 1, true, yes or on, or 0, false, no or off (got {value!r})")
        return word in TRUE
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]
RATE_LIMITS = ("SIGNIN_ACCOUNT_LIMIT", "SIGNIN_ADDRESS_LIMIT", "DEV_LOGIN_LIMIT", "RECEIPT_LOOKUP_LIMIT",
               "UPLOAD_LIMIT", "MEMBER_SEARCH_LIMIT", "HEAD_LINK_POST_LIMIT")


class Settings(BaseSettings):
    """The environment variables (README "Configuration"), parsed and checked; ``load_config`` adds the
    computed defaults, the keys and the production checks."""

    # Read only from what load_config passes (os.environ, or a test's dict), never from a .env file.
    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore")

    APP_ENV: str = "development"
    DATABASE_URL: Optional[str] = None
    WECHAT_APPID: str = "wx-dev-appid"
    WECHAT_SECRET: str = "dev-wechat-secret"
    WECHAT_API_BASE_URL: str = WECHAT_REAL_BASE
    WECHAT_TIMEOUT: float = 5.0
    # Which mini-program version QR codes and pushes open: release, trial or develop.
    WECHAT_ENV_VERSION: str = "release"
    SMS_PROVIDER: str = "console"
    SMS_API_BASE_URL: str = ""
    # Tencent: secret id/key and SdkAppId; Aliyun: access key id/secret in SMS_SECRET_ID/KEY.
    SMS_SECRET_ID: str = ""
    SMS_SECRET_KEY: str = ""
    SMS_SDK_APP_ID: str = ""
    SMS_SIGN_NAME: Optional[str] = None  # default: UNION_NAME
    SMS_REGION: str = "ap-guangzhou"
    SMS_TIMEOUT: float = 5.0
    # Longest template variable the SMS account allows (see the provider's console).
    SMS_PARAM_MAX_LEN: int = 20
    SMS_POOL_SIZE: int = 16
    REDIS_URL: Optional[str] = None
    # Notices: the approved templates, and how the pipeline paces and retries deliveries.
    WECHAT_NOTICE_TEMPLATE_ID: str = "notice-template-dev"
    # Template field -> what fills it: title, body, date, sender, or a fixed text.
    WECHAT_NOTICE_FIELDS: dict[str, str] = {
        "thing1": "title", "thing2": "body", "time3": "date"}
    SMS_NOTICE_TEMPLATE_ID: str = "notice-sms-dev"
    SMS_RATE_PER_SECOND: float = 200.0
    PUSH_RATE_PER_SECOND: float = 500.0
    DELIVERY_BATCH: int = 200
    DELIVERY_THREADS: int = 16
    DELIVERY_LEASE_SECONDS: int = 60
    DELIVERY_MAX_ATTEMPTS: int = 8
    DELIVERY_BACKOFF_SECONDS: float = 10.0
    # After a crash, an SMS left `sending` with no delivery report this long after it went out is sent
    # again (the provider never took it); sooner, reconciliation waits (docs/delivery.md).
    DELIVERY_REPORT_WAIT_SECONDS: int = 600
    # How often the scheduler looks for due reminders (a reminder goes out within this of its time).
    REMINDER_TICK_SECONDS: float = 1.0
    # A scheduler that stops renewing its lease is replaced by a stand-by after this long.
    SCHEDULER_LEASE_SECONDS: float = 30.0
    # Requests: the handler is warned this long before a first response or resolution falls due;
    # level 2 (the chair) follows level 1 after REQUEST_LEVEL2_HOURS still without a first response.
    REQUEST_WARN_HOURS: float = 4.0
    REQUEST_LEVEL2_HOURS: float = 24.0
    PUBLIC_BASE_URL: str = "http://127.0.0.1:5000"
    FONT_PATH: Optional[str] = None
    CHECKIN_CODE_PERIOD: int = 30
    AUTH_DEV_LOGIN: Flag = False
    TOKEN_TTL_SECONDS: int = 12 * 3600
    # Console sign-in throttles (docs/security.md): attempts per account in a short moving window,
    # so a mistyping person waits minutes at most and nobody else can shut an account for long;
    # failures per client address, which slows a guesser across accounts to a crawl.
    SIGNIN_ACCOUNT_LIMIT: str = "10/15 minutes"
    SIGNIN_ADDRESS_LIMIT: str = "30/hour"
    DEV_LOGIN_LIMIT: str = "60/minute"
    UNION_NAME: str = "同心工会"
    # Fund entries above this many fen wait for an admin other than their creator (docs/fund.md).
    FUND_APPROVAL_THRESHOLD_FEN: int = Field(500_000, ge=0)
    # Reverse proxies in front of the app whose X-Forwarded-For is trusted (nginx: 1). The client
    # address keys the sign-in and receipt throttles, so with 0 behind a proxy everyone shares one.
    TRUSTED_PROXY_COUNT: int = 0
    MAX_CONTENT_LENGTH: int = 1024 * 1024
    # The roster upload's own body limit (POST /members/import): a district roster of 100,000+ rows is
    # several MiB of CSV, well past the 1 MiB every other route keeps.
    MEMBER_IMPORT_MAX_BYTES: int = 50 * 1024 * 1024
    SQLALCHEMY_ECHO: Flag = False
    # Log lines: text (readable, development) or json (one object per line; recommended in production).
    LOG_FORMAT: str = Field("text", pattern="^(text|json)$")
    # /metrics and /healthz/details answer these client addresses or networks (comma-separated) ...
    METRICS_ALLOW: str = "127.0.0.1,::1"
    # ... and any client sending "Authorization: Bearer <METRICS_TOKEN>" (empty: no token accepted).
    METRICS_TOKEN: str = ""
    # Anonymous suggestions one member may submit per day (Asia/Shanghai).
    SUGGESTIONS_PER_DAY: int = 5
    # Procurement comparisons (docs/procurements.md): at or over this amount (fen) a decision needs three quotes
    # and at least two named worker representatives who all confirmed taking part.
    PROCUREMENT_QUOTES_THRESHOLD_FEN: int = 2_000_000
    # Award procedures (docs/awards.md): the public notice period ends within this many working days of the decision.
    AWARD_NOTICE_WORKING_DAYS: int = 5
    # Hardship aid cases (docs/care.md): a closed, rejected or withdrawn case's details are purged this many days
    # after it ended (a stub stays); money grants are expense entries of this fund category.
    CARE_RETENTION_DAYS: int = Field(1095, ge=1, le=36500)
    CARE_FUND_CATEGORY: str = Field("502", min_length=1, max_length=20)
    # Volunteer hours (docs/volunteers.md): check-out closes this many minutes after a volunteer event ends;
    # points shown to members per hour served (computed, never stored).
    VOLUNTEER_CHECKOUT_CLOSES_MINUTES_AFTER: int = Field(120, ge=0, le=7 * 24 * 60)
    VOLUNTEER_POINTS_PER_HOUR: int = Field(10, ge=0, le=10_000)
    # Benefits (docs/benefits.md): members of the audience without a claim are reminded once this many hours
    # before the claim window closes; members holding an unredeemed claim, this many hours before redeem_until.
    BENEFIT_UNCLAIMED_REMINDER_HOURS: int = 24
    BENEFIT_UNREDEEMED_REMINDER_HOURS: int = 24
    # Suggestions and receipt replies are filed in shuffled batches once this many wait, or after a
    # random delay of at most SUGGESTION_MAX_DELAY_SECONDS (docs/anonymity.md).
    SUGGESTION_BATCH_MIN: int = 5
    SUGGESTION_MAX_DELAY_SECONDS: int = 6 * 3600
    # Anonymous survey responses are filed per survey in shuffled batches once this many wait, or after a
    # random delay of at most SURVEY_MAX_DELAY_SECONDS, or when the survey closes (docs/anonymity.md).
    SURVEY_BATCH_MIN: int = 5
    SURVEY_MAX_DELAY_SECONDS: int = 6 * 3600
    # Members who have not answered are reminded once, this many hours before a survey closes.
    SURVEY_REMINDER_HOURS: int = 24
    # Requests (诉求): working days to resolve, by category; "default" for the categories not named.
    REQUEST_RESOLVE_WORKDAYS: dict[str, int] = {"default": 10, "hardship": 5}
    # Receipt look-ups (a 16 MiB scrypt each, no sign-in): per client address, and at once per host.
    RECEIPT_LOOKUP_LIMIT: str = "20/minute"
    RECEIPT_CHECKS_CONCURRENT: int = 2
    RECEIPT_CHECK_DIR: Optional[str] = None  # default: instance/receipt-checks
    BACKUP_DIR: Optional[str] = None  # `flask backup` writes here (docs/backups.md); default: instance/backups
    # Photos (docs/uploads.md): uploads per member, and where the files are kept. With STORAGE_S3_BUCKET set
    # they go to that S3-compatible bucket instead of the local folder STORAGE_ROOT.
    UPLOAD_LIMIT: str = "60/hour"
    # Name searches a member may run (co-signer candidates): enough to invite, too few to list the roster.
    MEMBER_SEARCH_LIMIT: str = "60/hour"
    # Posts through one department head's signed link (/p/<token>): a form sent in a loop stops here.
    HEAD_LINK_POST_LIMIT: str = "20/hour"
    STORAGE_ROOT: Optional[str] = None  # default: instance/uploads
    STORAGE_S3_ENDPOINT: str = ""  # empty: AWS itself
    STORAGE_S3_BUCKET: str = ""
    STORAGE_S3_ACCESS_KEY: str = ""  # empty: boto3's own credential chain (environment, instance role)
    STORAGE_S3_SECRET_KEY: str = ""
    STORAGE_S3_REGION: str = ""
    SECRET_KEY: Optional[str] = None
    TOKEN_SECRET_KEY: Optional[str] = None
    QR_SECRET_KEY: Optional[str] = None
    RECEIPT_SECRET_KEY: Optional[str] = None
    TOKEN_SECRET_KEY_PREVIOUS: str = ""
    QR_SECRET_KEY_PREVIOUS: str = ""
    RECEIPT_SECRET_KEY_PREVIOUS: str = ""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, *_others, **_named):
        # Only the mapping load_config hands over: a test's dict must not pick up the real environment.
        return (init_settings,)

    @field_validator("WECHAT_NOTICE_FIELDS", mode="before")
    @classmethod
    def _json_object(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            fields = json.loads(value)
        except ValueError:
            fields = None
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            raise ValueError(f'must be a JSON object of texts such as {{"thing1": "title"}} (got {value!r})')
        return fields

    @field_validator("REQUEST_RESOLVE_WORKDAYS", mode="before")
    @classmethod
    def _workdays_json(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError(f'must be a JSON object such as {{"default": 10, "hardship": 5}} '
                             f'(got {value!r})') from None

    @field_validator("REQUEST_RESOLVE_WORKDAYS")
    @classmethod
    def _workdays(cls, value: dict[str, int]) -> dict[str, int]:
        from ..member_requests.models import RequestCategory  # late: models import the app's extensions

        unknown = sorted(set(value) - {"default", *RequestCategory})
        if unknown:
            raise ValueError(f"unknown categories {', '.join(unknown)} (known: default, {', '.join(RequestCategory)})")
        if "default" not in value:
            raise ValueError('must name "default"')
        if not all(1 <= n <= 60 for n in value.values()):
            raise ValueError("working days must be between 1 and 60")
        return value

    @field_validator(*RATE_LIMITS)
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse_limit(value)
        except ValueError:
            raise ValueError(f"must be a rate such as 10/15 minutes (got {value!r})") from None
        return value


# What pydantic reports, in one line an operator acts on.
_KIND = {"int_parsing": "an integer", "int_from_float": "an integer", "int_type": "an integer",
         "float_parsing": "a number", "float_type": "a number", "dict_type": "a JSON object", "string_type": "a text"}


def _problem(error: dict) -> str:
    name = ".".join(str(part) for part in error["loc"])
    if error["type"] == "value_error":
        return f"{name}: {error['ctx']['error']}"
    kind = _KIND.get(error["type"])
    what = f"must be {kind}" if kind else error["msg"].lower()
    return f"{name}: {what} (got {error['input']!r})"


def read_settings(env: Mapping[str, str]) -> Settings:
    """The settings in ``env``; raises ConfigError naming every malformed variable, on one line.

    A variable set to an empty text counts as unset, except for the plain texts (an empty SMS_SECRET_ID is
    empty): an empty number or flag takes its default, an empty DATABASE_URL the development database."""
    try:
        return Settings(**{k: v for k, v in env.items() if k in Settings.model_fields
                           and (not isinstance(v, str) or v.strip() or Settings.model_fields[k].annotation is str)})
    except ValidationError as exc:
        raise ConfigError("; ".join(_problem(e) for e in exc.errors(include_url=False))) from None


def load_config(env: Mapping[str, str] | None = None) -> dict:
    """The app's configuration from ``env`` (default: the process environment). Raises ConfigError for a
    malformed value, or for an unsafe one when APP_ENV=production."""
    s = read_settings(os.environ if env is None else env)
    production = s.APP_ENV == "production"
    cfg = s.model_dump(exclude={"SECRET_KEY", *(n + "_PREVIOUS" for n in SEPARATE_KEYS)})
    cfg["DATABASE_URL"] = s.DATABASE_URL or f"sqlite:///{INSTANCE / 'union.db'}"
    cfg["SMS_SIGN_NAME"] = s.SMS_SIGN_NAME or s.UNION_NAME
    for name in SEPARATE_KEYS:
        cfg[name + "_PREVIOUS"] = _key_list(getattr(s, name + "_PREVIOUS"))
    key = s.SECRET_KEY
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
        _refuse_development_services(s, cfg)
    cfg["SECRET_KEY"] = key or _dev_secret_key()
    return cfg


def _is_https(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme == "https" and bool(parts.hostname)


def _is_local_fake(url: str) -> bool:
    """True for what scripts/run points the providers at (its fakes on http://127.0.0.1): plain HTTP, or
    this host itself. A real provider, or an egress proxy in front of one, is HTTPS on another host."""
    if not _is_https(url):
        return True
    host = urlsplit(url.strip()).hostname
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse_development_services(s: Settings, cfg: dict) -> None:
    """What development and tests run with, but production must not (docs/deploy.md "Production checks")."""
    backend = cfg["DATABASE_URL"].split(":", 1)[0].split("+", 1)[0]
    if backend != "postgresql":
        # Unset means the development SQLite file. Several gunicorn workers, delivery workers and the
        # scheduler write at once, and SQLite ignores the FOR UPDATE SKIP LOCKED the workers share work by.
        raise ConfigError("APP_ENV=production requires a PostgreSQL DATABASE_URL (postgresql+psycopg://...); "
                          f"SQLite is for development and tests (got {backend or 'nothing'})")
    if not s.REDIS_URL:
        raise ConfigError("APP_ENV=production requires REDIS_URL (without it each process keeps its own sign-in, "
                          "receipt and provider rate limits)")
    if not _is_https(s.PUBLIC_BASE_URL):
        raise ConfigError(f"APP_ENV=production requires PUBLIC_BASE_URL to be https://... (got {s.PUBLIC_BASE_URL!r})")
    if (s.SMS_PROVIDER.strip().lower() or "console") == "console":  # empty is console too (notifications/sms.py)
        raise ConfigError("SMS_PROVIDER=console is refused when APP_ENV=production (it only prints messages; "
                          "set tencent or aliyun)")
    if _is_local_fake(s.WECHAT_API_BASE_URL):
        raise ConfigError(f"APP_ENV=production requires WECHAT_API_BASE_URL to be WeChat's ({WECHAT_REAL_BASE}), "
                          f"not a local fake (got {s.WECHAT_API_BASE_URL!r})")
    if s.SMS_API_BASE_URL.strip() and _is_local_fake(s.SMS_API_BASE_URL):
        raise ConfigError("APP_ENV=production requires SMS_API_BASE_URL to be empty (the provider's own) or "
                          f"https on another host, not a local fake (got {s.SMS_API_BASE_URL!r})")
