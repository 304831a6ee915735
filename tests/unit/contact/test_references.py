"""References: four characters without look-alikes, drawn from an injected random source."""

from __future__ import annotations

import random
import re

from bot.contact.references import (
    ALPHABET,
    ReferenceGenerator,
    format_reference,
    parse_reference,
)


def test_references_have_four_characters_without_look_alikes():
    generator = ReferenceGenerator(random.Random(7))
    drawn = [generator.new() for _ in range(2000)]

    assert all(re.fullmatch(f"[{ALPHABET}]{{4}}", reference) for reference in drawn)
    assert not set("".join(drawn)) & set("0O1IL5S2Z8B")
    # Every character of the alphabet turns up: the generator uses all of it.
    assert set("".join(drawn)) == set(ALPHABET)


def test_a_seeded_source_gives_the_same_references():
    first = ReferenceGenerator(random.Random(42))
    second = ReferenceGenerator(random.Random(42))

    assert [first.new() for _ in range(5)] == [second.new() for _ in range(5)]


def test_the_default_source_works():
    assert len(ReferenceGenerator().new()) == 4


def test_format_and_parse_are_inverse_and_forgiving():
    assert format_reference("K7QF") == "#K7QF"
    assert parse_reference("#K7QF") == "K7QF"
    assert parse_reference("  #k7qf ") == "K7QF"
    assert parse_reference("K7QF") == "K7QF"


def test_parse_refuses_what_cannot_be_a_reference():
    assert parse_reference("#K7Q") is None
    assert parse_reference("#K7QFF") is None
    assert parse_reference("#K0QF") is None  # 0 is not in the alphabet
    assert parse_reference("") is None
