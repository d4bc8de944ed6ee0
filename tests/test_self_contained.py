"""The repository stands alone: no file points at documents outside it. Whatever Bruggen
follows is written in its own docs/ (contracts.md, development.md)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared, the team's documents by name, and a path into the workstation's own folders
# written as a string in code (a test once saved its screenshot there, outside the clone).
OUTSIDE = re.compile(
    r"\.\./shared|\b(?:CONTRACTS|STYLE|ARCHITECTURE|FACTS)\.md\b|\bCONTRACTS §|[\"']/work/"
)


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_nothing_points_outside_the_repository():
    offenders = []
    for path in _tracked_files():
        if path == Path(__file__).resolve():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert offenders == []


def test_the_documents_it_points_to_exist():
    for name in ("contracts.md", "development.md", "security.md"):
        assert (ROOT / "docs" / name).is_file(), name
