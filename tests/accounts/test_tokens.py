"""Access tokens, and the per-worker memory of verified tokens: it saves the verification work of a
repeated token, but never accepts what a full verification would refuse."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.accounts import tokens as tokens_module
from app.accounts.tokens import Caller, Tokens
from app.kit.errors import Unauthorized

SECRET = "token-test-secret-" + "z" * 40
LATER = datetime.now(UTC) + timedelta(days=1)


def test_a_token_names_its_user_and_session_and_a_repeat_is_answered_from_memory():
    tokens = Tokens(SECRET, 60)
    token, expires_in = tokens.issue(42, 9, LATER)
    assert expires_in == 60
    assert tokens.caller(token) == Caller(42, 9)
    assert tokens.caller(token) == Caller(42, 9)
    assert tokens._verified[token][0] == Caller(42, 9)


def test_a_token_never_outlives_its_session():
    tokens = Tokens(SECRET, 900)
    ends = datetime.now(UTC) + timedelta(seconds=100)
    token, expires_in = tokens.issue(1, 2, ends)
    assert 98 <= expires_in <= 100
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["exp"] == int(ends.timestamp())


def test_a_remembered_token_is_refused_once_it_expires():
    tokens = Tokens(SECRET, 1)
    token, _ = tokens.issue(7, 1, LATER)
    assert tokens.caller(token).user_id == 7
    time.sleep(1.1 - (time.time() % 1) + 0.05)  # past the second its exp names
    with pytest.raises(Unauthorized, match="expired"):
        tokens.caller(token)
    assert token not in tokens._verified


def test_any_change_to_a_remembered_token_is_verified_in_full_and_refused():
    tokens = Tokens(SECRET, 60)
    token, _ = tokens.issue(7, 1, LATER)
    tokens.caller(token)
    header, payload, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(
        b'{"sub":"8","sid":"1","iat":%d,"exp":%d}' % (time.time(), time.time() + 60)).decode()
    for forged in (f"{header}.{forged_payload}.{signature}", token + "x", token[:-1]):
        with pytest.raises(Unauthorized):
            tokens.caller(forged)


def test_a_token_signed_with_another_secret_is_refused_even_if_another_worker_knew_it():
    ours, theirs = Tokens(SECRET, 60), Tokens("another-secret-" + "q" * 40, 60)
    token, _ = theirs.issue(5, 1, LATER)
    assert theirs.caller(token).user_id == 5
    with pytest.raises(Unauthorized):
        ours.caller(token)


def test_the_memory_is_bounded_and_forgets_the_oldest_first(monkeypatch):
    monkeypatch.setattr(tokens_module, "CACHE_SIZE", 3)
    tokens = Tokens(SECRET, 60)
    issued = [tokens.issue(n, n, LATER).token for n in range(1, 6)]
    for token in issued:
        tokens.caller(token)
    assert list(tokens._verified) == issued[-3:]
    assert tokens.caller(issued[0]).user_id == 1  # forgotten, so verified again, and still valid
