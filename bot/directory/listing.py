"""A plain list of the services of a topic, by region — the simplest way to find help."""

from __future__ import annotations

from bot.content.models import Content, Service
from bot.content.navigation import Translator
from bot.content.telegram_html import escape
from bot.safety.emergency import helpline_lines

__all__ = ["services_of_topic", "topic_services_html"]


def services_of_topic(content: Content, topic: str) -> list[Service]:
    """Services filed under ``topic`` in active regions, ordered by region and name."""
    active = {r.id for r in content.regions.values() if r.active}
    found = [s for s in content.services.values() if topic in s.topics and s.region in active]
    return sorted(found, key=lambda s: (s.region, s.name.casefold()))


def _service_block(content: Content, service: Service, language: str) -> str:
    chain = content.language_chain(language)
    lines = [f"<b>{escape(service.name)}</b>"]
    address = ", ".join(p for p in (service.address.street, service.address.city) if p)
    if address:
        lines.append("📍 " + escape(address))
    if service.phone:
        lines.append("☎️ " + escape(service.phone))
    if service.website:
        lines.append("🌐 " + escape(service.website))
    if service.description is not None:
        lines.append(service.description.resolve(chain)[0])
    return "\n".join(lines)


def topic_services_html(content: Content, topic: str, language: str, tr: Translator) -> str:
    """Services of ``topic`` grouped by region, then the help lines of the topic."""
    chain = content.language_chain(language)
    services = services_of_topic(content, topic)
    topic_name = content.topics[topic].name.resolve(chain)[0] if topic in content.topics else topic
    parts = [
        "<b>"
        + tr.ngettext("%(count)d counselling service: %(topic)s", "%(count)d counselling services: %(topic)s", len(services))
        % {"count": len(services), "topic": escape(topic_name)}
        + "</b>"
    ]
    region = None
    for service in services:
        if service.region != region:
            region = service.region
            parts.append("— " + escape(content.regions[region].name.resolve(chain)[0]) + " —")
        parts.append(_service_block(content, service, language))
    lines = [h for h in content.helplines if topic in h.topics]
    if lines:
        parts.append("<b>" + tr.gettext("Help lines (free, confidential):") + "</b>")
        parts += helpline_lines(content, lines, language)
    if not services and not lines:
        parts.append(tr.gettext("There is no entry for this topic yet. Please use the emergency numbers or talk to a person."))
    return "\n\n".join(parts)
