"""The NERV theme in a real window under Xvfb: its colours and its background reach the screen.

A small runner of our own draws a window with text, first with imgui's dark
style, then with the NERV theme (style applied, background drawn each frame),
and compares the final frames pixel by pixel.
"""

from __future__ import annotations

import numpy as np
import pytest
from imgui_bundle import hello_imgui, imgui, immapp

from src.plugins.themes.effects import GRID_STEP, sweep_position
from src.plugins.themes.nerv import NervTheme

pytestmark = pytest.mark.own_process  # imgui runs in-process here: keep it out of the suite's process

SIZE = (640, 400)
FRAMES = 12


def _render(theme: NervTheme | None) -> np.ndarray:
    """Run a few frames; the final frame as an RGB array."""
    state = {"frames": 0}

    def gui() -> None:
        if state["frames"] == 0:
            if theme is None:
                imgui.style_colors_dark()
            else:
                theme.apply()
        if theme is not None:
            io = imgui.get_io()
            theme.draw_background(imgui.get_background_draw_list(), (io.display_size.x, io.display_size.y), 1.5)
        imgui.set_next_window_pos(imgui.ImVec2(20, 20), imgui.Cond_.always)
        imgui.set_next_window_size(imgui.ImVec2(300, 200), imgui.Cond_.always)
        imgui.begin("Discussion")
        for _ in range(6):
            imgui.text("MAGI SYSTEM: ALL PLUGINS READY")
        imgui.button("Send")
        imgui.end()
        state["frames"] += 1
        if state["frames"] >= FRAMES:
            hello_imgui.get_runner_params().app_shall_exit = True

    params = hello_imgui.RunnerParams()
    params.callbacks.show_gui = gui
    params.app_window_params.window_geometry.size = SIZE
    params.app_window_params.window_title = "nerv theme test"
    params.imgui_window_params.default_imgui_window_type = hello_imgui.DefaultImGuiWindowType.no_default_window
    params.ini_disable = True
    params.fps_idling.enable_idling = False
    if theme is not None:
        params.imgui_window_params.background_color = imgui.ImVec4(*theme.clear_color)
    immapp.run(params)
    image = hello_imgui.final_app_window_screenshot()
    assert image is not None and image.size > 0
    return np.asarray(image)[:, :, :3].astype(int)


def _amber(img: np.ndarray) -> np.ndarray:
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    return (r > 120) & (g > 0.25 * r) & (g < 0.8 * r) & (b < 0.35 * r)


@pytest.fixture(scope="module")
def frames(display):
    return {"dark": _render(None), "nerv": _render(NervTheme())}


def test_nerv_text_is_amber(frames):
    window = (slice(40, 200), slice(25, 310))  # rows, columns inside "Discussion"
    assert _amber(frames["nerv"][window]).sum() > 300
    assert _amber(frames["dark"][window]).sum() == 0


def _lit(img: np.ndarray) -> np.ndarray:
    """Pixels tinted orange (red well above blue): NERV's grid and sweep over black."""
    return img[..., 0] > img[..., 2] + 8


def test_nerv_background_is_black_with_an_amber_grid_and_sweep(frames):
    outside, dark_outside = frames["nerv"][:, 360:], frames["dark"][:, 360:]  # right of the window
    assert np.median(outside.sum(axis=2)) < 40  # mostly near black
    assert _lit(outside).sum() > 1000
    assert _lit(dark_outside).sum() == 0
    # Vertical grid lines: lit columns come back every GRID_STEP pixels.
    lit_columns = np.flatnonzero(_lit(outside).mean(axis=0) > 0.9)
    assert len(lit_columns) >= 6
    assert set(np.diff(lit_columns)) <= {1, GRID_STEP - 1, GRID_STEP}
    # The sweep, at t=1.5 s, sits a quarter of the way down: brighter there than near the bottom.
    sweep_y = int(sweep_position(SIZE[1], 1.5))
    red = outside[..., 0].mean(axis=1)
    assert red[sweep_y - 6 : sweep_y + 6].mean() > 2 * red[300:340].mean()


def test_effects_off_leaves_a_plain_background(display):
    theme = NervTheme()
    theme.toggle_effects()
    img = _render(theme)
    outside = img[:, 360:]
    assert _lit(outside).sum() == 0
    assert np.median(outside.sum(axis=2)) < 40
