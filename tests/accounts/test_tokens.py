"""Access tokens, and the per-worker memory of verified tokens: it saves the verification work of a
repeated token, but never accepts what a full verification would refuse."""

from __future__ import annotations

import time

import jwt
import pytest

from app.accounts import tokens as tokens_module
from app.accounts.tokens import Tokens
from app.kit.errors import Unauthorized

SECRET = "token-test-secret-" + "z" * 40


def test_a_token_names_its_user_and_a_repeat_is_answered_from_memory():
    tokens = Tokens(SECRET, 60)
    token = tokens.issue(42)
    assert tokens.user_id(token) == 42
    assert tokens.user_id(token) == 42
    assert tokens._verified[token][0] == 42


def test_a_remembered_token_is_refused_once_it_expires():
    tokens = Tokens(SECRET, 1)
    token = tokens.issue(7)
    assert tokens.user_id(token) == 7
    time.sleep(1.1 - (time.time() % 1) + 0.05)  # past the second its exp names
    with pytest.raises(Unauthorized, match="expired"):
        tokens.user_id(token)
    assert token not in tokens._verified


def test_any_change_to_a_remembered_token_is_verified_in_full_and_refused():
    tokens = Tokens(SECRET, 60)
    token = tokens.issue(7)
    tokens.user_id(token)
    header, payload, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(
        b'{"sub":"8","iat":%d,"exp":%d}' % (time.time(), time.time() + 60)).decode()
    for forged in (f"{header}.{forged_payload}.{signature}", token + "x", token[:-1]):
        with pytest.raises(Unauthorized):
            tokens.user_id(forged)


def test_a_token_signed_with_another_secret_is_refused_even_if_another_worker_knew_it():
    ours, theirs = Tokens(SECRET, 60), Tokens("another-secret-" + "q" * 40, 60)
    token = theirs.issue(5)
    assert theirs.user_id(token) == 5
    with pytest.raises(Unauthorized):
        ours.user_id(token)


def test_the_memory_is_bounded_and_forgets_the_oldest_first(monkeypatch):
    monkeypatch.setattr(tokens_module, "CACHE_SIZE", 3)
    tokens = Tokens(SECRET, 60)
    issued = [tokens.issue(n) for n in range(1, 6)]
    for token in issued:
        tokens.user_id(token)
    assert list(tokens._verified) == issued[-3:]
    assert tokens.user_id(issued[0]) == 1  # forgotten, so verified again, and still valid
