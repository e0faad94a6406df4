"""gemini provider (thin until the provider issue lands)."""

from google import genai  # noqa: F401
