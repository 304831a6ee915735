"""What the bot shows a person — text and buttons — described without Telegram.

Domain modules (menu, services, contact requests, safety) return a :class:`Screen`; the Telegram
layer turns it into a message with an inline keyboard. Buttons carry typed *targets*; only the
Telegram layer knows how a target is encoded as callback data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Button",
    "ContactTarget",
    "Document",
    "EventTarget",
    "LanguageTarget",
    "OriginRef",
    "PageTarget",
    "SafetyTarget",
    "Screen",
    "SearchTarget",
    "ServiceTarget",
    "Target",
    "UrlTarget",
    "VenueTarget",
]


@dataclass(frozen=True, slots=True)
class PageTarget:
    """Open a menu page (also used for Back and Home)."""

    node_id: str


@dataclass(frozen=True, slots=True)
class LanguageTarget:
    """Switch the person's language."""

    code: str


@dataclass(frozen=True, slots=True)
class OriginRef:
    """Where a service search starts: a shared point, a district/city of the content, a postal code.

    A shared location travels only inside the buttons of the results (rounded to about 100 m),
    never into the database.
    """

    lat: float | None = None
    lon: float | None = None
    place: int | None = None  # index into the content's list of places (see bot.directory.places)
    postal: str | None = None  # a postal code the person typed (five digits)


@dataclass(frozen=True, slots=True)
class SearchTarget:
    """Show a page of services for a topic near an origin, with filters."""

    topic: str
    origin: OriginRef
    filters: int = 0
    page: int = 0


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """Show one service's card; ``back`` returns to the results it was opened from."""

    service: str
    back: SearchTarget


@dataclass(frozen=True, slots=True)
class VenueTarget:
    """Send a service's location as a venue, for navigation apps."""

    service: str


@dataclass(frozen=True, slots=True)
class ContactTarget:
    """A step of the contact request: agree, cancel, choose region or method, send."""

    action: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class EventTarget:
    """Events near the person: list them, choose the region, switch a reminder on or off.

    ``action`` is ``list``, ``regions`` (offer the regions), ``region`` (``value``: its id),
    ``news`` (subscribe to the region's news, or unsubscribe) or ``remind`` (``value``: the
    event's position in the content of this version).
    """

    action: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class SafetyTarget:
    """A safety action: clear the chat, switch discreet mode."""

    action: str


@dataclass(frozen=True, slots=True)
class UrlTarget:
    """Open a web page in the browser (a URL button; no callback reaches the bot)."""

    url: str


Target = (
    PageTarget
    | LanguageTarget
    | UrlTarget
    | SearchTarget
    | ServiceTarget
    | VenueTarget
    | ContactTarget
    | EventTarget
)


@dataclass(frozen=True, slots=True)
class Button:
    """One button: what it says and what pressing it does."""

    label: str
    target: Target


@dataclass(frozen=True, slots=True)
class Document:
    """A file built for the person, sent along with a screen."""

    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Screen:
    """A message: HTML text in Telegram's subset, rows of buttons, optionally a file to send along.

    Attributes:
        html: the text (already localised, escaped and made readable for right-to-left languages).
        rows: buttons, row by row.
        attachment: a file from the content to send with the screen.
        document: a file made for this person (e.g. the list of numbers in their language).
        notice: a short line for the callback answer (the toast on the person's phone), if any.
    """

    html: str
    rows: tuple[tuple[Button, ...], ...] = ()
    attachment: Path | None = None
    document: Document | None = None
    notice: str | None = None
    ask_location: str | None = None  # label of a reply button that shares the location
    is_emergency_card: bool = False  # it shows the emergency numbers itself: no 🆘 button
