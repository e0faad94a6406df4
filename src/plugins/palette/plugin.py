"""Command palette plugin (thin until the palette issue lands)."""

from imgui_bundle import imgui_command_palette  # noqa: F401
