"""The list of important numbers: made from the help lines, in every language, so it cannot drift."""

from __future__ import annotations

import dataclasses

import pytest

from bot.content.models import Helpline, LocalizedText
from bot.i18n.bidi import LRI
from bot.safety.numbers import numbers_document
from tests.helpers.botharness import default_catalogs
from tests.helpers.content import default_content

LANGUAGES = sorted(default_content().languages)


def document_text(content, language: str) -> str:
    tr = default_catalogs().translator(content.language_chain(language))
    document = numbers_document(content, language, tr)
    assert document.filename == f"numbers-{language}.txt"
    return document.data.decode("utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_gets_every_number_with_the_names_in_its_own_language(language):
    content = default_content()
    text = document_text(content, language)
    tr = default_catalogs().translator(content.language_chain(language))
    plain = text.replace(LRI, "").replace("\u2069", "").replace("\u200f", "")
    assert plain.startswith(tr.gettext("Important phone numbers").upper())
    assert tr.gettext("You are not alone.") in plain
    for helpline in content.helplines:
        name = helpline.name.get(language) or helpline.name.source
        assert helpline.phone in plain, helpline.id
        assert name in plain, (helpline.id, name)
        if language != "de":  # the German name too, to show the paper to a German speaker
            assert helpline.name.source.split()[0] in plain
    assert "<" not in plain and "&amp;" not in plain


def test_the_list_follows_a_change_of_the_help_lines():
    content = default_content()
    added = Helpline(
        id="giftnotruf",
        name=LocalizedText("helpline.giftnotruf.name", "Giftnotruf NRW", "de"),
        phone="0228 19240",
        hours="24/7",
        emergency=False,
        languages=("de",),
        topics=(),
        website=None,
        description=None,
        file="content/helplines.yaml",
        line=1,
    )
    changed = dataclasses.replace(content, helplines=(*content.helplines, added))
    text = document_text(changed, "ar")
    assert "0228 19240" in text and "Giftnotruf NRW" in text


def test_right_to_left_lists_keep_numbers_in_one_piece():
    text = document_text(default_content(), "ar")
    assert f"{LRI}0800 111 0 111" in text
