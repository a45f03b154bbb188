"""Reading the files a build is made from, all by one set of rules.

Articles, raw pages, the glossary, site.toml, strings.yaml and templates are read
here, so that every one of them is treated the same way:

- only regular files are read, and only inside their folder: a link that leads out of
  it is not followed, and a folder, FIFO, socket or device named like an input is
  refused from its stat, never opened in a way that could wait on it;
- a file larger than its limit is refused from its size, before anything is read;
- whatever goes wrong with one file (gone since it was listed, a link loop, no
  permission) is a InputError naming it;
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

from briefing.errors import InputError
from briefing.text.decoding import remove_control_characters

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
        raise InputError(folder, f"cannot be read: {exc.strerror or exc}") from None
    match = fnmatch.fnmatch if ignore_case else fnmatch.fnmatchcase
    # Sorted by name, as paths in one folder sort, but without comparing Path objects
    # (a third of the time at 8,000 files).
    return [
        folder / name
        for name in sorted(names)
        if not name.startswith(".") and match(name.lower() if ignore_case else name, pattern)
    ]


def read_input(
    path: Path,
    within: Path | None,
    limit: int = MAX_INPUT_BYTES,
    what: str = "input files",
) -> bytes:
    """The bytes of a regular file inside `within` (anywhere when None), at most `limit`."""
    try:
        found = os.stat(path)
        _check_kind(path, found.st_mode)
        _check_size(path, found.st_size, limit, what)
        # O_NONBLOCK: were the file swapped for a FIFO since the stat, opening it
        # cannot wait for a writer; fstat below sees what was opened.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        try:
            if within is not None and not _inside(_opened_path(handle, path), within):
                raise InputError(path, f"is a link to a file outside {within.name}/; not read")
            opened = os.fstat(handle)
            _check_kind(path, opened.st_mode)  # a regular file: O_NONBLOCK does nothing
            _check_size(path, opened.st_size, limit, what)
            chunks, size = [], 0
            wanted = min(opened.st_size, limit) + 1  # one read, when the size holds
            while size <= limit:  # a file that grows while it is read stops at the limit
                asked = min(wanted, limit + 1 - size)
                chunk = os.read(handle, asked)
                chunks.append(chunk)
                size += len(chunk)
                if not chunk or (len(chunk) < asked and size >= opened.st_size):
                    break  # the end of the file
                wanted = 1 << 20
        finally:
            os.close(handle)
    except FileNotFoundError:
        raise InputError(path, _gone(path)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(path, "is a link that leads back to itself; not read") from None
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None
    _check_size(path, size, limit, what)
    return b"".join(chunks)


def read_input_text(
    path: Path, within: Path | None, limit: int = MAX_INPUT_BYTES, what: str = "input files"
) -> str:
    """read_input as UTF-8 text (a BOM is dropped), without control characters."""
    try:
        text = read_input(path, within, limit, what).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (at byte {exc.start:,})") from None
    return remove_control_characters(text)


def exists(path: Path) -> bool:
    """True for anything at path, a dangling link included (read_input says what it is)."""
    return os.path.lexists(path)


def _opened_path(handle: int, path: Path) -> str:
    """Where the file just opened really is: what the kernel says (one call), else the
    path with every link resolved."""
    try:
        return os.readlink(f"/proc/self/fd/{handle}")
    except OSError:  # no /proc
        return os.path.realpath(path)


def _inside(real: str, folder: Path) -> bool:
    root = _real_folder(folder)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


_REAL_FOLDERS: dict[str, tuple[str, tuple[int, int]]] = {}


def _real_folder(folder: Path) -> str:
    """os.path.realpath of a folder, remembered while the folder it names is still the
    folder found there (a build reads thousands of files from a few folders)."""
    key = os.fspath(folder)
    try:
        named = os.stat(key)
        known = _REAL_FOLDERS.get(key)
        if known and known[1] == (named.st_dev, named.st_ino):
            there = os.stat(known[0])
            if (there.st_dev, there.st_ino) == known[1]:
                return known[0]
    except OSError:
        return os.path.realpath(key)
    real = os.path.realpath(key)
    _REAL_FOLDERS[key] = (real, (named.st_dev, named.st_ino))
    return real


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
            raise InputError(path, message)
    raise InputError(path, "is not a regular file; not read")


def _check_size(path: Path, size: int, limit: int, what: str) -> None:
    if size > limit:
        raise InputError(path, f"file is {size:,} bytes; {what} are limited to {limit:,}")


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

    def construct_yaml_str(self, node: ScalarNode) -> str:
        text = self.construct_scalar(node)
        # Only escapes in double quotes (\e, \x0c) make control characters: the text
        # itself was cleaned when it was read.
        return remove_control_characters(text) if node.style == '"' else text

    def construct_timestamp_as_written(self, node: ScalarNode) -> str:
        # The text, not a date object: its reader (content._as_iso_date) checks it and
        # says what is wrong in words (2022-02-30, an offset of +25:00).
        text = self.construct_yaml_str(node)
        if not self.timestamp_regexp.match(text):  # !!timestamp on something else
            raise ConstructorError(
                None, None, f"cannot read {_shown(text)} as a date", node.start_mark
            )
        return text

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        _check_nodes(node)
        return self.construct_document(node)


def _checked(construct, kind: str):
    """A scalar constructor whose failure (!!int abc, a 5,000-digit number, !!bool maybe)
    is a YAML error at the value's line."""

    def construct_checked(loader: SafeConstructor, node: ScalarNode):
        try:
            return construct(loader, node)
        except (ArithmeticError, LookupError, ValueError) as exc:
            raise ConstructorError(
                None, None, f"cannot read {_shown(node.value)} as {kind} ({exc})", node.start_mark
            ) from None

    return construct_checked


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


