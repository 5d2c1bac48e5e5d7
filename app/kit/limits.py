"""The numeric limits every domain shares, in one place."""

from __future__ import annotations

from datetime import datetime, timezone

# PostgreSQL's bigint (ids, versions) and integer (minutes, counts) ranges.
MAX_BIGINT = 2**63 - 1
MAX_INTEGER = 2**31 - 1

# asyncpg sends this as 'infinity': the keyset position before the newest row of a list ordered
# by a timestamp, newest first.
INFINITY = datetime.max.replace(tzinfo=timezone.utc)

# Lists: the largest page most lists serve, and the longest cursor accepted.
MAX_PAGE = 100
MAX_CURSOR_LENGTH = 512
