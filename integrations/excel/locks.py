"""One writer per workbook at a time: a Redis lock when REDIS_URL is set (workers on many
machines), else an exclusive file lock (threads and processes on this machine).

Microsoft advises against parallel writes to one workbook, and row positions planned from a scan
are only valid while nobody else moves rows, so the lock covers a whole scan-plan-write session.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from integrations.errors import WorkbookBusy

LOCK_WAIT_S = 120.0  # a drain waits this long for the previous one, then retries later
LOCK_TTL_S = 900  # a Redis lock outlives the actor's time limit, not a crashed worker by much


@contextmanager
def file_lock(path: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    # flock belongs to the open file description: two opens in one process exclude each other
    # too, so this also serializes threads.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WorkbookBusy(
                        f"The workbook is busy (lock {path.name} held > {wait_s:.0f} s)."
                    ) from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def redis_lock(url: str, name: str, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=10)
    lock = client.lock(f"gt:excel:lock:{name}", timeout=LOCK_TTL_S, blocking_timeout=wait_s)
    try:
        if not lock.acquire():
            raise WorkbookBusy(
                f"The workbook is busy (another worker has held it > {wait_s:.0f} s)."
            )
        try:
            yield
        finally:
            with contextlib.suppress(redis.exceptions.LockError):  # expired meanwhile
                lock.release()
    finally:
        client.close()


def lock_name(target: str) -> str:
    return hashlib.sha256(target.encode()).hexdigest()[:24]


@contextmanager
def workbook_lock(target: str, *, redis_url: str, lock_dir: Path) -> Iterator[None]:
    if redis_url:
        with redis_lock(redis_url, lock_name(target)):
            yield
    else:
        with file_lock(lock_dir / f"excel-{lock_name(target)}.lock"):
            yield
