"""Plain-text reports: the plugin table and the ``--startuptime`` file."""

from __future__ import annotations

from src.core.profiler import StartupProfiler
from src.core.warmup import WarmupStatus


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def plugins_table(status: WarmupStatus) -> str:
    """name, kind, distribution and version, enabled, state, import ms, error."""
    header = ("NAME", "KIND", "DISTRIBUTION", "ENABLED", "STATE", "IMPORT MS", "ERROR")
    rows = [
        (
            p.name,
            p.kind,
            f"{p.distribution} {p.version}",
            "yes" if p.enabled else "no",
            p.state.value,
            _ms(p.import_ms),
            p.error or p.note or "",
        )
        for p in sorted(status.plugins, key=lambda p: (p.kind, p.name))
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] for row in [header, *rows]]
    lines = [line.rstrip() for line in lines]
    lines.extend(f"conflict: {c}" for c in status.conflicts)
    return "\n".join(lines)


def startuptime_text(profiler: StartupProfiler, status: WarmupStatus, frames_ms: list[float] | None = None) -> str:
    """Like ``nvim --startuptime``: offsets and durations from process start.

    ``frames_ms``: the GUI's recent swap-to-swap intervals, oldest first (the
    benchmark reads them; ``scripts/bench_startup.py``).
    """
    lines = ["times in msec from process start", f"{'offset':>10} {'duration':>10}  {'thread':<18} phase"]
    for phase in profiler.phases():
        lines.append(f"{phase.start_ms:10.3f} {phase.duration_ms:10.3f}  {phase.thread:<18} {phase.name}")
    for name, offset in sorted(profiler.marks().items(), key=lambda kv: kv[1]):
        lines.append(f"{offset:10.3f} {'':>10}  {'':<18} mark: {name}")
    lines.append("")
    lines.append("plugin warm-up")
    lines.append(plugins_table(status))
    if status.finished_ms is not None:
        lines.append(f"all plugins settled at {status.finished_ms:.1f} ms")
    if frames_ms:
        lines.append("")
        lines.append(
            f"frame intervals in msec, oldest first (n={len(frames_ms)}): " + " ".join(f"{f:.2f}" for f in frames_ms)
        )
    return "\n".join(lines) + "\n"
