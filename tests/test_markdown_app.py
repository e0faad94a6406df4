"""Markdown answers in the real app under Xvfb, driven by the imgui test engine.

The app (``sloppy.py``'s CLI, through ``tests/gui/driver.py``) talks to a
loopback OpenAI-compatible server through the real SDK (the ``sloppytest_fakechat``
plugin); each request gets the next scripted answer. The scenario records what it
saw and saves screenshots; this side checks both (pixels with numpy).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from src.core.gui.markdown import split_blocks
from tests.gui import plugin_site
from tests.gui.conftest import HEAVY_BUILTINS, ROOT
from tests.gui.fake_openai import FakeOpenAI

DRIVER = ROOT / "tests" / "gui" / "driver.py"
ARTIFACTS = ROOT / "test-artifacts" / "markdown"

CODE = 'def greet(name):\n    return f"hello {name}"\n'
RICH = (
    "# Big Heading\n\n"
    "Body text with *emphasis*, **strong words** and a [link](https://example.com/docs).\n\n"
    "- first item\n- second item\n- third item\n\n"
    "| Name | Colour | Count |\n|------|--------|------:|\n"
    "| apple | red | 3 |\n| banana | yellow | 12 |\n| cherry | dark red | 7 |\n\n"
    f"```python\n{CODE}```\n\n"
    "The end.\n"
)
LONG_LINES = 4000
SCREENFUL_LINES = 80
SECRET_FILE = "notes-secret.md"  # in the app's working directory; an answer embeds it with ![[…]]
SECRET = "# Top Secret\n\n| key | value |\n|-----|-------|\n| password | pelican |\n| token | 1234 |\n| more | rows |\n"
EMBED = f"Here is the file:\n\n![[{SECRET_FILE}]]\n\nThat was it.\n"
HOLD_S = 5.0  # the rich answer stays "streaming" (shown plain) this long


def long_answer(count: int = LONG_LINES) -> str:
    """``count`` lines (several thousand by default): sections with headings, paragraphs with emphasis, list items."""
    lines = []
    for i in range(count):
        if i % 200 == 0:
            lines += [f"## Section {i // 200}", ""]
        elif i % 10 == 0:
            lines.append(f"- item {i} with `code` and a *word*")
        else:
            lines.append(f"Line {i}: some **bold** text and plain words to fill the width of the panel.")
    return "\n".join(lines) + "\n"


class ScriptedOpenAI(FakeOpenAI):
    """The GUI tests' OpenAI fake; request N is answered with ``answers[N]``: (text, seconds between chunks).

    The text is cut into chunks of ``chunk_chars``; after the last chunk the stream stays open for the
    same pause before its ``finish_reason`` (so a one-chunk answer is on screen, still streaming, that long).
    """

    def __init__(self, answers: list[tuple[str, float]], chunk_chars: int = 4000) -> None:
        super().__init__([], delay_s=0.0)
        self.script = [([t[i : i + chunk_chars] for i in range(0, len(t), chunk_chars)], pause) for t, pause in answers]

    def _current(self) -> tuple[list[str], float]:
        return self.script[min(len(self.requests), len(self.script)) - 1]

    @property
    def answer_chunks(self) -> list[str]:
        return self._current()[0]

    @answer_chunks.setter
    def answer_chunks(self, value: list[str]) -> None:
        pass  # the base class sets it; the script decides

    @property
    def delay_s(self) -> float:
        return self._current()[1]

    @delay_s.setter
    def delay_s(self, value: float) -> None:
        pass


def run_scenario(name: str, tmp_path: Path, env: dict[str, str]) -> dict:
    out = ARTIFACTS / name
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    site = plugin_site.install(tmp_path / "site", "sloppytest_fakechat")
    environ = {
        **os.environ,
        **env,
        "SLOPPY_DISABLE_PLUGINS": HEAVY_BUILTINS,
        "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]),
    }
    args = [sys.executable, str(DRIVER), f"tests.markdown_gui.scenarios:{name}", str(out), "--project", str(tmp_path)]
    proc = subprocess.run(args, check=False, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=180)
    (out / "stdout.txt").write_text(proc.stdout)
    (out / "stderr.txt").write_text(proc.stderr)
    result_file = out / "result.json"
    assert result_file.exists(), f"no result (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    result = json.loads(result_file.read_text())
    assert not result.get("exception"), result["exception"]
    assert not result["engine_error"], proc.stdout[-3000:]
    result["out"] = out
    return result


def _image(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def markdown_run(tmp_path_factory, display):
    tmp = tmp_path_factory.mktemp("markdown")
    (tmp / SECRET_FILE).write_text(SECRET, encoding="utf-8")
    with ScriptedOpenAI(
        [(RICH, HOLD_S), (long_answer(SCREENFUL_LINES), 0.0), (long_answer(), 0.0), (EMBED, 0.0)]
    ) as fake:
        env = {"FAKECHAT_BASE_URL": fake.base_url, "FAKECHAT_API_KEY": "test-key", "DISPLAY": display}
        result = run_scenario("markdown_answers", tmp, env)
    return result


def test_answers_arrive_whole(markdown_run):
    assert markdown_run["rich_answer"] == {"state": "done", "content": RICH}
    assert markdown_run["medium_answer"] == {"state": "done", "chars": len(long_answer(SCREENFUL_LINES))}
    assert markdown_run["long_answer"]["state"] == "done"
    assert markdown_run["long_answer"]["lines"] >= LONG_LINES


def _answer_box(img: np.ndarray, rect: list[float]) -> np.ndarray:
    """The Discussion panel's inside (its borders and title bar left out)."""
    left, top, right, bottom = (int(v) for v in rect)
    return img[top + 24 : bottom - 4, left + 4 : right - 16]


