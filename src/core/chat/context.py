"""Context files: resolving paths and globs, and the markdown document sent to the model.

The document puts each file under a heading with its path, in a fenced block
tagged with its language; the fence is longer than any backtick run inside the
file so a file containing fences cannot break out of its block.
"""

from __future__ import annotations

import fnmatch
import math
import os
import stat
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 1_000_000
MAX_GLOB_FILES = 200
MAX_GLOB_ENTRIES = 200_000  # files and folders a glob may look at before it gives up
GLOB_TIME_LIMIT_S = 2.0  # ... and seconds
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".sloppy", ".tox"})
CHARS_PER_TOKEN = 4  # the usual rule of thumb for English text and code

_GLOB_CHARS = set("*?[")

LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".tsx": "tsx",
    ".jsx": "jsx",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".md": "markdown",
    ".rst": "rst",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".css": "css",
    ".scss": "scss",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".cxx": "cpp",
    ".rs": "rust",
    ".go": "go",
    ".java": "java",
    ".kt": "kotlin",
    ".swift": "swift",
    ".rb": "ruby",
    ".php": "php",
    ".sh": "bash",
    ".bash": "bash",
    ".zsh": "zsh",
    ".fish": "fish",
    ".ps1": "powershell",
    ".sql": "sql",
    ".lua": "lua",
    ".r": "r",
    ".jl": "julia",
    ".cs": "csharp",
    ".scala": "scala",
    ".hs": "haskell",
    ".ml": "ocaml",
    ".ex": "elixir",
    ".exs": "elixir",
    ".erl": "erlang",
    ".clj": "clojure",
    ".dart": "dart",
    ".vue": "vue",
    ".svelte": "svelte",
    ".xml": "xml",
    ".ini": "ini",
    ".cfg": "ini",
    ".csv": "csv",
    ".tex": "latex",
    ".proto": "protobuf",
    ".graphql": "graphql",
}
FILENAMES = {"Dockerfile": "dockerfile", "Makefile": "makefile", "CMakeLists.txt": "cmake", "Justfile": "just"}


@dataclass(frozen=True)
class ContextFile:
    path: str  # as shown and stored: relative to the project when inside it
    chars: int


def approx_tokens(chars: int) -> int:
    """A rough token count for ``chars`` characters (about four characters a token)."""
    return math.ceil(chars / CHARS_PER_TOKEN) if chars > 0 else 0


def language_for(path: str) -> str:
    name = os.path.basename(path)
    if name in FILENAMES:
        return FILENAMES[name]
    return LANGUAGES.get(os.path.splitext(name)[1].lower(), "")


def display_path(project: Path, path: Path) -> str:
    """``path`` relative to ``project`` (POSIX separators) when inside it, else absolute."""
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def absolute(project: Path, shown: str) -> Path:
    p = Path(shown).expanduser()
    return p if p.is_absolute() else project / p


class Unreadable(ValueError):
    """A path that cannot be a context file; ``reason`` completes a sentence after the path."""

    def __init__(self, path: Path | str, reason: str, advice: str = "") -> None:
        super().__init__(f"{path} {reason}{advice}")
        self.reason = reason


