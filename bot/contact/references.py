"""Pseudonymous references of contact requests, such as ``#K7QF``: :class:`ReferenceGenerator`.

A reference is what a team and a person both call a request, so it must be easy to read aloud and
to type from a screenshot: four characters from an alphabet without look-alikes (no 0/O, 1/I/L,
5/S, 2/Z, 8/B). It carries no information about the person. 25**4 = 390,625 references are plenty
for the requests alive at one time; the database keeps them unique (a unique constraint) and
:meth:`bot.contact.repositories.RequestRepository.create_draft` draws again on a collision.

References are stored without the ``#``; :func:`format_reference` adds it for display and
:func:`parse_reference` reads what someone typed back.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol

__all__ = [
    "ALPHABET",
    "LENGTH",
    "RandomSource",
    "ReferenceGenerator",
    "format_reference",
    "parse_reference",
]

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 4


class RandomSource(Protocol):
    """What a reference generator needs of a random number generator (``random.Random``)."""

    def choice(self, seq: Sequence[str]) -> str: ...


class ReferenceGenerator:
    """Draws new references.

    Args:
        rng: The source of randomness: ``random.SystemRandom()`` in production (the default),
            a seeded ``random.Random`` in tests.
    """

    def __init__(self, rng: RandomSource | None = None) -> None:
        self._rng = rng if rng is not None else random.SystemRandom()

    def new(self) -> str:
        """A reference, without the ``#`` (e.g. ``"K7QF"``); not yet checked for uniqueness."""
        return "".join(self._rng.choice(ALPHABET) for _ in range(LENGTH))


def format_reference(reference: str) -> str:
    """The reference as people see it: ``"K7QF"`` → ``"#K7QF"``."""
    return "#" + reference


def parse_reference(text: str) -> str | None:
    """The stored form of a reference someone typed (``"#k7qf"``, ``" K7QF "``), or None."""
    candidate = text.strip().removeprefix("#").strip().upper()
    if len(candidate) == LENGTH and all(char in ALPHABET for char in candidate):
        return candidate
    return None
