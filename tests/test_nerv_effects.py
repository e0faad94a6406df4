"""The NERV background as data: where the lines go, how they move, what colour they are."""

from __future__ import annotations

import numpy as np
import pytest

from src.plugins.themes.effects import (
    AMBER,
    GRID_ALPHA,
    GRID_STEP,
    STRIPE_WIDTH,
    SWEEP_PERIOD,
    hazard_stripes,
    pack_colors,
    scan_grid,
    sweep_position,
)

SIZE = (1280.0, 800.0)


def _unpack(col: np.ndarray) -> np.ndarray:
    """IM_COL32 (0xAABBGGRR) -> rows of (r, g, b, a)."""
    col = col.astype(np.uint32)
    return np.stack([col & 0xFF, (col >> 8) & 0xFF, (col >> 16) & 0xFF, col >> 24], axis=1)


def test_pack_colors_uses_imgui_byte_order():
    assert pack_colors(np.array([1, 2, 3]), np.array([4])).tolist() == [0x04030201]
    assert pack_colors(AMBER, np.array([300, -5])).tolist() == [0xFF008CFF, 0x00008CFF]


def test_every_line_is_inside_the_window_and_amber():
    frame = scan_grid(SIZE, 2.5)
    assert ((frame.h_pos >= 0) & (frame.h_pos < SIZE[1])).all()
    assert ((frame.v_pos >= 0) & (frame.v_pos < SIZE[0])).all()
    rgba = _unpack(np.concatenate([frame.h_col, frame.v_col]))
    assert (rgba[:, :3] == AMBER).all()
    assert (rgba[:, 3] > 0).all()


def test_vertical_grid_spacing_and_count():
    frame = scan_grid(SIZE, 0.0)
    assert frame.v_pos.size == int(np.ceil(SIZE[0] / GRID_STEP))
    assert np.allclose(np.diff(frame.v_pos), GRID_STEP)


def test_the_grid_drifts_and_the_sweep_moves_with_time():
    a, b = scan_grid(SIZE, 1.0), scan_grid(SIZE, 2.0)
    assert a.sweep_y != b.sweep_y
    assert a.h_pos[0] != b.h_pos[0]  # the first grid line has drifted
    assert not np.array_equal(a.h_col, b.h_col)


def test_the_sweep_crosses_the_window_once_per_period():
    height = SIZE[1]
    assert sweep_position(height, 0.0) == 0.0
    assert sweep_position(height, SWEEP_PERIOD / 2) == pytest.approx(height / 2)
    assert sweep_position(height, SWEEP_PERIOD * 3 + 1.0) == pytest.approx(sweep_position(height, 1.0))


def test_lines_are_brightest_at_the_sweep():
    frame = scan_grid(SIZE, SWEEP_PERIOD / 2)  # sweep at mid-height
    alpha = _unpack(frame.h_col)[:, 3]
    near = np.abs(frame.h_pos - frame.sweep_y) < 10
    far = np.abs(frame.h_pos - frame.sweep_y) > 200
    assert near.any() and far.any()
    assert alpha[near].min() > alpha[far].max()
    assert alpha[far].max() == GRID_ALPHA  # away from the sweep only the faint grid is drawn


@pytest.mark.parametrize("size", [(0.0, 0.0), (-5.0, 100.0), (100.0, -1.0)])
def test_an_empty_or_negative_window_draws_nothing(size):
    frame = scan_grid(size, 3.0)
    if size[1] <= 0:
        assert frame.h_pos.size == 0
    if size[0] <= 0:
        assert frame.v_pos.size == 0


def test_a_frame_stays_small():
    # A full-HD window stays a few hundred lines: cheap to draw every frame.
    assert scan_grid((1920.0, 1080.0), 1.0).line_count < 250


def test_hazard_stripes_cover_the_box_and_slide():
    box = (100.0, 10.0, 220.0, 30.0)
    quads = hazard_stripes(box, 0.0)
    assert quads.shape[1:] == (4, 2)
    # Tops on the box's top edge, bottoms on its bottom edge; each stripe leans right by the box's height.
    assert np.allclose(quads[:, :2, 1], 10.0) and np.allclose(quads[:, 2:, 1], 30.0)
    assert np.allclose(quads[:, 0, 0] - quads[:, 3, 0], 20.0)
    assert np.allclose(quads[:, 1, 0] - quads[:, 0, 0], STRIPE_WIDTH)
    # Together they span the whole box.
    assert quads[:, :, 0].min() <= box[0] and quads[:, :, 0].max() >= box[2]
    later = hazard_stripes(box, 0.25)
    assert not np.allclose(quads[0], later[0])


def test_no_stripes_for_an_empty_box():
    assert hazard_stripes((50.0, 0.0, 50.0, 20.0), 1.0).shape == (0, 4, 2)
    assert hazard_stripes((0.0, 20.0, 50.0, 20.0), 1.0).shape == (0, 4, 2)
