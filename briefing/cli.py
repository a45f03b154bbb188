"""Command line: `python build.py [command] [options]`."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from pathlib import Path

from briefing import freshness
from briefing.config import (
    DEVICES,
    Project,
    TranslationSettings,
    is_beam_size,
    load_translation_settings,
)
from briefing.errors import BriefingError, InputError, WarningCounter, log


def make_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print warnings and errors only")
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print every step, dropped lines and tracebacks",
    )
    common.add_argument(
        "--strict", action="store_true", help="exit with status 1 if anything was warned about"
    )
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
        description="Build the bilingual briefing site from the articles in content/.",
        parents=[common, speed],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "build", parents=[common, speed], help="run the whole pipeline (the default)"
    )
    ingest = commands.add_parser(
        "ingest",
        parents=[common],
        help="turn new raw pages in content/raw/ into content/zh/<id>.md",
    )
    ingest.add_argument(
        "--reingest",
        action="store_true",
        help="redo already ingested raw files (a changed article is kept as <id>.md.bak)",
    )
    ingest.add_argument("files", nargs="*", type=Path, help="only these raw files")
    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="build, then preview site/ on http://127.0.0.1:PORT, rebuilding on change",
    )
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    serve.add_argument("--no-watch", action="store_true", help="don't rebuild on change")
    translate = commands.add_parser(
        "translate",
        parents=[common, speed],
        help="ingest, then translate what lacks English (no site is written)",
    )
    translate.add_argument(
        "--redo-drafts",
        action="store_true",
        help="also redo untouched machine English made at a lower beam than now (drafts)",
    )
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
        help="list missing, stale, edited and draft translations, and how long the rest would take",
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
    args = make_parser().parse_args(argv)
    project = Project((root or Path.cwd()).resolve())
    counter = _setup_logging(args, project)
    try:
        if args.command == "explain":
            return _explain(args.file)
        if args.command == "ingest":
            only = {p.resolve() for p in args.files} if args.files else None
            for path in args.files:
                if path.resolve().parent != project.raw_dir.resolve() or not path.is_file():
                    log.error("%s: not a file in content/raw/; nothing ingested", path)
                    return 1
            _build(project, reingest=args.reingest, only=only, render=False)
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
        elif args.command == "serve":
            from briefing.serve import serve

            _build(project)
            serve(project, args.port, rebuild=lambda: _build(project), watch=not args.no_watch)
        elif freshness.up_to_date(project):
            # Answered before the pipeline and its libraries are imported: most of
            # the time a no-change build takes.
            log.info(freshness.UP_TO_DATE)
        else:
            _build(project, translation_settings=_translation_settings(args, project))
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
    print("\n".join(lines) if lines else "every article has an up-to-date English translation")
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
    return 0


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
