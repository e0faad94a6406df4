"""Writing the config back: a new file from scratch, or the user's file edited in place.

:func:`dumps` serialises the config's own shape (tables of scalars, lists and
nested tables). :func:`patch` changes only the keys whose values changed in the
text the user wrote, keeping their comments, order and layout; it refuses
(:class:`CannotPatch`) where the text is beyond a line-by-line edit (inline
tables, dotted keys, multi-line values), and the caller then writes anew.
"""

from __future__ import annotations

import copy
import re
import tomllib
from typing import Any


class CannotPatch(ValueError):
    pass


def dumps(data: dict[str, Any]) -> str:
    """Serialise tables of scalars, lists and nested tables (all the config holds)."""
    lines: list[str] = []
    _dump_table(data, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _dump_table(table: dict[str, Any], prefix: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    if prefix and (scalars or not tables):
        lines.append("")
        lines.append("[" + ".".join(_key(k) for k in prefix) + "]")
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in tables.items():
        _dump_table(value, [*prefix, key], lines)


def _key(key: str) -> str:
    bare = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if bare else _string(key)


def _string(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    out = "".join(c if ord(c) >= 0x20 and ord(c) != 0x7F else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to the config")


# -- Editing the user's text in place ----------------------------------------

_HEADER = re.compile(r"^\s*\[(?!\[)(?P<name>[^\]]+)\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?P<key>[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')\s*=\s*(?P<rest>.*)$""")


def patch(text: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    """``text`` (which parses to ``old``) edited so that it parses to ``new``."""
    lines = text.splitlines()
    changes = _leaf_changes(old, new)
    for table, key, value in changes:
        _apply(lines, table, key, value)
    result = "\n".join(lines) + "\n"
    try:
        readback = tomllib.loads(result)
    except tomllib.TOMLDecodeError as e:
        raise CannotPatch(f"the edited text is not valid TOML ({e})") from e
    if readback != new:
        raise CannotPatch("the edited text does not read back as the new config")
    return result


_REMOVED = object()


def _leaves(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[tuple[str, ...], str], Any]:
    out: dict[tuple[tuple[str, ...], str], Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_leaves(value, (*prefix, key)))
        else:
            out[(prefix, key)] = value
    return out


def apply_changes(base: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``base`` with the leaf changes that turn ``old`` into ``new`` (a three-way merge)."""
    merged = copy.deepcopy(base)
    for table, key, value in _leaf_changes(old, new):
        node = merged
        for name in table:
            node = node.setdefault(name, {})
        if value is _REMOVED:
            node.pop(key, None)
        else:
            node[key] = copy.deepcopy(value)
    return merged


def _leaf_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[tuple[str, ...], str, Any]]:
    before, after = _leaves(old), _leaves(new)
    changes = [(t, k, v) for (t, k), v in after.items() if before.get((t, k), _REMOVED) != v]
    changes += [(t, k, _REMOVED) for (t, k) in before if (t, k) not in after]
    return changes


def _table_name(raw: str) -> tuple[str, ...]:
    try:
        parsed = tomllib.loads(f"[{raw}]")
    except tomllib.TOMLDecodeError as e:
        raise CannotPatch(f"cannot read the table header [{raw}]") from e
    names: list[str] = []
    while parsed:
        (name, parsed), *_ = parsed.items()
        names.append(name)
    return tuple(names)


def _table_span(lines: list[str], table: tuple[str, ...]) -> tuple[int, int] | None:
    """The lines of ``[table]``'s body: (first, end); None if the file has no such header."""
    start = 0 if not table else None
    for i, line in enumerate(lines):
        match = _HEADER.match(line)
        if match is None:
            continue
        if start is not None:
            return start, i
        if table and _table_name(match["name"]) == table:
            start = i + 1
    return None if start is None else (start, len(lines))


def _key_name(raw: str) -> str:
    return tomllib.loads(f"{raw} = 0").popitem()[0]


def _apply(lines: list[str], table: tuple[str, ...], key: str, value: Any) -> None:
    span = _table_span(lines, table)
    if span is None:
        if value is _REMOVED:
            return
        if lines and lines[-1].strip():
            lines.append("")
        lines.append("[" + ".".join(_key(t) for t in table) + "]")
        lines.append(f"{_key(key)} = {_value(value)}")
        return
    first, end = span
    last_entry = first - 1
    for i in range(first, end):
        match = _KEY.match(lines[i])
        if match is None:
            continue
        last_entry = i
        if _key_name(match["key"]) != key:
            continue
        if value is _REMOVED:
            del lines[i]
            return
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        lines[i] = f"{indent}{_key(key)} = {_value(value)}{_trailing_comment(match['rest'])}"
        return
    if value is not _REMOVED:
        lines.insert(last_entry + 1, f"{_key(key)} = {_value(value)}")


def _trailing_comment(rest: str) -> str:
    """The `` # comment`` after a one-line value; CannotPatch if the value spans lines."""
    for i in [i for i, c in enumerate(rest) if c == "#"] + [len(rest)]:
        try:
            tomllib.loads(f"v = {rest[:i]}")
        except tomllib.TOMLDecodeError:
            continue
        comment = rest[i:].strip()
        return f"  {comment}" if comment else ""
    raise CannotPatch("a value spans several lines")
