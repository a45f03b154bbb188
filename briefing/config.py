"""Where a project's files are."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from briefing.errors import InputError

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Project:
    """The folders of one briefing site, all under its root."""

    root: Path

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def raw_dir(self) -> Path:
        return self.content_dir / "raw"

    def lang_dir(self, lang: str) -> Path:
        return self.content_dir / lang

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def build_cache_path(self) -> Path:
        """The build's cache file (cache.Cache): none yet means a first build."""
        return self.root / ".cache" / "build.sqlite"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def config_path(self) -> Path:
        return self.root / "site.toml"

    @property
    def glossary_path(self) -> Path:
        return self.content_dir / "glossary.yaml"

    def relative(self, path: Path) -> str:
        """A path as the user knows it: relative to the project root where possible."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


@dataclass(frozen=True)
class SiteConfig:
    """site.toml: where the site lives and what it is called in each language."""

    base_url: str = "http://localhost:8000/"
    titles: dict[str, str] = field(default_factory=lambda: {"zh": "简报", "en": "Briefing"})
    descriptions: dict[str, str] = field(default_factory=lambda: {"zh": "", "en": ""})

    @cached_property  # asked for by every link of every page
    def base_path(self) -> str:
        """The path part of base_url, "/" or "/briefing/": every internal link starts with it."""
        return urlsplit(self.base_url).path or "/"

    def absolute(self, path: str) -> str:
        """An internal path ("/zh/") as a full URL on the hosted site."""
        return self.base_url.rstrip("/") + "/" + path.removeprefix(self.base_path)


def read_settings(path: Path) -> dict | None:
    """site.toml as data (None when there is none), read by inputs.py's rules."""
    from briefing.inputs import exists, read_input_text  # kept out of freshness's imports

    if not exists(path):
        return None
    text = read_input_text(path, path.parent, limit=1_000_000)
    try:
        return toml_module().loads(text)
    except Exception as exc:  # TOMLDecodeError, or RecursionError on absurd nesting
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(path, f"not valid TOML: {problem}") from None


def toml_module():
    """tomllib (tomli before Python 3.11), imported when a file is read: not by a build
    that finds nothing changed, which imports this module and little else."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def load_site_config(path: Path) -> SiteConfig:
    data = read_settings(path)
    if data is None:
        return SiteConfig()
    base_url = _base_url(data.get("base_url", SiteConfig.base_url), path)
    defaults = SiteConfig()
    titles, descriptions = dict(defaults.titles), dict(defaults.descriptions)
    for lang in LANGUAGES:
        section = data.get(lang, {})
        if not isinstance(section, dict):
            raise InputError(path, f"[{lang}] must be a table")
        titles[lang] = _text(section, "title", titles[lang], lang, path)
        descriptions[lang] = _text(section, "description", descriptions[lang], lang, path)
    return SiteConfig(base_url=base_url, titles=titles, descriptions=descriptions)


# Characters that have no place in a URL written by hand (spaces, quotes, controls).
_NOT_IN_URL = re.compile(r"[\s\"'<>\\^`{|}\x00-\x1f\x7f]")


def _base_url(value, path: Path) -> str:
    """base_url as links use it: http(s), no query or fragment, a path ending in one "/"
    ("https://host//" would make every link "//zh/", a link to a host named zh)."""
    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        not parts
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or _NOT_IN_URL.search(value)
    ):
        raise InputError(path, f"base_url {value!r} is not an http(s) URL")
    if parts.query or parts.fragment:
        raise InputError(path, f"base_url {value!r} has a query or fragment; links need neither")
    site_path = re.sub(r"/{2,}", "/", f"/{parts.path}/")
    return urlunsplit((parts.scheme, parts.netloc, site_path, "", ""))


def _text(section: dict, key: str, default: str, lang: str, path: Path) -> str:
    value = section.get(key, default)
    if not isinstance(value, str):
        raise InputError(path, f"[{lang}] {key} must be text, not {value!r}")
    from briefing.text.decoding import remove_control_characters  # (see toml_module)

    return remove_control_characters(value)


DEVICES = ("cpu", "cuda", "auto")


@dataclass(frozen=True)
class TranslationSettings:
    """site.toml [translate]: the speed/quality choice of machine translation.

    beam_size 4 is Argos Translate's own default; 1 (greedy decoding) is a fast
    draft, several times quicker, that a later run at a higher beam can redo.
    device "cpu" is the default and the tested path; "auto" uses a CUDA GPU when
    CTranslate2 sees one. The command line (`--beam`, `--device`) overrides both.
    """

    beam_size: int = 4
    device: str = "cpu"
    redo_drafts: bool = False  # command line only: redo machine English made at a lower beam


BEAM_SIZES = range(1, 17)


def is_beam_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in BEAM_SIZES


def load_translation_settings(path: Path) -> TranslationSettings:
    data = read_settings(path)
    if data is None:
        return TranslationSettings()
    section = data.get("translate", {})
    if not isinstance(section, dict):
        raise InputError(path, "[translate] must be a table")
    unknown = sorted(set(section) - {"beam_size", "device"})
    if unknown:
        raise InputError(path, f"[translate] has unknown settings: {', '.join(unknown)}")
    defaults = TranslationSettings()
    device = section.get("device", defaults.device)
    if device not in DEVICES:
        raise InputError(
            path, f"[translate] device must be one of {', '.join(DEVICES)}, not {device!r}"
        )
    beam_size = section.get("beam_size", defaults.beam_size)
    if not is_beam_size(beam_size):
        raise InputError(
            path, f"[translate] beam_size must be a whole number from 1 to 16, not {beam_size!r}"
        )
    return TranslationSettings(beam_size=beam_size, device=device)
