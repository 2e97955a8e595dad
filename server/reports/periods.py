"""Report periods: a quarter (``2026Q4``) or a calendar year (``2026``), in Asia/Shanghai days."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ..core.timeutil import SHANGHAI, utcnow

QUARTER_NAMES = "一二三四"
KEY = re.compile(r"^(\d{4})(?:Q([1-4]))?$")


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None  # None: the whole year

    @classmethod
    def parse(cls, key: str) -> Period:
        m = KEY.match(key or "")
        if not m or not 2000 <= int(m.group(1)) <= 2100:
            raise ValueError(f"not a period: {key!r} (2026Q4 or 2026)")
        return cls(int(m.group(1)), int(m.group(2)) if m.group(2) else None)

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_complete_quarter(cls, now: datetime | None = None) -> Period:
        today = (now or utcnow()).astimezone(SHANGHAI).date()
        return cls.containing(today).previous()

    @property
    def key(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def kind(self) -> str:
        return "quarter" if self.quarter else "year"

    @property
    def label(self) -> str:
        if self.quarter:
            return f"{self.year}年第{QUARTER_NAMES[self.quarter - 1]}季度"
        return f"{self.year}年度"

    @property
    def start(self) -> date:
        return date(self.year, 3 * (self.quarter or 1) - 2, 1)

    @property
    def end(self) -> date:
        """The last day, included."""
        if self.quarter and self.quarter < 4:
            return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)
        return date(self.year, 12, 31)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, the day after end 00:00) in Shanghai, as UTC instants."""
        return (datetime.combine(self.start, time(0), SHANGHAI).astimezone(UTC),
                datetime.combine(self.end + timedelta(days=1), time(0), SHANGHAI).astimezone(UTC))

    def months(self) -> list[tuple[date, date]]:
        """(first day, last day) of each month of the period."""
        out = []
        for m in range(self.start.month, self.end.month + 1):
            first = date(self.year, m, 1)
            nxt = date(self.year + (m == 12), m % 12 + 1, 1)
            out.append((first, nxt - timedelta(days=1)))
        return out

    def previous(self) -> Period:
        if self.quarter is None:
            return Period(self.year - 1, None)
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    def next(self) -> Period:
        if self.quarter is None:
            return Period(self.year + 1, None)
        return Period(self.year, self.quarter + 1) if self.quarter < 4 else Period(self.year + 1, 1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def complete(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.bounds()[1]

    def out(self, now: datetime | None = None) -> dict:
        return {"key": self.key, "kind": self.kind, "label": self.label, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "complete": self.complete(now)}
