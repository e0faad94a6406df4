"""Snapshots of the app turned into JSON-ready dicts. Reads only; never a secret."""

from __future__ import annotations

import time
from typing import Any

from src.core import __version__
from src.core.warmup import State, WarmupStatus

# What /api/plugins shows of a plugin's warm-up record (the traceback lives in /api/warmup_status).
PLUGIN_FIELDS = ("name", "kind", "distribution", "version", "module", "enabled", "state", "import_ms", "duration_ms")


def status(controller: Any, web: dict) -> dict:
    warmup = controller.warmup_status()
    return {
        "app": "sloppy",
        "version": __version__,
        "mode": controller.mode,
        "uptime_s": round(time.time() - controller.started_at, 3),
        "warmup": warmup_counts(warmup),
        "chat": controller.chat is not None,
        "appearance": controller.appearance is not None,
        "gui": controller.gui is not None,
        "frames": frame_stats(controller.gui),
        "web": web,
    }


def frame_stats(gui: Any) -> dict | None:
    """Recent frame durations of the window (count, p50, p99, max in ms); None when headless."""
    if gui is None:
        return None
    try:
        times = sorted(float(t) for t in gui.frame_times_ms())
    except Exception as e:  # noqa: BLE001 - the status must answer even if the GUI cannot say
        return {"error": f"{type(e).__name__}: {e}"}
    if not times:
        return {"count": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}

    def pick(q: float) -> float:
        return round(times[min(len(times) - 1, int(q * len(times)))], 3)

    return {"count": len(times), "p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": round(times[-1], 3)}


def warmup_counts(warmup: WarmupStatus) -> dict:
    return {
        "done": warmup.done,
        "discovered": warmup.discovered,
        "enabled": warmup.enabled_count,
        "settled": warmup.settled_count,
        **{state.value: len(warmup.by_state(state)) for state in State},
        "finished_ms": warmup.finished_ms,
    }


def plugin_row(plugin: Any, hooks: list[str] | None = None) -> dict:
    row = {field: getattr(plugin, field) for field in PLUGIN_FIELDS}
    row["state"] = plugin.state.value
    row["error"] = plugin.error
    row["note"] = plugin.note
    row["hooks"] = hooks or []
    return row


def message(m: Any) -> dict:
    return {
        "role": str(getattr(m, "role", "")),
        "content": str(getattr(m, "content", "")),
        "provider": _opt_str(getattr(m, "provider", None)),
        "model": _opt_str(getattr(m, "model", None)),
        "created": getattr(m, "created", None),
        "state": str(getattr(m, "state", "done")),
        "error": _opt_str(getattr(m, "error", None)),
        "context": [str(path) for path in getattr(m, "context", ())],
    }


def discussion(snapshot: Any) -> dict:
    return {
        "version": int(getattr(snapshot, "version", 0)),
        "busy": bool(getattr(snapshot, "busy", False)),
        "provider": _opt_str(getattr(snapshot, "provider", None)),
        "model": _opt_str(getattr(snapshot, "model", None)),
        "persona": _opt_str(getattr(snapshot, "persona", None)),
        "context": [{"path": str(path), "chars": int(chars)} for path, chars in getattr(snapshot, "context", [])],
        "notice": str(getattr(snapshot, "notice", "") or ""),
        "messages": [message(m) for m in getattr(snapshot, "messages", [])],
    }


def app_state(controller: Any) -> dict:
    """Provider, model and theme as the user sees them; ``None`` where that part is missing."""
    chat = controller.chat.snapshot() if controller.chat is not None else None
    appearance = controller.appearance
    return {
        "provider": _opt_str(getattr(chat, "provider", None)),
        "model": _opt_str(getattr(chat, "model", None)),
        "persona": _opt_str(getattr(chat, "persona", None)),
        "theme": _opt_str(appearance.current) if appearance is not None else None,
        "theme_requested": _opt_str(getattr(appearance, "requested", appearance.current))
        if appearance is not None
        else None,
        "providers": {
            name: {
                "label": str(getattr(p, "label", name)),
                "models": [str(m) for m in getattr(p, "models", [])],
                "default_model": _opt_str(getattr(p, "default_model", None)),
                "key": _key_label(p),
            }
            for name, p in sorted(controller.providers().items())
        },
        "themes": {str(k): str(v) for k, v in appearance.available().items()} if appearance is not None else {},
        "personas": sorted(controller.chat.personas()) if controller.chat is not None else [],
        "chat_available": controller.chat is not None,
        "appearance_available": appearance is not None,
    }


def _key_label(provider: Any) -> dict:
    """Whether a key is set and where it comes from: the variable's name, never its value."""
    try:
        key = provider.key_status()
        return {"present": bool(key.present), "source": str(key.source)}
    except Exception as e:  # noqa: BLE001 - a provider's bug must not break /api/state
        return {"present": False, "source": f"unknown ({type(e).__name__})"}


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
