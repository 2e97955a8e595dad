"""Provider rate limits shared by every worker: in Redis when REDIS_URL is set, else in this process."""
from __future__ import annotations

import threading
import time

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class RateLimiter:
    def __init__(self, redis_url: str | None, name: str, per_second: float):
        self.name = name
        self.per_second = max(1, int(per_second))
        self.item = RateLimitItemPerSecond(self.per_second)
        self.limiter = MovingWindowRateLimiter(storage_from_string(redis_url or "memory://"))
        # The in-memory storage of `limits` is not thread-safe, and push threads share one limiter.
        self.lock = threading.Lock()

    def acquire(self, cost: int = 1) -> None:
        """Block until `cost` messages may go out (cost is capped at the per-second limit)."""
        cost = min(cost, self.per_second)
        while True:
            with self.lock:
                if self.limiter.hit(self.item, "delivery", self.name, cost=cost):
                    return
                reset_at = self.limiter.get_window_stats(self.item, "delivery", self.name).reset_time
            time.sleep(min(1.0, max(0.005, reset_at - time.time())))
