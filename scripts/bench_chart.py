"""The benchmark chart (Pillow only): first frame, all ready, and frame times while warming."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

W, PANEL_H, MARGIN, LABEL_W = 1100, 260, 20, 170
COLORS = {
    "bare": (120, 120, 120),
    "app": (40, 110, 200),
    "app_idle": (20, 70, 140),
    "app_none": (150, 180, 220),
    "app_import1": (100, 60, 160),
    "app_hooks": (90, 150, 220),
    "app_100": (60, 170, 120),
    "eager": (210, 80, 60),
    "app_gc": (220, 160, 40),
    "sequential": (150, 90, 180),
}


def _font(size: int) -> ImageFont.ImageFont:
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _bars(draw: ImageDraw.ImageDraw, top: int, title: str, rows: list[tuple[str, dict | None]], font, small) -> None:
    """Horizontal bars: median, with a min-max whisker."""
    draw.text((MARGIN, top), title, fill="black", font=font)
    rows = [(name, s) for name, s in rows if s]
    if not rows:
        draw.text((MARGIN, top + 30), "not measured", fill="gray", font=small)
        return
    scale_max = max(s["max"] for _, s in rows) * 1.1
    x0, x1 = MARGIN + LABEL_W, W - MARGIN - 80
    bar_h = min(28, (PANEL_H - 50) // len(rows))
    for i, (name, s) in enumerate(rows):
        y = top + 35 + i * bar_h
        color = COLORS.get(name.split(" ")[0], (80, 80, 80))
        x_med = x0 + (x1 - x0) * s["median"] / scale_max
        draw.text((MARGIN, y + 4), name, fill="black", font=small)
        draw.rectangle([x0, y + 3, x_med, y + bar_h - 3], fill=color)
        lo, hi = (x0 + (x1 - x0) * s[k] / scale_max for k in ("min", "max"))
        mid = y + bar_h // 2
        draw.line([lo, mid, hi, mid], fill="black", width=2)
        draw.line([lo, mid - 5, lo, mid + 5], fill="black", width=2)
        draw.line([hi, mid - 5, hi, mid + 5], fill="black", width=2)
        draw.text((max(x_med, hi) + 6, y + 4), f"{s['median']:.0f} ms", fill="black", font=small)


def _frames(draw: ImageDraw.ImageDraw, top: int, summary: dict, font, small) -> None:
    """Grouped bars: p50, p99 and max frame interval while warming, per variant."""
    draw.text((MARGIN, top), "Frame intervals while warming (ms): p50 / p99 / max", fill="black", font=font)
    variants = [
        v for v in ("bare", "app", "app_gc", "app_100", "app_import1") if summary.get(v, {}).get("frames", {}).get("n")
    ]
    if not variants:
        draw.text((MARGIN, top + 30), "not measured (needs the GUI)", fill="gray", font=small)
        return
    peak = max(summary[v]["frames"]["max"] for v in variants) * 1.1
    base, height = top + PANEL_H - 30, PANEL_H - 80
    group_w = (W - 2 * MARGIN) // len(variants)
    for i, variant in enumerate(variants):
        stats = summary[variant]["frames"]
        gx = MARGIN + i * group_w + 20
        for j, key in enumerate(("p50", "p99", "max")):
            value = stats[key]
            x = gx + j * 45
            h = height * value / peak
            shade = tuple(min(255, int(c * (1.0 + 0.35 * j))) for c in COLORS[variant])
            draw.rectangle([x, base - h, x + 38, base], fill=shade)
            draw.text((x, base - h - 16), f"{value:.0f}", fill="black", font=small)
        draw.text((gx, base + 6), f"{variant} (n={stats['n']})", fill="black", font=small)


def draw_chart(result: dict, path: Path) -> None:
    summary, meta = result["summary"], result["meta"]
    font, small = _font(16), _font(13)
    image = Image.new("RGB", (W, 3 * PANEL_H + 70), "white")
    draw = ImageDraw.Draw(image)
    header = (
        f"Sloppy start-up benchmark {meta['started']} - {meta['mode']}, {meta['runs']} runs each, "
        f"{meta['cpus']} CPUs, bytecode present: {meta['sdk_bytecode_present']}"
    )
    draw.text((MARGIN, 10), header, fill="black", font=font)
    order = ("bare", "app", "app_idle", "app_none", "app_hooks", "app_100", "eager", "app_gc")
    first = [(v, summary.get(v, {}).get("first_frame_ms")) for v in order]
    _bars(draw, 45, "First visible frame (ms from process start; median, min-max)", first, font, small)
    ready = [
        (v, summary.get(v, {}).get("ready_ms"))
        for v in ("sequential", "app", "app_idle", "app_hooks", "app_100", "eager", "app_gc")
    ]
    _bars(draw, 45 + PANEL_H, "All plugins ready (ms from process start)", ready, font, small)
    _frames(draw, 45 + 2 * PANEL_H, summary, font, small)
    image.save(path)
