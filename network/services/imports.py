"""The network import (docs/contracts.md §3): JSON Lines in, all or nothing. See docs/import.md.

`network_import` works in two phases. It first reads and validates every line and collects
every problem as `line N: field: message`; only a file without a single problem is then
written, in one transaction. Lookups happen in bulk (taxonomies, municipalities, the file's
own refs and the refs it points to), so validating costs a fixed number of queries whatever
the length of the file. Writing inserts new rows in batches, saves a stored row only when
the line changes it, and writes the lists (themes, partners, memberships, ...) in bulk.

Record types live in a registry. This module registers organisation, person, initiative and
fund; another app registers its own from its AppConfig.ready() (matching registers `need`),
so that `network` never imports it.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import re
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from types import MappingProxyType
from typing import Any, Protocol

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from config.after_commit import on_commit_safe
from network.events import network_changed_in_bulk
from network.models import (
    REF_PATTERN,
    Fund,
    Initiative,
    Membership,
    Municipality,
    Organisation,
    Person,
    RetiredRef,
    Taxonomy,
)
from network.search import (
    VECTOR_FIELDS,
    search_results_changed,
    search_statistics_refresh,
    search_vectors_refresh,
)

# Refs and ids per `IN (...)` query: well below SQLite's limit on query parameters.
LOOKUP_BATCH = 500
WRITE_BATCH = 1000
# Allowed values are listed in a message up to this many; beyond, only close matches.
MAX_LISTED = 40
MAX_SHOWN_VALUE = 60
# The longest line read (in bytes for a binary file): a line is read at most this far, so a
# file with one endless line cannot fill the memory (docs/import.md). Generous: a record
# with a long description and every list filled is well under 100 KiB.
MAX_LINE_BYTES = 1024 * 1024
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RECORD_FIELD = "record"  # the field of a problem that concerns the record as a whole


@dataclass(frozen=True)
class ImportProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    """What an import found and did. Counts are per record type; in a dry run they say
    what an import would create and update."""

    dry_run: bool
    errors: list[ImportProblem] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def counts(self) -> list[tuple[str, int]]:
        """(type, records) for each type in the file, in the registry's order."""
        totals = self.created + self.updated
        order = [name for name in _record_types if name in totals]
        order += sorted(name for name in totals if name not in order)
        return [(name, totals[name]) for name in order]

    def summary(self) -> str:
        """One line: the counts per type, or how many problems there are."""
        if self.errors:
            lines = len({problem.line for problem in self.errors})
            problems = ngettext("%(count)d problem", "%(count)d problems", len(self.errors)) % {
                "count": len(self.errors)
            }
            on_lines = ngettext("on %(count)d line", "on %(count)d lines", lines) % {"count": lines}
            return _("not imported: %(problems)s %(lines)s; nothing written") % {
                "problems": problems,
                "lines": on_lines,
            }
        total = sum(self.created.values()) + sum(self.updated.values())
        records = ngettext("%(count)d record", "%(count)d records", total) % {"count": total}
        per_type = ", ".join(f"{count} {name}" for name, count in self.counts())
        values = {
            "records": records,
            "per_type": f": {per_type}" if per_type else "",
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
        }
        if self.dry_run:
            return (
                _(
                    "dry run: nothing written; %(records)s valid%(per_type)s "
                    "(%(created)d to create, %(updated)d to update)"
                )
                % values
            )
        return (
            _("imported %(records)s%(per_type)s (%(created)d created, %(updated)d updated)")
            % values
        )


