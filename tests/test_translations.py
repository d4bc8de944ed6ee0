"""The catalogues are complete: no fuzzy or untranslated entry in Dutch, English, Arabic
or Turkish, the same placeholders and markup on every side, the plural forms each language
needs, and Dutch that says "je", never "u".

A failure lists every missing entry with the file that uses it; fill them in any PO
editor or with a script (docs/languages.md, "Adding strings")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils import translation

LANGUAGES = ["nl", "en", "ar", "tr"]
# gettext's plural forms: Arabic has six (zero, one, two, few, many, other).
PLURAL_FORMS = {"nl": 2, "en": 2, "ar": 6, "tr": 2}
TAG = re.compile(r"<[^>]+>")
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
        entry: dict = {"flags": "", "msgid": "", "plural": "", "msgstr": [], "where": ""}
        current = None
        for line in lines:
            if line.startswith("#:") and not entry["where"]:
                entry["where"] = line[2:].split()[0]
            elif line.startswith("#,"):
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_fuzzy_or_untranslated_entry(language):
    entries = _entries(language)
    assert len(entries) > 500
    fuzzy = [e for e in entries if "fuzzy" in e["flags"]]
    empty = [e for e in entries if not all(e["msgstr"])]
    problems = [f"  fuzzy  {e['msgid']!r}  ({e['where']})" for e in fuzzy] + [
        f"  missing  {e['msgid']!r}  ({e['where']})" for e in empty
    ]
    assert problems == [], (
        f"locale/{language}: {len(empty)} untranslated and {len(fuzzy)} fuzzy entries "
        f"(docs/languages.md, 'Adding strings'):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    """Every form carries the msgid's placeholders (a plural form those of msgid_plural),
    and the same markup: a lost %(name)s or <span> shows up as a crash or broken HTML."""
    wrong = []
    for entry in _entries(language):
        for value in entry["msgstr"]:
            if not value:
                continue  # reported by the completeness test
            if entry["plural"]:
                expected = set(PLACEHOLDER.findall(entry["plural"]))
                same = set(PLACEHOLDER.findall(value)) == expected
            else:
                expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
                same = sorted(PLACEHOLDER.findall(value)) == expected
            same_markup = sorted(TAG.findall(value)) == sorted(TAG.findall(entry["msgid"]))
            if not same or not same_markup:
                wrong.append((entry["msgid"], value))
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_entries_have_every_form_the_language_needs(language):
    header = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert f"nplurals={PLURAL_FORMS[language]};" in header
    short = [
        e["msgid"]
        for e in _entries(language)
        if e["plural"] and len(e["msgstr"]) != PLURAL_FORMS[language]
    ]
    assert short == []


def test_arabic_and_turkish_are_really_arabic_and_turkish():
    """Not English copied over: most Arabic entries are in Arabic script, and Turkish
    entries use Turkish letters."""
    arabic = [s for e in _entries("ar") for s in e["msgstr"]]
    in_script = [s for s in arabic if re.search(r"[\u0600-\u06ff]", s)]
    assert len(in_script) > 0.9 * len(arabic)
    turkish = " ".join(s for e in _entries("tr") for s in e["msgstr"])
    assert all(letter in turkish for letter in "ışğüöçİ")
    with translation.override("ar"):
        assert translation.gettext("Sign in") == "تسجيل الدخول"
    with translation.override("tr"):
        assert translation.gettext("Sign in") == "Giriş yap"


def test_dutch_says_je_not_u():
    formal = [(e["msgid"], s) for e in _entries("nl") for s in e["msgstr"] if FORMAL.search(s)]
    assert formal == []


def test_password_rules_on_the_sign_up_page_say_je():
    with translation.override("nl"):
        texts = password_validators_help_texts()
    assert texts, "the password validators give help texts"
    assert all(not FORMAL.search(text) for text in texts), texts
    assert any("Je wachtwoord" in text for text in texts), texts
