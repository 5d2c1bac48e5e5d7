"""The accounts ``python -m app seed`` creates, as the seed command and the load test both name
them: ``<prefix>-<n>@seed.example`` with one password."""

from __future__ import annotations

DEFAULT_PASSWORD = "seed-password"


def seeded_email(prefix: str, n: int) -> str:
    """The email of the ``n``-th (1-based) user of a seed run."""
    return f"{prefix}-{n}@seed.example"