@dataclass
class PreparedRecord:
    """One line on its way in: the instance (the stored row, or a new one) with the line's
    own fields set, and the refs and lists that become ids when it is written."""

    line: int
    type_name: str
    ref: str | None  # None when the line's ref is unusable; such a record is never written
    instance: models.Model
    created: bool
    foreign_refs: dict[str, str | None] = field(default_factory=dict)
    many: dict[str, list[Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    changed: bool = False

    def assign(self, attname: str, value: Any) -> None:
        """Set a field of the instance, noting whether that changes it."""
        if getattr(self.instance, attname) != value:
            setattr(self.instance, attname, value)
            self.changed = True


class ImportRecordType(Protocol):
    """What `import_type_register` takes.

    `model` has a unique `ref` field; records of this type are found by it, and other records
    refer to them by it. `prepare` validates one parsed line (its `type` and `ref` already
    checked) by filling in `record` (its `instance` is the stored row, or a new one) and
    reporting each problem with `context.problem()`; it must not write. `write` runs only
    when the whole file is valid, in file order: it stores the record with
    `context.save(record, then=...)` (or saves it itself and calls
    `context.record_written(record)`). `finish` runs once after every record is stored, for
    work done in bulk. `ModelRecordType` implements all three from a model's fields; most
    types need nothing else (see docs/import.md)."""

    model: type[models.Model]

    def prepare(
        self, data: Mapping[str, Any], record: PreparedRecord, context: ImportContext
    ) -> None: ...

    def write(self, record: PreparedRecord, context: ImportContext) -> None: ...

    def finish(self, context: ImportContext) -> None: ...


_record_types: dict[str, ImportRecordType] = {}


def import_type_register(*, type_name: str, handler: ImportRecordType) -> None:
    """Add a record type; called at import time here, from AppConfig.ready() in other apps.
    Registering a name again replaces its handler."""
    _record_types[type_name] = handler


def import_types() -> Mapping[str, ImportRecordType]:
    """The registered record types by name, in the order they were registered (read-only)."""
    return MappingProxyType(_record_types)


def _chunks(items: Sequence[Any], size: int = LOOKUP_BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, int):
        return _("a number")
    if isinstance(value, float):
        return _("a decimal number")
    if isinstance(value, str):
        return _("a string")
    if isinstance(value, list):
        return _("an array")
    return _("an object")


def _shown(value: str) -> str:
    """A value from the file, quoted and cut short, for a message."""
    if len(value) > MAX_SHOWN_VALUE:
        value = value[: MAX_SHOWN_VALUE - 1] + "…"
    return f"'{value}'"


def _hint(value: str, allowed: Sequence[str]) -> str:
    """' (did you mean …?)' for a near miss, else the allowed values when they are few."""
    close = difflib.get_close_matches(
        value.casefold(), [a.casefold() for a in allowed], n=3, cutoff=0.75
    )
    if close:
        by_folded = {a.casefold(): a for a in allowed}
        return _(" (did you mean %(values)s?)") % {
            "values": ", ".join(_shown(by_folded[c]) for c in close)
        }
    if len(allowed) <= MAX_LISTED:
        return _(" (allowed: %(values)s)") % {"values": ", ".join(allowed)}
    return ""


class _DuplicateKey(ValueError):
    pass


class _NotANumber(ValueError):
    pass


class _NotUtf8File(ValueError):
    pass


_OTHER_ENCODINGS = [
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
]


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise _NotANumber(name)


class _TooLong(str):
    """The text of a line longer than MAX_LINE_BYTES (never read to its end)."""


_TOO_LONG = _TooLong()
_LINE_SKIP_CHUNK = 64 * 1024


def _bounded_lines(stream) -> Iterator[str | bytes]:
    """The lines of a file, each read at most MAX_LINE_BYTES far: a longer one is yielded as
    _TOO_LONG and the rest of it is skipped in chunks, never held whole."""
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and raw[-1:] not in ("\n", b"\n"):
            while True:
                rest = stream.readline(_LINE_SKIP_CHUNK)
                if not rest or rest[-1:] in ("\n", b"\n"):
                    break
            yield _TOO_LONG
            continue
        yield raw


def _numbered_lines(lines: Iterable[str | bytes] | str | bytes) -> Iterator[tuple[int, str | None]]:
    """(line number, text) for each physical line; text is None for a line that is not UTF-8
    and _TOO_LONG for a line longer than MAX_LINE_BYTES."""
    if isinstance(lines, str):
        lines = lines.split("\n")
    elif isinstance(lines, bytes):
        lines = lines.split(b"\n")
    iterator = _bounded_lines(lines) if hasattr(lines, "readline") else iter(lines)
    number = 0
    while True:
        try:
            raw = next(iterator)
        except StopIteration:
            return
        except UnicodeDecodeError:
            # A text stream that failed to decode cannot go on; report where it stopped.
            yield number + 1, None
            return
        number += 1
        if raw is _TOO_LONG or len(raw) - (raw[-1:] in ("\n", b"\n")) > MAX_LINE_BYTES:
            yield number, _TOO_LONG
            continue
        if isinstance(raw, bytes):
            if number == 1:
                for mark, encoding in _OTHER_ENCODINGS:
                    if raw.startswith(mark):
                        raise _NotUtf8File(encoding)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None
                continue
        else:
            text = raw
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield number, text


class ImportContext:
    """What the handlers of one import share: the problems found so far, the file's refs,
    bulk lookups in the database, and while writing, the ids of what is written."""

    def __init__(self, record_types: Mapping[str, ImportRecordType]) -> None:
        self.record_types = dict(record_types)
        self.line = 0
        self.problems: list[ImportProblem] = []
        self._type_of_model: dict[type[models.Model], str] = {}
        for name, handler in self.record_types.items():
            self._type_of_model.setdefault(handler.model, name)
        # Per model: the file's refs and the line defining each; the stored rows among them.
        self._file_refs: dict[type[models.Model], dict[str, int]] = defaultdict(dict)
        self._stored: dict[type[models.Model], dict[str, models.Model]] = defaultdict(dict)
        # Refs to records outside the file, checked in bulk once every line is read.
        self._pending: dict[type[models.Model], dict[str, list[tuple[int, str]]]] = defaultdict(
            dict
        )
        self._pks: dict[type[models.Model], dict[str, int]] = defaultdict(dict)
        self._taxonomies: dict[type[models.Model], tuple[list[str], set[str]]] = {}
        self._municipalities: dict[str, str] | None = None
        self._municipality_names: list[str] = []
        self._many: dict[models.ManyToManyField, list[tuple[int, bool, list[Any]]]] = defaultdict(
            list
        )
        self._written: dict[type[models.Model], list[int]] = defaultdict(list)
        self._states: dict[int, dict[str, Any]] = {}
        self._unsaved: dict[type[models.Model], list[tuple[PreparedRecord, Callable]]] = {}
        self._unsaved_refs: dict[type[models.Model], set[str]] = defaultdict(set)

    # Validating -------------------------------------------------------------------------

    def problem(self, field_name: str, message: str) -> None:
        """Report a problem on the line being read."""
        self.problems.append(ImportProblem(self.line, field_name, message))

    def type_label(self, model: type[models.Model]) -> str:
        return self._type_of_model.get(model) or str(model._meta.verbose_name)

    def ref_check(self, model: type[models.Model], ref: Any, field_name: str) -> bool:
        """Whether the line may refer to `ref`: a record of `model` defined earlier in the
        file or stored already. Refs to records outside the file are looked up in bulk after
        the last line, so True here can still end in an 'unknown' problem."""
        if not isinstance(ref, str):
            self.problem(
                field_name,
                _("must be a ref (a string), got %(kind)s") % {"kind": _json_kind(ref)},
            )
            return False
        defined_on = self._file_refs[model].get(ref)
        if defined_on is None:
            self._pending[model].setdefault(ref, []).append((self.line, field_name))
            return True
        if defined_on < self.line or ref in self._stored[model]:
            return True
        if defined_on == self.line:
            self.problem(field_name, _("a record cannot refer to itself"))
        else:
            self.problem(
                field_name,
                _(
                    "%(type)s %(ref)s is defined later in the file (line %(line)d); "
                    "a record can only refer to records defined before it"
                )
                % {"type": self.type_label(model), "ref": _shown(ref), "line": defined_on},
            )
        return False

    def refs_check(self, model: type[models.Model], refs: Sequence[Any], field_name: str) -> bool:
        """`ref_check` for each of a list, reporting every problem."""
        results = [self.ref_check(model, ref, field_name) for ref in refs]
        return all(results)

    def slugs_check(self, model: type[Taxonomy], slugs: Sequence[str], field_name: str) -> bool:
        """Whether every slug is in the taxonomy; each unknown one is a problem."""
        if model not in self._taxonomies:
            slugs_known = list(model.objects.values_list("slug", flat=True))
            self._taxonomies[model] = (slugs_known, set(slugs_known))
        allowed, known = self._taxonomies[model]
        ok = True
        for slug in slugs:
            if slug not in known:
                ok = False
                self.problem(
                    field_name,
                    _("unknown %(what)s %(slug)s%(hint)s")
                    % {
                        "what": model._meta.verbose_name,
                        "slug": _shown(slug),
                        "hint": _hint(slug, allowed),
                    },
                )
        return ok

    def municipality_slug(self, name: str, field_name: str) -> str | None:
        """The municipality of that name, case-insensitively; None (and a problem) if unknown."""
        if self._municipalities is None:
            rows = list(Municipality.objects.values_list("name", "slug"))
            self._municipalities = {name.casefold(): slug for name, slug in rows}
            self._municipality_names = [name for name, _slug in rows]
        slug = self._municipalities.get(name.strip().casefold())
        if slug is None:
            self.problem(
                field_name,
                _("unknown municipality %(name)s%(hint)s")
                % {"name": _shown(name), "hint": _hint(name.strip(), self._municipality_names)},
            )
        return slug

    # Writing ----------------------------------------------------------------------------

    def pk_for(self, model: type[models.Model], ref: str) -> int:
        """The id of a record the file refers to (validation has made sure it exists)."""
        if ref in self._unsaved_refs[model]:
            self._unsaved_save()
        return self._pks[model][ref]

    def save(
        self, record: PreparedRecord, then: Callable[[PreparedRecord, ImportContext], None]
    ) -> None:
        """Store the record's instance and call `then(record, context)` once it has its id.

        New rows are inserted in batches (a round trip each cost most of an import), at the
        latest when a later record needs one's id; a stored row the line leaves as it was
        is not saved again, which makes re-importing a file cheap."""
        if not record.created:
            if record.changed:
                record.instance.save()
            then(record, self)
            return
        model = type(record.instance)
        self._unsaved.setdefault(model, []).append((record, then))
        self._unsaved_refs[model].add(record.ref)
        if len(self._unsaved[model]) >= WRITE_BATCH:
            self._unsaved_save()

    def record_written(self, record: PreparedRecord) -> None:
        """Tell the context that `record.instance` is stored: others may refer to it."""
        instance = record.instance
        self._pks[type(instance)][record.ref] = instance.pk
        if record.created or record.changed:  # search vectors depend on the row alone
            self._written[type(instance)].append(instance.pk)

    def many_replace(self, record: PreparedRecord, field_name: str, values: Iterable[Any]) -> None:
        """Make `values` (slugs for a taxonomy, refs for a record type) the whole of the
        record's many-to-many `field_name`; written in bulk once every record is stored."""
        many_field = record.instance._meta.get_field(field_name)
        self._many[many_field].append((record.instance.pk, record.created, list(values)))

    def state(self, handler: ImportRecordType) -> dict[str, Any]:
        """A handler's scratch space for this import (handlers are shared between imports)."""
        return self._states.setdefault(id(handler), {})

    # The runner's part ------------------------------------------------------------------

    def _read(
        self, lines: Iterable[str | bytes] | str | bytes
    ) -> list[tuple[PreparedRecord, dict]]:
        """Parse every line and check what the type's handler relies on: an object with a
        known `type` and a usable `ref`."""
        parsed: list[tuple[int, str, str | None, dict[str, Any]]] = []
        defined: dict[str, int] = {}  # ref → the line defining it, whatever its type
        numbered = _numbered_lines(lines)
        while True:
            try:
                number, text = next(numbered)
            except StopIteration:
                break
            except _NotUtf8File as error:
                self.line = 1
                self.problem(
                    "json",
                    _("the file is %(encoding)s, not UTF-8: save it as UTF-8")
                    % {"encoding": error},
                )
                return []
            self.line = number
            if text is None:
                self.problem("json", _("not valid UTF-8"))
                continue
            if text is _TOO_LONG:
                self.problem(
                    "json",
                    _("line is too long (max %(limit)d bytes)") % {"limit": MAX_LINE_BYTES},
                )
                continue
            if not text.strip():
                continue
            data = self._json_object(text)
            if data is None:
                continue
            type_name = self._type_name(data)
            ref = self._ref(data)
            if ref is not None:
                if ref in defined:
                    self.problem(
                        "ref",
                        _("%(ref)s is already defined on line %(line)d")
                        % {"ref": _shown(ref), "line": defined[ref]},
                    )
                    ref = None
                else:
                    defined[ref] = number
            if type_name is not None:
                parsed.append((number, type_name, ref, data))
                if ref is not None:
                    self._file_refs[self.record_types[type_name].model][ref] = number
        self._refs_check_stored(defined)
        entries = []
        for number, type_name, ref, data in parsed:
            model = self.record_types[type_name].model
            stored = self._stored[model].get(ref) if ref is not None else None
            instance = stored if stored is not None else model(ref=ref or "")
            record = PreparedRecord(
                line=number, type_name=type_name, ref=ref, instance=instance, created=stored is None
            )
            entries.append((record, data))
        return entries

    def _json_object(self, text: str) -> dict[str, Any] | None:
        try:
            data = json.loads(
                text, object_pairs_hook=_object_without_duplicates, parse_constant=_reject_constant
            )
        except json.JSONDecodeError as error:
            self.problem(
                "json",
                _("not valid JSON (%(reason)s at column %(column)d)")
                % {"reason": error.msg, "column": error.colno},
            )
            return None
        except _DuplicateKey as error:
            self.problem(str(error), _("appears twice in the object"))
            return None
        except _NotANumber as error:
            self.problem("json", _("not valid JSON (%(value)s is not a number)") % {"value": error})
            return None
        except RecursionError:
            self.problem("json", _("not valid JSON (nested too deeply)"))
            return None
        if not isinstance(data, dict):
            self.problem(
                "json", _("expected a JSON object {…}, got %(kind)s") % {"kind": _json_kind(data)}
            )
            return None
        return data

    def _type_name(self, data: Mapping[str, Any]) -> str | None:
        if "type" not in data:
            self.problem("type", _("missing"))
            return None
        type_name = data["type"]
        if not isinstance(type_name, str):
            self.problem(
                "type", _("must be a string, got %(kind)s") % {"kind": _json_kind(type_name)}
            )
            return None
        if type_name not in self.record_types:
            self.problem(
                "type",
                _("unknown type %(type)s (known types: %(types)s)")
                % {"type": _shown(type_name), "types": ", ".join(self.record_types)},
            )
            return None
        return type_name

    def _ref(self, data: Mapping[str, Any]) -> str | None:
        if "ref" not in data:
            self.problem("ref", _("missing"))
            return None
        ref = data["ref"]
        if not isinstance(ref, str):
            self.problem("ref", _("must be a string, got %(kind)s") % {"kind": _json_kind(ref)})
            return None
        if not REF_PATTERN.match(ref):
            self.problem(
                "ref",
                _(
                    "%(ref)s is not a valid ref: 1 to 80 characters, lowercase letters, digits, "
                    "'.', '_' and '-', starting with a letter or digit"
                )
                % {"ref": _shown(ref)},
            )
            return None
        return ref

    def _refs_check_stored(self, defined: Mapping[str, int]) -> None:
        """Load the stored records the file updates. A ref that is retired, or taken by a
        record of another type, is a problem: a ref names one record and is never reused
        (docs/contracts.md §1)."""
        refs = list(defined)
        for chunk in _chunks(refs):
            for ref, kind in RetiredRef.objects.filter(ref__in=chunk).values_list("ref", "kind"):
                self.line = defined[ref]
                self.problem(
                    "ref",
                    _("%(ref)s belonged to a deleted %(kind)s and is never reused")
                    % {"ref": _shown(ref), "kind": kind or _("record")},
                )
        for model in dict.fromkeys(handler.model for handler in self.record_types.values()):
            own = list(self._file_refs[model])
            deferred = [
                f.name for f in model._meta.concrete_fields if isinstance(f, SearchVectorField)
            ]
            for chunk in _chunks(own):
                for instance in model.objects.filter(ref__in=chunk).defer(*deferred):
                    self._stored[model][instance.ref] = instance
                    self._pks[model][instance.ref] = instance.pk
            others = [ref for ref in refs if ref not in self._file_refs[model]]
            for chunk in _chunks(others):
                for ref in model.objects.filter(ref__in=chunk).values_list("ref", flat=True):
                    self.line = defined[ref]
                    self.problem(
                        "ref",
                        _("%(ref)s is already the ref of %(type)s; a ref names one record")
                        % {"ref": _shown(ref), "type": self.type_label(model)},
                    )

    def _pending_resolve(self) -> None:
        """Look up, in bulk, the refs that point outside the file."""
        for model, wanted in self._pending.items():
            refs = list(wanted)
            for chunk in _chunks(refs):
                self._pks[model].update(
                    model.objects.filter(ref__in=chunk).values_list("ref", "pk")
                )
            for ref in refs:
                if ref in self._pks[model]:
                    continue
                for line, field_name in wanted[ref]:
                    self.problems.append(
                        ImportProblem(
                            line,
                            field_name,
                            _("unknown %(type)s %(ref)s")
                            % {"type": self.type_label(model), "ref": _shown(ref)},
                        )
                    )

    def _unsaved_save(self) -> None:
        for model in list(self._unsaved):
            batch = self._unsaved.pop(model)
            self._unsaved_refs.pop(model, None)
            if connection.features.can_return_rows_from_bulk_insert:
                model.objects.bulk_create([record.instance for record, _then in batch])
            else:
                for record, _then in batch:
                    record.instance.save()
            for record, then in batch:
                then(record, self)

    def _many_flush(self) -> None:
        for many_field, entries in self._many.items():
            target_model = many_field.related_model
            if not issubclass(target_model, Taxonomy):
                pks = self._pks[target_model]
                entries = [
                    (pk, created, [pks[ref] for ref in refs]) for pk, created, refs in entries
                ]
            through = many_field.remote_field.through
            source = through._meta.get_field(many_field.m2m_field_name())
            target = through._meta.get_field(many_field.m2m_reverse_field_name())
            # For stored records, keep the links that stay (a re-import changes little).
            current: dict[int, dict[Any, int]] = defaultdict(dict)
            stale = [pk for pk, created, _pks in entries if not created]
            for chunk in _chunks(stale):
                rows = through.objects.filter(**{f"{source.attname}__in": chunk}).values_list(
                    "pk", source.attname, target.attname
                )
                for pk, source_pk, target_pk in rows:
                    current[source_pk][target_pk] = pk
            gone: list[int] = []
            new: list[tuple[Any, Any]] = []
            for pk, _created, target_pks in entries:
                have = current.get(pk, {})
                new += [(pk, target_pk) for target_pk in target_pks if target_pk not in have]
                if have:
                    listed = set(target_pks)
                    gone += [link for target_pk, link in have.items() if target_pk not in listed]
            for chunk in _chunks(gone):
                through.objects.filter(pk__in=chunk).delete()
            _rows_insert(through, [source.name, target.name], new)

    def _search_refresh(self) -> None:
        for model, pks in self._written.items():
            if model in VECTOR_FIELDS:
                for chunk in _chunks(pks, 5000):
                    search_vectors_refresh(model, chunk)


def network_import(*, lines: Iterable[str | bytes] | str | bytes, dry_run: bool) -> ImportReport:
    """Import JSON Lines (docs/contracts.md §3; docs/import.md): validate every line, then, if
    there is no problem at all and this is no dry run, write everything in one transaction.

    `lines` is anything that yields lines: a file opened in binary mode (then a line that is
    not UTF-8 is reported as such), a text file, a list of strings, or one string."""
    report = ImportReport(dry_run=dry_run)
    context = ImportContext(_record_types)
    entries = deque(context._read(lines))
    records: list[PreparedRecord] = []
    while entries:
        # Popped: a parsed line is let go once prepared, which keeps memory down.
        record, data = entries.popleft()
        context.line = record.line
        context.record_types[record.type_name].prepare(data, record, context)
        records.append(record)
        counter = report.created if record.created else report.updated
        counter[record.type_name] += 1
    context._pending_resolve()
    if context.problems:
        report.errors = sorted(context.problems, key=lambda problem: problem.line)
        return report
    if dry_run:
        return report
    try:
        with transaction.atomic():
            for record in records:
                context.line = record.line
                context.record_types[record.type_name].write(record, context)
            context._unsaved_save()
            for handler in context.record_types.values():
                handler.finish(context)
            context._many_flush()
            context._search_refresh()
            # Also when only links changed (themes of an initiative), which refresh nothing.
            search_results_changed()
            network_changed_in_bulk()
            written = {model: len(pks) for model, pks in context._written.items()}
            on_commit_safe(lambda: search_statistics_refresh(written))
    except ValidationError as error:
        # Validation has passed by now, so this means a bug or a concurrent change.
        report.errors = [
            ImportProblem(context.line, name if name != NON_FIELD_ERRORS else RECORD_FIELD, message)
            for name, messages in _messages(error).items()
            for message in messages
        ]
    except DatabaseError as error:
        # For example another import or an editor saving the same ref at the same moment.
        report.errors = [
            ImportProblem(
                context.line,
                RECORD_FIELD,
                _("could not be written, nothing was imported: %(error)s") % {"error": error},
            )
        ]
    return report


def _rows_insert(
    model: type[models.Model], field_names: Sequence[str], rows: Iterable[tuple]
) -> None:
    """Insert plain rows (values ready for the database), many to a statement. For link
    rows, a model instance each (bulk_create) or a statement each (executemany) cost more
    than all the rest of an import."""
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row_placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # bulk_batch_size keeps a statement within the database's limit on parameters.
    size = max(1, min(WRITE_BATCH, connection.ops.bulk_batch_size(fields, [None] * WRITE_BATCH)))
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, size)):
            values = ", ".join([row_placeholders] * len(batch))
            # Names come from the model's metadata; the values are bound parameters.
            insert = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
            cursor.execute(insert, [value for row in batch for value in row])


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


