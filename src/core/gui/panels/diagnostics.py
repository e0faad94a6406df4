"""Diagnostics: the start-up profile on a timeline, pool status, frame times (implot)."""

from __future__ import annotations

from typing import Any

from imgui_bundle import imgui, implot

MUTED = imgui.ImVec4(0.6, 0.6, 0.65, 1.0)
BAR = imgui.IM_COL32(90, 150, 230, 220)
PLUGIN_BAR = imgui.IM_COL32(120, 200, 120, 220)
MARK = imgui.IM_COL32(240, 200, 80, 255)


class DiagnosticsPanel:
    def __init__(self, gui: Any) -> None:
        self.gui = gui
        # Created on the first graph (0.4 ms) rather than by the runner's add-on, which costs
        # ~25 ms before the first frame.
        self._plot_context: Any = None

    def close(self) -> None:
        """Free the plot context (the window is closing; GUI thread)."""
        if self._plot_context is not None:
            implot.destroy_context(self._plot_context)
            self._plot_context = None

    def draw(self) -> None:
        if imgui.collapsing_header("Start-up", imgui.TreeNodeFlags_.default_open):
            self._timeline()
        if imgui.collapsing_header("Plugins by load time", imgui.TreeNodeFlags_.default_open):
            self._plugin_times()
        if imgui.collapsing_header("Pool", imgui.TreeNodeFlags_.default_open):
            pool = self.gui.controller.pool_status()
            imgui.text(
                f"{pool['size']} threads · busy {pool['busy']} · idle {pool['idle']} · queued {pool['queued']}"
                f" · done {pool['completed']}/{pool['submitted']}"
            )
        if imgui.collapsing_header("Frames", imgui.TreeNodeFlags_.default_open):
            self._frames()

    def _timeline(self) -> None:
        profiler = self.gui.controller.profiler
        phases = profiler.phases()
        marks = profiler.marks()
        if not phases:
            imgui.text_colored(MUTED, "No phases recorded yet.")
            return
        end = max([p.start_ms + p.duration_ms for p in phases] + list(marks.values()) + [1.0])
        imgui.text_wrapped(" · ".join(f"{name} at {ms:.0f} ms" for name, ms in marks.items()) or "no marks yet")
        label_width = imgui.calc_text_size("M" * 18).x
        width = max(imgui.get_content_region_avail().x - label_width - 80.0, 50.0)
        draw_list = imgui.get_window_draw_list()
        height = imgui.get_text_line_height()
        for phase in phases:
            imgui.text(phase.name[:24])
            imgui.same_line(label_width)
            origin = imgui.get_cursor_screen_pos()
            x0 = origin.x + width * phase.start_ms / end
            x1 = max(x0 + 2.0, origin.x + width * (phase.start_ms + phase.duration_ms) / end)
            colour = PLUGIN_BAR if phase.name.startswith("plugin:") else BAR
            draw_list.add_rect_filled(imgui.ImVec2(x0, origin.y + 2), imgui.ImVec2(x1, origin.y + height - 2), colour)
            for ms in marks.values():
                x = origin.x + width * ms / end
                draw_list.add_line(imgui.ImVec2(x, origin.y), imgui.ImVec2(x, origin.y + height), MARK)
            imgui.dummy(imgui.ImVec2(width, height))
            imgui.same_line()
            imgui.text_colored(MUTED, f"{phase.duration_ms:.0f} ms @ {phase.start_ms:.0f} ({phase.thread})")

    def _plugin_times(self) -> None:
        timed = [p for p in self.gui.status.plugins if p.duration_ms is not None]
        if not timed:
            imgui.text_colored(MUTED, "No plugin has loaded yet.")
            return
        flags = imgui.TableFlags_.row_bg | imgui.TableFlags_.borders_inner_h
        if imgui.begin_table("plugin_times", 4, flags):
            for header in ("Plugin", "Import ms", "Total ms", "Thread"):
                imgui.table_setup_column(header)
            imgui.table_headers_row()
            for plugin in sorted(timed, key=lambda p: p.duration_ms or 0.0, reverse=True):
                imgui.table_next_row()
                imgui.table_next_column()
                imgui.text(plugin.name)
                imgui.table_next_column()
                imgui.text(f"{plugin.import_ms or 0.0:.0f}")
                imgui.table_next_column()
                imgui.text(f"{plugin.duration_ms:.0f}")
                imgui.table_next_column()
                imgui.text(plugin.thread or "–")
            imgui.end_table()

    def _frames(self) -> None:
        durations = self.gui.frame_times_ms()
        if not durations:
            imgui.text_colored(MUTED, "No frames yet.")
            return
        ordered = sorted(durations)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        imgui.text(
            f"last {len(durations)} frames: median {_median(ordered):.1f} ms · p99 {p99:.1f} ms"
            f" · max {ordered[-1]:.1f} ms"
        )
        numpy = self.gui.warmed_module("numpy")  # implot takes arrays; numpy is warmed on the pool
        if numpy is None:
            imgui.text_colored(MUTED, "frame graph loading…")
            return
        if self._plot_context is None:
            self._plot_context = implot.create_context()
        if implot.begin_plot("Frame time##frames", imgui.ImVec2(-1.0, imgui.get_text_line_height() * 10)):
            implot.setup_axes("frame", "ms", implot.AxisFlags_.auto_fit, implot.AxisFlags_.auto_fit)
            implot.plot_line("frame ms", numpy.asarray(durations, dtype=numpy.float64))
            implot.end_plot()


def _median(ordered: list[float]) -> float:
    """The median of a sorted, non-empty list (``statistics`` would add ~4 ms to the start-up imports)."""
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
