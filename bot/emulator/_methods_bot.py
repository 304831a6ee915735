"""Methods about the bot itself: identity, updates and webhooks, commands, descriptions."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlparse

from bot.emulator._errors import ApiError
from bot.emulator._registry import MethodCall, api_method
from bot.emulator._updates import WebhookConfig

__all__ = ["commands_key"]

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LANGUAGE_CODE = re.compile(r"^([a-z]{2})?$")


@api_method("getMe")
async def get_me(call: MethodCall) -> dict[str, Any]:
    """Return the bot's user."""
    return call.bot.user


@api_method("logOut", "close")
async def log_out(call: MethodCall) -> bool:
    """Accept: there is no cloud server to log out from."""
    return True


@api_method("getUpdates")
async def get_updates(call: MethodCall) -> list[dict[str, Any]]:
    """Return pending updates, long polling up to ``timeout`` seconds."""
    return await call.bot.updates.get_updates(
        offset=call.get("offset"),
        limit=call.get("limit", 100),
        timeout=max(call.get("timeout", 0), 0),
        allowed_updates=call.get("allowed_updates"),
        disconnected=call.disconnected,
    )


@api_method("setWebhook")
async def set_webhook(call: MethodCall) -> bool:
    """Push updates to a URL (http allowed, unlike Telegram, so tests can listen locally)."""
    url = call.params["url"]
    drop = bool(call.get("drop_pending_updates"))
    if not url:
        await call.bot.updates.delete_webhook(drop_pending_updates=drop)
        return True
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ApiError.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = call.get("secret_token")
    if secret is not None and not _SECRET_TOKEN.match(secret):
        raise ApiError.bad_request("bad webhook: secret token contains unallowed characters")
    config = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=call.get("max_connections", 40),
        ip_address=call.get("ip_address"),
    )
    call.bot.updates.set_webhook(
        config,
        allowed_updates=call.get("allowed_updates"),
        drop_pending_updates=drop,
        clock=call.store.clock,
    )
    return True


@api_method("deleteWebhook")
async def delete_webhook(call: MethodCall) -> bool:
    """Stop pushing updates so getUpdates works."""
    await call.bot.updates.delete_webhook(
        drop_pending_updates=bool(call.get("drop_pending_updates"))
    )
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(call: MethodCall) -> dict[str, Any]:
    """Describe the webhook and the updates waiting for it."""
    queue = call.bot.updates
    info: dict[str, Any] = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(queue.pending),
    }
    if queue.webhook is not None:
        hook = queue.webhook
        info.update(url=hook.url, max_connections=hook.max_connections)
        if queue.allowed_updates:
            info["allowed_updates"] = queue.allowed_updates
        if hook.ip_address:
            info["ip_address"] = hook.ip_address
        if hook.last_error_date:
            info.update(
                last_error_date=hook.last_error_date, last_error_message=hook.last_error_message
            )
    return info


def commands_key(scope: dict[str, Any] | None, language_code: str | None) -> tuple[str, str]:
    """The key under which commands are stored: the scope as canonical JSON and the language."""
    scope = scope or {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code or ""


def _checked_key(call: MethodCall) -> tuple[str, str]:
    language = call.get("language_code") or ""
    if not _LANGUAGE_CODE.match(language):
        raise ApiError.bad_request("invalid language code specified")
    return commands_key(call.get("scope"), language)


@api_method("setMyCommands")
async def set_my_commands(call: MethodCall) -> bool:
    """Store commands for a scope and language."""
    commands = call.params["commands"]
    if len(commands) > 100:
        raise ApiError.bad_request("too many commands specified")
    for command in commands:
        if not _COMMAND.match(command["command"]):
            raise ApiError.bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(command["description"]) <= 256:
            raise ApiError.bad_request("command description must be 1-256 characters long")
    call.bot.commands[_checked_key(call)] = commands
    return True


@api_method("getMyCommands")
async def get_my_commands(call: MethodCall) -> list[dict[str, Any]]:
    """Return the commands of exactly this scope and language (no fallback, as Telegram)."""
    return call.bot.commands.get(_checked_key(call), [])


@api_method("deleteMyCommands")
async def delete_my_commands(call: MethodCall) -> bool:
    """Remove the commands of a scope and language."""
    call.bot.commands.pop(_checked_key(call), None)
    return True


_TEXT_SETTINGS = {
    "setMyDescription": ("description", 512),
    "setMyShortDescription": ("short_description", 120),
    "setMyName": ("name", 64),
}


@api_method(*_TEXT_SETTINGS)
async def set_my_text(call: MethodCall) -> bool:
    """Store the bot's description, short description or name for a language."""
    field, limit = _TEXT_SETTINGS[call.method]
    value = call.get(field) or ""
    if len(value) > limit:
        raise ApiError.bad_request(f"{field} is too long (at most {limit} characters)")
    call.bot.settings[(field, call.get("language_code") or "")] = value
    return True


@api_method("getMyDescription", "getMyShortDescription", "getMyName")
async def get_my_text(call: MethodCall) -> dict[str, str]:
    """Return the bot's description, short description or name for a language."""
    field = {"getMyDescription": "description", "getMyShortDescription": "short_description"}.get(
        call.method, "name"
    )
    value = call.bot.settings.get((field, call.get("language_code") or ""), "")
    if field == "name" and not value:
        value = call.bot.user["first_name"]
    return {field: value}
