"""Reading the files a build is made from, all by one set of rules.

Articles, raw pages, the glossary, site.toml, strings.yaml and templates are read
here, so that every one of them is treated the same way:

- only regular files are read, and only inside their folder: a link that leads out of
  it is not followed, and a folder, FIFO, socket or device named like an input is
  refused from its stat, never opened in a way that could wait on it;
- a file larger than its limit is refused from its size, before anything is read;
- whatever goes wrong with one file (gone since it was listed, a link loop, no
  permission) is a ContentError naming it;
- text loses the control characters XML 1.0 forbids (form feeds and vertical tabs
  become line breaks), so none reaches a page or a feed;
- YAML is read by a loader that refuses aliases (a few hundred bytes of them expand to
  gigabytes) and deep nesting, and reports a value it cannot make (2022-02-30,
  !!int abc, a 5,000-digit number) at its line.

Names starting with "." beside the inputs are an editor's (lock files, swap files,
macOS ._ files), not inputs.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from pathlib import Path

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode
from yaml.resolver import Resolver

from briefing.decoding import remove_control_characters
from briefing.errors import ContentError

# Largest input file read (an article, the glossary, a template): a news article in
# Markdown is tens of kilobytes.
MAX_INPUT_BYTES = 10_000_000


def input_files(folder: Path, pattern: str, ignore_case: bool = False) -> list[Path]:
    """The files of a folder whose names match a glob pattern, sorted; none if there is no
    such folder. Whether each is a file worth reading is read_input's to say."""
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries]
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise ContentError(folder, f"cannot be read: {exc.strerror or exc}") from None
    match = fnmatch.fnmatch if ignore_case else fnmatch.fnmatchcase
    return sorted(
        folder / name
        for name in names
        if not name.startswith(".") and match(name.lower() if ignore_case else name, pattern)
    )