def _vertical_lines(box: np.ndarray, min_len: int = 50) -> list[tuple[int, int, int]]:
    """Thin vertical lines (x, top, bottom) at least ``min_len`` px long: one colour down a column, not beside it."""
    background = box[-3, 2]
    same_down = np.all(box[1:] == box[:-1], axis=2) & np.any(box[1:] != background, axis=2)
    lines = []
    for x in range(1, box.shape[1] - 1):
        run = best = start = best_start = 0
        for y, same in enumerate(same_down[:, x]):
            run = run + 1 if same else 0
            start = y - run + 1
            if run > best:
                best, best_start = run, start
        if best < min_len:
            continue
        column = box[best_start : best_start + best, x]
        beside = box[best_start : best_start + best, x - 1], box[best_start : best_start + best, x + 1]
        if not any(np.array_equal(column, b) for b in beside):
            lines.append((x, best_start, best_start + best))
    return lines


def _text_rows(box: np.ndarray) -> list[tuple[int, int]]:
    """Runs of rows holding bright (body-text coloured) pixels: the lines of text, (top, height)."""
    bright = np.all(box > 190, axis=2).any(axis=1)
    runs, start = [], None
    for y, on in enumerate([*bright, False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            runs.append((start, y - start))
            start = None
    return runs


def test_a_table_renders_as_a_grid_unlike_the_plain_text(markdown_run):
    out, rect = markdown_run["out"], markdown_run["discussion_rect"]
    md = _answer_box(_image(out / "rich_markdown.png"), rect)
    plain = _answer_box(_image(out / "rich_plain.png"), rect)
    assert markdown_run["plain_state"] == markdown_run["plain_state_after_shot"] == "streaming"
    lines = _vertical_lines(md)
    assert len(lines) >= 2, lines  # the column borders of the table (three columns)
    assert _vertical_lines(plain) == []  # "| a | b |" text makes no lines
    top, bottom = min(t for _, t, _ in lines), max(b for _, _, b in lines)
    left, right = min(x for x, _, _ in lines), max(x for x, _, _ in lines) + 40
    table, same_place = md[top:bottom, left:right], plain[top:bottom, left:right]
    assert table.shape[0] > 50 and table.shape[1] > 200
    assert len(np.unique(table.reshape(-1, 3), axis=0)) > 10  # cell text, borders, backgrounds: not uniform
    assert np.abs(table - same_place).sum(axis=2).astype(bool).mean() > 0.05  # and not what the plain text shows there


def test_heading_is_larger_than_body_text_and_links_are_coloured(markdown_run):
    out, rect = markdown_run["out"], markdown_run["discussion_rect"]
    md = _answer_box(_image(out / "rich_markdown.png"), rect)
    plain = _answer_box(_image(out / "rich_plain.png"), rect)
    md_heights = [h for _, h in _text_rows(md) if h > 3]
    plain_heights = [h for _, h in _text_rows(plain) if h > 3]
    assert max(md_heights) >= 1.3 * float(np.median(md_heights))  # "# Big Heading" is drawn bigger
    assert max(plain_heights) <= 1.15 * float(np.median(plain_heights))  # plain text: one size

    link = np.array(markdown_run["link_colour"])
    near_link = lambda box: int((np.abs(box - link).max(axis=2) <= 30).sum())
    assert near_link(md) > near_link(plain) + 20  # "[link](…)" in the link colour


def test_the_code_blocks_copy_button_copies_the_code(markdown_run):
    assert markdown_run["copy_button_found"] is True
    assert markdown_run["clipboard_after_copy"].rstrip("\n") == CODE.rstrip("\n")


def test_a_long_answer_scrolls_through(markdown_run):
    long = markdown_run["long_scroll"]
    positions = long["scroll_positions"]
    assert long["scroll_max"] > 50_000  # thousands of lines
    assert all(b >= a for a, b in itertools.pairwise(positions))
    assert positions[-1] - positions[0] > 5_000
    # Frame times are reported, not asserted (timing targets live in the benchmarks).
    (markdown_run["out"] / "frame_times.json").write_text(
        json.dumps(
            {
                k: {s: v for s, v in markdown_run[k].items() if s != "scroll_positions"}
                for k in ("short_scroll", "medium_scroll", "long_scroll")
            },
            indent=2,
        )
    )


def test_long_text_blocks_keep_the_text_and_never_cut_code_tables_or_paragraphs():
    text = long_answer() + "\n```\n" + "\n".join(["x = 1", ""] * 60) + "```\n\n" + RICH
    blocks = split_blocks(text, min_lines=10)
    assert "\n".join(blocks) == text
    assert len(blocks) > 10
    for block in blocks[:-1]:
        assert block.endswith("\n")  # each ends at a blank line...
        assert block.count("```") % 2 == 0  # ...outside a fenced code block (its blank lines do not cut it)
        assert block.count("\n") >= 10
    assert sum("| apple | red | 3 |" in b and "| Name |" in b for b in blocks) == 1  # the table is whole
    assert split_blocks("") == [""] and split_blocks("one line") == ["one line"]


def test_a_long_answer_is_drawn_where_it_is_scrolled_to(markdown_run):
    # Only the blocks in view are drawn: the panel must still be full of text there.
    out, rect = markdown_run["out"], markdown_run["discussion_rect"]
    for shot in ("long_scrolled.png", "long_bottom.png"):
        rows = _text_rows(_answer_box(_image(out / shot), rect))
        assert len(rows) >= 15, (shot, rows)


def test_an_answer_cannot_show_a_local_file_by_embedding_it(markdown_run):
    # imgui_md.render resolves Obsidian embeds ![[path]] by reading the file (the assets, then the file system,
    # every frame): an answer could put any readable file on screen. Answers are drawn as they are.
    assert markdown_run["embed_answer"] == {"state": "done", "content": EMBED}
    box = _answer_box(_image(markdown_run["out"] / "embed.png"), markdown_run["discussion_rect"])
    assert _vertical_lines(box) == []  # the file's table is not drawn
    heights = [h for _, h in _text_rows(box) if h > 3]
    assert max(heights) <= 1.15 * float(np.median(heights))  # nor its heading
