"""How both front ends show a stored moment: on the user's clock, to the minute."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def local_time(moment: Any) -> str:
    """ "2026-12-03 17:40" in the local zone; "" for no moment. The library stores UTC, and
    SQLite hands it back without its zone."""
    if not isinstance(moment, datetime):
        return str(moment or "")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
