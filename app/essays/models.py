"""Essay and batch Structs: rows, what a client may send, and the page shapes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from app.http.validation import (END, Timestamp, Title, check_document, invalid, json_object,
                                 text)
from app.kit.limits import MAX_PAGE

MAX_ESSAYS = 1000
MAX_METADATA_BYTES = 16384

Status = Literal["pending", "processing", "completed", "failed"]
ContentId = Annotated[str, text(255, min_length=1, blank=False,
                 description="Your id for the essay, 1-255 characters, unique among your essays.")]
Language = Annotated[str, msgspec.Meta(pattern=rf"^[a-z]{{2}}{END}",
                                       description="A two-letter lowercase language code.")]
EssayText = Annotated[str, text(100000, description="Up to 100000 characters.")]
Metadata = Annotated[dict[str, Any], json_object("Any JSON object; at most 16 KiB.")]


class Essay(msgspec.Struct):
    id: int
    batch_id: int
    content_id: str
    language: str
    text: str | None
    metadata: dict[str, Any] | None
    status: Status
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class Batch(msgspec.Struct):
    id: int
    name: str | None
    total: int
    pending: int
    processing: int
    completed: int
    failed: int
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class EssayInput(msgspec.Struct, forbid_unknown_fields=True):
    content_id: ContentId
    language: Language
    text: EssayText | None = None
    metadata: Metadata | None = None

    def __post_init__(self) -> None:
        if self.metadata is not None:
            check_document(self.metadata, "metadata", MAX_METADATA_BYTES)


class BatchCreate(msgspec.Struct, forbid_unknown_fields=True):
    essays: Annotated[list[EssayInput], msgspec.Meta(min_length=1, max_length=MAX_ESSAYS)]
    name: Title | None = None

    def __post_init__(self) -> None:
        if self.name is not None:
            self.name = self.name.strip()
        first: dict[str, int] = {}
        for index, essay in enumerate(self.essays):
            earlier = first.setdefault(essay.content_id, index)
            if earlier != index:
                raise invalid(("essays", index, "content_id"),
                              f"is repeated: essays[{earlier}] has the same content_id")


class EssayUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Move to ``status``; ``metadata`` (an object, or null to clear it) replaces it when sent."""

    status: Status
    metadata: Metadata | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        if isinstance(self.metadata, dict):
            check_document(self.metadata, "metadata", MAX_METADATA_BYTES)


class Claim(msgspec.Struct, forbid_unknown_fields=True):
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE,
                                       description=f"At most this many, 1-{MAX_PAGE}.")] = 10




class ClaimedEssays(msgspec.Struct):
    """The essays this claim moved to processing (oldest first; empty when none were pending)."""

    items: list[Essay]
