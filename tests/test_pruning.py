"""The background pruning loop: every pruner runs at once and then each interval; a failing one is
logged and the others still run, and the loop goes on."""

from __future__ import annotations

import asyncio
import logging

import pytest

from app.kit.errors import Unavailable
from app.kit.jobs import prune_periodically


async def test_a_failing_pruner_is_logged_and_the_others_keep_running(caplog):
    calls: list[str] = []

    async def keys() -> int:
        calls.append("keys")
        return 3

    async def database_away() -> int:
        calls.append("away")
        raise Unavailable()

    async def bug() -> int:
        calls.append("bug")
        raise RuntimeError("a bug")

    caplog.set_level(logging.INFO, logger="app.kit.jobs")
    loop = asyncio.create_task(prune_periodically(
        {"expired keys": keys, "away": database_away, "buggy": bug}, interval=0.01))
    try:
        for _ in range(500):
            if calls.count("keys") >= 2:
                break
            await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
    assert calls[:3] == ["keys", "away", "bug"] and calls.count("keys") >= 2
    messages = [r.getMessage() for r in caplog.records]
    assert "pruned 3 expired keys" in messages
    assert "pruning away failed: the database is unavailable, retry shortly" in messages
    assert any(r.getMessage() == "pruning buggy failed" and r.exc_info for r in caplog.records)
