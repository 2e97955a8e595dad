"""What every channel returns, so the delivery pipeline can act on it without knowing the provider."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Result(StrEnum):
    sent = "sent"          # the provider accepted it; never send again
    retry = "retry"        # a passing fault (timeout, 5xx, rate limit): try again later
    failed = "failed"      # it will never work (no consent, invalid number, rejected content)
    skipped = "skipped"    # not sent on purpose, no provider asked (the recipient left the roster meanwhile)
    in_doubt = "in_doubt"  # the request went out and no answer came back (read timeout): it may have been taken


@dataclass(frozen=True)
class Outcome:
    result: Result
    error: str | None = None        # the provider's code and message, kept on the delivery row
    provider_id: str | None = None  # the provider's message id, when it gives one
    retry_after: float | None = None  # seconds, when the provider says how long to wait

    @classmethod
    def sent(cls, provider_id: str | None = None) -> Outcome:
        return cls(Result.sent, provider_id=provider_id)

    @classmethod
    def retry(cls, error: str, retry_after: float | None = None) -> Outcome:
        return cls(Result.retry, error=error, retry_after=retry_after)

    @classmethod
    def failed(cls, error: str) -> Outcome:
        return cls(Result.failed, error=error)

    @classmethod
    def in_doubt(cls, error: str) -> Outcome:
        return cls(Result.in_doubt, error=error)

    @classmethod
    def skipped(cls, reason: str) -> Outcome:
        return cls(Result.skipped, error=reason)


@dataclass(frozen=True)
class SmsMessage:
    """One SMS: an approved template and its parameters (Chinese SMS providers send templates only)."""

    phone: str
    template_id: str
    params: list[str] = field(default_factory=list)
