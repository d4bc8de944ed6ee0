"""Reasons in plain language (Dutch B1 and English), signal by signal.

A stored proposal keeps, per signal, its share of the score and the evidence the engine
found (matched target groups, languages, distance, past initiatives...). The sentences are
made when shown, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from network.models import Language, TargetGroup, Theme

STATUS_LABELS = {"finished": "finished", "running": "running", "idea": "idea"}


def _skill_labels() -> dict[str, str]:
    """The named skills of matching/engine/skills.py (LEXICON), in the reader's language."""
    return {
        "interpreting": _("interpreting and translating"),
        "bookkeeping": _("bookkeeping"),
        "kitchen": _("a kitchen and cooking"),
        "legal_advice": _("legal advice"),
        "childcare": _("childcare"),
        "transport": _("transport"),
        "venue": _("a hall or meeting room"),
        "sports_facility": _("a sports hall or field"),
        "sound_stage": _("sound and stage"),
        "gardening": _("gardening"),
        "sewing": _("sewing"),
        "computers": _("computers"),
        "fundraising": _("fundraising"),
        "first_aid": _("first aid"),
    }


# The signals whose evidence is a list of slugs shown by name, and where the names live.
NAMED_SIGNALS = {"target_groups": TargetGroup, "themes": Theme, "languages": Language}

Names = Mapping[str, Mapping[str, str]]  # signal -> {slug: name in the active language}


def reason_names(reason_lists: Iterable[list[dict[str, Any]]]) -> Names:
    """The names the reasons of many proposals show, looked up once: at most one query per
    taxonomy whatever the number of proposals (style §10)."""
    wanted: dict[str, set[str]] = {signal: set() for signal in NAMED_SIGNALS}
    for reasons in reason_lists:
        for reason in reasons:
            slugs = wanted.get(reason.get("signal", ""))
            if slugs is not None and reason.get("evidence"):
                slugs.update(reason["evidence"])
    return {
        signal: {row.pk: row.name for row in model.objects.filter(pk__in=list(wanted[signal]))}
        if wanted[signal]
        else {}
        for signal, model in NAMED_SIGNALS.items()
    }


def _names(names: Names, signal: str, slugs) -> str:
    known = names.get(signal, {})
    return ", ".join(known.get(slug, slug) for slug in slugs)


def _track(items: list[dict[str, Any]]) -> str:
    parts = []
    for item in items[:3]:
        status = {
            "finished": _("finished"),
            "running": _("running"),
            "idea": _("idea"),
        }.get(item.get("status"), item.get("status", ""))
        if item.get("has_results"):
            status = _("%(status)s, with results") % {"status": status}
        parts.append(f"“{item.get('title', '')}” ({status})")
    return "; ".join(parts)


def reason_detail(
    signal: str, evidence: Any, *, municipality: str | None = None, names: Names | None = None
) -> str | None:
    """One plain sentence for one signal, or None when there is nothing to say. `names`
    (reason_names) saves the look-up when many reasons are shown at once."""
    if names is None and signal in NAMED_SIGNALS and evidence:
        names = reason_names([[{"signal": signal, "evidence": evidence}]])
    if signal == "target_groups" and evidence:
        text = _("works with: %(groups)s") % {"groups": _names(names, "target_groups", evidence)}
        if municipality:
            text += " " + _("(in %(place)s)") % {"place": municipality}
        return text
    if signal == "themes" and evidence:
        return _("experience with: %(themes)s") % {"themes": _names(names, "themes", evidence)}
    if signal == "languages" and evidence:
        return _("speaks %(languages)s") % {"languages": _names(names, "languages", evidence)}
    if signal == "distance" and evidence is not None:
        km = float(evidence)
        if km < 1:
            return _("in the same place")
        return ngettext("%(km)d km away", "%(km)d km away", round(km)) % {"km": round(km)}
    if signal == "track_record" and evidence:
        return _("led %(initiatives)s") % {"initiatives": _track(evidence)}
    if signal == "text" and evidence:
        return _("writes about: %(words)s") % {"words": ", ".join(str(w) for w in evidence[:5])}
    if signal == "reciprocity" and evidence:
        return _("is looking for this kind of work too")
    if signal == "hours" and evidence:
        return ngettext(
            "has %(hours)d hour a week", "has %(hours)d hours a week", round(float(evidence))
        ) % {"hours": round(float(evidence))}
    if signal == "skills" and evidence:
        labels = _skill_labels()
        return _("can help with: %(skills)s") % {
            "skills": ", ".join(labels.get(code, code) for code in evidence)
        }
    if signal == "exposure":
        return None
    return None


def reason_lines(
    reasons: list[dict[str, Any]],
    *,
    municipality: str | None = None,
    names: Names | None = None,
) -> list[dict[str, str]]:
    """[{"signal", "detail"}] for the reasons with something to say, largest share first.
    A page showing many proposals passes `names` (reason_names over all of them)."""
    if names is None:
        names = reason_names([reasons])
    lines = []
    for reason in reasons:
        detail = reason_detail(
            reason.get("signal", ""),
            reason.get("evidence"),
            municipality=municipality,
            names=names,
        )
        if detail:
            lines.append({"signal": reason["signal"], "detail": detail})
    return lines


RULE_EXPLANATIONS = {
    "wrong_kind": lambda: _("is not a candidate of the kind asked for (check their roles)"),
    "own_organisation": lambda: _("belongs to your own organisation"),
    "not_open": lambda: _("does not want proposals at the moment"),
    "hidden": lambda: _("has a hidden profile"),
    "excluded": lambda: _("was dismissed or declined for this need, or a block is in place"),
    "mentor_full": lambda: _("already mentors as many people as they can"),
    "language_required": lambda: _("does not speak any of the required languages"),
    "outside_radius": lambda: _("is outside the distance you chose"),
    "location_unknown": lambda: _("has no known place, and you asked for a distance"),
}


def rule_explanation(rule: str) -> str:
    explain = RULE_EXPLANATIONS.get(rule)
    return explain() if explain else rule
