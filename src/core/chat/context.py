"""Context files: resolving paths and globs, and the markdown document sent to the model.

The document puts each file under a heading with its path, in a fenced block
tagged with its language; the fence is longer than any backtick run inside the
file so a file containing fences cannot break out of its block.
"""

from __future__ import annotations

import glob
import math
import os
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 1_000_000
MAX_GLOB_FILES = 200
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


def read_text(path: Path) -> str:
    """A text file's content; ``ValueError`` (user-facing) for folders, binaries and huge files."""
    try:
        if path.is_dir():
            raise ValueError(f"{path} is a folder; add the files in it with a glob such as {path}/**/*.py")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(f"{path} is too big ({size / 1e6:.1f} MB); the limit for a context file is 1 MB")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{path} does not exist") from None
    except PermissionError:
        raise ValueError(f"{path} cannot be read (permission denied)") from None
    except OSError as e:
        raise ValueError(f"{path} cannot be read ({e.strerror or e})") from None
    if b"\0" in data:
        raise ValueError(f"{path} is not a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None


def resolve(project: Path, pattern: str) -> list[ContextFile]:
    """The text files that ``pattern`` (a path or a glob) names, with their sizes.

    A single path must be a readable text file. A glob adds the text files it
    matches and skips folders and binaries; it must match at least one and at
    most :data:`MAX_GLOB_FILES`. Raises ``ValueError`` with a message for the user.
    """
    pattern = pattern.strip()
    if not pattern:
        raise ValueError("give a file path or a glob pattern such as src/**/*.py")
    expanded = os.path.expanduser(pattern)
    if not (_GLOB_CHARS & set(expanded)):
        path = absolute(project, expanded)
        if not path.exists():
            raise ValueError(f"no file {pattern!r} in {project}")
        return [ContextFile(display_path(project, path), len(read_text(path)))]
    if os.path.isabs(expanded):
        matches = sorted(glob.glob(expanded, recursive=True))
    else:
        matches = sorted(str(project / m) for m in glob.glob(expanded, root_dir=project, recursive=True))
    files = [Path(m) for m in matches if os.path.isfile(m)]
    if not files:
        raise ValueError(f"no files match {pattern!r} in {project}")
    if len(files) > MAX_GLOB_FILES:
        raise ValueError(f"{pattern!r} matches {len(files)} files, more than {MAX_GLOB_FILES}; narrow the pattern")
    found, skipped = [], []
    for path in files:
        try:
            found.append(ContextFile(display_path(project, path), len(read_text(path))))
        except ValueError as e:
            skipped.append(str(e))
    if not found:
        raise ValueError(f"{pattern!r} matches no readable text file: " + "; ".join(skipped[:3]))
    return found


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
