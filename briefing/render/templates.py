"""The templates: Jinja2 with autoescaping on, the interface strings, the filters.

Every template is read once (inputs.py's rules) and served from memory. A page's
fingerprint holds key_of(its template): a hash of the templates it is made with, the
strings, the config and the assets; `key`, of all of them, names what is kept between
builds about the templates themselves.
"""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import NamedTuple

import yaml
from jinja2 import (
    DictLoader,
    Environment,
    FileSystemBytecodeCache,
    StrictUndefined,
    Template,
    TemplateError,
    meta,
    nodes,
    select_autoescape,
)
from jinja2.bccache import Bucket
from jinja2.runtime import Context, markup_join
from jinja2.utils import internalcode
from markupsafe import Markup, escape

from briefing.cache import Cache, code_version, digest
from briefing.config import LANGUAGES, SiteConfig
from briefing.enrich import Story
from briefing.errors import InputError
from briefing.inputs import input_files, parse_yaml, read_input_text, yaml_problem
from briefing.render.dates import format_date, format_month, iso_datetime
from briefing.render.pages import Page
from briefing.render.urls import Urls
from briefing.text.decoding import remove_control_characters

ITEMS = "story-item"  # the cache's namespace of rendered list items
LISTS = "story-list"  # and of runs of them (story_items())
# Runs of list items are kept whole between builds (story_items()). A run ends after a
# story whose id hashes to 0 modulo RUN_ENDS (so 64 stories a run on average, at most
# RUN_MOST): where runs end depends on the stories, not on their places, and an
# article added anywhere in a list changes one run of it. Lists shorter than RUNS_FROM
# (the home page's, related articles) are not worth keeping in runs.
RUN_ENDS = 64
RUN_MOST = 256
RUNS_FROM = 16
USES = "template-uses"  # and of the templates each template uses
HTML_LANG = {"zh": "zh-Hans", "en": "en"}  # also the hreflang values
# Pieces of every page that are the same on all the pages of a language (the header's
# navigation, the footer): rendered once a language by chrome(), not on every page,
# where they were a third of an article page's rendering.
CHROME = ("site_nav.html", "site_footer.html")
# What a story's tags are read by in a template (Story.tags, Story.tags_in).
TAG_ATTRIBUTES = frozenset({"tags", "tags_in"})


class TagsShown(NamedTuple):
    """Whose tags a template's pages can show (tags_shown): a page that shows none of a
    story's is not made again when only they change (an added article moves the tags of
    a dozen others: their neighbours, related articles and tags' pages list them)."""

    own: bool  # the page's own story's (`story` in an article page)
    listed: bool  # any other story's: one it lists or links to


