"""The garbage collector in a bot that runs for weeks: what start-up built is never scanned again.

A running bot holds a large heap that lives as long as the process: the content (every page,
service and translation), the catalogs, the SQLAlchemy mappers. Python's cyclic collector
scans all of it again in every full collection: 25-120 ms with the event loop stopped, a few
times a minute under load, which people notice as an answer that comes late. Frozen
(``gc.freeze``) those objects are left out of every collection; they are still freed as usual
when nothing refers to them any more.
"""

from __future__ import annotations

import gc

__all__ = ["settle_after_reload", "settle_after_start"]

_settled = False  # whether this process froze its heap at start


def settle_after_start() -> None:
    """Collect start-up's garbage once and freeze what is left.

    Call it once the process has loaded everything it keeps (content, catalogs, database
    mappings) and before it serves.
    """
    global _settled
    gc.collect()
    gc.freeze()
    _settled = True


def settle_after_reload() -> None:
    """After new content replaced the old: free the old content's cycles, freeze the new.

    The frozen objects are thawed and collected once (a pause like one full collection, once per
    reload), so that a reload leaves no unreachable copy of the old content behind. Nothing to do
    in a process that did not settle at start (tests, tools).
    """
    if not _settled:
        return
    gc.unfreeze()
    gc.collect()
    gc.freeze()
