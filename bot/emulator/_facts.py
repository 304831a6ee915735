"""The Bot API facts table (methods, parameters, object types) shipped as api_facts.json."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

__all__ = ["ApiFacts", "FieldSpec", "load_facts"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One parameter of a method or one field of an object type.

    Attributes:
        name: The parameter name, e.g. ``"chat_id"``.
        types: The accepted types as the documentation spells them, e.g.
            ``("Integer", "String")`` or ``("Array of MessageEntity",)``.
        required: Whether Telegram rejects a call without it.
    """

    name: str
    types: tuple[str, ...]
    required: bool


class ApiFacts:
    """Read-only view of api_facts.json with case-insensitive method lookup.

    Telegram treats method names case-insensitively (``/sendmessage`` works), so lookups go
    through a lower-cased index while the canonical spelling is kept for messages and logs.

    Args:
        raw: The parsed api_facts.json.
    """

    def __init__(self, raw: dict) -> None:
        self.source: str = raw["source"]
        self.version: str = raw["version"]
        self._methods = {
            name: self._parse_fields(params) for name, params in raw["methods"].items()
        }
        self._canonical = {name.lower(): name for name in self._methods}
        self._types = {
            name: self._parse_fields(spec["fields"]) for name, spec in raw["types"].items()
        }
        self._subtypes = {
            name: tuple(spec["subtypes"])
            for name, spec in raw["types"].items()
            if "subtypes" in spec
        }
        self._tags = {
            name: tuple(spec["tag"]) for name, spec in raw["types"].items() if "tag" in spec
        }

    @staticmethod
    def _parse_fields(fields: dict[str, list]) -> dict[str, FieldSpec]:
        return {
            name: FieldSpec(name=name, types=tuple(types.split("|")), required=required)
            for name, (types, required) in fields.items()
        }

    def canonical_method(self, name: str) -> str | None:
        """Return the documented spelling of ``name`` (any case), or None if no such method."""
        return self._canonical.get(name.lower())

    def parameters(self, method: str) -> dict[str, FieldSpec]:
        """Return the parameters of a method given in its canonical spelling."""
        return self._methods[method]

    def has_type(self, name: str) -> bool:
        """Whether ``name`` is an object type the table describes."""
        return name in self._types

    def fields(self, type_name: str) -> dict[str, FieldSpec]:
        """Return the fields of an object type."""
        return self._types[type_name]

    def subtypes(self, type_name: str) -> tuple[str, ...]:
        """Return the concrete subtypes of an abstract type (empty for concrete types)."""
        return self._subtypes.get(type_name, ())

    def tag(self, type_name: str) -> tuple[str, str] | None:
        """Return ``(field, value)`` that marks a subtype, e.g. ``("type", "chat")``, if any."""
        return self._tags.get(type_name)


@functools.cache
def load_facts() -> ApiFacts:
    """Load the facts table shipped inside the package (cached: it never changes at run time)."""
    text = resources.files(__package__).joinpath("api_facts.json").read_text(encoding="utf-8")
    return ApiFacts(json.loads(text))
