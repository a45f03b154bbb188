#!/usr/bin/env python3
"""Build the briefing site: `python build.py --help` lists the commands."""

from pathlib import Path

from briefing.cli import exit_at_once, main

if __name__ == "__main__":
    exit_at_once(main(root=Path(__file__).resolve().parent))
