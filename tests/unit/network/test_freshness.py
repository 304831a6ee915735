"""The weekly freshness message: what is listed, in the admins' language (German)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import MappingProxyType

from bot.content.models import LocalizedText
from bot.network.freshness import freshness_message
from tests.e2e.test_events import EVENTS
from tests.helpers.botharness import default_catalogs
from tests.helpers.content import default_content

TODAY = dt.date(2026, 11, 30)  # a Monday


def aged(content):
    """The default content with one stale service, one outdated translation and the test events."""
    services = dict(content.services)
    first = next(iter(services))
    services[first] = dataclasses.replace(services[first], verified_on=dt.date(2025, 9, 1))
    texts = dict(content.texts)
    name = texts["helpline.polizei.name"]
    arabic = dataclasses.replace(name.translations["ar"], source_hash="000000")
    texts["helpline.polizei.name"] = LocalizedText(
        name.key, name.source, name.source_language,
        MappingProxyType({**name.translations, "ar": arabic}), name.file, name.line,
    )  # fmt: skip
    return dataclasses.replace(
        content, services=MappingProxyType(services), texts=MappingProxyType(texts), events=EVENTS
    ), services[first]


def test_the_message_lists_what_is_out_of_date():
    content, stale = aged(default_content())
    tr = _german()
    message = freshness_message(content, TODAY, tr)
    assert "Wöchentliche Prüfung der Inhalte" in message
    assert "Angebote, seit 12 Monaten nicht geprüft:" in message
    assert f"{stale.name} ({stale.id}): 01.09.2025" in message
    assert "Übersetzungen, durch eine Änderung im Deutschen veraltet: 1" in message
    assert "العربية (ar): 1" in message
    # The test events are translated into English only; the past one is not listed.
    assert "Veranstaltungen ohne Übersetzung: 2" in message
    assert "Treffen forum (forum): ar, fa" in message and "(past)" not in message


def test_fresh_content_says_so():
    content = default_content()
    fresh = dataclasses.replace(
        content,
        services=MappingProxyType(
            {k: dataclasses.replace(s, verified_on=TODAY) for k, s in content.services.items()}
        ),
    )
    assert "Alles ist aktuell." in freshness_message(fresh, TODAY, _german())


def _german():
    content = default_content()
    return default_catalogs().translator(content.language_chain("de"))
