"""A cap on receipt checks running at once, shared by the processes of one deployment on a host.

Reading or replying with a receipt needs no sign-in, and every check is a 16 MiB scrypt, so without a
cap anyone could keep every worker hashing. gunicorn runs sync workers (one request each), so a cap
per process would never bite: the slots are lock files that every process and thread of the deployment
tries without waiting. When all RECEIPT_CHECKS_CONCURRENT slots are taken the request is refused at once
with 503 and Retry-After instead of queueing more CPU work, so the other workers stay free for other
requests. A slot is an flock on an open file, so a killed worker frees its slot with it.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from ..core.errors import AppError

RETRY_AFTER = 1


def slot_folder() -> Path:
    folder = current_app.config.get("RECEIPT_CHECK_DIR") or Path(current_app.instance_path) / "receipt-checks"
    return Path(folder)


@contextmanager
def receipt_check_slot() -> Iterator[None]:
    """Hold one slot for the block; raises 503 service_unavailable (Retry-After) when none is free."""
    folder = slot_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(max(1, current_app.config["RECEIPT_CHECKS_CONCURRENT"])):
        fd = os.open(folder / f"slot-{i}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield
        finally:
            os.close(fd)  # closing the file releases the lock
        return
    raise AppError("service_unavailable", "查询人数较多，请稍后再试", details={"retry_after": RETRY_AFTER})
