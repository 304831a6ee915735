"""The browser playground: people and coordinators on one page, served by the emulator's server.

Routes (all below ``/playground``, on 127.0.0.1 only, as the emulator is):

    GET  /playground/            the page (static HTML, CSS and JavaScript, nothing from outside)
    GET  /playground/state       the whole world as JSON: people, teams, topics, messages
    GET  /playground/events      the same as server-sent events, sent again on every change
    POST /playground/people      a new person {name, language}
    POST /playground/act         a person or coordinator acts: text, button, location, media
    POST /playground/reload      reload the content; answers the check report or the changes
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import tornado.iostream
import tornado.web
from babel import Locale, UnknownLocaleError

from bot.content.models import Content
from bot.content.reload import ReloadOutcome
from bot.emulator import BotApiEmulator, EmulatedMessage, EmulatedUser
from bot.playground.render import message_html
from bot.playground.world import PlaygroundTeam

__all__ = ["Playground", "serve_playground"]

logger = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
# A comment line keeps proxies and the browser from closing a quiet event stream.
HEARTBEAT_SECONDS = 15.0


def is_rtl(language: str | None) -> bool:
    """Whether a Telegram language code is written right to left (unknown codes: no)."""
    if not language:
        return False
    try:
        return Locale.parse(language, sep="-").character_order == "right-to-left"
    except (ValueError, UnknownLocaleError):
        return False


class Playground:
    """The world the page shows and the actions it offers, on top of the emulator.

    Args:
        emulator: The running emulator the bot talks to.
        teams: The teams' groups and coordinators (see :func:`bot.playground.world.populate`).
        content: Returns the content the bot serves right now (it changes with a reload).
        reload: Reloads the content into the running bot (a domain call; see bot.content.reload).
    """

    def __init__(
        self,
        emulator: BotApiEmulator,
        teams: list[PlaygroundTeam],
        content: Callable[[], Content],
        reload: Callable[[], Awaitable[ReloadOutcome]],
    ) -> None:
        self.emulator = emulator
        self.teams = teams
        self._content = content
        self._reload = reload
        self.people: dict[int, EmulatedUser] = {}

    @property
    def content(self) -> Content:
        """The content the bot serves right now."""
        return self._content()

    @property
    def url(self) -> str:
        """The address of the page."""
        return f"{self.emulator.address}/playground/"

    def install(self) -> None:
        """Add the page's routes to the emulator's server."""
        arguments = {"playground": self}
        self.emulator.add_handlers(
            [
                (r"/playground/?", _PageHandler, arguments),
                (r"/playground/static/(.*)", tornado.web.StaticFileHandler, {"path": str(STATIC)}),
                (r"/playground/state", _StateHandler, arguments),
                (r"/playground/events", _EventsHandler, arguments),
                (r"/playground/people", _PeopleHandler, arguments),
                (r"/playground/act", _ActHandler, arguments),
                (r"/playground/reload", _ReloadHandler, arguments),
            ]
        )

    # The world ---------------------------------------------------------------------------------

    def add_person(self, name: str, language: str | None) -> EmulatedUser:
        """A new person with this Telegram language (None: the app reports none)."""
        person = self.emulator.add_user(name or "Person", language_code=language or None)
        self.people[person.id] = person
        return person

    def snapshot(self) -> dict[str, Any]:
        """Everything the page shows, as JSON-ready data."""
        content = self.content
        pending = [
            [q.chat_id, q.message_id, q.data] for q in self.emulator.unanswered_callback_queries()
        ]
        return {
            "version": content.version,
            "languages": [
                {"code": code, "name": language.name, "rtl": language.is_rtl}
                for code, language in content.languages.items()
            ],
            "places": _places(content),
            "people": [self._person(person) for person in self.people.values()],
            "teams": [self._team(team) for team in self.teams],
            "pending": pending,
        }

    def _person(self, person: EmulatedUser) -> dict[str, Any]:
        language = person.language_code
        answers = [q for q in self.emulator.callback_queries() if q.user_id == person.id and q.text]
        commands = self.emulator.commands(language_code=language or "") or self.emulator.commands()
        return {
            "id": person.id,
            "name": person.first_name,
            "language": language or "",
            "rtl": is_rtl(language),
            "commands": [[c["command"], c["description"]] for c in commands],
            "keyboard": [
                [b if isinstance(b, dict) else {"text": b} for b in row]
                for row in person.reply_keyboard()
            ],
            "messages": [_message(m) for m in person.messages()],
            # The answer to the last button press, shown as Telegram shows it: a toast or alert.
            "notice": (
                {"id": answers[-1].id, "text": answers[-1].text, "alert": answers[-1].show_alert}
                if answers
                else None
            ),
        }

    def _team(self, team: PlaygroundTeam) -> dict[str, Any]:
        group = team.group
        return {
            "key": team.settings.key,
            "name": team.settings.name,
            "chat": group.id,
            "forum": group.is_forum,
            "coordinator": {"id": team.coordinator.id, "name": team.coordinator.first_name},
            "topics": [
                {"thread": topic.thread_id, "name": topic.name, "closed": topic.closed}
                for topic in group.topics().values()
            ],
            "messages": [_message(m) for m in group.messages()],
        }

    # Actions -----------------------------------------------------------------------------------

    async def act(self, action: dict[str, Any]) -> None:
        """Perform what a person or a coordinator did on the page.

        Raises:
            ValueError: For an action the page cannot have sent (unknown person, kind …).
        """
        actor, where = self._actor(action)
        kind = action.get("kind")
        if kind == "text":
            text = str(action.get("text", "")).strip()
            if text:
                await actor.send_text(text, **where, reply_to=action.get("reply_to") or None)
        elif kind == "press":
            message = self._message_of(actor, where, int(action["message"]))
            await actor.press_button(str(action["data"]), message=message)
        elif kind == "reply_button":
            latitude, longitude = _point(action, default=(51.5136, 7.4653))
            await actor.press_reply_button(str(action["text"]), location=(latitude, longitude))
        elif kind == "location":
            await actor.share_location(*_point(action), **where)
        elif kind == "voice":
            await actor.send_voice(**where)
        elif kind in ("photo", "document"):
            data = base64.b64decode(str(action.get("data", "")), validate=False) or None
            if kind == "photo":
                await actor.send_photo(data, **where)
            else:
                await actor.send_document(
                    str(action.get("filename") or "file.bin"),
                    data or b"",
                    mime_type=str(action.get("mime") or "application/octet-stream"),
                    **where,
                )
        else:
            raise ValueError(f"unknown action {kind!r}")

    def _actor(self, action: dict[str, Any]) -> tuple[EmulatedUser, dict[str, Any]]:
        if "team" in action:
            team = next((t for t in self.teams if t.settings.key == action["team"]), None)
            if team is None:
                raise ValueError(f"no team {action['team']!r}")
            thread = action.get("thread")
            return team.coordinator, {
                "chat": team.group,
                "thread_id": int(thread) if thread else None,
            }
        person = self.people.get(int(action.get("person", 0)))
        if person is None:
            raise ValueError("no such person")
        return person, {}

    def _message_of(self, actor: EmulatedUser, where: dict[str, Any], message_id: int):
        messages = where["chat"].messages() if where else actor.messages()
        found = next((m for m in messages if m.message_id == message_id), None)
        if found is None:
            raise ValueError("that message no longer exists")
        return found

    async def reload(self) -> dict[str, Any]:
        """Reload the content; the check report (file:line) or what changed, for the page."""
        outcome = await self._reload()
        return {
            "ok": outcome.ok,
            "version": self.content.version,
            "report": outcome.format(),
            "errors": [
                {"file": f.file, "line": f.line, "message": f.message} for f in outcome.errors
            ],
            "changes": outcome.changes.lines(),
        }


def _point(action: dict[str, Any], default: tuple[float, float] | None = None):
    try:
        latitude, longitude = float(action["lat"]), float(action["lon"])
    except (KeyError, TypeError, ValueError):
        if default is None:
            raise ValueError("a location needs lat and lon") from None
        return default
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("not a place on earth")
    return latitude, longitude


def _places(content: Content) -> list[dict[str, Any]]:
    """The preset places of the active regions (and each region's centre) for the location picker."""
    places = []
    for region in content.regions.values():
        if not region.active:
            continue
        label = region.name.source
        places.append(
            {"region": label, "name": label, "lat": region.center.lat, "lon": region.center.lon}
        )
        places += [
            {"region": label, "name": p.name, "lat": p.location.lat, "lon": p.location.lon}
            for p in region.places
        ]
    return places


def _message(message: EmulatedMessage) -> dict[str, Any]:
    raw = message.raw
    author = "bot" if message.from_bot else raw.get("from", {}).get("first_name", "")
    reply = raw.get("reply_to_message")
    text = message.text
    return {
        "id": message.message_id,
        "chat": message.chat_id,
        "from_bot": message.from_bot,
        "author": author,
        "kind": message.kind,
        "html": message_html(text, message.entities) if text is not None else "",
        "edited": message.edited,
        "thread": message.thread_id,
        "topic": (raw.get("forum_topic_created") or {}).get("name"),
        "reply_to": (
            {
                "id": reply["message_id"],
                "text": (reply.get("text") or reply.get("caption") or "")[:80],
            }
            if reply and not reply.get("forum_topic_created")
            else None
        ),
        "buttons": [
            [{"text": b["text"], "data": b.get("callback_data"), "url": b.get("url")} for b in row]
            for row in message.button_rows
        ],
        "location": raw.get("location") or (raw.get("venue") or {}).get("location"),
        "file": (raw.get("document") or {}).get("file_name"),
    }


# HTTP --------------------------------------------------------------------------------------------


_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class _Handler(tornado.web.RequestHandler):
    def initialize(self, playground: Playground) -> None:
        self.playground = playground

    def prepare(self) -> None:
        # Another web page open in the same browser must not drive the playground: requests
        # must name this machine (no DNS rebinding) and post JSON (a cross-site form cannot,
        # and a cross-site fetch of JSON needs a permission this server never grants).
        host = self.request.host.rsplit(":", 1)[0] if self.request.host else ""
        if host not in _LOCAL_HOSTS:
            raise tornado.web.HTTPError(403)
        if self.request.method == "POST":
            kind = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind != "application/json":
                raise tornado.web.HTTPError(415)

    def write_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False))

    def body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            raise tornado.web.HTTPError(400, "JSON expected") from None
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(400, "a JSON object expected")
        return data


