#!/usr/bin/env python3
"""What holds the GUI thread while plugins warm up: frames, gc pauses and the pool, in one process.

    .venv/bin/python scripts/stall_probe.py OUT.json [--no-pause-gc] [--pool-size N] [--switch-interval S]

An experiment, not the app: the bare window of ``bare_window.py`` (rendering
without idling) with the real ``AppController`` warming the real plugins in the
background, started just before the window opens as ``run_gui`` does. It
records every frame interval and every garbage collection (``gc.callbacks``:
generation, duration, which thread ran it) with timestamps, then attributes
each long frame (over 2x the median) to the collections that overlap it. The
knobs are the ideas tried against the stalls: pausing the collector during the
warm-up (the controller's ``[plugins] pause_gc``), the number of pool threads
importing at once, and ``sys.setswitchinterval``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import statistics
import sys
import threading
import time
from pathlib import Path

from imgui_bundle import hello_imgui, imgui

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from src.core import controller as controller_module
from src.core.config import Config

FIRST_VISIBLE_SWAP = 4


class _GcWithoutFullCollect:
    """The ``gc`` module as the controller sees it, minus the full collection after the warm-up."""

    def __getattr__(self, name: str) -> object:
        return getattr(gc, name)

    @staticmethod
    def collect(generation: int = 2) -> int:
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-pause-gc", action="store_true", help="leave the collector on during the warm-up")
    parser.add_argument("--pool-size", type=int, default=controller_module.POOL_SIZE)
    parser.add_argument("--switch-interval", type=float, default=None, help="sys.setswitchinterval (s)")
    parser.add_argument("--after-s", type=float, default=0.5, help="keep rendering this long after the warm-up")
    parser.add_argument(
        "--freeze-without-collect",
        action="store_true",
        help="skip any gc.collect() the controller makes (it no longer makes one after the warm-up)",
    )
    parser.add_argument("--disable", action="append", default=["hooks_web"])
    args = parser.parse_args()

    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    controller_module.POOL_SIZE = args.pool_size  # read when the controller builds its pool
    if args.freeze_without_collect:
        controller_module.gc = _GcWithoutFullCollect()
    t0 = time.perf_counter()
    now = lambda: (time.perf_counter() - t0) * 1000

    collections: list[dict] = []
    started: dict[int, float] = {}

    def on_gc(phase: str, info: dict) -> None:
        ident = threading.get_ident()
        if phase == "start":
            started[ident] = now()
        elif ident in started:
            begin = started.pop(ident)
            collections.append(
                {
                    "start_ms": round(begin, 3),
                    "ms": round(now() - begin, 3),
                    "generation": info["generation"],
                    "thread": threading.current_thread().name,
                }
            )

    imports: list[tuple[float, str, str]] = []

    def on_audit(event: str, audit_args: tuple) -> None:
        if event == "import":
            imports.append((now(), audit_args[0], threading.current_thread().name))

    gc.callbacks.append(on_gc)
    sys.addaudithook(on_audit)
    config = Config(path=Path("/nonexistent/stall-probe.toml"), data={"plugins": {"pause_gc": not args.no_pause_gc}})
    controller = controller_module.AppController(config, disabled=set(args.disable), mode="gui")
    swaps: list[float] = []
    done_at: list[float] = []

    def after_swap() -> None:
        swaps.append(now())
        if controller.is_warmup_done():
            if not done_at:
                done_at.append(now())
            elif now() - done_at[0] > args.after_s * 1000:
                params.app_shall_exit = True

    params = hello_imgui.RunnerParams()
    params.app_window_params.window_geometry.size = (1200, 760)
    params.callbacks.show_gui = lambda: imgui.text("stall probe")
    params.callbacks.after_swap = after_swap
    params.fps_idling.enable_idling = False
    params.ini_folder_type = hello_imgui.IniFolderType.temp_folder
    controller.start()
    hello_imgui.run(params)
    controller.shutdown(2.0)
    gc.callbacks.remove(on_gc)

    visible = swaps[FIRST_VISIBLE_SWAP - 1 :]
    warm_end = done_at[0] if done_at else visible[-1]
    frames = [(b, b - a) for a, b in itertools.pairwise(visible) if b <= warm_end]
    durations = [d for _, d in frames]
    median = statistics.median(durations) if durations else 0.0
    long_frames = []
    for end, duration in frames:
        if duration > 2 * median:
            begin = end - duration
            overlapping = [c for c in collections if c["start_ms"] < end and c["start_ms"] + c["ms"] > begin]
            loading = [f"{name} ({thread})" for t, name, thread in imports if begin - 20 <= t <= end]
            long_frames.append(
                {
                    "end_ms": round(end, 3),
                    "ms": round(duration, 3),
                    "gc_ms": round(sum(c["ms"] for c in overlapping), 3),
                    "gc": overlapping,
                    "imports_started": len(loading),
                    "imports_sample": loading[:12],
                }
            )
    ordered = sorted(durations)
    result = {
        "pause_gc": not args.no_pause_gc,
        "freeze_without_collect": args.freeze_without_collect,
        "pool_size": args.pool_size,
        "switch_interval": sys.getswitchinterval(),
        "first_frame_ms": visible[0] if visible else None,
        "warmup_ms": round(warm_end - visible[0], 1) if visible else None,
        "frames": len(durations),
        "p50": ordered[len(ordered) // 2] if ordered else None,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else None,
        "max": ordered[-1] if ordered else None,
        "long_frames": long_frames,
        "long_frames_with_gc": sum(1 for f in long_frames if f["gc_ms"] > 0.5 * f["ms"]),
        "collections_during_warmup": [c for c in collections if c["start_ms"] <= warm_end],
        "frames_ms": [round(d, 3) for d in durations],
    }
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    summary = {k: v for k, v in result.items() if k not in ("long_frames", "collections_during_warmup", "frames_ms")}
    gc_total = sum(c["ms"] for c in result["collections_during_warmup"])
    print(json.dumps({**summary, "gc_during_warmup_ms": round(gc_total, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
