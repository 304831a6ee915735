"""Simulated people and coordinators for soak and crash tests: patient, like real ones.

A person who gets no answer does what people do: waits a little, then taps again or writes
again. Every text a person or coordinator writes is unique, so that the test can tell a copy
made by the bot from a message written twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from bot.content.addresses import page_address
from bot.emulator import EmulatedGroup, EmulatedUser

PATIENCE = 6.0  # seconds a person waits for an answer before trying again
TRIES = 4


class GaveUp(Exception):
    """A person got no answer after several tries (the bot did not stay responsive)."""


@dataclass
class Figures:
    """What happened, for the report: counts and answer times."""

    steps: int = 0
    retries: int = 0
    requests_sent: int = 0
    replies_sent: int = 0
    waits: list[float] = field(default_factory=list)
    gave_up: Counter = field(default_factory=Counter)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.waits)
        return ordered[min(int(len(ordered) * share), len(ordered) - 1)] if ordered else 0.0


@dataclass
class Walker:
    """One person walking the menu, searching services and writing to counsellors."""

    bot: object  # the BotHarness (or anything with ``content``)
    person: EmulatedUser
    figures: Figures
    rng: random.Random
    written: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    @property
    def content(self):
        return self.bot.content

    async def step(self, action, expect, *, tries: int = TRIES, name: str = "step"):
        """Do ``action`` until a bot message matching ``expect`` arrives; return it."""
        for attempt in range(tries):
            started = time.monotonic()
            await action(attempt)
            with contextlib.suppress(AssertionError):
                found = await self.person.wait_for_bot_message(expect, timeout=PATIENCE)
                self.figures.waits.append(time.monotonic() - started)
                self.figures.steps += 1
                return found
            self.figures.retries += 1
        self.figures.gave_up[name] += 1
        raise GaveUp(f"{self.person.first_name}: no answer to {name} after {tries} tries")

    def _has(self, data: str):
        return lambda m: any(data in (b.get("callback_data") or "") for b in _buttons(m))

    async def press(self, data: str, expect, name: str):
        """Press the button with callback data ``data`` on the newest message showing it."""

        async def action(_attempt):
            message = next(
                (m for m in reversed(self.person.bot_messages()) if self._has(data)(m)), None
            )
            if message is None:
                raise GaveUp(f"{self.person.first_name} sees no button {data!r} for {name}")
            full = next(
                b["callback_data"] for b in _buttons(message) if data in b.get("callback_data", "")
            )
            await self.person.press_button(full, message=message)

        return await self.step(action, expect, name=name)

    async def start(self):
        """/start until the main menu shows."""
        return await self.step(
            lambda _a: self.person.send_text("/start"),
            lambda m: len(_buttons(m)) > 2,
            name="/start",
        )

    async def walk_menu(self, pages: int = 3) -> None:
        """Open a few pages by their buttons, as someone looking around."""
        current = await self.start()
        for _ in range(pages):
            choices = [
                b["callback_data"]
                for b in _buttons(current)
                if (b.get("callback_data") or "").startswith("p:")
            ]
            if not choices:
                return
            data = self.rng.choice(choices)
            current = await self.press(data, lambda m: bool(_buttons(m)), name="page")

    async def search_services(self, place: str = "Dortmund") -> None:
        """Open "services near me" of a topic and type a place."""
        content = self.content
        await self.start()
        node = next(
            n
            for n in content.nodes.values()
            if n.action and n.action.kind.value == "services" and n.action.target == "violence"
        )
        parent = content.parents[node.id]
        await self.press(
            page_address(content.version, parent), self._has(content.version), name="topic"
        )
        await self.press(page_address(content.version, node.id), None, name="services")
        await self.step(lambda _a: self.person.send_text(place), self._has("c:"), name="place")

    async def write_request(self, label: str, region: str = "Dortmund") -> str:
        """Consent, region, method, one unique message, Send; returns the reference."""
        content = self.content
        await self.start()
        await self.press(
            page_address(content.version, "violence"),
            self._has(page_address(content.version, "violence_contact")),
            name="topic",
        )
        step = await self.press(
            page_address(content.version, "violence_contact"),
            lambda m: self._has("k:")(m),
            name="contact",
        )
        if self._has("k:agree")(step):
            step = await self.press("k:agree", self._has("k:region"), name="consent")
        region_data = next(
            b["callback_data"] for b in _buttons(step) if region in b["text"]
        )  # the region buttons
        await self.press(region_data, self._has("k:method:chat"), name="region")
        await self.press("k:method:chat", lambda m: not self._has("k:method")(m), name="method")

        async def write(attempt):
            text = f"Anliegen {label} Versuch {attempt}"
            self.written.append(text)
            await self.person.send_text(text)

        ready = await self.step(write, self._has("k:send"), name="message")
        del ready
        sent = await self.press(
            "k:send",
            # The confirmation names the reference (a counsellor's reply, signed 💬, may too).
            lambda m: "#" in (m.text or "") and not (m.text or "").startswith("💬"),
            name="send",
        )
        reference = "#" + sent.text.split("#", 1)[1][:4]
        self.references.append(reference)
        self.figures.requests_sent += 1
        return reference


@dataclass
class Coordinator:
    """A coordinator who answers every new request in their team's chat, once, uniquely."""

    person: EmulatedUser
    group: EmulatedGroup
    figures: Figures
    answered: set[str] = field(default_factory=set)
    replies: dict[str, str] = field(default_factory=dict)  # reply text → request reference

    async def serve(self, stop: asyncio.Event) -> None:
        """Answer each new "Anliegen" copy until ``stop`` is set."""
        while not stop.is_set():
            with contextlib.suppress(AssertionError):
                copy = await self.group.wait_for_bot_message(
                    lambda m: "Anliegen" in (m.text or ""), timeout=0.5
                )
                reference = "#" + copy.text.split("#", 1)[1][:4]
                if reference in self.answered:
                    continue
                self.answered.add(reference)
                reply = f"Antwort {reference} von {self.person.first_name}"
                self.replies[reply] = reference
                await self.person.send_text(
                    reply,
                    chat=self.group,
                    thread_id=copy.thread_id,
                    reply_to=None if copy.thread_id else copy.message_id,
                )
                self.figures.replies_sent += 1


def _buttons(message) -> list[dict]:
    if message is None:
        return []
    return [b for row in message.button_rows for b in row]
