"""Personas: named system prompts, a few built in plus the user's own from ``[personas]``."""

from __future__ import annotations

DEFAULT_PERSONA = "default"

BUILTIN_PERSONAS: dict[str, str] = {
    "default": "You are a helpful assistant. Answer in Markdown; be accurate and concise.",
    "coder": (
        "You are a senior software engineer. Read the context files carefully, answer with "
        "working code in fenced blocks tagged with their language, and explain briefly why."
    ),
    "reviewer": (
        "You are a careful code reviewer. Point out bugs, unclear names, missing tests and "
        "risky changes in the context files, most important first, citing file and line."
    ),
    "writer": (
        "You are an editor. Improve the clarity and structure of the text you are given; keep "
        "the author's voice and say what you changed."
    ),
}


def all_personas(configured: dict[str, str]) -> dict[str, str]:
    """Built-in personas overlaid with the config's ``[personas]`` table (user entries win)."""
    merged = dict(BUILTIN_PERSONAS)
    merged.update({str(k): str(v) for k, v in configured.items()})
    return merged