class ModelRecordType:
    """A record type read from a model's fields: each JSON key is a field's name, and the
    field's kind says what the value may be.

    - text fields: a string (null is the empty string); with choices, one of them;
    - booleans: true or false; whole numbers: non-negative (null where the field allows it);
    - dates: "YYYY-MM-DD" (or null where allowed); a JSON field: a list of strings;
    - a foreign key to Municipality: its name, case-insensitively; to another record type:
      its ref (or null where allowed);
    - many-to-many to a taxonomy: a list of slugs; to another record type: a list of refs.

    Then `full_clean()` applies the model's own rules (lengths, URLs, emails, validators,
    `clean()`). A stored record is updated: keys in the line replace, others stay."""

    def __init__(
        self, *, model: type[models.Model], label_field: str, fields: Sequence[str]
    ) -> None:
        self.model = model
        self.label_field = label_field
        self.fields = (label_field, *(name for name in fields if name != label_field))
        for name in self.fields:
            model_field = model._meta.get_field(name)
            if isinstance(model_field, models.DateTimeField):
                raise ImproperlyConfigured(
                    f"{model.__name__}.{name}: date-times are not importable"
                )
        # Relations are checked against the file and the database, search vectors are
        # computed, the ref is checked by the runner: full_clean() leaves them alone.
        self.unchecked = {"ref"} | {
            f.name
            for f in model._meta.get_fields()
            if f.is_relation or isinstance(f, SearchVectorField)
        }

    def prepare(
        self, data: Mapping[str, Any], record: PreparedRecord, context: ImportContext
    ) -> None:
        failed: set[str] = set()
        for name in self.required_fields(record):
            if name not in data:
                context.problem(name, _("missing"))
                failed.add(name)
        for key, value in data.items():
            if key in ("type", "ref"):
                continue
            if key not in self.fields:
                context.problem(
                    key,
                    _("unknown field for type '%(type)s'%(hint)s")
                    % {"type": record.type_name, "hint": _hint(key, self.fields)},
                )
                continue
            if not self.prepare_field(key, value, record, context):
                failed.add(key)
        try:
            record.instance.full_clean(
                exclude=self.unchecked | failed, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in _messages(error).items():
                for message in messages:
                    context.problem(name if name != NON_FIELD_ERRORS else RECORD_FIELD, message)

    def required_fields(self, record: PreparedRecord) -> list[str]:
        """The label always; for a new record, foreign keys that cannot be empty."""
        names = [self.label_field]
        if record.created:
            for name in self.fields:
                model_field = self.model._meta.get_field(name)
                if model_field.many_to_one and not model_field.null and name != self.label_field:
                    names.append(name)
        return names

    def prepare_field(
        self, key: str, value: Any, record: PreparedRecord, context: ImportContext
    ) -> bool:
        """Check one key and set it on the record; False if there was a problem."""
        model_field = self.model._meta.get_field(key)
        if model_field.many_to_many:
            items = _string_list(value, key, context)
            if items is None:
                return False
            target = model_field.related_model
            if issubclass(target, Taxonomy):
                ok = context.slugs_check(target, items, key)
            else:
                ok = context.refs_check(target, items, key)
            record.many[key] = items
            return ok
        if model_field.many_to_one or model_field.one_to_one:
            return self._prepare_foreign_key(model_field, key, value, record, context)
        converted = _scalar(model_field, key, value, context, label=key == self.label_field)
        if converted is _INVALID:
            return False
        record.assign(model_field.attname, converted)
        return True

    def _prepare_foreign_key(
        self, model_field, key: str, value: Any, record: PreparedRecord, context: ImportContext
    ) -> bool:
        target = model_field.related_model
        if value is None:
            if not model_field.null:
                context.problem(key, _("must not be null"))
                return False
            if target is Municipality:
                record.assign(model_field.attname, None)
            else:
                record.foreign_refs[key] = None
            return True
        if target is Municipality:
            if not isinstance(value, str):
                context.problem(
                    key,
                    _("must be a municipality's name (a string) or null, got %(kind)s")
                    % {"kind": _json_kind(value)},
                )
                return False
            slug = context.municipality_slug(value, key)
            if slug is None:
                return False
            record.assign(model_field.attname, slug)
            return True
        record.foreign_refs[key] = value if isinstance(value, str) else None
        return context.ref_check(target, value, key)

    def write(self, record: PreparedRecord, context: ImportContext) -> None:
        # prepare() ran full_clean() on this very instance; what is left to set are the ids
        # of the records that validation found.
        for key, ref in record.foreign_refs.items():
            model_field = self.model._meta.get_field(key)
            pk = None if ref is None else context.pk_for(model_field.related_model, ref)
            record.assign(model_field.attname, pk)
        context.save(record, then=self.saved)

    def saved(self, record: PreparedRecord, context: ImportContext) -> None:
        """Called once the record's row is stored and has its id."""
        context.record_written(record)
        for key, values in record.many.items():
            context.many_replace(record, key, values)

    def finish(self, context: ImportContext) -> None:
        pass


_INVALID = object()


def _string_list(value: Any, key: str, context: ImportContext) -> list[str] | None:
    """A list of strings, without repeats; null is the empty list."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        context.problem(
            key,
            _("must be a list of strings, got %(kind)s")
            % {
                "kind": _json_kind(value)
                if not isinstance(value, list)
                else _("a list holding %(kind)s")
                % {"kind": _json_kind(next(i for i in value if not isinstance(i, str)))}
            },
        )
        return None
    if any("\x00" in item for item in value):
        context.problem(key, _("contains a NUL character"))
        return None
    return list(dict.fromkeys(value))


@functools.cache
def _choice_values(model_field: models.Field) -> list[str]:
    return [str(choice) for choice, _label in model_field.flatchoices]


def _scalar(model_field, key: str, value: Any, context: ImportContext, *, label: bool) -> Any:
    """The value for a field that is not a relation, or _INVALID (and a problem)."""

    def wrong(expected: str) -> object:
        context.problem(
            key,
            _("must be %(expected)s, got %(kind)s")
            % {"expected": expected, "kind": _json_kind(value)},
        )
        return _INVALID

    if isinstance(model_field, models.BooleanField):
        return value if isinstance(value, bool) else wrong(_("true or false"))
    if isinstance(model_field, models.IntegerField):
        if value is None and model_field.null:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            return wrong(_("a whole number") + (_(" or null") if model_field.null else ""))
        if value < 0:
            context.problem(key, _("must not be negative"))
            return _INVALID
        return value
    if isinstance(model_field, models.DateField):
        if value is None and model_field.null:
            return None
        if not isinstance(value, str) or not DATE_PATTERN.match(value):
            return wrong(_("a date as YYYY-MM-DD") + (_(" or null") if model_field.null else ""))
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            context.problem(
                key, _("%(value)s is not a date that exists") % {"value": _shown(value)}
            )
            return _INVALID
    if isinstance(model_field, models.JSONField):
        items = _string_list(value, key, context)
        return _INVALID if items is None else items
    if isinstance(model_field, models.CharField | models.TextField):
        if value is None and not label:
            value = ""
        if not isinstance(value, str):
            return wrong(_("a string"))
        if "\x00" in value:
            context.problem(key, _("contains a NUL character"))
            return _INVALID
        if label and not value.strip():
            context.problem(key, _("must not be empty"))
            return _INVALID
        if model_field.choices:
            allowed = _choice_values(model_field)
            if value not in allowed and not (value == "" and model_field.blank):
                context.problem(
                    key,
                    _("unknown %(field)s %(value)s%(hint)s")
                    % {"field": key, "value": _shown(value), "hint": _hint(value, allowed)},
                )
                return _INVALID
        return value
    raise ImproperlyConfigured(
        f"{model_field.model.__name__}.{key}: this kind of field is not importable"
    )


class PersonRecordType(ModelRecordType):
    """People: `organisations` become memberships, and `email` links a person to the
    account with that address when nobody has claimed it yet."""

    def prepare_field(
        self, key: str, value: Any, record: PreparedRecord, context: ImportContext
    ) -> bool:
        if key != "organisations":
            return super().prepare_field(key, value, record, context)
        items = _string_list(value, key, context)
        if items is None:
            return False
        record.extra["organisations"] = items
        return context.refs_check(Organisation, items, key)

    def saved(self, record: PreparedRecord, context: ImportContext) -> None:
        super().saved(record, context)
        state = context.state(self)
        person = record.instance
        if "organisations" in record.extra:
            state.setdefault("memberships", []).append(
                (person.pk, record.created, record.extra["organisations"])
            )
        if person.email and person.user_id is None:
            state.setdefault("claims", []).append((person.pk, person.email))

    def finish(self, context: ImportContext) -> None:
        state = context.state(self)
        memberships = [
            (pk, created, [context.pk_for(Organisation, ref) for ref in refs])
            for pk, created, refs in state.get("memberships", [])
        ]
        _memberships_replace(memberships)
        _users_link(state.get("claims", []))


def _memberships_replace(plans: list[tuple[int, bool, list[int]]]) -> None:
    """Each person's organisations become exactly the listed ones; a listed one they are
    admin of stays so, and an admin membership is never removed by an import."""
    current: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
    stored = [person_pk for person_pk, created, _pks in plans if not created]
    for chunk in _chunks(stored):
        rows = Membership.objects.filter(person_id__in=chunk).values_list(
            "pk", "person_id", "organisation_id", "role"
        )
        for pk, person_pk, organisation_pk, role in rows:
            current[person_pk][organisation_pk] = (pk, role)
    created_at = Membership._meta.get_field("created_at").get_db_prep_save(
        timezone.now(), connection
    )
    new: list[tuple[int, int, str, Any]] = []
    gone: list[int] = []
    for person_pk, _created, organisation_pks in plans:
        have = current.get(person_pk, {})
        listed = set(organisation_pks)
        new += [
            (person_pk, pk, Membership.Role.MEMBER.value, created_at)
            for pk in organisation_pks
            if pk not in have
        ]
        gone += [
            pk
            for organisation_pk, (pk, role) in have.items()
            if organisation_pk not in listed and role != Membership.Role.ADMIN
        ]
    for chunk in _chunks(gone):
        Membership.objects.filter(pk__in=chunk).delete()
    _rows_insert(Membership, ["person", "organisation", "role", "created_at"], new)


def _users_link(claims: list[tuple[int, str]]) -> None:
    """Link a person to the account with their email address when that account has no
    person yet; the first person in the file gets it."""
    emails = sorted({email.lower() for _pk, email in claims})
    users: dict[str, int] = {}
    for chunk in _chunks(emails):
        rows = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=chunk)
        users.update(rows.values_list("email_lower", "pk"))
    taken: set[int] = set()
    user_pks = list(users.values())
    for chunk in _chunks(user_pks):
        taken.update(Person.objects.filter(user_id__in=chunk).values_list("user_id", flat=True))
    for person_pk, email in claims:
        user_pk = users.get(email.lower())
        if user_pk is not None and user_pk not in taken:
            Person.objects.filter(pk=person_pk).update(user_id=user_pk)
            taken.add(user_pk)


import_type_register(
    type_name="organisation",
    handler=ModelRecordType(
        model=Organisation,
        label_field="name",
        fields=(
            "kind",
            "municipality",
            "description",
            "website",
            "themes",
            "target_groups",
            "languages",
            "offers",
            "open_to_matching",
        ),
    ),
)
import_type_register(
    type_name="person",
    handler=PersonRecordType(
        model=Person,
        label_field="name",
        fields=(
            "email",
            "municipality",
            "organisations",
            "roles",
            "languages",
            "themes",
            "target_groups",
            "skills",
            "bio",
            "looking_for",
            "hours_per_week",
            "mentor_capacity",
            "visibility",
            "open_to_matching",
        ),
    ),
)
import_type_register(
    type_name="initiative",
    handler=ModelRecordType(
        model=Initiative,
        label_field="title",
        fields=(
            "organisation",
            "partners",
            "leader",
            "municipality",
            "neighbourhood",
            "themes",
            "target_groups",
            "status",
            "started",
            "ended",
            "summary",
            "results",
            "success_factors",
            "obstacles",
            "lessons",
            "funders",
        ),
    ),
)
import_type_register(
    type_name="fund",
    handler=ModelRecordType(
        model=Fund,
        label_field="name",
        fields=("description", "website", "themes", "target_groups"),
    ),
)
