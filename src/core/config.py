"""The TOML config: which plugins run, provider settings, UI choices.

Reading never raises: a malformed or unreadable file is reported in
``Config.problems`` (naming file, line and problem), defaults are used, and the
file is marked read-only so that nothing the user wrote is overwritten.
Writes are atomic.
"""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from src.core.paths import atomic_write_text

DEFAULT_WARMUP_TIMEOUT_S = 30.0

# The shape of a valid config: section -> key -> expected type(s).
_SCHEMA: dict[str, dict[str, tuple[type, ...]]] = {
    "plugins": {"disabled": (list,), "enabled": (list,), "warmup_timeout_s": (int, float), "pause_gc": (bool,)},
    "provider": {"default": (str,), "model": (str,), "persona": (str,)},
    "ui": {"theme": (str,)},
    "web": {"port": (int,), "api_key_env": (str,)},
}
# Tables whose keys are free-form names, each holding a table or a string.
_OPEN_TABLES = {"providers": dict, "personas": str}


@dataclass
class Config:
    """Parsed config plus what went wrong reading it."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    writable: bool = True

    # -- plugins --
    def disabled_plugins(self) -> set[str]:
        return {str(n) for n in self.data.get("plugins", {}).get("disabled", [])}

    def warmup_timeout_s(self) -> float:
        return float(self.data.get("plugins", {}).get("warmup_timeout_s", DEFAULT_WARMUP_TIMEOUT_S))

    def pause_gc(self) -> bool:
        return bool(self.data.get("plugins", {}).get("pause_gc", True))

    def set_plugin_enabled(self, name: str, enabled: bool) -> None:
        plugins = self.data.setdefault("plugins", {})
        disabled = [n for n in plugins.get("disabled", []) if n != name]
        if not enabled:
            disabled.append(name)
        plugins["disabled"] = sorted(disabled)

    # -- providers and UI --
    def section(self, name: str) -> dict[str, Any]:
        return dict(self.data.get(name, {}))

    def provider_settings(self, provider: str) -> dict[str, Any]:
        """The ``[providers.<name>]`` table: base_url, api_key_env, model, timeout_s…"""
        return dict(self.data.get("providers", {}).get(provider, {}))

    def personas(self) -> dict[str, str]:
        return dict(self.data.get("personas", {}))

    def get(self, section: str, key: str, default: Any = None) -> Any:
        return self.data.get(section, {}).get(key, default)

    def set(self, section: str, key: str, value: Any) -> None:
        self.data.setdefault(section, {})[key] = value

    def save(self) -> None:
        """Write atomically; refuses when the file on disk could not be read."""
        if not self.writable:
            raise ConfigNotWritable(f"{self.path} was not read cleanly, so it is left untouched; fix it by hand first")
        atomic_write_text(self.path, dumps(self.data))


class ConfigNotWritable(RuntimeError):
    pass


def load_config(path: Path) -> Config:
    config = Config(path=path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError) as e:
        config.problems.append(f"{path}: cannot read the config ({e}); using defaults")
        config.writable = False
        return config
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        # TOMLDecodeError's message already says "(at line N, column M)".
        config.problems.append(f"{path}: malformed TOML: {e}; using defaults, the file is left untouched")
        config.writable = False
        return config
    config.data = _validated(data, path, config.problems)
    if config.problems:
        config.writable = False
    return config


def _validated(data: dict[str, Any], path: Path, problems: list[str]) -> dict[str, Any]:
    """Drop the entries of the wrong type (reporting each); keep the rest."""
    clean: dict[str, Any] = {}
    for section, value in data.items():
        if section in _OPEN_TABLES:
            if not isinstance(value, dict):
                problems.append(f"{path}: [{section}] must be a table; ignored")
                continue
            want = _OPEN_TABLES[section]
            clean[section] = {}
            for key, item in value.items():
                if isinstance(item, want):
                    clean[section][key] = copy.deepcopy(item)
                else:
                    problems.append(f"{path}: {section}.{key} must be {_type_name(want)}; ignored")
            continue
        schema = _SCHEMA.get(section)
        if schema is None:
            problems.append(f"{path}: unknown section [{section}]; ignored")
            continue
        if not isinstance(value, dict):
            problems.append(f"{path}: [{section}] must be a table; ignored")
            continue
        clean[section] = {}
        for key, item in value.items():
            types = schema.get(key)
            if types is None:
                problems.append(f"{path}: unknown key {section}.{key}; ignored")
            elif not isinstance(item, types) or (bool not in types and isinstance(item, bool)):
                want = " or ".join(_type_name(t) for t in types)
                problems.append(f"{path}: {section}.{key} must be {want}, not {item!r}; ignored")
            elif isinstance(item, list) and not all(isinstance(x, str) for x in item):
                problems.append(f"{path}: {section}.{key} must be a list of names; ignored")
            else:
                clean[section][key] = item
    return clean


def _type_name(t: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "a boolean", list: "a list", dict: "a table"}[
        t
    ]


def env_disabled_plugins() -> set[str]:
    """Names in ``SLOPPY_DISABLE_PLUGINS=a,b``."""
    return {n.strip() for n in os.environ.get("SLOPPY_DISABLE_PLUGINS", "").split(",") if n.strip()}


# -- A small TOML writer for the config's own shape ---------------------------


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
