#!/usr/bin/env python3
"""The yardstick: a bare imgui-bundle "hello world" window that times itself like Sloppy does.

    python scripts/bare_window.py OUT.json --size 1200x800 --seconds 5

Imports only what any imgui-bundle program must (``imgui``, ``hello_imgui``).
"First visible frame" has the app's definition: hello_imgui renders frames
0–2 hidden and maps the window during frame 3, so the first frame is the 4th
``after_swap`` call. Times are milliseconds from process start, computed the way
``src/core/profiler.py`` computes them (the process age from /proc). Writes
``{"first_frame_ms", "frames": [[end_ms, duration_ms], ...], "size", "idling"}``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

from imgui_bundle import hello_imgui, imgui

FIRST_VISIBLE_SWAP = 4  # swaps 1-3 are the hidden frames 0-2


def _process_age_s() -> float:
    """Seconds since this process started (the same formula as src/core/profiler.py)."""
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))


T0 = time.perf_counter() - _process_age_s()


def now_ms() -> float:
    return (time.perf_counter() - T0) * 1000.0


def run(out: Path, size: tuple[int, int], seconds: float, idling: bool) -> None:
    swaps: list[float] = []

    def after_swap() -> None:
        swaps.append(now_ms())
        if len(swaps) > FIRST_VISIBLE_SWAP and swaps[-1] - swaps[FIRST_VISIBLE_SWAP - 1] > seconds * 1000:
            params.app_shall_exit = True

    def gui() -> None:
        imgui.text("Hello, world!")

    params = hello_imgui.RunnerParams()
    params.app_window_params.window_title = "bare imgui-bundle window"
    params.app_window_params.window_geometry.size = size
    params.callbacks.show_gui = gui
    params.callbacks.after_swap = after_swap
    params.fps_idling.enable_idling = idling
    params.ini_folder_type = hello_imgui.IniFolderType.temp_folder
    hello_imgui.run(params)

    first = swaps[FIRST_VISIBLE_SWAP - 1] if len(swaps) >= FIRST_VISIBLE_SWAP else None
    visible = swaps[FIRST_VISIBLE_SWAP - 1 :]
    frames = [[round(b, 3), round(b - a, 3)] for a, b in itertools.pairwise(visible)]
    result = {"first_frame_ms": first, "frames": frames, "size": list(size), "idling": idling}
    out.write_text(json.dumps(result), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="where to write the JSON record")
    parser.add_argument("--size", default="1200x800", help="window size WxH (use the app's)")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to keep rendering after the first frame")
    parser.add_argument("--idling", action="store_true", help="let hello_imgui idle (default: render continuously)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    run(args.out, (width, height), args.seconds, args.idling)
    return 0


if __name__ == "__main__":
    sys.exit(main())