class Templates:
    """templates/: the pages' markup, loaded once, and what renders a page with it."""

    def __init__(
        self,
        folder: Path,
        config: SiteConfig,
        urls: Urls,
        glossary: dict[str, str],
        compiled_dir: Path | None = None,
        items: Cache | None = None,
    ):
        self.folder = folder
        self.glossary = glossary
        self.config = config
        self.urls = urls
        self.sources = {p.name: read_input_text(p, folder) for p in input_files(folder, "*.*")}
        self.strings = _interface_strings(folder / "strings.yaml", self.sources)
        self.key = digest(
            *(f"{name}\n{text}" for name, text in sorted(self.sources.items())),
            repr(sorted(urls.assets.items())),
            repr(config),
        )
        self.env = _ParsingOnce(
            loader=DictLoader(self.sources),
            autoescape=select_autoescape(["html", "xml"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_compiled_templates(compiled_dir) if compiled_dir else None,
        )
        self.env.template_class = _EscapingFaster
        self.env.context_class = _CallingFaster
        self.env.globals.update(
            url=urls.url,
            absolute=config.absolute,
            html_lang=HTML_LANG,
            localized=self.localized,
            iso_datetime=iso_datetime,
            asset=urls.asset,
        )
        self.env.filters["safe"] = _mark_safe
        self.env.filters["date"] = format_date
        self.env.filters["month"] = format_month
        self.env.globals["story_items"] = self.story_items
        self.env.globals["chrome"] = self.chrome
        self._chrome: dict[tuple[str, str], Markup] = {}
        self._story_items: dict[tuple[str, str, bool], Markup] = {}
        self.items = items  # story_items()' store between builds
        self._keys: dict[str, str] = {}  # template -> key_of(template)
        self._tags_shown: dict[str, TagsShown] = {}  # template -> tags_shown(template)
        # List items are made with macros.html: its key is theirs.
        self.items_key = self.key_of("macros.html")
        # None stored for these templates (a first build, a template changed): none is
        # looked for, one query per list item in every worker.
        self.items_stored = bool(items and items.has_prefix(ITEMS, f"{self.items_key}:"))
        self.made_items: dict[str, str] = {}  # rendered here, not yet in the store
        self._runs: dict[str, Markup] = {}  # runs of list items, by _run_key
        # The runs of list items pages rendered here used (None) or made (their HTML).
        self.made_runs: dict[str, str | None] = {}

    def chrome(self, name: str, lang: str) -> Markup:
        """One of CHROME in a language, rendered once from what is the same on all its
        pages: the language, its strings and the config (a template that used more would
        fail: the templates' undefined is strict)."""
        found = self._chrome.get((name, lang))
        if found is None:
            template = self.env.get_template(name)
            html = template.render(lang=lang, t=self.strings[lang], config=self.config)
            found = self._chrome[name, lang] = Markup(html.strip())
        return found

    def story_items(
        self, stories: list[Story], lang: str, t: dict, with_summary: bool = True
    ) -> Markup:
        """macros.html's story_item of each story, one after another: a list in one call
        from the template. Lists (the archive's months, a tag's) come in runs of items,
        each kept between builds: an added article's archive and tag pages cost a lookup
        per run, and the items of the run it is in."""
        if len(stories) < RUNS_FROM or not all(s.key for s in stories):  # (no key: no cache)
            return self._items_html(stories, lang, t, with_summary)
        runs = _runs(stories)
        keys = [self._run_key(run, lang, with_summary) for run in runs]
        wanted = [key for key in keys if key not in self._runs]
        if wanted and self.items_stored:
            self._runs.update(self._stored(LISTS, wanted))
        html: list[Markup] = []
        for run, key in zip(runs, keys, strict=True):
            found = self._runs.get(key)
            if found is None:
                found = self._runs[key] = self._items_html(run, lang, t, with_summary)
                self.made_runs[key] = str(found)
            else:
                self.made_runs.setdefault(key, None)
            html.append(found)
        return Markup("".join(html))

    def _run_key(self, run: list[Story], lang: str, with_summary: bool) -> str:
        """What a run of items is made from: the items' own keys (_stored_key)."""
        return digest(self.items_key, lang, str(with_summary), *(f"{s.id}:{s.key}" for s in run))

    def _items_html(self, stories: list[Story], lang: str, t: dict, with_summary: bool) -> Markup:
        """The stories' items, each rendered once for each language and form: lists
        repeat their stories across pages (tags, archive, home, related). Once a build
        in memory, and between builds in the cache (`items`), keyed by the templates
        and the story's texts: the lookups of a list in one query."""
        wanted = [s for s in stories if (s.id, lang, with_summary) not in self._story_items]
        if wanted and self.items_stored:
            keys = {self._stored_key(s, lang, with_summary): s for s in wanted if s.key}
            for key, html in self._stored(ITEMS, list(keys)).items():
                self._story_items[(keys[key].id, lang, with_summary)] = html
        return Markup("".join([self._story_item(s, lang, t, with_summary) for s in stories]))

    def _story_item(self, story: Story, lang: str, t: dict, with_summary: bool) -> Markup:
        key = (story.id, lang, with_summary)
        found = self._story_items.get(key)
        if found is None:
            macro = self.env.get_template("macros.html").module.story_item  # type: ignore[attr-defined]
            html = str(macro(story, lang, t, with_summary))
            if story.key:
                self.made_items[self._stored_key(story, lang, with_summary)] = html
            found = self._story_items[key] = Markup(html)
        return found

    def _stored(self, namespace: str, keys: list[str]) -> dict[str, Markup]:
        """The items or runs of these keys that the cache holds (asked only when it holds
        some of these templates': not in a first build, nor when macros.html changed)."""
        if self.items is None:
            return {}
        found = self.items.get_many(namespace, keys)
        return {key: Markup(html) for key, html in found.items() if isinstance(html, str)}

    def _stored_key(self, story: Story, lang: str, with_summary: bool) -> str:
        return f"{self.items_key}:{story.id}:{story.key}:{lang}:{int(with_summary)}"

    def key_of(self, template: str) -> str:
        """What the pages of a template are made with: that template and those it uses
        (extends, includes, imports, in turn), macros.html (story_items() lists stories
        with it in any page), the CHROME templates (chrome() puts them in any page), the
        interface strings, the assets and the config. A change to article.html leaves
        the other 8,000 pages of a 4,000-article site as they are."""
        key = self._keys.get(template)
        if key is None:
            names = {*self._made_with(template), "strings.yaml"}
            names.update(*(self._used_by(name) for name in CHROME))
            key = self._keys[template] = digest(
                *(
                    f"{name}\n{self.sources[name]}"
                    for name in sorted(names)
                    if name in self.sources
                ),
                repr(sorted(self.urls.assets.items())),
                repr(self.config),
            )
        return key

    def tags_shown(self, template: str) -> TagsShown:
        """Whose tags the pages of a template can show: read in the templates they are
        made with (the CHROME ones see no story)."""
        found = self._tags_shown.get(template)
        if found is None:
            names = self._made_with(template)
            shown = [self._uses(name)[1] for name in names if name in self.sources]
            found = self._tags_shown[template] = TagsShown(
                own=any(s.own for s in shown), listed=any(s.listed for s in shown)
            )
        return found

    def _made_with(self, template: str) -> set[str]:
        """The templates a page of this one is rendered with, CHROME's aside: it, those it
        uses, and macros.html (story_items() lists stories with it in any page)."""
        return {*self._used_by(template), *self._used_by("macros.html")}

    def _used_by(self, name: str) -> set[str]:
        """The template and those it uses, in turn (those that exist: check() names
        what is missing)."""
        found, pending = {name}, [name]
        while pending:
            current = pending.pop()
            if current in self.sources:
                for used in self._referenced(current):
                    if used not in found:
                        found.add(used)
                        pending.append(used)
        return found

    def render_keeping_items(
        self, page: Page
    ) -> tuple[bytes, dict[str, str], dict[str, str | None]]:
        """render(page), the list items it made that the cache has not seen, and the runs
        of them it used or made (to be put there by the main process: a forked worker's
        cache is read-only)."""
        data = self.render(page)
        made, self.made_items = self.made_items, {}
        runs, self.made_runs = self.made_runs, {}
        return data, made, runs

    def prepare(self) -> None:
        """Compile every template, and read which others each uses, before the pages:
        a build that renders many does it while its workers make the stories'
        features (see pipeline), where each worker of the pages compiled them all again
        (45 ms each in a first build). A template that does not compile is left for the
        page that needs it to name (check, render): one that no page uses is no error."""
        for name in self.sources:
            if name == "strings.yaml":
                continue
            try:
                self._uses(name)
                self.env.get_template(name)
            except TemplateError:
                pass

    def forget_items(self) -> None:
        """Let go of the list items and runs of them rendered here (a worker done with
        its pages: they are megabytes at 10,000 articles)."""
        self._story_items.clear()
        self._runs.clear()
        self.made_items.clear()
        self.made_runs.clear()

    def localized(self, name: str, lang: str) -> dict:
        """A Chinese name (an outlet, say) in the page's language where the glossary has it."""
        if lang != "zh" and name in self.glossary:
            return {"text": self.glossary[name], "lang": lang}
        return {"text": name, "lang": "zh"}

    def check(self, names: set[str]) -> None:
        """Every template these pages need, and every template those use, is there: a
        missing one is named before anything is rendered."""
        if self.items:  # what older templates used goes
            self.items.prune(USES, f"{self.key}:")
        needed: list[tuple[str, str | None]] = [(name, None) for name in sorted(names)]
        seen: set[str] = set()
        while needed:
            name, user = needed.pop()
            if name in seen:
                continue
            seen.add(name)
            if name not in self.sources:
                why = f"{user} uses it" if user else "the site's pages need it"
                raise InputError(self.folder / name, f"template is missing ({why})")
            needed += [(used, name) for used in self._referenced(name)]

    def _referenced(self, name: str) -> tuple[str, ...]:
        """The templates this one includes, imports or extends."""
        return self._uses(name)[0]

    def _uses(self, name: str) -> tuple[tuple[str, ...], TagsShown]:
        """The templates this one uses, and whose tags it reads (found by parsing it:
        remembered in this process by the template's text, as its compiled code is)."""
        source = self.sources[name]
        found = _USES.get(source)
        if found is None:
            key = f"{self.key}:{name}"  # between builds too: parsing them all takes 0.1 s
            stored = self.items.get(USES, key) if self.items else None
            if isinstance(stored, tuple):
                found = stored
            else:
                tree = self.env.parse(source, name, name)
                used = tuple(used for used in meta.find_referenced_templates(tree) if used)
                found = (used, _tags_read(tree))
                self.env.parsed[name, source] = tree  # compiled next: not parsed again
                if self.items:
                    self.items.put(USES, key, found)
            _USES.put(source, found)
        return found

    def render(self, page: Page) -> bytes:
        text = self.env.get_template(page.template).render(page.full_context())
        if page.path.endswith(".xml"):
            # XML 1.0 forbids control characters: a feed with one is not XML at all.
            # Inputs are cleaned as they are read; this makes it so whatever the source.
            text = remove_control_characters(text)
        return text.encode("utf-8")


try:  # MarkupSafe 3's escaping of a string itself, in C
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover - an older MarkupSafe: its own escape throughout
    _escape_inner = None  # type: ignore[assignment]

_new_str = str.__new__


# What the compiled templates call most, made quicker where the value is a plain str
# or function (a first build at 1,000 articles renders 4,000 pages: 290,000 values
# escaped, 85,000 calls, 55,000 `safe`, 28,000 `~`); the rest goes to Jinja's own.
# Together a fifth off rendering every page (0.74 -> 0.60 s, serially, at 1,000).


def _escape(value: object) -> str:
    """markupsafe.escape for what the compiled code prints: a str escaped, as a str (what
    it prints is joined into the page, or into a macro's or a block's output that is
    then made Markup as a whole: it is never used as Markup itself), markup as it is,
    anything else as markupsafe.escape makes it."""
    if type(value) is str:
        return _escape_inner(value)
    if type(value) is Markup:
        return value
    return escape(value)


def _markup_join(values: tuple) -> str:
    """`a ~ b` with autoescape (runtime.markup_join), for the usual all-str operands."""
    for value in values:
        if type(value) is not str:
            return markup_join(values)
    return "".join(values)


def _mark_safe(value: object) -> Markup:
    """The `safe` filter (Markup(value)), without Markup's constructor for a str."""
    return _new_str(Markup, value) if type(value) is str else Markup(value)


class _EscapingFaster(Template):
    """A template whose code uses _escape and _markup_join: the compiled code looks
    `escape` and `markup_join` up in its module's namespace when it runs, and this puts
    the quicker ones there once the code has set it. (Should Jinja make templates
    otherwise, this is not called and its own are used: the same output.)"""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        if _escape_inner is not None and namespace.get("escape") is escape:
            namespace["escape"] = _escape
        if namespace.get("markup_join") is markup_join:
            namespace["markup_join"] = _markup_join
        return super()._from_namespace(environment, namespace, globals)


class _ParsingOnce(Environment):
    """An environment that compiles a template from the tree Templates._uses parsed it
    into, where there is one, rather than parsing it again: a first build parsed every
    template twice, a third of compiling them (in the build's own process, while its
    workers make the features). A tree is used once: compiling changes it."""

    def __init__(self, **options):
        super().__init__(**options)
        self.parsed: dict[tuple[str | None, str], nodes.Template] = {}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = self.parsed.pop((name, source), None)
        return super()._parse(source, name, filename) if tree is None else tree


class _CallingFaster(Context):
    """A template's context whose call() (every call a template makes: url(), a tag's
    name(), dict.get) calls a plain function or method straight away. Jinja's own looks
    each time for the marks pass_context and its kin put on a function: a function is
    looked at once here, and a built-in never has them."""

    @internalcode  # (left out of a template error's traceback, as Jinja's own call is)
    def call(__self, __obj, *args, **kwargs):  # (names as Jinja has them: no clash with kwargs)
        kind = type(__obj)
        if kind is MethodType:
            plain = _takes_nothing_passed(__obj.__func__)
        elif kind is FunctionType:
            plain = _takes_nothing_passed(__obj)
        else:
            plain = kind is BuiltinFunctionType
        if not plain:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja's
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


_PLAIN_FUNCTIONS: dict[FunctionType, bool] = {}


def _takes_nothing_passed(function: FunctionType) -> bool:
    """Does Jinja pass this function nothing of its own (no pass_context and the like)?"""
    plain = _PLAIN_FUNCTIONS.get(function)
    if plain is None:
        if len(_PLAIN_FUNCTIONS) > 4096:  # (templates call a few dozen)
            _PLAIN_FUNCTIONS.clear()
        plain = _PLAIN_FUNCTIONS[function] = not hasattr(function, "jinja_pass_arg")
    return plain


# Where a template may give a name (`story`) to something other than the page's own.
_SCOPES = (nodes.For, nodes.Macro, nodes.CallBlock, nodes.With, nodes.FilterBlock)


def _tags_read(tree: nodes.Template) -> TagsShown:
    """Whose tags a template reads: the page's own story's (`story.tags`, outside any
    loop or macro, `story` never set) or another's (every other way to a story's tags,
    also by name: attr('tags'), map(attribute='tags')). `t.tags` is an interface
    string. Erring towards "read": what is not read is all the pages' fingerprints
    leave out (fingerprints.py)."""
    own = listed = renamed = False
    pending: list[tuple[nodes.Node, bool]] = [(tree, False)]
    while pending:
        node, scoped = pending.pop()
        children = list(node.iter_child_nodes())
        whose: nodes.Node | None = None
        if isinstance(node, nodes.Getattr) and node.attr in TAG_ATTRIBUTES:
            whose = node.node
        elif isinstance(node, nodes.Getitem) and _names_tags(node.arg):
            whose, children = node.node, [node.node]
        elif _names_tags(node):
            listed = True
        elif isinstance(node, nodes.Name) and node.name == "story" and node.ctx != "load":
            renamed = renamed or not scoped
        if whose is not None and not (isinstance(whose, nodes.Name) and whose.name == "t"):
            if isinstance(whose, nodes.Name) and whose.name == "story" and not scoped:
                own = True
            else:
                listed = True
        inner = scoped or isinstance(node, _SCOPES)
        pending += [(child, inner) for child in children]
    return TagsShown(own=own, listed=listed or (own and renamed))


def _names_tags(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Const) and node.value in TAG_ATTRIBUTES


def _runs(stories: list[Story]) -> list[list[Story]]:
    """The list cut into runs where its stories say (RUN_ENDS)."""
    runs: list[list[Story]] = []
    run: list[Story] = []
    for story in stories:
        run.append(story)
        if len(run) == RUN_MOST or zlib.crc32(story.id.encode()) % RUN_ENDS == 0:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


class _Remembered:
    """A process's memory of what depends only on its key (a template's text): kept
    between the builds of one process (serve, tests), never more than `size` entries."""

    def __init__(self, size: int = 256):
        self.size = size
        self.values: dict = {}

    def get(self, key):
        return self.values.get(key)

    def put(self, key, value) -> None:
        if len(self.values) >= self.size:
            self.values.clear()
        self.values[key] = value


_USES = _Remembered()  # template text -> the templates it uses, whose tags it reads
_COMPILED = _Remembered()  # (Jinja's template key, source checksum) -> compiled code


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's compiled templates on disk, and in this process's memory in front of
    them: a rebuild in the same process (serve, or a second project) loads no file.
    The memory is keyed as Jinja keys the files, by the template's name and the
    checksum of its source; compiled code depends on nothing else in one process."""

    def load_bytecode(self, bucket: Bucket) -> None:
        code = _COMPILED.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code
            return
        super().load_bytecode(bucket)
        if bucket.code is not None:
            _COMPILED.put((bucket.key, bucket.checksum), bucket.code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        super().dump_bytecode(bucket)
        _COMPILED.put((bucket.key, bucket.checksum), bucket.code)


def _compiled_templates(folder: Path) -> FileSystemBytecodeCache:
    """Jinja's compiled templates, kept between builds (compiling them is a tenth of the
    time of a build that adds one article). Jinja checks each against its template's
    source; the folder is named after this package's code, whose Environment options
    (autoescaping, whitespace) the compiled code depends on too. Older folders go."""
    current = folder / code_version()[:16]
    if not current.is_dir():
        if folder.is_dir() and not folder.is_symlink():
            for old in folder.iterdir():
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old, ignore_errors=True)
        current.mkdir(parents=True, exist_ok=True)
    return _CompiledTemplates(str(current))


def _interface_strings(path: Path, sources: dict[str, str]) -> dict[str, dict[str, str]]:
    """templates/strings.yaml: the interface text of each language."""
    if path.name not in sources:
        raise InputError(path, "is missing (the interface text of each language)")
    try:
        strings = parse_yaml(sources[path.name])
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML{yaml_problem(exc)}") from None
    for lang in LANGUAGES:
        texts = strings.get(lang) if isinstance(strings, dict) else None
        if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
            raise InputError(path, f"{lang}: must map names to the interface text in {lang}")
    return strings
