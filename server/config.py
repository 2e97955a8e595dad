"""Settings read from the environment (see README / API.md "Configuration")."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

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
        "REDIS_URL": env.get("REDIS_URL") or None,
        "CHECKIN_CODE_PERIOD": int(env.get("CHECKIN_CODE_PERIOD", "30")),
        "AUTH_DEV_LOGIN": _bool(env.get("AUTH_DEV_LOGIN")),
        "TOKEN_TTL_SECONDS": int(env.get("TOKEN_TTL_SECONDS", str(12 * 3600))),
        "UNION_NAME": env.get("UNION_NAME", "同心工会"),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "SQLALCHEMY_ECHO": _bool(env.get("SQLALCHEMY_ECHO")),
    }
    key = env.get("SECRET_KEY")
    if production:
        if not key or len(key) < 32:
            raise ConfigError("APP_ENV=production requires SECRET_KEY (at least 32 characters)")
        if cfg["AUTH_DEV_LOGIN"]:
            raise ConfigError("AUTH_DEV_LOGIN=1 is refused when APP_ENV=production")
        if cfg["WECHAT_APPID"] == "wx-dev-appid" or cfg["WECHAT_SECRET"] == "dev-wechat-secret":
            raise ConfigError("APP_ENV=production requires WECHAT_APPID and WECHAT_SECRET")
    cfg["SECRET_KEY"] = key or _dev_secret_key()
    return cfg
