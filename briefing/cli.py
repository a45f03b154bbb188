"""Command line: `python build.py [command] [options]`."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import logging
import os
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from briefing import freshness
from briefing.config import (
    DEVICES,
    Project,
    TranslationSettings,
    is_beam_size,
    load_translation_settings,
)
from briefing.errors import BriefingError, InputError, WarningCounter, log
from briefing.model import ENGLISH_STATES, NEEDS_REVIEW


def _output_options(default) -> argparse.ArgumentParser:
    """-q, -v and --strict. The top parser has them with False as the default; each
    command has them with SUPPRESS, so that an option given before the command is not
    reset by the command's own default (`--strict build` is `build --strict`)."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="print problems only"
    )
    options.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="print every step, dropped lines and tracebacks",
    )
    options.add_argument(
        "--strict",
        action="store_true",
        default=default,
        help="exit with status 1 if anything was warned about (work waiting for a "
        "translator or reviewer is not a warning)",
    )
    return options


DESCRIPTION = """Build the bilingual briefing site from the articles in content/.

Options go before or after the command: `python build.py --strict build` and
`python build.py build --strict` are the same. With no command, `build`."""


def make_parser() -> argparse.ArgumentParser:
    common = _output_options(default=argparse.SUPPRESS)
    # Translation speed/quality, over site.toml [translate]; SUPPRESS keeps a value given
    # before the command from being reset by the command's own default.
    speed = argparse.ArgumentParser(add_help=False)
    speed.add_argument(
        "--beam",
        type=_beam_size,
        default=argparse.SUPPRESS,
        metavar="N",
        help="beam size of machine translation: 4 is Argos' default, 1 a fast draft",
    )
    speed.add_argument(
        "--device",
        choices=DEVICES,
        default=argparse.SUPPRESS,
        help="run the model on the CPU (the default), a CUDA GPU, or a GPU if there is one",
    )
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_output_options(default=False), speed],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "build",
        parents=[common, speed],
        help="ingest, translate what lacks English (if a model is installed), write site/ "
        "(the default)",
    )
    ingest = commands.add_parser(
        "ingest",
        parents=[common],
        help="turn new raw pages in content/raw/ into content/zh/<id>.md, and nothing more "
        "(no translation, no site: `translate` and `build` do those)",
        description="Turns new raw pages in content/raw/ into content/zh/<id>.md, and does "
        "nothing more: it does not translate, so the Chinese can be checked first "
        "(`python build.py translate` machine-translates it, `python build.py` also writes "
        "the site).",
    )
    ingest.add_argument(
        "--reingest",
        action="store_true",
        help="redo already ingested raw files (a changed article is kept as <id>.md.bak)",
    )
    ingest.add_argument("files", nargs="*", type=Path, help="only these raw files")
    translate = commands.add_parser(
        "translate",
        parents=[common, speed],
        help="ingest, then machine-translate what lacks English (no site is written)",
    )
    translate.add_argument(
        "--redo-drafts",
        action="store_true",
        help="also redo untouched machine English made at a lower beam than now (drafts)",
    )
    listing = commands.add_parser(
        "list",
        parents=[common],
        help="every article: id, date, title and the state of its English",
        description="Every article, newest first: id, date, the state of its English and "
        "its title. English states: "
        + "; ".join(f"{state}: {meaning}" for state, meaning in ENGLISH_STATES.items())
        + f". {NEEDS_REVIEW}: ingest was unsure of something, or the machine English lost "
        "a name or number.",
    )
    listing.add_argument(
        "--state",
        action="append",
        choices=[*ENGLISH_STATES, NEEDS_REVIEW],
        help="only articles in this state (repeat for several)",
    )
    listing.add_argument("--json", action="store_true", help="print JSON, for scripts")
    reviewed = commands.add_parser(
        "reviewed",
        parents=[common],
        help="a person checked the English of these articles against the current Chinese "
        "(or, with --ingest, what ingest was unsure of)",
        description="Marks the English of each article as checked against the Chinese as it "
        "is now: its provenance becomes current (no longer stale) and says who and when "
        "(reviewed_by, reviewed_at); its 'lost in translation' warnings are cleared. Only "
        "front-matter changes. With --ingest, it is the Chinese article that was checked: "
        "its `review:` notes (what ingest was unsure of) are cleared, and the English is "
        "left as it is.",
    )
    reviewed.add_argument("ids", nargs="+", metavar="ID")
    reviewed.add_argument(
        "--by", metavar="NAME", help="who reviewed (default: git's user.name, else $USER)"
    )
    reviewed.add_argument(
        "--ingest",
        action="store_true",
        help="clear the Chinese article's `review:` notes instead (its English is untouched)",
    )
    remove = commands.add_parser(
        "remove",
        parents=[common],
        help="take articles out of the site; their files go to content/removed/<id>/",
        description="Moves an article's Chinese and English files, and its raw page unless "
        "another article still comes from it, to content/removed/<id>/ (nothing is "
        "deleted; the next build neither publishes nor ingests it again). --undo puts "
        "them back.",
    )
    remove.add_argument("ids", nargs="+", metavar="ID")
    remove.add_argument(
        "--undo", action="store_true", help="put removed articles back where they were"
    )
    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="build, then preview site/ on http://HOST:PORT, rebuilding on change",
    )
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0: any)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0: every "
        "network, e.g. to try the site on a phone)",
    )
    serve.add_argument("--no-watch", action="store_true", help="don't rebuild on change")
    install = commands.add_parser(
        "install-model",
        parents=[common],
        help="install the zh->en Argos Translate model (from the Argos index, or a file)",
    )
    install.add_argument("--from-file", type=Path, metavar="PATH.argosmodel")
    commands.add_parser(
        "doctor",
        parents=[common, speed],
        help="what is installed for translation, and where it runs",
    )
    commands.add_parser(
        "status",
        parents=[common, speed],
        help="what waits for a translator or reviewer: missing, stale, edited and draft "
        "translations, lost names and numbers, doubtful ingests; how long the rest would take",
    )
    explain = commands.add_parser(
        "explain",
        parents=[common],
        help="show how ingest reads a raw page: the role of every line and why",
    )
    explain.add_argument("file", type=Path)
    return parser


