"""Task Structs: the row, what a client may send, and the stats shape."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from app.http.validation import Timestamp, Title, text

Description = Annotated[str, text(1000, description="Up to 1000 characters.")]


class Task(msgspec.Struct):
    id: int
    title: str
    description: str | None
    completed: bool
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class TaskCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    description: Description | None = None

    def __post_init__(self) -> None:
        self.title = self.title.strip()


class TaskUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields not sent stay as they are; ``description: null`` clears the description."""

    title: Title | UnsetType = UNSET
    description: Description | None | UnsetType = UNSET
    completed: bool | UnsetType = UNSET

    def __post_init__(self) -> None:
        if self.title is not UNSET:
            self.title = self.title.strip()



class TaskStats(msgspec.Struct):
    total: int
    completed: int
    pending: int