def read_text(path: Path) -> str:
    """A text file's content; :class:`Unreadable` (a ``ValueError``, user-facing) for anything else.

    Only regular files are read, and never more than :data:`MAX_FILE_BYTES` + 1 bytes,
    so a named pipe or a device cannot block or flood the caller.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable(path, "is a folder", f"; add the files in it with a glob such as {path}/**/*.py")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(path, "is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise Unreadable(path, _too_big(info.st_size), "; the limit for a context file is 1 MB")
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise Unreadable(path, "does not exist") from None
    except PermissionError:
        raise Unreadable(path, "cannot be read (permission denied)") from None
    except OSError as e:
        raise Unreadable(path, f"cannot be read ({e.strerror or e})") from None
    if len(data) > MAX_FILE_BYTES:  # it grew since stat()
        raise Unreadable(path, _too_big(len(data)), "; the limit for a context file is 1 MB")
    if b"\0" in data:
        raise Unreadable(path, "is not a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable(path, "is not UTF-8 text") from None


def _too_big(size: int) -> str:
    return f"is too big ({size / 1e6:.1f} MB)"


@dataclass(frozen=True)
class Found:
    """What a path or glob names: the text files to add and why the others were left out."""

    files: list[ContextFile]
    skipped: list[str]  # one sentence each: "logo.png is not a text file"

    @property
    def notice(self) -> str:
        """The skipped files as one line for the user ("" when none)."""
        return "skipped " + _listing(self.skipped) if self.skipped else ""


def collect(project: Path, pattern: str, present: Collection[str] = (), **limits: float) -> Found:
    """The text files that ``pattern`` (a path or a glob) names and that are not in ``present``.

    A single path must be a readable text file (one already present is reported in
    ``skipped``, not refused). A glob adds the text files it matches and skips folders,
    binaries, files too big and files already present; it must match at least one file
    and at most :data:`MAX_GLOB_FILES`, and at least one must be new. The walk never
    follows a symlinked folder, skips :data:`SKIPPED_DIRS` and gives up after
    :data:`MAX_GLOB_ENTRIES` entries or :data:`GLOB_TIME_LIMIT_S` seconds (``limits``:
    ``max_entries``, ``time_limit_s`` override them). Raises ``ValueError`` with a message
    for the user.
    """
    pattern = pattern.strip()
    if not pattern:
        raise ValueError("give a file path or a glob pattern such as src/**/*.py")
    expanded = os.path.expanduser(pattern)
    if not (_GLOB_CHARS & set(expanded)):
        path = absolute(project, expanded)
        if not os.path.lexists(path):
            raise ValueError(f"no file {pattern!r} in {project}")
        shown = display_path(project, path)
        if shown in present:
            read_text(path)  # still says why it could not be added again, should it have become unreadable
            return Found([], [f"{shown} is already in context"])
        return Found([ContextFile(shown, len(read_text(path)))], [])
    paths = _glob(project, pattern, expanded, **limits)
    if not paths:
        raise ValueError(f"no files match {pattern!r} in {project}")
    files: list[ContextFile] = []
    skipped: list[str] = []
    taken: set[str] = set()
    for path in paths:
        shown = display_path(project, path)
        if shown in taken:  # a symlink to a file also matched
            continue
        taken.add(shown)
        if shown in present:
            skipped.append(f"{shown} is already in context")
            continue
        try:
            files.append(ContextFile(shown, len(read_text(path))))
        except Unreadable as e:
            skipped.append(f"{shown} {e.reason}")
    if not files:
        raise ValueError(f"{pattern!r} matches no readable text file to add: {_listing(skipped)}")
    return Found(files, skipped)


def resolve(project: Path, pattern: str) -> list[ContextFile]:
    """The text files that ``pattern`` names, with their sizes (see :func:`collect`)."""
    return collect(project, pattern).files


def _listing(reasons: list[str], shown: int = 5) -> str:
    more = len(reasons) - shown
    return "; ".join(reasons[:shown]) + (f"; and {more} more" if more > 0 else "")


def _glob(project: Path, pattern: str, expanded: str, **limits: float) -> list[Path]:
    """The files (not folders) ``expanded`` matches, sorted; ``ValueError`` past a limit."""
    walk = _Walk(pattern, **limits)
    base, segments = _split(project, expanded)
    files: list[Path] = []
    for path in walk.files(base, segments):
        files.append(path)
        if len(files) > MAX_GLOB_FILES:
            raise ValueError(f"{pattern!r} matches more than {MAX_GLOB_FILES} files; narrow the pattern")
    return sorted(files)


def _split(project: Path, expanded: str) -> tuple[Path, list[str]]:
    """The folder a glob starts in (its literal leading part) and the segments left to match."""
    base = Path(Path(expanded).anchor) if os.path.isabs(expanded) else project
    parts = [p for p in Path(expanded).parts if p not in (".", "")]
    if os.path.isabs(expanded):
        parts = parts[1:]  # the root, already in base
    while len(parts) > 1 and not (_GLOB_CHARS & set(parts[0])):
        base, parts = base / parts[0], parts[1:]
    segments: list[str] = []
    for part in parts:
        if not (part == "**" and segments and segments[-1] == "**"):  # a/**/**/b is a/**/b
            segments.append(part)
    return base, segments


class _Walk:
    """A lazy, bounded glob: ``**`` is any number of folders, other segments match by fnmatch.

    Like :func:`glob.glob`, wildcards do not match names starting with a dot unless the
    segment does. Unlike it, symlinked folders are never entered by a wildcard (loops such
    as ``parent -> ..`` cannot trap the walk), :data:`SKIPPED_DIRS` are left out, and the walk
    stops with a ``ValueError`` once it has looked at too many entries or for too long.
    """

    def __init__(self, pattern: str, max_entries: float | None = None, time_limit_s: float | None = None) -> None:
        self.pattern = pattern
        self.max_entries = MAX_GLOB_ENTRIES if max_entries is None else max_entries
        self.time_limit_s = GLOB_TIME_LIMIT_S if time_limit_s is None else time_limit_s
        self.entries = 0
        self.deadline = time.monotonic() + self.time_limit_s

    def files(self, base: Path, segments: list[str]) -> Iterator[Path]:
        """Each matching file once, in no particular order; each folder is listed once per pattern position."""
        last = len(segments) - 1
        seen: set[tuple[str, int]] = set()  # (folder, segment index) already looked at
        stack = [(str(base), 0)]
        while stack:
            folder, first = stack.pop()
            todo = [i for i in _positions(segments, first) if (folder, i) not in seen]
            seen.update((folder, i) for i in todo)
            listed = []
            for i in todo:
                if _GLOB_CHARS & set(segments[i]):
                    listed.append(i)
                    continue
                self._count()  # a literal name: no listing needed
                path = os.path.join(folder, segments[i])
                if i == last and os.path.isfile(path):
                    yield Path(path)
                elif i < last and os.path.isdir(path):
                    stack.append((path, i + 1))
            if not listed:
                continue
            for entry in self._list(folder):
                for i in listed:
                    segment = segments[i]
                    if entry.name.startswith(".") and not segment.startswith("."):
                        continue
                    if segment == "**" and _is_real_dir(entry):
                        stack.append((entry.path, i))  # one more folder
                    elif segment != "**" and not fnmatch.fnmatchcase(entry.name, segment):
                        continue
                    elif i < last:
                        if _is_real_dir(entry):
                            stack.append((entry.path, i + 1))
                    elif _is_file(entry):  # a trailing ** matches files too, like glob's
                        yield Path(entry.path)

    def _list(self, folder: str) -> Iterator[os.DirEntry[str]]:
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    self._count()
                    yield entry
        except OSError:  # gone, not a folder, no permission: like glob, nothing matches there
            return

    def _count(self) -> None:
        self.entries += 1
        if self.entries > self.max_entries:
            raise ValueError(
                f"{self.pattern!r} looks through more than {self.max_entries:,} files and folders; narrow the pattern"
            )
        if time.monotonic() > self.deadline:
            raise ValueError(
                f"{self.pattern!r} took more than {self.time_limit_s:g} s to look through the folders "
                f"({self.entries:,} files and folders seen); narrow the pattern"
            )


def _positions(segments: list[str], i: int) -> list[int]:
    """Where in ``segments`` a folder reached at position ``i`` stands: also past each ``**`` (zero folders)."""
    positions = [i]
    while segments[i] == "**" and i < len(segments) - 1:
        i += 1
        positions.append(i)
    return positions


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A file, or a symlink to one."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_real_dir(entry: os.DirEntry[str]) -> bool:
    """A folder that is not a symlink and not one of :data:`SKIPPED_DIRS`."""
    try:
        return entry.name not in SKIPPED_DIRS and entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def fence_for(text: str) -> str:
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def build_document(project: Path, paths: list[str]) -> tuple[str, list[ContextFile], list[str]]:
    """The context as one markdown document; also the files' current sizes and the problems met.

    A file that has gone or become unreadable is left out and named in the problems.
    """
    parts: list[str] = []
    sizes: list[ContextFile] = []
    problems: list[str] = []
    for shown in paths:
        try:
            text = read_text(absolute(project, shown))
        except ValueError as e:
            problems.append(str(e))
            continue
        sizes.append(ContextFile(shown, len(text)))
        fence = fence_for(text)
        body = text if text.endswith("\n") or not text else text + "\n"
        parts.append(f"## {shown}\n\n{fence}{language_for(shown)}\n{body}{fence}\n")
    if not parts:
        return "", sizes, problems
    return "# Context files\n\n" + "\n".join(parts), sizes, problems