def _port(text: str) -> int:
    """A TCP port number, or 0 for any free port."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    # A terminal that cannot show Chinese (LANG=C, an ASCII pipe) gets \u escapes, never
    # a UnicodeEncodeError in place of the output.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    # numpy's OpenBLAS starts a thread for every core when numpy is imported, and they
    # spin: the import took twice its CPU (0.09 s more in a first build at 1,000, in its
    # step from the features to the pages). The build's numpy (related articles, a whole
    # search index) calls no BLAS routine; a setting of the user's own is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = make_parser().parse_args(argv)
    project = Project((root or Path.cwd()).resolve())
    # The log is set up for this call and put back after it: a caller that runs main()
    # more than once (tests, a script) never keeps a handler on a stream that is gone.
    saved = log.handlers[:], log.level, log.propagate
    counter = _setup_logging(args, project)
    try:
        return _run(args, project, counter)
    finally:
        log.handlers[:], log.propagate = saved[0], saved[2]
        log.setLevel(saved[1])


def exit_at_once(code: int) -> NoReturn:
    """End the process without Python's teardown, which frees the build's objects one by
    one (its stories, pages and caches: the system frees them at once when the process
    ends): 0.11-0.16 s of adding an article at 1,000. What is registered to run at exit
    still runs, and the output is flushed; with other threads still running (`serve`),
    the usual exit waits for them."""
    if threading.active_count() > 1:
        sys.exit(code)
    try:
        atexit._run_exitfuncs()  # what the interpreter runs at exit (CPython's own runner)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed pipe (`| head`)
                stream.flush()
        os._exit(code)


def _run(args: argparse.Namespace, project: Project, counter: WarningCounter) -> int:
    try:
        if args.command == "explain":
            return _explain(args.file)
        if args.command == "ingest":
            only = {p.resolve() for p in args.files} if args.files else None
            for path in args.files:
                if path.resolve().parent != project.raw_dir.resolve() or not path.is_file():
                    log.error("%s: not a file in content/raw/; nothing ingested", path)
                    return 1
            _build(project, reingest=args.reingest, only=only, render=False, translate=False)
        elif args.command == "translate":
            _build(project, render=False, translation_settings=_translation_settings(args, project))
        elif args.command == "install-model":
            from briefing.translate.model import install_model

            model = install_model(args.from_file)
            log.info("installed %s at %s", model.label, model.path)
        elif args.command == "doctor":
            from briefing.translate.status import doctor_lines

            print("\n".join(doctor_lines(_translation_settings(args, project))))
        elif args.command == "status":
            return _status(project, _translation_settings(args, project))
        elif args.command == "list":
            return _list(project, set(args.state or ()), args.json)
        elif args.command == "reviewed":
            _reviewed(project, args.ids, args.by, args.ingest)
        elif args.command == "remove":
            _remove(project, args.ids, args.undo)
        elif args.command == "serve":
            from briefing.serve import make_server, serve

            # The address is taken before the build: a port in use is said at once.
            with make_server(project, args.port, args.host) as server:
                _build(project)
                serve(
                    project,
                    server,
                    rebuild=lambda: _build(project).written,
                    watch=not args.no_watch,
                )
        elif not (added := freshness.files_added_or_removed(project)) and freshness.up_to_date(
            project, inputs := freshness.input_fingerprint(project)
        ):
            # Answered before the pipeline and its libraries are imported: most of
            # the time a no-change build takes.
            log.info(freshness.UP_TO_DATE)
        else:
            from briefing.helper import early_reads, segmenting_helper

            # Both started before the pipeline is imported; with files added or removed
            # (an article added: a build for sure), before the inputs are looked at too
            # (a stat of every file: 7 ms at 1,000 articles, 0.2 s at 10,000), while
            # the helper loads jieba. (What the early reads parse is used only for files
            # the build finds unchanged when it reads them.)
            with segmenting_helper(project) as helper, early_reads(project) as early:
                if added:
                    inputs = freshness.input_fingerprint(project)
                # What the build reads, as looked at just now: not looked at again.
                _build(
                    project,
                    translation_settings=_translation_settings(args, project),
                    inputs=inputs,
                    helper=helper,
                    early=early,
                )
    except BriefingError as exc:
        log.error("%s", exc)
        return 1
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130
    except Exception as exc:  # a bug of ours: one line, the traceback only with -v
        if args.verbose:
            raise
        log.error("internal error: %s: %s (run with -v for the traceback)", type(exc).__name__, exc)
        return 2
    if args.strict and counter.count:
        log.error("--strict: %d warnings or errors; failing the build", counter.count)
        return 1
    return 0


def _build(project: Project, **options):
    from briefing.pipeline import build

    return build(project, **options)


def _beam_size(text: str) -> int:
    if not text.isdigit() or not is_beam_size(int(text)):
        raise argparse.ArgumentTypeError(f"a whole number from 1 to 16, not {text!r}")
    return int(text)


def _translation_settings(args: argparse.Namespace, project: Project) -> TranslationSettings:
    """site.toml [translate] with the command line's choices over it."""
    settings = load_translation_settings(project.config_path)
    return replace(
        settings,
        beam_size=getattr(args, "beam", settings.beam_size),
        device=getattr(args, "device", settings.device),
        redo_drafts=getattr(args, "redo_drafts", False),
    )


