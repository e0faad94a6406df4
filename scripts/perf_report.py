#!/usr/bin/env python3
"""Markdown tables from a ``bench_startup.py`` result, for docs/PERFORMANCE.md.

.venv/bin/python scripts/perf_report.py results/latest.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _ms(spread: dict | None) -> str:
    if not spread:
        return "–"
    return f"{spread['median']:.0f} ({spread['min']:.0f}–{spread['max']:.0f})"


def _mb(spread: dict | None) -> str:
    return f"{spread['median']:.0f}" if spread else "–"


def _f(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def report(result: dict) -> str:
    meta, summary = result["meta"], result["summary"]
    lines = [
        (
            f"Run {meta['started']} · {meta['mode']} · {meta['runs']} runs of each variant, alternating · "
            f"{meta['cpus']} CPUs · Python {meta['python']} · load average "
            f"{meta['loadavg_before'][0]:.1f} before, {meta['loadavg_after'][0]:.1f} after · "
            f"SDK bytecode present: {meta['sdk_bytecode_present']} · "
            f"Sloppy's own bytecode present: {meta.get('own_bytecode_present', 'not recorded')} "
            f"(uv compile-bytecode: {meta['uv_compile_bytecode']}, "
            f"PYTHONDONTWRITEBYTECODE={meta['PYTHONDONTWRITEBYTECODE'] or 'unset'})"
        ),
        "",
        "| target | figure (per-round ratio, median) | ratio of pooled medians | limit | met |",
        "|---|---|---|---|---|",
    ]
    for row in result["targets"]:
        met = {True: "**met**", False: "**not met**", None: "–"}[row["met"]]
        value = "–" if row["value"] is None else f"{row['value']:.2f}"
        limit = "–" if row["limit"] is None else f"≤ {row['limit']}"
        pooled = "–" if row.get("pooled") is None else f"{row['pooled']:.2f}"
        lines.append(f"| {row['target']} | {value} | {pooled} | {limit} | {met} |")
    lines += [
        "",
        "Per variant (ms from process start: median (min–max); frame intervals pooled over the runs; RSS = VmHWM):",
        "",
        (
            "| variant | first frame | all ready | frames while warming p50 / p99 / max (n) | RSS at first frame MB |"
            " peak RSS MB |"
        ),
        "|---|---|---|---|---|---|",
    ]
    for variant, s in summary.items():
        if variant in ("switch", "paired_ratios"):
            continue
        fr = s["frames"]
        frames = f"{_f(fr['p50'])} / {_f(fr['p99'])} / {_f(fr['max'])} ({fr['n']})" if fr["n"] else "–"
        lines.append(
            f"| {variant} | {_ms(s['first_frame_ms'])} | {_ms(s['ready_ms'])} | {frames} | "
            f"{_mb(s['rss_first_frame_mb'])} | {_mb(s['rss_peak_mb'])} |"
        )
    steady = summary.get("app_hooks", {}).get("steady_frames")
    if steady and steady["n"]:
        lines += [
            "",
            (
                f"app_hooks frames after the warm-up (2 s, pooled): p50 {_f(steady['p50'])} / p99 {_f(steady['p99'])} / "
                f"max {_f(steady['max'])} ms (n={steady['n']})."
            ),
        ]
    switch = summary.get("switch", {})
    if switch:
        lines += [
            "",
            "| switch after the warm-up (Hook API → state shows it) | ms median (min–max) | frames elapsed | errors |",
            "|---|---|---|---|",
        ]
        for key, s in switch.items():
            frames = s.get("frames")
            counted = f"{frames['median']:.0f} ({frames['min']:.0f}–{frames['max']:.0f})" if frames else "–"
            lines.append(f"| {key} | {_ms(s['ms'])} | {counted} | {'; '.join(s['errors']) or '–'} |")
    paired = {k: v for k, v in summary.get("paired_ratios", {}).items() if v}
    if paired:
        lines += ["", "Paired ratios (the two variants of the same round; median (min–max) over rounds):", ""]
        lines += ["| ratio | median | min | max |", "|---|---|---|---|"]
        for name, v in paired.items():
            lines.append(f"| {name} | {v['median']:.2f} | {v['min']:.2f} | {v['max']:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results/latest.json")
    print(report(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
