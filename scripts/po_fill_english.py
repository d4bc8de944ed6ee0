"""Fill locale/en/LC_MESSAGES/django.po: each msgstr becomes its msgid (source strings are
English). Run after makemessages; see docs/development.md.

    .venv/bin/python scripts/po_fill_english.py
"""

from __future__ import annotations

import json
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _string(lines: list[str], start: int, keyword: str) -> tuple[str, int]:
    value = json.loads(lines[start][len(keyword) :].strip())
    end = start + 1
    while end < len(lines) and lines[end].startswith('"'):
        value += json.loads(lines[end])
        end += 1
    return value, end


def fill(path: Path = PO) -> int:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    filled = 0
    for number, block in enumerate(blocks):
        # A filled entry is exact: drop the fuzzy flag and the previous-msgid (#|) lines.
        lines = [
            line.replace("#, fuzzy, ", "#, ")
            for line in block.split("\n")
            if line != "#, fuzzy" and not line.startswith("#| ")
        ]
        starts = [i for i, line in enumerate(lines) if line.startswith("msgid ")]
        if not starts:
            continue
        msgid, after = _string(lines, starts[0], "msgid ")
        if not msgid:
            continue
        if after < len(lines) and lines[after].startswith("msgid_plural "):
            plural, after = _string(lines, after, "msgid_plural ")
            strings = [
                f"msgstr[0] {json.dumps(msgid, ensure_ascii=False)}",
                f"msgstr[1] {json.dumps(plural, ensure_ascii=False)}",
            ]
        else:
            strings = [f"msgstr {json.dumps(msgid, ensure_ascii=False)}"]
        blocks[number] = "\n".join(lines[:after] + strings)
        filled += 1
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return filled


if __name__ == "__main__":
    print(f"{fill()} English entries filled in {PO}")
