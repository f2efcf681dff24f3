"""JSON of any nesting depth, for content stored by the app.

The standard library's encoder and decoder recurse, so a document nested deeper than
Python's recursion limit (about 500 levels of 개조식 items) raises RecursionError. Validation
keeps new content shallow (core.gaejosik.MAX_DEPTH), but rows written before it, or
straight into the database, must still load, hash and render. These classes use the fast
standard code and fall back to an iterative one, with the same output, when it recurses too
deep. Standard library only.
"""

from __future__ import annotations

import json
import re
from json.decoder import JSONDecodeError, scanstring
from json.encoder import encode_basestring, encode_basestring_ascii
from json.scanner import NUMBER_RE
from typing import Any

__all__ = ["AnyDepthDecoder", "AnyDepthEncoder", "dumps", "loads"]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LITERALS = {
    "true": True,
    "false": False,
    "null": None,
    "NaN": float("nan"),
    "Infinity": float("inf"),
    "-Infinity": float("-inf"),
}


class AnyDepthEncoder(json.JSONEncoder):
    """json.JSONEncoder that also encodes values nested deeper than the recursion limit."""

    def encode(self, o: Any) -> str:
        try:
            return super().encode(o)
        except RecursionError:
            if self.indent is not None:
                raise
            return _encode(o, self)


class AnyDepthDecoder(json.JSONDecoder):
    """json.JSONDecoder that also decodes text nested deeper than the recursion limit."""

    def decode(self, s: str, _w=None) -> Any:
        try:
            return super().decode(s)
        except RecursionError:
            return _decode(s)


def dumps(value: Any, **kwargs) -> str:
    """json.dumps for values of any depth (same arguments, same output; no `indent`)."""
    return json.dumps(value, cls=AnyDepthEncoder, **kwargs)


def loads(text: str | bytes) -> Any:
    """json.loads for text of any depth."""
    return json.loads(text, cls=AnyDepthDecoder)


class _Raw(str):
    """Text already encoded, waiting on the encoder's stack."""


def _encode(value: Any, encoder: json.JSONEncoder) -> str:
    quote = encode_basestring_ascii if encoder.ensure_ascii else encode_basestring
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Raw):
            out.append(item)
        elif isinstance(item, str):
            out.append(quote(item))
        elif item is None or isinstance(item, (bool, int, float)):
            out.append(_scalar(item, encoder))
        elif isinstance(item, (list, tuple)):
            stack.extend(_list_parts(item, encoder))
        elif isinstance(item, dict):
            stack.extend(_dict_parts(item, encoder, quote))
        else:
            stack.append(encoder.default(item))
    return "".join(out)


def _scalar(item: Any, encoder: json.JSONEncoder) -> str:
    if item is None:
        return "null"
    if item is True:
        return "true"
    if item is False:
        return "false"
    if isinstance(item, int):
        return int.__repr__(item)
    if item != item or item in (float("inf"), float("-inf")):
        if not encoder.allow_nan:
            raise ValueError("Out of range float values are not JSON compliant: " + repr(item))
        return "NaN" if item != item else ("Infinity" if item > 0 else "-Infinity")
    return float.__repr__(item)


def _list_parts(items, encoder: json.JSONEncoder) -> list[Any]:
    """The pieces of a list, reversed for the stack."""
    if not items:
        return [_Raw("[]")]
    parts: list[Any] = [_Raw("[")]
    for index, item in enumerate(items):
        if index:
            parts.append(_Raw(encoder.item_separator))
        parts.append(item)
    parts.append(_Raw("]"))
    return parts[::-1]


def _dict_parts(items: dict, encoder: json.JSONEncoder, quote) -> list[Any]:
    """The pieces of a dict, reversed for the stack."""
    pairs = []
    for key, item in items.items():
        if isinstance(key, str):
            pass
        elif key is None or isinstance(key, (bool, int, float)):
            key = _scalar(key, encoder)
        elif encoder.skipkeys:
            continue
        else:
            raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
        pairs.append((key, item))
    if encoder.sort_keys:
        pairs.sort(key=lambda pair: pair[0])
    if not pairs:
        return [_Raw("{}")]
    parts: list[Any] = [_Raw("{")]
    for index, (key, item) in enumerate(pairs):
        prefix = encoder.item_separator if index else ""
        parts.append(_Raw(prefix + quote(key) + encoder.key_separator))
        parts.append(item)
    parts.append(_Raw("}"))
    return parts[::-1]


def _decode(text: str) -> Any:
    """An iterative JSON parser: a stack of open containers instead of recursion."""
    stack: list[tuple[list | dict, str | None]] = []
    pos = _skip(text, 0)
    while True:
        value, pos, opened = _value(text, pos)
        if opened is not None:
            stack.append(opened)
            continue
        while True:
            if not stack:
                end = _skip(text, pos)
                if end != len(text):
                    raise JSONDecodeError("Extra data", text, end)
                return value
            container, key = stack[-1]
            if isinstance(container, list):
                container.append(value)
            else:
                container[key] = value
            pos = _skip(text, pos)
            char = text[pos : pos + 1]
            if char == ",":
                pos = _skip(text, pos + 1)
                if isinstance(container, dict):
                    key, pos = _key(text, pos)
                    stack[-1] = (container, key)
                break
            if char == ("]" if isinstance(container, list) else "}"):
                stack.pop()
                value, pos = container, pos + 1
                continue
            raise JSONDecodeError("Expecting ',' delimiter", text, pos)


def _value(text: str, pos: int):
    """A scalar or empty container at `pos` → (value, end, None); an opened container →
    (None, position of its first value, (container, first key))."""
    char = text[pos : pos + 1]
    if char == '"':
        value, end = scanstring(text, pos + 1)
        return value, end, None
    if char in ("{", "["):
        inner = _skip(text, pos + 1)
        if text[inner : inner + 1] == ("}" if char == "{" else "]"):
            return ({} if char == "{" else []), inner + 1, None
        if char == "[":
            return None, inner, ([], None)
        key, inner = _key(text, inner)
        return None, inner, ({}, key)
    number = NUMBER_RE.match(text, pos)
    if number:
        integer, fraction, exponent = number.groups()
        if fraction or exponent:
            return float(integer + (fraction or "") + (exponent or "")), number.end(), None
        return int(integer), number.end(), None
    for literal, value in _LITERALS.items():
        if text.startswith(literal, pos):
            return value, pos + len(literal), None
    raise JSONDecodeError("Expecting value", text, pos)


def _key(text: str, pos: int) -> tuple[str, int]:
    """A dict key and its colon at `pos` → (key, position of its value)."""
    if text[pos : pos + 1] != '"':
        raise JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
    key, pos = scanstring(text, pos + 1)
    pos = _skip(text, pos)
    if text[pos : pos + 1] != ":":
        raise JSONDecodeError("Expecting ':' delimiter", text, pos)
    return key, _skip(text, pos + 1)


def _skip(text: str, pos: int) -> int:
    return _WHITESPACE.match(text, pos).end()
