"""Compact, versioned addresses of menu pages, used as the callback data of inline buttons.

An address carries the content version, so that a button pressed after the editors changed the
content is recognised as stale instead of opening a page that no longer means the same thing.
Telegram allows at most 64 bytes of callback data.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_CALLBACK_BYTES", "PageAddress", "page_address"]

MAX_CALLBACK_BYTES = 64
_PREFIX = "p"


@dataclass(frozen=True, slots=True)
class PageAddress:
    """The page a button leads to, in the content version the button was made with."""

    version: str
    node_id: str

    def encode(self) -> str:
        return f"{_PREFIX}:{self.version}:{self.node_id}"

    @classmethod
    def decode(cls, data: str) -> PageAddress | None:
        """Parse callback data; None if it is not a page address (or is forged garbage)."""
        parts = data.split(":", 2)
        if len(parts) != 3 or parts[0] != _PREFIX or not parts[1] or not parts[2]:
            return None
        return cls(parts[1], parts[2])


def page_address(version: str, node_id: str) -> str:
    """The callback data of the button that opens ``node_id``."""
    return PageAddress(version, node_id).encode()
