"""The NERV background effect as data: a scrolling grid and a scan sweep, computed with numpy.

No imgui here: :func:`scan_grid` returns line positions and packed colours
(imgui's ``IM_COL32`` layout, ``0xAABBGGRR``) for one frame; the theme draws
them. Keeping the maths apart makes it testable without a window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AMBER = np.array([255, 140, 0], dtype=np.uint32)  # NERV orange
GRID_STEP = 32.0  # pixels between grid lines
GRID_SPEED = 6.0  # pixels per second the grid drifts down
GRID_ALPHA = 40  # 0-255: faint
SCAN_STEP = 3.0  # pixels between scan lines
SWEEP_PERIOD = 6.0  # seconds for the sweep to cross the window
SWEEP_WIDTH = 48.0  # pixels: the sweep's standard deviation
SWEEP_ALPHA = 90  # peak alpha of a scan line at the sweep's centre
SCAN_MIN_ALPHA = 3  # scan lines fainter than this are not drawn
STRIPE_PITCH = 14.0  # pixels between hazard stripes
STRIPE_WIDTH = 7.0
STRIPE_SPEED = 10.0  # pixels per second the stripes slide


@dataclass(frozen=True)
class EffectFrame:
    """One frame of the background: horizontal and vertical lines, each with a colour."""

    h_pos: np.ndarray  # y of each horizontal line, float32
    h_col: np.ndarray  # packed colour of each, uint32
    v_pos: np.ndarray  # x of each vertical line, float32
    v_col: np.ndarray  # packed colour of each, uint32
    sweep_y: float  # where the bright sweep is now

    @property
    def line_count(self) -> int:
        return int(self.h_pos.size + self.v_pos.size)


def pack_colors(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Pack an RGB triple and an array of alphas (0-255) into ``IM_COL32`` values."""
    a = np.clip(np.asarray(alpha), 0, 255).astype(np.uint32)
    r, g, b = (int(c) for c in rgb)
    return (a << 24) | np.uint32((b << 16) | (g << 8) | r)


def sweep_position(height: float, t: float) -> float:
    """The y of the sweep at time ``t``: top to bottom once per :data:`SWEEP_PERIOD`."""
    return float((t % SWEEP_PERIOD) / SWEEP_PERIOD * height)


def scan_grid(size: tuple[float, float], t: float) -> EffectFrame:
    """The background for a window of ``size`` (width, height) at time ``t`` seconds."""
    width, height = max(0.0, float(size[0])), max(0.0, float(size[1]))
    offset = (t * GRID_SPEED) % GRID_STEP
    grid_y = np.arange(offset, height, GRID_STEP, dtype=np.float32)
    grid_x = np.arange(0.0, width, GRID_STEP, dtype=np.float32)
    sweep_y = sweep_position(height, t)

    # Scan lines glow near the sweep (a Gaussian), and only those bright enough are drawn.
    scan_y = np.arange(0.0, height, SCAN_STEP, dtype=np.float32)
    glow = np.exp(-0.5 * ((scan_y - sweep_y) / SWEEP_WIDTH) ** 2)
    scan_alpha = (glow * SWEEP_ALPHA).astype(np.int64)
    visible = scan_alpha >= SCAN_MIN_ALPHA
    # Grid lines under the sweep light up too.
    grid_alpha = GRID_ALPHA + (np.exp(-0.5 * ((grid_y - sweep_y) / SWEEP_WIDTH) ** 2) * SWEEP_ALPHA).astype(np.int64)

    h_pos = np.concatenate([grid_y, scan_y[visible]])
    h_col = np.concatenate([pack_colors(AMBER, grid_alpha), pack_colors(AMBER, scan_alpha[visible])])
    v_col = pack_colors(AMBER, np.full(grid_x.shape, GRID_ALPHA))
    return EffectFrame(h_pos=h_pos, h_col=h_col, v_pos=grid_x, v_col=v_col, sweep_y=sweep_y)


def hazard_stripes(box: tuple[float, float, float, float], t: float) -> np.ndarray:
    """Slanted stripes filling ``box`` (x0, y0, x1, y1), sliding right with time.

    Returns an array of shape (n, 4, 2): the corners of each stripe, in order,
    for ``add_quad_filled``. Stripes may overhang the box: clip when drawing.
    """
    x0, y0, x1, y1 = (float(v) for v in box)
    height = y1 - y0
    if x1 <= x0 or height <= 0:
        return np.empty((0, 4, 2), dtype=np.float32)
    phase = (t * STRIPE_SPEED) % STRIPE_PITCH
    left = np.arange(x0 - height - STRIPE_PITCH + phase, x1, STRIPE_PITCH, dtype=np.float32)
    quads = np.empty((left.size, 4, 2), dtype=np.float32)
    quads[:, 0] = np.stack([left + height, np.full_like(left, y0)], axis=1)  # top left
    quads[:, 1] = np.stack([left + height + STRIPE_WIDTH, np.full_like(left, y0)], axis=1)  # top right
    quads[:, 2] = np.stack([left + STRIPE_WIDTH, np.full_like(left, y1)], axis=1)  # bottom right
    quads[:, 3] = np.stack([left, np.full_like(left, y1)], axis=1)  # bottom left
    return quads