for _tag, _construct, _kind in (
    ("str", _CheckedConstruction.construct_yaml_str, None),
    ("timestamp", _CheckedConstruction.construct_timestamp_as_written, None),
    ("int", SafeConstructor.construct_yaml_int, "int"),
    ("float", SafeConstructor.construct_yaml_float, "float"),
    ("bool", SafeConstructor.construct_yaml_bool, "bool"),
):
    _CheckedConstruction.add_constructor(
        f"tag:yaml.org,2002:{_tag}", _checked(_construct, _kind) if _kind else _construct
    )


def _check_nodes(root: Node) -> None:
    """Refuse aliases (a node met twice) and nesting deeper than MAX_YAML_DEPTH. Level by
    level, cheaply; on an alias, a second walk in the order of the text finds its line."""
    seen: set[int] = set()
    level, depth = [root], 0
    while level:
        depth += 1
        below: list[Node] = []
        for node in level:
            if id(node) in seen:
                raise ComposerError(
                    None, None, "aliases (*name) are not allowed here", _first_alias(root)
                )
            seen.add(id(node))
            value = node.value
            if type(value) is not list:  # a scalar
                continue
            if depth > MAX_YAML_DEPTH:
                raise ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", node.start_mark
                )
            if type(node) is MappingNode:
                for key, item in value:
                    below.append(key)
                    below.append(item)
            else:
                below.extend(value)
        level = below


def _first_alias(root: Node):
    """The mark of the collection that holds the first alias, in the order of the text."""
    seen: set[int] = set()
    stack: list[tuple[Node, Node]] = [(root, root)]
    while stack:
        node, parent = stack.pop()
        if id(node) in seen:
            return parent.start_mark
        seen.add(id(node))
        if isinstance(node, CollectionNode):
            children = (
                [n for pair in node.value for n in pair]
                if isinstance(node, MappingNode)
                else node.value
            )
            stack.extend((child, node) for child in reversed(children))
    return root.start_mark


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

    class _FastLoader(  # type: ignore[no-redef]
        Reader, Scanner, Parser, Composer, _CheckedConstruction, Resolver
    ):
        def __init__(self, stream: str):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _CheckedConstruction.__init__(self)
            Resolver.__init__(self)

    _DeepLoader = _FastLoader  # type: ignore[misc, assignment]


def parse_yaml(text: str):
    """The data of one YAML document; every problem is a yaml.YAMLError."""
    loader = (_FastLoader if len(text) <= _C_COMPOSER_UP_TO else _DeepLoader)(text)
    try:
        return loader.get_single_data()
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None
    except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as exc:
        # A constructor not checked above: the problem without its line.
        raise yaml.YAMLError(f"a value that cannot be read ({type(exc).__name__}: {exc})") from None
    finally:
        loader.dispose()


