#!/usr/bin/env python3
"""Build the briefing site: `python build.py --help` lists the commands."""

import sys
from pathlib import Path

from briefing.cli import main

if __name__ == "__main__":
    sys.exit(main(root=Path(__file__).resolve().parent))
