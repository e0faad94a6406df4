"""Context globs on real folders: symlink loops, big trees, the limits, and what gets skipped and why."""

from __future__ import annotations

import os
import time

import pytest

from src.core.chat import context as ctx
from tests.fakes.app import running_app, wait_for


def paths(found: ctx.Found) -> list[str]:
    return [f.path for f in found.files]


@pytest.fixture
def looped(tmp_path):
    """QA's repro: a project whose src/ holds a link to its parent and one to itself."""
    root = tmp_path / "q"
    (root / "src").mkdir(parents=True)
    (root / "src" / "m.py").write_text("x=1\n", encoding="utf-8")
    (root / "src" / "parent").symlink_to("..")
    (root / "src" / "self").symlink_to(".")
    return root


@pytest.mark.timeout(30)
@pytest.mark.parametrize("pattern", ["**/*.py", "src/**/*.py", "**", "src/**", "**/**/*.py", "*/*.py"])
def test_a_glob_never_follows_symlinked_folders(looped, pattern):
    start = time.monotonic()
    assert paths(ctx.collect(looped, pattern)) == ["src/m.py"]
    assert time.monotonic() - start < 2


@pytest.mark.timeout(30)
def test_an_absolute_glob_over_a_loop_finishes(looped):
    assert paths(ctx.collect(looped, f"{looped}/**/*.py")) == ["src/m.py"]


@pytest.mark.timeout(30)
def test_a_symlinked_file_is_added_once_under_its_real_path(tmp_path):
    (tmp_path / "real.py").write_text("A = 1\n", encoding="utf-8")
    (tmp_path / "alias.py").symlink_to("real.py")
    assert paths(ctx.collect(tmp_path, "*.py")) == ["real.py"]


@pytest.mark.timeout(30)
def test_junk_and_hidden_folders_are_not_searched(tmp_path):
    for folder in (".git", ".venv", "node_modules", "__pycache__", ".sloppy", ".hidden", "pkg"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "mod.py").write_text("Y = 2\n", encoding="utf-8")
    (tmp_path / ".dot.py").write_text("Z = 3\n", encoding="utf-8")
    assert paths(ctx.collect(tmp_path, "**/*.py")) == ["pkg/mod.py"]
    # Named outright, such a folder is searched: the pattern asks for it.
    assert paths(ctx.collect(tmp_path, "node_modules/*.py")) == ["node_modules/mod.py"]
    assert paths(ctx.collect(tmp_path, ".*.py")) == [".dot.py"]


@pytest.mark.timeout(60)
def test_a_big_tree_with_few_matches_is_walked_quickly(tmp_path):
    for a in range(40):
        for b in range(25):
            folder = tmp_path / f"d{a}" / f"e{b}"
            folder.mkdir(parents=True)
            (folder / "data.bin").write_bytes(b"\0")
    (tmp_path / "d7" / "e3" / "wanted.py").write_text("W = 1\n", encoding="utf-8")
    start = time.monotonic()
    assert paths(ctx.collect(tmp_path, "**/*.py")) == ["d7/e3/wanted.py"]
    assert paths(ctx.collect(tmp_path, "d*/e3/*.py")) == ["d7/e3/wanted.py"]
    assert time.monotonic() - start < ctx.GLOB_TIME_LIMIT_S


@pytest.mark.timeout(30)
def test_more_files_than_the_limit_is_refused_with_advice(tmp_path):
    for i in range(ctx.MAX_GLOB_FILES + 1):
        (tmp_path / f"f{i:03}.txt").write_text("t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"'\*\.txt' matches more than 200 files; narrow the pattern"):
        ctx.collect(tmp_path, "*.txt")
    (tmp_path / "f000.txt").unlink()
    assert len(ctx.collect(tmp_path, "*.txt").files) == ctx.MAX_GLOB_FILES


@pytest.mark.timeout(30)
def test_the_file_limit_stops_the_walk_before_it_ends(tmp_path):
    """Past the limit the walk stops: the entry budget left for the rest is never used."""
    for i in range(ctx.MAX_GLOB_FILES + 1):
        (tmp_path / "a" / f"{i}").mkdir(parents=True)
        (tmp_path / "a" / f"{i}" / "x.py").write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="matches more than 200 files"):
        ctx.collect(tmp_path, "**/*.py")
    for i in range(5000):
        (tmp_path / "b" / f"{i}").mkdir(parents=True)
    # The whole tree has more than 5000 entries; the limit is met well inside 3000 of them.
    with pytest.raises(ValueError, match="matches more than 200 files"):
        ctx.collect(tmp_path, "**/*.py", max_entries=3000)


@pytest.mark.timeout(30)
def test_a_walk_over_too_many_entries_gives_up_with_advice(tmp_path):
    for i in range(60):
        (tmp_path / f"d{i}").mkdir()
    with pytest.raises(ValueError, match=r"'\*\*/\*\.py' looks through more than 50 files and folders; narrow"):
        ctx.collect(tmp_path, "**/*.py", max_entries=50)
    with pytest.raises(ValueError, match="no files match"):
        ctx.collect(tmp_path, "**/*.py", max_entries=100)


@pytest.mark.timeout(30)
def test_a_walk_that_takes_too_long_gives_up_with_advice(tmp_path):
    (tmp_path / "sub").mkdir()
    with pytest.raises(ValueError, match=r"took more than 0 s to look through the folders.*narrow the pattern"):
        ctx.collect(tmp_path, "**/*.py", time_limit_s=0)


