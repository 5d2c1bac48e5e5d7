"""What the public account routes (register, login) work with, as one object: the accounts and
login attempts, password hashing, token issuing and the login limits."""

from __future__ import annotations

from app.accounts.limits import LoginAttemptRepository, LoginLimits
from app.accounts.passwords import Passwords
from app.accounts.repository import UserRepository
from app.accounts.tokens import Tokens


class Accounts:
    __slots__ = ("users", "attempts", "passwords", "tokens", "limits")

    def __init__(self, users: UserRepository, attempts: LoginAttemptRepository,
                 passwords: Passwords, tokens: Tokens, limits: LoginLimits):
        self.users = users
        self.attempts = attempts
        self.passwords = passwords
        self.tokens = tokens
        self.limits = limits
