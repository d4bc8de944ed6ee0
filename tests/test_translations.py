"""The catalogues are complete: no fuzzy or untranslated entry in Dutch or English, the
same placeholders on both sides, and Dutch that says "je", never "u"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")
# "u"/"uw" as forms of address (a.u.b. is an abbreviation, not an address).
FORMAL = re.compile(r"(?<![\w.])(?:[Uu]w?)(?![\w.])")


def _entries(language: str) -> list[dict]:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        lines = block.strip().split("\n")
        if not any(line.startswith("msgid ") for line in lines):
            continue
        if all(line.startswith("#~") or not line.startswith("msg") for line in lines):
            continue
        entry: dict = {"flags": "", "msgid": "", "plural": "", "msgstr": []}
        current = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] = line
            elif line.startswith("msgid_plural "):
                current = "plural"
                entry["plural"] = eval(line[len("msgid_plural ") :])  # noqa: S307 - a PO string literal
            elif line.startswith("msgid "):
                current = "msgid"
                entry["msgid"] = eval(line[len("msgid ") :])  # noqa: S307
            elif line.startswith("msgstr"):
                current = "msgstr"
                entry["msgstr"].append(eval(line.split(" ", 1)[1]))  # noqa: S307
            elif line.startswith('"') and current:
                value = eval(line)  # noqa: S307
                if current == "msgstr":
                    entry["msgstr"][-1] += value
                else:
                    entry[current] += value
        if entry["msgid"]:
            entries.append(entry)
    return entries


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_fuzzy_or_untranslated_entry(language):
    entries = _entries(language)
    assert len(entries) > 500
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not all(e["msgstr"])]
    assert fuzzy == [], f"fuzzy in {language}: {fuzzy[:10]}"
    assert empty == [], f"untranslated in {language}: {empty[:10]}"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_placeholders_survive_translation(language):
    wrong = []
    for entry in _entries(language):
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for value in entry["msgstr"]:
            if sorted(PLACEHOLDER.findall(value)) != expected and not entry["plural"]:
                wrong.append((entry["msgid"], value))
    assert wrong == []


def test_dutch_says_je_not_u():
    formal = [(e["msgid"], s) for e in _entries("nl") for s in e["msgstr"] if FORMAL.search(s)]
    assert formal == []


def test_password_rules_on_the_sign_up_page_say_je():
    with translation.override("nl"):
        texts = password_validators_help_texts()
    assert texts, "the password validators give help texts"
    assert all(not FORMAL.search(text) for text in texts), texts
    assert any("Je wachtwoord" in text for text in texts), texts
