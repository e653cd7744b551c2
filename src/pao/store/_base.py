"""What every part of :class:`~pao.store.Store` shares: the engine, the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum

from .database import Database

__all__ = ["KEEP", "Keep", "StoreBase"]


class Keep(Enum):
    """The type of :data:`KEEP`."""

    KEEP = "keep"


#: Default of optional update parameters: leave the stored value as it is
#: (``None`` would clear it).
KEEP = Keep.KEEP


class StoreBase:
    """Holds the :class:`Database` and the clock the store's parts use."""

    _db: Database
    _clock: Callable[[], datetime]

    def _now(self) -> datetime:
        return self._clock()
