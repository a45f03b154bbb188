"""The templates: Jinja2 with autoescaping on, the interface strings, the filters.

Every template is read once (inputs.py's rules) and served from memory; `key` is a
hash of all of them, the config and the assets, which every page's fingerprint holds.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from jinja2 import DictLoader, Environment, StrictUndefined, meta, select_autoescape
from markupsafe import Markup

from briefing.cache import digest
from briefing.config import LANGUAGES, SiteConfig
from briefing.enrich import Story
from briefing.errors import InputError
from briefing.inputs import input_files, parse_yaml, read_input_text, yaml_problem
from briefing.render.dates import format_date, format_month, iso_datetime
from briefing.render.pages import Page
from briefing.render.urls import Urls
from briefing.text.decoding import remove_control_characters

HTML_LANG = {"zh": "zh-Hans", "en": "en"}  # also the hreflang values


class Templates:
    """templates/: the pages' markup, loaded once, and what renders a page with it."""

    def __init__(self, folder: Path, config: SiteConfig, urls: Urls, glossary: dict[str, str]):
        self.folder = folder
        self.glossary = glossary
        self.sources = {p.name: read_input_text(p, folder) for p in input_files(folder, "*.*")}
        self.strings = _interface_strings(folder / "strings.yaml", self.sources)
        self.key = digest(
            *(f"{name}\n{text}" for name, text in sorted(self.sources.items())),
            repr(sorted(urls.assets.items())),
            repr(config),
        )
        self.env = Environment(
            loader=DictLoader(self.sources),
            autoescape=select_autoescape(["html", "xml"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals.update(
            url=urls.url,
            absolute=config.absolute,
            html_lang=HTML_LANG,
            localized=self.localized,
            iso_datetime=iso_datetime,
            asset=urls.asset,
        )
        self.env.filters["date"] = format_date
        self.env.filters["month"] = format_month
        self.env.globals["story_item"] = self.story_item
        self._story_items: dict[tuple[str, str, bool], Markup] = {}

    def story_item(self, story: Story, lang: str, t: dict, with_summary: bool = True) -> Markup:
        """macros.html's story_item, rendered once a build for each story, language and
        form: lists repeat their stories across pages (tags, archive, home, related)."""
        key = (story.id, lang, with_summary)
        found = self._story_items.get(key)
        if found is None:
            macro = self.env.get_template("macros.html").module.story_item  # type: ignore[attr-defined]
            found = self._story_items[key] = Markup(macro(story, lang, t, with_summary))
        return found

    def localized(self, name: str, lang: str) -> dict:
        """A Chinese name (an outlet, say) in the page's language where the glossary has it."""
        if lang != "zh" and name in self.glossary:
            return {"text": self.glossary[name], "lang": lang}
        return {"text": name, "lang": "zh"}

    def check(self, names: set[str]) -> None:
        """Every template these pages need, and every template those use, is there: a
        missing one is named before anything is rendered."""
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
            tree = self.env.parse(self.sources[name], name, name)
            needed += [(used, name) for used in meta.find_referenced_templates(tree) if used]

    def render(self, page: Page) -> bytes:
        context = {**page.context, **page.derive()} if page.derive else page.context
        text = self.env.get_template(page.template).render(context)
        if page.path.endswith(".xml"):
            # XML 1.0 forbids control characters: a feed with one is not XML at all.
            # Inputs are cleaned as they are read; this makes it so whatever the source.
            text = remove_control_characters(text)
        return text.encode("utf-8")


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
