"""The TOML config: which plugins run, provider settings, UI choices.

Reading never raises: a malformed or unreadable file is reported in
``Config.problems`` (naming file, line and problem), defaults are used, and the
file is marked read-only so that nothing the user wrote is overwritten.
Writes are atomic.
"""

from __future__ import annotations

import copy
import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from src.core.paths import atomic_write_text
from src.core.toml_write import CannotPatch, apply_changes, dumps, patch

log = logging.getLogger(__name__)

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
    # What was on disk when read (or last written), to edit it in place on save.
    _text: str | None = field(default=None, repr=False)
    _saved: dict[str, Any] = field(default_factory=dict, repr=False)

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
        """Write the changes made since reading, atomically, keeping the user's comments.

        Only the keys this config changed are edited in the file's text. If the
        file was edited meanwhile, those edits are kept and these changes laid
        over them. Refuses when the file could not be read cleanly.
        """
        if not self.writable:
            raise ConfigNotWritable(f"{self.path} was not read cleanly, so it is left untouched; fix it by hand first")
        disk_text, disk = self._read_current()
        target = apply_changes(disk, self._saved, self.data)
        text = dumps(target)
        if disk_text is not None:
            try:
                text = patch(disk_text, disk, target)
            except CannotPatch as e:
                log.warning("rewriting %s in full (%s): its comments are not kept", self.path, e)
        atomic_write_text(self.path, text)
        self.data, self._text, self._saved = target, text, copy.deepcopy(target)

    def _read_current(self) -> tuple[str | None, dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None, {}
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigNotWritable(f"cannot read {self.path} before saving ({e}); nothing was written") from e
        if text == self._text:
            return text, copy.deepcopy(self._saved)
        try:
            return text, tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ConfigNotWritable(f"{self.path} was edited and is now malformed ({e}); nothing was written") from e


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
    config._text, config._saved = raw, copy.deepcopy(config.data)
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
    """Names in ``SLOPPY_DISABLE_PLUGINS``, separated by commas and/or spaces (``a,b`` or ``a b``)."""
    return set(os.environ.get("SLOPPY_DISABLE_PLUGINS", "").replace(",", " ").split())