@pytest.mark.timeout(30)
def test_a_glob_over_the_whole_disk_ends_within_the_bounds():
    """QA's ``/**/*.py`` ran for minutes; now a limit ends it (files, entries or time)."""
    start = time.monotonic()
    with pytest.raises(ValueError, match="narrow the pattern"):
        ctx.collect(ctx.Path("/"), "/**/*.py")
    assert time.monotonic() - start < ctx.GLOB_TIME_LIMIT_S + 1


@pytest.mark.timeout(30)
def test_a_named_pipe_or_device_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(ValueError, match="pipe.txt is not a regular file"):
        ctx.collect(tmp_path, "pipe.txt")
    with pytest.raises(ValueError, match="no files match"):  # like glob: a glob lists regular files only
        ctx.collect(tmp_path, "*.txt")
    with pytest.raises(ValueError, match="/dev/zero is not a regular file"):
        ctx.collect(tmp_path, "/dev/zero")


@pytest.fixture
def mixed(tmp_path):
    """A project whose top level holds a text file, a binary and a file over the size limit."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "notes.md").write_text("# Notes\n", encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    (root / "dump.log").write_text("x" * (ctx.MAX_FILE_BYTES + 1), encoding="utf-8")
    return root


def test_collect_says_which_files_it_skipped_and_why(mixed):
    found = ctx.collect(mixed, "*")
    assert paths(found) == ["notes.md"]
    assert found.skipped == ["dump.log is too big (1.0 MB)", "logo.png is not a text file"]
    assert found.notice == "skipped dump.log is too big (1.0 MB); logo.png is not a text file"
    with pytest.raises(ValueError) as refused:
        ctx.collect(mixed, "*", present={"notes.md"})
    assert str(refused.value) == (
        "'*' matches no readable text file to add: "
        "dump.log is too big (1.0 MB); logo.png is not a text file; notes.md is already in context"
    )


def test_a_long_list_of_skipped_files_is_shortened(tmp_path):
    for i in range(8):
        (tmp_path / f"b{i}.bin").write_bytes(b"\0")
    with pytest.raises(ValueError, match=r"b4\.bin is not a text file; and 3 more$"):
        ctx.collect(tmp_path, "*.bin")


def test_a_glob_adding_nothing_new_says_why_and_changes_nothing(tmp_path, mixed):
    with running_app(tmp_path, project=mixed, only=()) as app:
        assert app.chat.add_context("notes.md") == ["notes.md"]
        assert wait_for(lambda: len(app.chat.snapshot().context) == 1)
        before = app.chat.snapshot()
        with pytest.raises(ValueError, match="notes.md is already in context") as refused:
            app.chat.add_context("*")
        assert "logo.png is not a text file" in str(refused.value)
        assert "dump.log is too big" in str(refused.value)
        assert app.chat.snapshot().context == before.context


def test_a_glob_that_skips_some_files_names_them_in_the_notice(tmp_path, mixed):
    (mixed / "todo.txt").write_text("- fix\n", encoding="utf-8")
    with running_app(tmp_path, project=mixed, only=()) as app:
        assert app.chat.add_context("notes.md") == ["notes.md"]
        assert wait_for(lambda: len(app.chat.snapshot().context) == 1)
        assert app.chat.add_context("*") == ["todo.txt"]
        assert wait_for(lambda: len(app.chat.snapshot().context) == 2)
        notice = app.chat.snapshot().notice
        assert notice.startswith("skipped ")
        for reason in ("notes.md is already in context", "logo.png is not a text file", "dump.log is too big"):
            assert reason in notice


def test_adding_a_file_already_in_context_says_so(tmp_path, mixed):
    with running_app(tmp_path, project=mixed, only=()) as app:
        assert app.chat.add_context("notes.md") == ["notes.md"]
        assert wait_for(lambda: len(app.chat.snapshot().context) == 1)
        assert app.chat.add_context(str(mixed / "notes.md")) == []
        assert wait_for(lambda: app.chat.snapshot().notice == "skipped notes.md is already in context")
        assert [p for p, _ in app.chat.snapshot().context] == ["notes.md"]


@pytest.mark.timeout(60)
def test_a_glob_on_the_pool_ends_and_leaves_the_pool_free_for_the_next_add(tmp_path, looped):
    """The GUI adds on the pool and waits for one add before the next: no add may run for ever."""
    with running_app(tmp_path, project=looped, only=()) as app:
        assert app.submit_io(app.chat.add_context, "**/*.py").result(timeout=10) == ["src/m.py"]
        start = time.monotonic()
        endless = app.submit_io(app.chat.add_context, "/**/*.no-such-extension")
        with pytest.raises(ValueError, match="narrow the pattern"):
            endless.result(timeout=ctx.GLOB_TIME_LIMIT_S + 5)
        assert time.monotonic() - start < ctx.GLOB_TIME_LIMIT_S + 2
        (looped / "README.md").write_text("# Q\n", encoding="utf-8")
        assert app.submit_io(app.chat.add_context, "*.md").result(timeout=10) == ["README.md"]
        assert wait_for(lambda: [p for p, _ in app.chat.snapshot().context] == ["src/m.py", "README.md"])