def read_input(
    path: Path,
    within: Path | None,
    limit: int = MAX_INPUT_BYTES,
    what: str = "input files",
) -> bytes:
    """The bytes of a regular file inside `within` (anywhere when None), at most `limit`."""
    if within is not None and not _inside(path, within):
        raise ContentError(path, f"is a link to a file outside {within.name}/; not read")
    try:
        found = os.stat(path)
        _check_kind(path, found.st_mode)
        _check_size(path, found.st_size, limit, what)
        # O_NONBLOCK: were the file swapped for a FIFO since the stat, opening it
        # cannot wait for a writer; fstat below sees what was opened.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        try:
            opened = os.fstat(handle)
            _check_kind(path, opened.st_mode)
            _check_size(path, opened.st_size, limit, what)
            os.set_blocking(handle, True)
            chunks, size = [], 0
            while size <= limit:  # a file that grows while it is read stops at the limit
                chunk = os.read(handle, min(limit + 1 - size, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(handle)
    except FileNotFoundError:
        raise ContentError(path, _gone(path)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ContentError(path, "is a link that leads back to itself; not read") from None
        raise ContentError(path, f"cannot be read: {exc.strerror or exc}") from None
    _check_size(path, size, limit, what)
    return b"".join(chunks)


def read_input_text(
    path: Path, within: Path | None, limit: int = MAX_INPUT_BYTES, what: str = "input files"
) -> str:
    """read_input as UTF-8 text (a BOM is dropped), without control characters."""
    try:
        text = read_input(path, within, limit, what).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError(path, f"not UTF-8 text (at byte {exc.start:,})") from None
    return remove_control_characters(text)


def exists(path: Path) -> bool:
    """True for anything at path, a dangling link included (read_input says what it is)."""
    return os.path.lexists(path)


def _inside(path: Path, folder: Path) -> bool:
    real, root = os.path.realpath(path), os.path.realpath(folder)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


_KINDS = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a file; not read"),
    (stat.S_ISSOCK, "is a socket, not a file; not read"),
    (stat.S_ISCHR, "is a device, not a file; not read"),
    (stat.S_ISBLK, "is a device, not a file; not read"),
)


def _check_kind(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    for test, message in _KINDS:
        if test(mode):
            raise ContentError(path, message)
    raise ContentError(path, "is not a regular file; not read")


def _check_size(path: Path, size: int, limit: int, what: str) -> None:
    if size > limit:
        raise ContentError(path, f"file is {size:,} bytes; {what} are limited to {limit:,}")


def _gone(path: Path) -> str:
    if os.path.islink(path):
        return f"is a link to {os.readlink(path)}, which does not exist; not read"
    return "no such file"  # or no longer: removed since its folder was listed


# --- YAML ---------------------------------------------------------------------------------

MAX_YAML_DEPTH = 20  # front-matter needs 3 levels, strings.yaml 2
# libyaml composes documents recursively in C and crashes the process somewhere past
# 20,000 levels of nesting; a text this short cannot nest that deep.
_C_COMPOSER_UP_TO = 10_000


class _CheckedConstruction(SafeConstructor):
    """Safe construction, where a value that cannot be made is a YAML error at its line,
    and strings lose their control characters (double quotes can write any)."""

    def construct_object(self, node: Node, deep: bool = False):
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as exc:
            value = node.value if isinstance(node, ScalarNode) else "..."
            shown = repr(value if len(value) <= 40 else value[:40] + "…")
            kind = node.tag.rsplit(":", 1)[-1]
            raise ConstructorError(
                None, None, f"cannot read {shown} as {kind} ({exc})", node.start_mark
            ) from None

    def construct_yaml_str(self, node: ScalarNode) -> str:
        return remove_control_characters(super().construct_yaml_str(node))

    def construct_timestamp_as_written(self, node: ScalarNode) -> str:
        # The text, not a date object: its reader (content._as_iso_date) checks it and
        # says what is wrong in words (2022-02-30, an offset of +25:00).
        text = self.construct_yaml_str(node)
        if not self.timestamp_regexp.match(text):  # !!timestamp on something else
            raise ValueError("not a date")
        return text

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        _check_nodes(node)
        return self.construct_document(node)


_CheckedConstruction.add_constructor(
    "tag:yaml.org,2002:str", _CheckedConstruction.construct_yaml_str
)
_CheckedConstruction.add_constructor(
    "tag:yaml.org,2002:timestamp", _CheckedConstruction.construct_timestamp_as_written
)


def _check_nodes(root: Node) -> None:
    """Refuse aliases (a node met twice) and nesting deeper than MAX_YAML_DEPTH, in the
    order of the text, so that the line given is that of the first alias."""
    seen: set[int] = set()
    stack: list[tuple[Node, int, Node | None]] = [(root, 1, None)]
    while stack:
        node, depth, parent = stack.pop()
        if id(node) in seen:  # an alias: the mark of the collection it stands in
            where = (parent or node).start_mark
            raise ComposerError(None, None, "aliases (*name) are not allowed here", where)
        seen.add(id(node))
        if not isinstance(node, CollectionNode):
            continue
        if depth > MAX_YAML_DEPTH:
            raise ComposerError(
                None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", node.start_mark
            )
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, MappingNode)
            else node.value
        )
        stack.extend((child, depth + 1, node) for child in reversed(children))


if hasattr(yaml, "CSafeLoader"):  # libyaml: the same YAML, several times faster
    from yaml._yaml import CParser

    class _FastLoader(CParser, _CheckedConstruction, Resolver):
        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            _CheckedConstruction.__init__(self)
            Resolver.__init__(self)

    class _DeepLoader(Composer, CParser, _CheckedConstruction, Resolver):
        """libyaml's parser with PyYAML's composer, whose recursion Python stops."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            _CheckedConstruction.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _FastLoader(Reader, Scanner, Parser, Composer, _CheckedConstruction, Resolver):
        def __init__(self, stream: str):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _CheckedConstruction.__init__(self)
            Resolver.__init__(self)

    _DeepLoader = _FastLoader


def parse_yaml(text: str):
    """The data of one YAML document; every problem is a yaml.YAMLError."""
    loader = (_FastLoader if len(text) <= _C_COMPOSER_UP_TO else _DeepLoader)(text)
    try:
        return loader.get_single_data()
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None
    finally:
        loader.dispose()


def yaml_problem(exc: yaml.YAMLError, first_line: int = 1) -> str:
    """' (line N): what is wrong' for a YAML error, N counted in the file."""
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + first_line})" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}: {problem}"
