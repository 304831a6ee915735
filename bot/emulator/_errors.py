"""The error a Bot API method answers with, in Telegram's envelope."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError"]


class ApiError(Exception):
    """A failed Bot API call, rendered as ``{"ok": false, "error_code": ..., "description": ...}``.

    Method implementations raise it; the HTTP layer turns it into Telegram's error envelope. The
    class methods build the errors whose wording Telegram fixes, so every place that answers, say,
    "chat not found" uses the same string as the real server.

    Args:
        status: The HTTP status and ``error_code`` (400, 401, 403, 404, 409, 429, 5xx).
        description: The full description including its prefix, e.g. ``"Bad Request: ..."``.
        retry_after: For 429 answers, the seconds to wait (sent as ``parameters.retry_after``).
    """

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> dict[str, Any]:
        """Return the JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body

    @classmethod
    def bad_request(cls, detail: str) -> ApiError:
        """A 400 answer: ``"Bad Request: <detail>"``."""
        return cls(400, f"Bad Request: {detail}")

    @classmethod
    def forbidden(cls, detail: str) -> ApiError:
        """A 403 answer: ``"Forbidden: <detail>"``."""
        return cls(403, f"Forbidden: {detail}")

    @classmethod
    def too_many_requests(cls, retry_after: int) -> ApiError:
        """A 429 answer with ``parameters.retry_after``."""
        return cls(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    @classmethod
    def unauthorized(cls) -> ApiError:
        """The 401 answer for a well-formed token that belongs to no bot."""
        return cls(401, "Unauthorized")

    @classmethod
    def not_found(cls) -> ApiError:
        """The 404 answer for an unknown method or a malformed token."""
        return cls(404, "Not Found")

    @classmethod
    def conflict(cls, detail: str) -> ApiError:
        """A 409 answer: ``"Conflict: <detail>"``."""
        return cls(409, f"Conflict: {detail}")

    @classmethod
    def chat_not_found(cls) -> ApiError:
        """The answer for a chat id the bot does not know."""
        return cls.bad_request("chat not found")

    @classmethod
    def blocked(cls) -> ApiError:
        """The answer for any message to a private chat whose user blocked the bot."""
        return cls.forbidden("bot was blocked by the user")
