"""The command line: a --project that is not a folder, and output piped into a reader that stops early."""

from __future__ import annotations

import os
import subprocess

import pytest
from test_warmup import BUILTINS


@pytest.mark.parametrize("make", [None, "file"])
def test_a_project_that_is_not_a_folder_is_a_usage_error_and_nothing_is_created(sloppy_cmd, tmp_path, make):
    project = tmp_path / "typo" / "dir"
    if make == "file":
        project.parent.mkdir()
        project.write_text("not a folder\n", encoding="utf-8")
    result = subprocess.run(
        [*sloppy_cmd, "--headless", "--project", str(project)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    what = "is not a folder" if make else "does not exist"
    assert f"sloppy: error: --project {project} {what}" in result.stderr
    assert "Traceback" not in result.stderr
    assert project.is_file() if make else not project.parent.exists()


def test_list_plugins_into_a_closed_pipe_exits_quietly(sloppy_cmd):
    env = dict(os.environ, SLOPPY_DISABLE_PLUGINS=",".join(BUILTINS))
    proc = subprocess.Popen(sloppy_cmd + ["--list-plugins"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # the reader is gone before the table is written, as with `| head` on a long table
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert b"BrokenPipeError" not in err and b"Traceback" not in err and b"Exception ignored" not in err
