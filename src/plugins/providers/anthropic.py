"""anthropic provider (thin until the provider issue lands)."""

import anthropic  # noqa: F401