def parse_flat_yaml(text: str) -> dict | None:
    """parse_yaml(text) for a flat mapping as this tool writes front-matter (a line a key:
    plain words, 'single-quoted' text, [a, list], {a: mapping}), each value as PyYAML
    makes it, in a sixth of the time (60-70 us an article with PyYAML, a third of
    reading one); None for anything else, which parse_yaml reads (and reports on).

    Only what YAML reads as text is taken here: a plain scalar that PyYAML's own
    implicit resolvers would make a number, a date, a boolean or null is left to
    parse_yaml, as is any character or construct (double quotes, comments, anchors,
    tags, indentation, nesting, ": " or " #" in a plain scalar, a tab, a space YAML
    would trim) whose reading needs its parser. tests/test_bad_input.py compares the two
    on generated and real front-matter."""
    data: dict = {}
    for line in text.split("\n"):
        if not line:
            continue
        key, colon, value = line.partition(": ")
        if not colon or not value or not _is_plain_key(key):
            return None
        first = value[0]
        found: object
        if first == "'":
            found = _single_quoted(value)
        elif first == "[":
            found = _flow_items(value[1:-1]) if value[-1] == "]" else None
        elif first == "{":
            found = _flow_mapping(value[1:-1]) if value[-1] == "}" else None
        # (A colon not before a space, as in 山西晋中:激活, is part of the text.)
        elif ": " not in value and value[-1] != ":" and _is_plain(value, _IN_BLOCK):
            found = value
        else:
            return None
        if found is None:
            return None
        data[key] = found
    return data or None  # (nothing: parse_yaml's None)


# What a plain scalar taken by parse_flat_yaml may not hold (in a flow collection, the
# flow indicators and quotes too), and may not begin with.
_IN_BLOCK = frozenset("#\t")
_IN_FLOW = frozenset(":#\t,[]{}'\"")
_NOT_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_KEY_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _is_plain_key(key: str) -> bool:
    known = _PLAIN_KEYS.get(key)
    if known is None:
        known = _KEY_CHARACTERS.issuperset(key) and _is_plain(key, _IN_FLOW)
        if len(_PLAIN_KEYS) < 1000:  # (front-matter has a dozen keys)
            _PLAIN_KEYS[key] = known
    return known


_PLAIN_KEYS: dict[str, bool] = {}


def _is_plain(value: str, excluded: frozenset[str]) -> bool:
    """A plain scalar that SafeLoader reads as this very text: printable, nothing to
    trim, no character its parser treats apart, not what a resolver makes another type."""
    if not value or value[0] in _NOT_FIRST or value[-1] == " ":
        return False
    if not value.isprintable() or not excluded.isdisjoint(value):
        return False
    return not any(regexp.match(value) for regexp in _RESOLVERS.get(value[0], _ANY_FIRST))


# SafeLoader's implicit resolvers by a scalar's first character (what makes 12, 1.5, yes,
# ~ and 2022-06-02 an int, a float, a bool, null and a date), each with those for any.
_ANY_FIRST = tuple(regexp for _, regexp in Resolver.yaml_implicit_resolvers.get(None, ()))
_RESOLVERS = {
    first: (*(regexp for _, regexp in resolvers), *_ANY_FIRST)
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
    if first is not None
}


def _single_quoted(value: str) -> str | None:
    """'text' ('' for a quote in it) as its text; None if anything follows the closing
    quote, or the text has a character its parser treats apart (a tab, a line break)."""
    if len(value) < 2 or value[-1] != "'":
        return None
    unquoted = value[1:-1].replace("''", "")
    if "'" in unquoted or not unquoted.isprintable():
        return None
    return value[1:-1].replace("''", "'")


def _flow_items(inner: str) -> list[str] | None:
    """[a, b c]: plain words (no quotes, no nesting)."""
    if not inner.strip(" "):
        return []
    items = [item.strip(" ") for item in inner.split(",")]
    return items if all(_is_plain(item, _IN_FLOW) for item in items) else None


def _flow_mapping(inner: str) -> dict[str, str] | None:
    """{a: b, c: 'd'}: plain keys, each value plain words or single-quoted text with no
    comma in it (no nesting)."""
    found: dict[str, str] = {}
    if not inner.strip(" "):
        return found
    for item in inner.split(","):
        key, colon, value = item.strip(" ").partition(": ")
        value = value.strip(" ")
        if not colon or not _is_plain_key(key):
            return None
        if value[:1] == "'":
            text = _single_quoted(value)
        else:
            text = value if _is_plain(value, _IN_FLOW) else None
        if text is None:
            return None
        found[key] = text
    return found


def yaml_problem(exc: yaml.YAMLError, first_line: int = 1) -> str:
    """' (line N): what is wrong' for a YAML error, N counted in the file."""
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + first_line})" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}: {problem}"
