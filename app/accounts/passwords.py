"""Password hashing with argon2id, off the event loop and with bounded concurrency.

Each hash takes ~tens of ms of CPU and ``argon2_memory_kib`` of memory, so hashing runs in a
dedicated thread pool of ``hash_concurrency`` threads: a flood of logins queues instead of
exhausting memory or blocking the loop. Logins for unknown emails verify against a dummy hash made
with the same parameters, so both answers take about as long.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.config import Settings


class Passwords:
    def __init__(self, settings: Settings):
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        self._concurrency = settings.hash_concurrency
        self._pool: ThreadPoolExecutor | None = None
        self._dummy = self._hasher.hash("not a real password")

    def _threads(self) -> ThreadPoolExecutor:
        """The hashing threads, started on first use (again after ``close``, when an app is
        served again, as in the tests)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._concurrency, thread_name_prefix="argon2")
        return self._pool

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(
            self._threads(), self._hasher.hash, password
        )

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def verify(self, stored: str | None, password: str) -> bool:
        """True when ``password`` matches ``stored``; with no stored hash, spend the same time and
        return False."""
        return await asyncio.get_running_loop().run_in_executor(
            self._threads(), self._verify, stored, password
        )

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other parameters than the current ones (no hashing:
        the parameters are read from the hash)."""
        return self._hasher.check_needs_rehash(stored)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