def _status(project: Project, settings: TranslationSettings) -> int:
    from briefing.content import read_articles
    from briefing.glossary import load_glossary
    from briefing.translate.status import status_lines

    zh = read_articles(project, "zh").articles
    lines = status_lines(
        project,
        zh,
        read_articles(project, "en").articles,
        load_glossary(project.glossary_path),
        settings,
    )
    print(
        "\n".join(lines)
        if lines
        else "every article has an up-to-date English translation, none waits for review"
    )
    # What ingest was unsure of: the editor checks these pages, then deletes `review:`.
    doubtful = [a for a in zh if a.review]
    if doubtful:
        print(
            f"\n{len(doubtful)} ingested {'article needs' if len(doubtful) == 1 else 'articles need'} a look:"
        )
        for article in doubtful:
            print(
                f"review: content/zh/{article.id}.md ({', '.join(article.review)}): {article.title}"
            )
        print("(fix what is wrong, then `python build.py reviewed --ingest ID` clears the notes)")
    return 0


def _list(project: Project, wanted: set[str], as_json: bool) -> int:
    import json

    from briefing.content import read_articles
    from briefing.review import article_states, state_lines, state_summary

    states = article_states(
        read_articles(project, "zh").articles, read_articles(project, "en").articles
    )
    if wanted:
        states = [s for s in states if s.states & wanted]
    if as_json:
        print(json.dumps([s.as_json() for s in states], ensure_ascii=False, indent=1))
    else:
        print("\n".join([*state_lines(states), state_summary(states)]))
    return 0


