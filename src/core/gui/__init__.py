"""The imgui shell: docked panels, the status-bar indicator, toasts.

Imports imgui-bundle and the core only; it knows plugins through the hook
specs and the controller, and never imports a plugin module. The entry point
is :func:`src.core.gui.app.run_gui`.
"""
