"""The collector after start and after a reload: start-up's heap frozen, an old content freed."""

from __future__ import annotations

import gc
import weakref

import pytest

from bot.ops import heap


class _Node:
    """A piece of content that refers to itself (a cycle only the collector frees)."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def settled(monkeypatch):
    monkeypatch.setattr(heap, "_settled", False)
    yield
    gc.unfreeze()


def test_start_freezes_what_is_loaded_so_collections_never_scan_it(settled):
    kept = [_Node() for _ in range(1000)]
    heap.settle_after_start()

    assert gc.get_freeze_count() >= len(kept)
    scanned = {id(thing) for generation in range(3) for thing in gc.get_objects(generation)}
    assert not any(id(node) in scanned for node in kept)


def test_a_reload_frees_the_old_content_even_if_it_refers_to_itself(settled):
    old = _Node()
    gone = weakref.ref(old)
    heap.settle_after_start()  # the old content is frozen with everything else
    del old
    gc.collect()
    assert gone() is not None  # a frozen cycle is never collected ...

    heap.settle_after_reload()

    assert gone() is None  # ... until the reload thaws and collects it
    assert gc.get_freeze_count() > 0  # and the rest is frozen again


def test_a_process_that_did_not_settle_at_start_is_left_alone(settled):
    heap.settle_after_reload()

    assert gc.get_freeze_count() == 0
