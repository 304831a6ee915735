"""Check and convert a method's parameters against the facts table, as Telegram reads them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.emulator._errors import ApiError
from bot.emulator._facts import ApiFacts, FieldSpec

__all__ = ["UploadedFile", "validate_parameters"]

# Parameters a client library sends on every call although no method documents them. PTB 22
# sends none (checked against its RequestData); the set stays so a future client can be allowed
# without weakening the unknown-parameter check for everything else.
ALWAYS_ACCEPTED: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart/form-data request.

    Attributes:
        filename: The file name the client gave (may be empty).
        content: The raw bytes.
        content_type: The part's MIME type.
    """

    filename: str
    content: bytes
    content_type: str

    def __repr__(self) -> str:
        # Request logs print parameters; a repr with the bytes would flood them.
        return f"UploadedFile({self.filename!r}, {len(self.content)} bytes, {self.content_type!r})"


class _Mismatch(Exception):
    """A value that does not fit a declared type; ``path`` locates it inside the parameter."""

    def __init__(self, reason: str, path: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path

    def within(self, segment: str) -> _Mismatch:
        return _Mismatch(self.reason, segment + self.path)


def validate_parameters(facts: ApiFacts, method: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Return the parameters converted to the documented types, or reject the call.

    Telegram reads every parameter from a string (query string and form fields carry only
    strings; PTB JSON-encodes objects, lists, numbers and booleans and sends strings as they are),
    so top-level values are accepted either typed (JSON body) or as their string form. Values
    inside JSON-serialised objects must have their JSON type.

    Args:
        facts: The facts table.
        method: The canonical method name.
        raw: Parameter name to value (str, JSON value, or :class:`UploadedFile`).

    Returns:
        Parameter name to converted value; parameters absent from ``raw`` are absent here.

    Raises:
        ApiError: 400 naming the first missing, unknown or mistyped parameter.
    """
    spec = facts.parameters(method)
    # A JSON null means "not given", as for Telegram.
    raw = {name: value for name, value in raw.items() if value is not None}
    unknown = sorted(set(raw) - set(spec) - ALWAYS_ACCEPTED)
    if unknown:
        raise ApiError.bad_request(
            f'unknown parameter "{unknown[0]}" for method {method} (the emulator rejects '
            "parameters that the Bot API does not document; Telegram would ignore them)"
        )
    for field in spec.values():
        # An empty value is present: Telegram then answers with the specific rule
        # ("message text is empty"), which is more useful than "required".
        if field.required and raw.get(field.name) is None:
            raise ApiError.bad_request(f'parameter "{field.name}" is required')
    converted: dict[str, Any] = {}
    for name, value in raw.items():
        if name in ALWAYS_ACCEPTED:
            continue
        try:
            converted[name] = _convert_top_level(facts, spec[name], value)
        except _Mismatch as mismatch:
            where = f'parameter "{name}"' + (f" at {mismatch.path}" if mismatch.path else "")
            raise ApiError.bad_request(f"{where}: {mismatch.reason}") from None
    return converted


def _convert_top_level(facts: ApiFacts, field: FieldSpec, value: Any) -> Any:
    errors = []
    for declared in field.types:
        try:
            return _convert(facts, declared, value, lenient=True)
        except _Mismatch as mismatch:
            errors.append(mismatch)
    # The deepest error is the most helpful one ("callback_data must be String", not "must be
    # InlineKeyboardMarkup or ReplyKeyboardMarkup").
    best = max(errors, key=lambda error: len(error.path))
    if best.path or len({error.reason for error in errors}) == 1:
        raise best
    raise _Mismatch(f"must be of type {' or '.join(field.types)}")


def _convert(facts: ApiFacts, declared: str, value: Any, *, lenient: bool) -> Any:
    """Convert a value to ``declared``; ``lenient`` accepts string forms (top-level values)."""
    if declared.startswith("Array of "):
        return _convert_array(facts, declared.removeprefix("Array of "), value, lenient=lenient)
    if declared in _SCALARS:
        return _SCALARS[declared](value, lenient)
    if declared == "InputFile":
        if isinstance(value, UploadedFile):
            return value
        raise _Mismatch("must be an uploaded file (multipart/form-data)")
    if not facts.has_type(declared):
        # A type the table does not describe cannot be checked deeper; accept its JSON.
        return _loads(value) if isinstance(value, str) and lenient else value
    return _convert_object(facts, declared, value, lenient=lenient)


def _convert_array(facts: ApiFacts, element: str, value: Any, *, lenient: bool) -> list[Any]:
    if isinstance(value, str) and lenient:
        value = _loads(value)
    if not isinstance(value, list):
        raise _Mismatch(f"must be a JSON array of {element}")
    converted = []
    for index, item in enumerate(value):
        try:
            converted.append(_convert(facts, element, item, lenient=False))
        except _Mismatch as mismatch:
            raise mismatch.within(f"[{index}]") from None
    return converted


def _convert_object(facts: ApiFacts, type_name: str, value: Any, *, lenient: bool) -> dict:
    if isinstance(value, str) and lenient:
        value = _loads(value)
    if not isinstance(value, dict):
        raise _Mismatch(f"must be a JSON object ({type_name})")
    subtypes = facts.subtypes(type_name)
    if not subtypes:
        return _convert_fields(facts, type_name, value)
    errors = []
    for subtype in subtypes:
        tag = facts.tag(subtype)
        if tag and value.get(tag[0]) != tag[1]:
            continue
        try:
            return _convert_object(facts, subtype, value, lenient=False)
        except _Mismatch as mismatch:
            errors.append(mismatch)
    if errors:
        raise max(errors, key=lambda error: len(error.path))
    raise _Mismatch(f"is not any of {', '.join(subtypes)}")


def _convert_fields(facts: ApiFacts, type_name: str, value: dict) -> dict:
    fields = facts.fields(type_name)
    for key in value:
        if key not in fields:
            raise _Mismatch(f"unknown field of {type_name}", f".{key}")
    for field in fields.values():
        if field.required and field.name not in value:
            raise _Mismatch(f"required field of {type_name} is missing", f".{field.name}")
    converted = {}
    for key, item in value.items():
        errors = []
        for declared in fields[key].types:
            try:
                converted[key] = _convert(facts, declared, item, lenient=False)
                break
            except _Mismatch as mismatch:
                errors.append(mismatch.within(f".{key}"))
        else:
            best = max(errors, key=lambda error: len(error.path))
            if best.path == f".{key}":
                raise _Mismatch(f"must be of type {' or '.join(fields[key].types)}", f".{key}")
            raise best
    return converted


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise _Mismatch("can't parse JSON") from None


def _integer(value: Any, lenient: bool) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if lenient and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise _Mismatch("must be of type Integer")


def _float(value: Any, lenient: bool) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if lenient and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise _Mismatch("must be of type Float")


def _boolean(value: Any, lenient: bool) -> bool:
    if isinstance(value, bool):
        return value
    if lenient and isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise _Mismatch("must be of type Boolean")


def _string(value: Any, lenient: bool) -> str:
    if isinstance(value, str):
        return value
    # Telegram reads numbers given for string parameters as their decimal text.
    if lenient and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _Mismatch("must be of type String")


_SCALARS = {
    "Integer": _integer,
    "Float": _float,
    "Boolean": _boolean,
    "True": _boolean,
    "String": _string,
}
