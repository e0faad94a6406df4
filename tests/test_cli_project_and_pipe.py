"""The command line: a --project that is not a folder."""

from __future__ import annotations

import subprocess

import pytest


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