class _PageHandler(_Handler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish((STATIC / "index.html").read_bytes())


class _StateHandler(_Handler):
    def get(self) -> None:
        self.write_json(self.playground.snapshot())


class _PeopleHandler(_Handler):
    async def post(self) -> None:
        data = self.body()
        person = self.playground.add_person(str(data.get("name", "")), data.get("language"))
        await person.send_text("/start")
        self.write_json({"id": person.id})


class _ActHandler(_Handler):
    async def post(self) -> None:
        try:
            await self.playground.act(self.body())
        except (ValueError, KeyError, AssertionError) as exc:
            # The page shows it; a mistake on the page must never stop the playground.
            self.write_json({"error": str(exc)}, status=400)
            return
        self.write_json({"ok": True})


class _ReloadHandler(_Handler):
    async def post(self) -> None:
        self.write_json(await self.playground.reload())


class _EventsHandler(_Handler):
    """Server-sent events: the world again whenever it changed (edits and deletions included)."""

    def initialize(self, playground: Playground) -> None:
        super().initialize(playground)
        self._closed = asyncio.Event()

    def on_connection_close(self) -> None:
        self._closed.set()

    async def get(self) -> None:
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        emulator = self.playground.emulator
        last = None
        with contextlib.suppress(tornado.iostream.StreamClosedError):
            while not self._closed.is_set():
                state = json.dumps(self.playground.snapshot(), ensure_ascii=False)
                if state != last:
                    self.write(f"data: {state}\n\n")
                    last = state
                else:
                    self.write(": still here\n\n")
                await self.flush()
                await emulator.wait_for_change(timeout=HEARTBEAT_SECONDS)


def serve_playground(
    emulator: BotApiEmulator, teams: list[PlaygroundTeam], application
) -> Playground:
    """The playground of a running bot's ``application``, served by the emulator's server."""
    from bot.telegram.reloading import reload_application_content

    playground = Playground(
        emulator,
        teams,
        content=lambda: application.bot_data.runtime.content,
        reload=lambda: reload_application_content(application),
    )
    playground.install()
    return playground