def _reviewed(project: Project, ids: list[str], by: str | None, ingest: bool) -> None:
    from briefing.pipeline import build_lock
    from briefing.review import mark_ingest_reviewed, mark_reviewed, reviewer_name

    reviewer = None if ingest else by or reviewer_name(project)
    with build_lock(project):  # not while a build writes English
        for article_id in ids:
            if reviewer is None:
                log.info("%s", mark_ingest_reviewed(project, article_id))
            else:
                log.info("%s", mark_reviewed(project, article_id, reviewer))


def _remove(project: Project, ids: list[str], undo: bool) -> None:
    from briefing.pipeline import build_lock
    from briefing.removal import remove_article, removed_dir, restore_article

    with build_lock(project):
        for article_id in ids:
            where = project.relative(removed_dir(project, article_id))
            if undo:
                files = restore_article(project, article_id)
                log.info("put back %s from %s/: %s", article_id, where, ", ".join(files))
            else:
                files = remove_article(project, article_id)
                log.info(
                    "removed %s: %s moved to %s/ (python build.py remove --undo %s puts them back)",
                    article_id,
                    ", ".join(f"content/{f}" for f in files),
                    where,
                    article_id,
                )
    log.info("site/ shows this after the next build (python build.py)")


def _explain(path: Path) -> int:
    from briefing.ingest import IngestError, explain, read_raw_page
    from briefing.inputs import read_input
    from briefing.text.decoding import MAX_RAW_BYTES

    try:
        data = read_input(path, None, limit=MAX_RAW_BYTES, what="raw articles")
        page = read_raw_page(data, path.name, "", str(path))
    except InputError as exc:
        log.error("%s", exc)
        return 1
    except IngestError as exc:
        log.error("%s: %s", path, exc)
        return 1
    print(explain(page))
    for article in page.articles:
        print(f"-> {article.id}: {article.title} ({len(article.paragraphs)} paragraphs)")
    for note in page.notes:
        print(f"note: {note}")
    return 0


class _ProjectFormatter(logging.Formatter):
    """Messages name files relative to the project root; warnings say so."""

    def __init__(self, project: Project):
        super().__init__()
        self.prefix = f"{project.root}/"

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace(self.prefix, "")
        if record.levelno >= logging.ERROR:
            return f"error: {message}"
        if record.levelno >= logging.WARNING:
            return f"warning: {message}"
        return message


def _setup_logging(args: argparse.Namespace, project: Project) -> WarningCounter:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ProjectFormatter(project))
    counter = WarningCounter()
    log.handlers[:] = [handler, counter]
    log.propagate = False
    if args.verbose:
        log.setLevel(logging.DEBUG)
    elif args.quiet:
        log.setLevel(logging.WARNING)
    else:
        log.setLevel(logging.INFO)
    return counter
