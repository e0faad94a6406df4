"""openai provider (thin until the provider issue lands)."""

import openai  # noqa: F401
