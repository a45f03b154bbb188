"""Translate: Chinese articles -> English counterparts in content/en, offline, with Argos Translate.

The model is an Argos Translate package (installed with Argos' own package
API). Instead of Argos' per-paragraph `translate()`, every sentence of a
build that needs translating goes to the package's CTranslate2 model in
batches of sentences of about the same length, tokenized with the package's
own SentencePiece tokenizer and with Argos' decoding options, so the output is
the same, faster. A translation memory (SQLite, in .cache/) means a sentence is
never sent to the model twice at the same settings; each batch is committed to
it as soon as it is done, so a run stopped by Ctrl+C or a kill loses at most
the batches in progress, and the next run goes on from there.

Speed against quality (site.toml [translate], or --beam / --device): beam 4 is
Argos' default, beam 1 a draft several times faster. The beam is part of the
memory's key and is recorded in each English file, so that
`translate --redo-drafts` redoes untouched drafts at a higher beam later.

Provenance rules for content/en/<id>.md (front-matter `translation:`):
- `method: editorial` (a person's translation) is never overwritten; if the
  Chinese changed since (`source_hash`), it is reported as stale.
- `method: machine` whose text a person changed (it no longer matches
  `output_hash`) counts as a person's edit: kept, and reported if stale.
- `method: machine`, untouched, is redone when the Chinese changes, and, with
  --redo-drafts, when its `beam_size` is lower than the one asked for.
argostranslate (and torch under it) is imported only when there is
something to translate, so a render-only install never needs it.

    model.py     the Argos package: find, install from the index or a file
    engine.py    batched CTranslate2 translation on the device and cores there are
    memory.py    the translation memory (SQLite in .cache/), committed per batch
    protect.py   glossary names and numbers written in English before, checked after
    stage.py     the stage: which articles need English; writing it, never over a person's
    status.py    `status` and `doctor`: what waits, how long it will take, what is installed
"""
