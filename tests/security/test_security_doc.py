"""docs/security.md names the tests that show each claim; every name must exist, so the
document cannot point at a test that was renamed or never written."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _test_names(path: Path) -> set[str]:
    return set(re.findall(r"^(?:async )?def (test_\w+)", path.read_text(encoding="utf-8"), re.M))


def test_every_test_the_threat_model_names_exists():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    missing = []
    checked = 0
    for line in text.splitlines():
        current = None
        for match in re.finditer(r"`(tests/[\w/]+\.py)(::[\w*\[\]|-]+)?`|`::([\w*]+)`", line):
            file_part, name_part, follow_on = match.groups()
            if file_part:
                current = ROOT / file_part
                if not current.is_file():
                    missing.append(file_part)
                    current = None
                    continue
                name = name_part[2:].split("[")[0] if name_part else None
            else:
                name = follow_on
            if current is None or name is None:
                continue
            checked += 1
            if not fnmatch.filter(_test_names(current), name):
                missing.append(f"{current.relative_to(ROOT)}::{name}")
    assert checked > 80
    assert missing == []
