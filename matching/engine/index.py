"""The candidate index: one row ("slot") per candidate, as NumPy arrays.

Taxonomies are uint64 bitmasks (one word per 64 slugs), coordinates float32, track records
per-candidate float32 sums (theme x status weight, target group x status weight) and texts
an inverted TF-IDF index (a scipy.sparse CSC matrix, candidates x stems) with a small overlay
for rows rewritten since the last compaction, so that `upsert()` never rebuilds the matrix.
See docs/matching-engine.md.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable

import numpy as np
from scipy import sparse

from matching.engine.formulae import (
    DEGREE,
    KIND_CODE,
    bit_words,
    bit_words_of,
    candidate_hours,
    candidate_point,
    experience,
    exposure_log,
    normalise_municipality,
    positions_of,
    slug_bits,
    status_weight,
)
from matching.engine.text import TextModel
from matching.engine.types import CANDIDATE_KINDS, CandidateRecord, Vocabulary

# Rows rewritten since the last compaction wait in an overlay. Past OVERLAY_LIMIT,
# `CandidateIndex.needs_compaction` says so, and the caller runs `compact()` (about 0.5 s at
# 100,000 candidates) in a background task; `upsert()` itself compacts only past the hard
# limit, so that a single refresh stays well under 100 ms.
OVERLAY_LIMIT = 2048
OVERLAY_HARD_LIMIT = 32768
DENSE_SHARE = 0.10  # a stem in at least this share of the rows is stored as a dense column
MAX_DENSE_COLUMNS = 64
_COLUMN_ARRAYS = (
    "roles",
    "themes",
    "profile_themes",
    "target_groups",
    "languages",
    "track_themes",
    "track_groups",
)
_FILL = {"latitude": np.nan, "longitude": np.nan, "hours": np.nan, "municipality": -1}


class Postings:
    """Candidates x stems, TF-IDF weights (float32), stored column-wise (an inverted index).

    `scores()` multiplies a query into it touching only the columns of the query's stems:
    a frequent stem's column is a dense float32 row (adding 100,000 floats is cheaper than
    scattering 10,000 postings), the others are a scipy.sparse CSC matrix. Rows rewritten by
    `set_row()` live in an overlay until `compact()` folds them in, so `upsert()` never
    rebuilds the matrix.
    """

    def __init__(self, n_terms: int, capacity: int):
        self.n_terms = n_terms
        self.main = sparse.csc_matrix((capacity, n_terms), dtype=np.float32)
        self.dense = np.zeros((0, capacity), dtype=np.float32)
        self.dense_position = np.full(n_terms, -1, dtype=np.int32)
        self.stale = np.zeros(capacity, dtype=bool)  # main's row is outdated (see overlay)
        self.overlay: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._overlay_matrix: sparse.csc_matrix | None = None
        self._overlay_slots = np.empty(0, dtype=np.int64)

    @classmethod
    def build(cls, rows: list[tuple[np.ndarray, np.ndarray]], n_terms: int) -> Postings:
        postings = cls(n_terms, len(rows))
        postings._set_main(_csc(rows, range(len(rows)), len(rows), n_terms))
        return postings

    @classmethod
    def build_from_counts(
        cls, counted: list[tuple[array, array]], idf: np.ndarray, n_terms: int
    ) -> Postings:
        """`build()` from the term counts `TextModel.fit()` returns, all rows at once.

        The same float64 operations as `TextModel.document_vector_of_counts()` row by row,
        in the same order (columns sorted within a row; the squares summed one by one, which
        is what `np.bincount` does), so the matrix is bit-identical; only the Python loop
        and two small arrays per text are gone (a third of the engine's build time)."""
        n_rows = len(counted)
        lengths = np.fromiter((len(c) for c, _ in counted), dtype=np.int64, count=n_rows)
        total = int(lengths.sum())
        postings = cls(n_terms, n_rows)
        if total == 0:
            return postings
        # int32 throughout (what the matrix stores anyway): the build's peak stays low.
        rows = np.repeat(np.arange(n_rows, dtype=np.int32), lengths)
        columns = np.frombuffer(b"".join(c.tobytes() for c, _ in counted), dtype=np.intc)
        counts = np.frombuffer(b"".join(n.tobytes() for _, n in counted), dtype=np.intc)
        order = np.lexsort((columns, rows))  # columns ascending within a row
        rows, columns, counts = rows[order], columns[order], counts[order]
        del order
        # 1 + ln(tf) from math.log, as the row-by-row code computes it (np.log may differ
        # in the last bit); counts are small, so a table.
        tf = np.asarray([0.0] + [1.0 + math.log(n) for n in range(1, int(counts.max()) + 1)])
        weights = tf[counts] * idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=n_rows))
        data = (weights / norms[rows]).astype(np.float32)
        matrix = sparse.csc_matrix(
            (data, (rows, columns)), shape=(n_rows, n_terms), dtype=np.float32
        )
        matrix.sort_indices()
        postings._set_main(matrix)
        return postings

    def _set_main(self, matrix: sparse.csc_matrix) -> None:
        """Split a full matrix into dense frequent columns and the sparse rest."""
        n_rows = matrix.shape[0]
        document_frequency = np.diff(matrix.indptr)
        frequent = np.flatnonzero(document_frequency >= max(1.0, DENSE_SHARE * n_rows))
        if len(frequent) > MAX_DENSE_COLUMNS:
            order = np.argsort(-document_frequency[frequent], kind="stable")
            frequent = np.sort(frequent[order[:MAX_DENSE_COLUMNS]])
        self.dense = np.zeros((len(frequent), n_rows), dtype=np.float32)
        self.dense_position = np.full(self.n_terms, -1, dtype=np.int32)
        if len(frequent):
            matrix = matrix.copy()
            for position, column in enumerate(frequent.tolist()):
                start, end = matrix.indptr[column], matrix.indptr[column + 1]
                self.dense[position, matrix.indices[start:end]] = matrix.data[start:end]
                matrix.data[start:end] = 0.0  # TF-IDF weights are > 0: only these go
                self.dense_position[column] = position
            matrix.eliminate_zeros()
        matrix.sort_indices()  # weights_for() binary-searches a column for a slot
        self.main = matrix

    def grow(self, capacity: int) -> None:
        if capacity > len(self.stale):
            stale = np.ones(capacity, dtype=bool)  # new rows are not in main
            stale[: len(self.stale)] = self.stale
            self.stale = stale

    def set_row(self, slot: int, columns: np.ndarray, weights: np.ndarray) -> None:
        self.grow(slot + 1)
        self.overlay[slot] = (columns, weights)
        self.stale[slot] = True
        self._overlay_matrix = None
        if len(self.overlay) > OVERLAY_HARD_LIMIT:
            self.compact()  # a safety net; callers compact sooner, outside the request path

    def weights_for(self, slots: list[int], columns: np.ndarray) -> list[dict[int, float]]:
        """Per slot, its weights for the given stems (those it has): for the evidence."""
        found: list[dict[int, float]] = [{} for _ in slots]
        wanted = columns.tolist()
        wanted_set = set(wanted)
        in_main: dict[int, int] = {}
        for i, slot in enumerate(slots):
            if slot in self.overlay:
                row_columns, row_weights = self.overlay[slot]
                found[i] = {
                    c: w
                    for c, w in zip(row_columns.tolist(), row_weights.tolist(), strict=True)
                    if c in wanted_set
                }
            elif slot < self.main.shape[0] and not self.stale[slot]:
                in_main[slot] = i
        if not in_main:
            return found
        targets = np.fromiter(in_main, dtype=np.int64, count=len(in_main))
        indptr, indices, data = self.main.indptr, self.main.indices, self.main.data
        is_target = np.zeros(self.main.shape[0], dtype=bool)
        is_target[targets] = True
        starts, ends, sparse_columns = [], [], []
        for column in wanted:
            position = int(self.dense_position[column])
            if position >= 0:
                values = self.dense[position, targets].tolist()
                for slot, value in zip(targets.tolist(), values, strict=True):
                    if value:
                        found[in_main[slot]][column] = value
            elif indptr[column] != indptr[column + 1]:
                starts.append(indptr[column])
                ends.append(indptr[column + 1])
                sparse_columns.append(column)
        if starts:
            lengths = np.asarray(ends) - np.asarray(starts)
            offsets = np.repeat(np.asarray(starts) - np.cumsum(lengths) + lengths, lengths)
            entries = offsets + np.arange(int(lengths.sum()))
            hits = np.flatnonzero(is_target[indices[entries]])
            owners = np.repeat(np.asarray(sparse_columns), lengths)[hits]
            for entry, column in zip(entries[hits].tolist(), owners.tolist(), strict=True):
                found[in_main[int(indices[entry])]][column] = float(data[entry])
        return found

    def compact(self) -> None:
        capacity = len(self.stale)
        coo = self.main.tocoo()
        keep = ~self.stale[coo.row]
        rows = [coo.row[keep].astype(np.int64)]
        cols = [coo.col[keep].astype(np.int64)]
        data = [coo.data[keep]]
        for column in np.flatnonzero(self.dense_position >= 0).tolist():
            values = self.dense[self.dense_position[column]]
            nonzero = np.flatnonzero(values)
            nonzero = nonzero[~self.stale[nonzero]]
            rows.append(nonzero.astype(np.int64))
            cols.append(np.full(len(nonzero), column, dtype=np.int64))
            data.append(values[nonzero])
        for slot, (columns, weights) in self.overlay.items():
            rows.append(np.full(len(columns), slot, dtype=np.int64))
            cols.append(columns.astype(np.int64))
            data.append(weights)
        self._set_main(
            sparse.csc_matrix(
                (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                shape=(capacity, self.n_terms),
                dtype=np.float32,
            )
        )
        self.stale = np.zeros(capacity, dtype=bool)
        self.overlay = {}
        self._overlay_matrix = None

    def _overlay(self) -> sparse.csc_matrix:
        if self._overlay_matrix is None:
            slots = sorted(self.overlay)
            self._overlay_slots = np.asarray(slots, dtype=np.int64)
            self._overlay_matrix = _csc(
                [self.overlay[s] for s in slots], slots, len(self.stale), self.n_terms
            )
        return self._overlay_matrix

    def scores(
        self, columns: np.ndarray, weights: np.ndarray, size: int, slots: np.ndarray | None = None
    ) -> np.ndarray:
        """Query · row for every slot < size (float64); with `slots`, right only at those.

        Each row's products are added one query column after the other, in ascending
        column order, starting from 0.0: the order the reference loop uses, so that both
        get the same bits.
        """
        result = np.zeros(size, dtype=np.float64)
        rows_in_main = min(self.main.shape[0], size)
        few = slots is not None and 4 * len(slots) < rows_in_main
        if few:
            slots = slots[slots < rows_in_main]
        indptr, indices, data = self.main.indptr, self.main.indices, self.main.data
        for column, weight in zip(columns.tolist(), weights.tolist(), strict=True):
            position = self.dense_position[column]
            if position >= 0:
                if few:  # a few eligible candidates: add to them only
                    result[slots] += np.multiply(
                        self.dense[position][slots], weight, dtype=np.float64
                    )
                else:
                    result[:rows_in_main] += np.multiply(
                        self.dense[position, :rows_in_main], weight, dtype=np.float64
                    )
                continue
            start, end = indptr[column], indptr[column + 1]
            if start != end:
                result[indices[start:end]] += np.multiply(data[start:end], weight, dtype=np.float64)
        if self.overlay:
            overlay = self._overlay()
            slots = self._overlay_slots[self._overlay_slots < size]
            result[slots] = _bincount_dot(overlay, columns, weights, size)[slots]
        return result

    def nbytes(self) -> int:
        total = self.main.data.nbytes + self.main.indices.nbytes + self.main.indptr.nbytes
        total += self.dense.nbytes + self.dense_position.nbytes + self.stale.nbytes
        total += sum(c.nbytes + w.nbytes + 64 for c, w in self.overlay.values())
        return int(total)


def _csc(rows, slots, capacity: int, n_terms: int) -> sparse.csc_matrix:
    lengths = np.fromiter((len(c) for c, _ in rows), dtype=np.int64, count=len(rows))
    if lengths.sum() == 0:
        return sparse.csc_matrix((capacity, n_terms), dtype=np.float32)
    row_index = np.repeat(np.fromiter(slots, dtype=np.int64, count=len(rows)), lengths)
    columns = np.concatenate([c for c, _ in rows])
    data = np.concatenate([w for _, w in rows]).astype(np.float32)
    matrix = sparse.csc_matrix(
        (data, (row_index, columns)), shape=(capacity, n_terms), dtype=np.float32
    )
    matrix.sort_indices()
    return matrix


def _counts(text_model: TextModel, text: str) -> tuple[array, array]:
    counter = text_model.counts(text)
    return array("i", counter.keys()), array("i", counter.values())


def _bincount_dot(matrix: sparse.csc_matrix, columns, weights, size: int) -> np.ndarray:
    """Query · row for a small matrix: one bincount over the query columns' postings,
    which adds each row's products in column order, as `Postings.scores()` does."""
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    slots = []
    values = []
    for column, weight in zip(columns.tolist(), weights.tolist(), strict=True):
        start, end = indptr[column], indptr[column + 1]
        if start != end:
            slots.append(indices[start:end])
            values.append(np.multiply(data[start:end], weight, dtype=np.float64))
    if not slots:
        return np.zeros(size, dtype=np.float64)
    return np.bincount(np.concatenate(slots), np.concatenate(values), minlength=size)[:size]


def _deep_size(value, seen: set[int]) -> int:
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, str | bytes | int | float | bool) or value is None:
        return size
    if isinstance(value, dict):
        return size + sum(_deep_size(k, seen) + _deep_size(v, seen) for k, v in value.items())
    if isinstance(value, tuple | list | set | frozenset):
        return size + sum(_deep_size(v, seen) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return size + sum(_deep_size(getattr(value, f), seen) for f in value.__dataclass_fields__)
    return size


def _kept_estimate(kept: list) -> int:
    """Refs, names and track records kept for the evidence, estimated from a sample."""
    present = [k for k in kept if k is not None]
    if not present:
        return 0
    step = max(1, len(present) // 200)
    sample = present[::step]
    seen: set[int] = set()  # slugs and other shared objects count once
    per_record = sum(_deep_size(r, seen) for r in sample) / len(sample)
    return int(per_record * len(present))


def _slugs(words: np.ndarray, order: tuple[str, ...]) -> frozenset[str]:
    values = [int(w) for w in words.tolist()]
    return frozenset(slug for i, slug in enumerate(order) if values[i // 64] >> (i % 64) & 1)


_NO_IDS: tuple[int, ...] = ()
_NO_ITEMS: tuple = ()


class CandidateIndex:
    """All candidates (people and organisations) as arrays, ready for `rank()`.

    Build it with `CandidateIndex.build(records, vocabulary)`; keep it fresh with `upsert()`
    and `remove()`. The text vocabulary and idf are fixed at build time: rebuild now and
    then (nightly, or when many profiles changed) to pick up new words.
    """

    def __init__(self, vocabulary: Vocabulary, text_model: TextModel, capacity: int = 0):
        self.vocabulary = vocabulary
        self.text_model = text_model
        self._theme_positions = positions_of(vocabulary.themes)
        self._group_positions = positions_of(vocabulary.target_groups)
        self._language_positions = positions_of(vocabulary.languages)
        self._role_positions = positions_of(vocabulary.roles)
        self.theme_words = bit_words(len(vocabulary.themes))
        self.group_words = bit_words(len(vocabulary.target_groups))
        self.language_words = bit_words(len(vocabulary.languages))
        self.role_words = bit_words(len(vocabulary.roles))
        self.size = 0  # slots in use (alive or removed)
        self._count = 0
        self.slot_of: dict[tuple[str, int], int] = {}
        # What the arrays cannot give back, per slot: (ref, name, municipality,
        # organisation ids, track record). `record_at()` rebuilds a record from it.
        self.kept: list[tuple | None] = []
        self.members: dict[int, set[int]] = {}  # organisation id -> slots (members and itself)
        self.municipality_codes: dict[str, int] = {}
        self.text = Postings(len(text_model), capacity)
        self.looking_for = Postings(len(text_model), capacity)
        self._allocate(capacity)

    # -- arrays ---------------------------------------------------------------------------

    def _allocate(self, capacity: int) -> None:
        nt, ng = len(self.vocabulary.themes), len(self.vocabulary.target_groups)
        self.alive = np.zeros(capacity, dtype=bool)
        self.kind = np.zeros(capacity, dtype=np.uint8)
        self.ids = np.zeros(capacity, dtype=np.int64)
        # Bitmasks are stored word-major, (words, capacity): word w of every candidate is
        # one contiguous row, so a gather over candidates reads one array.
        self.roles = np.zeros((self.role_words, capacity), dtype=np.uint64)
        # Experience (declared plus running and finished initiatives) for the themes and
        # target-group signals; the declared themes alone for reciprocity.
        self.themes = np.zeros((self.theme_words, capacity), dtype=np.uint64)
        self.profile_themes = np.zeros((self.theme_words, capacity), dtype=np.uint64)
        self.target_groups = np.zeros((self.group_words, capacity), dtype=np.uint64)
        self.languages = np.zeros((self.language_words, capacity), dtype=np.uint64)
        self.theme_count = np.zeros(capacity, dtype=np.uint16)
        self.profile_theme_count = np.zeros(capacity, dtype=np.uint16)
        self.group_count = np.zeros(capacity, dtype=np.uint16)
        self.language_count = np.zeros(capacity, dtype=np.uint16)
        self.latitude = np.full(capacity, np.nan, dtype=np.float32)
        self.cos_latitude = np.zeros(capacity, dtype=np.float64)  # for the haversine
        self.longitude = np.full(capacity, np.nan, dtype=np.float32)
        self.municipality = np.full(capacity, -1, dtype=np.int32)
        self.hours = np.full(capacity, np.nan, dtype=np.float32)
        self.mentor_capacity = np.zeros(capacity, dtype=np.int32)
        self.mentor_load = np.zeros(capacity, dtype=np.int32)
        self.open = np.zeros(capacity, dtype=bool)
        self.hidden = np.zeros(capacity, dtype=bool)
        self.exposure = np.zeros(capacity, dtype=np.int32)
        self.exposure_log = np.zeros(capacity, dtype=np.float64)
        # Track record: row t holds, per candidate, the status-weighted count of its
        # initiatives on theme t (stored transposed so that a row is contiguous).
        self.track_themes = np.zeros((nt, capacity), dtype=np.float32)
        self.track_groups = np.zeros((ng, capacity), dtype=np.float32)
        self.text.grow(capacity)
        self.looking_for.grow(capacity)

    _ROW_ARRAYS = (
        "alive",
        "kind",
        "ids",
        "theme_count",
        "profile_theme_count",
        "group_count",
        "language_count",
        "latitude",
        "cos_latitude",
        "longitude",
        "municipality",
        "hours",
        "mentor_capacity",
        "mentor_load",
        "open",
        "hidden",
        "exposure",
        "exposure_log",
    )

    def _grow(self, needed: int) -> None:
        capacity = len(self.alive)
        if needed <= capacity:
            return
        new_capacity = max(needed, capacity * 2, 64)
        for name in self._ROW_ARRAYS:
            old = getattr(self, name)
            fill = _FILL.get(name, 0)
            new = np.full((new_capacity, *old.shape[1:]), fill, dtype=old.dtype)
            new[:capacity] = old
            setattr(self, name, new)
        for name in _COLUMN_ARRAYS:
            old = getattr(self, name)
            new = np.zeros((old.shape[0], new_capacity), dtype=old.dtype)
            new[:, :capacity] = old
            setattr(self, name, new)
        self.text.grow(new_capacity)
        self.looking_for.grow(new_capacity)

    # -- building and refreshing ----------------------------------------------------------

    @classmethod
    def build(
        cls,
        records: Iterable[CandidateRecord],
        vocabulary: Vocabulary,
        *,
        text_model: TextModel | None = None,
    ) -> CandidateIndex:
        """An index of `records`. The words and their idf are learnt from the records' texts,
        or, with `text_model`, taken from another index: the index that many `upsert()`s
        into that one produce, so that a test can compare the two exactly."""
        latest: dict[tuple[str, int], CandidateRecord] = {}
        for record in records:
            if record.kind in CANDIDATE_KINDS:
                latest[(record.kind, int(record.id))] = record  # the last one wins
        unique = list(latest.values())
        if text_model is None:
            text_model, counted = TextModel.fit((r.text or "", r.looking_for or "") for r in unique)
        else:
            counted = [
                [_counts(text_model, r.text or ""), _counts(text_model, r.looking_for or "")]
                for r in unique
            ]
        # Headroom, so that the first new candidates after a build do not copy every array.
        index = cls(vocabulary, text_model, capacity=len(unique) + len(unique) // 16 + 64)
        rows = []
        for record in unique:
            index._new_slot(record)
            rows.append(index._row(record))
        index._store_many(rows)
        n_terms, idf = len(text_model), text_model.idf
        index.text = Postings.build_from_counts([t for t, _ in counted], idf, n_terms)
        index.looking_for = Postings.build_from_counts([lf for _, lf in counted], idf, n_terms)
        return index

    def upsert(self, record: CandidateRecord) -> None:
        """Add a candidate or refresh one whose profile changed."""
        if record.kind not in CANDIDATE_KINDS:
            return
        key = (record.kind, int(record.id))
        slot = self.slot_of.get(key)
        if slot is None:
            slot = self._new_slot(record)
        else:
            self._forget_memberships(slot)
        self._write(slot, record)
        self.text.set_row(slot, *self.text_model.document_vector(record.text or ""))
        self.looking_for.set_row(slot, *self.text_model.document_vector(record.looking_for or ""))

    def remove(self, kind: str, id: int) -> None:
        slot = self.slot_of.pop((kind, int(id)), None)
        if slot is None:
            return
        self._forget_memberships(slot)
        self.alive[slot] = False
        self.kept[slot] = None
        self._count -= 1

    @property
    def needs_compaction(self) -> bool:
        """Many rows were rewritten since the build: time for `compact()`, off the hot path."""
        return max(len(self.text.overlay), len(self.looking_for.overlay)) > OVERLAY_LIMIT

    def compact(self) -> None:
        """Fold rewritten text rows into the main matrices (about 0.5 s at 100,000)."""
        self.text.compact()
        self.looking_for.compact()

    def _new_slot(self, record: CandidateRecord) -> int:
        slot = self.size
        self._grow(slot + 1)
        self.size += 1
        self.kept.append(None)
        self.slot_of[(record.kind, int(record.id))] = slot
        self._count += 1
        return slot

    def _forget_memberships(self, slot: int) -> None:
        kept = self.kept[slot]
        if kept is None:
            return
        organisations = set(kept[3])
        if self.kind[slot] == KIND_CODE["organisation"]:
            organisations.add(int(self.ids[slot]))
        for organisation_id in organisations:
            slots = self.members.get(organisation_id)
            if slots is not None:
                slots.discard(slot)
                if not slots:
                    del self.members[organisation_id]

    @staticmethod
    def _organisations_of(record: CandidateRecord) -> set[int]:
        organisations = {int(o) for o in record.organisation_ids or ()}
        if record.kind == "organisation":
            organisations.add(int(record.id))
        return organisations

    def _write(self, slot: int, record: CandidateRecord) -> None:
        self._store(slot, self._row(record))

    def _row(self, record: CandidateRecord) -> dict:
        """Everything the index stores about a candidate, as plain values per array."""
        roles = record.roles if record.kind == "person" else frozenset()
        point = candidate_point(record)
        hours = candidate_hours(record)
        municipality = normalise_municipality(record.municipality)
        track_themes = [0.0] * len(self.vocabulary.themes)
        track_groups = [0.0] * len(self.vocabulary.target_groups)
        for item in record.track_record or ():
            weight = status_weight(item)
            for theme in item.themes:
                position = self._theme_positions.get(theme)
                if position is not None:
                    track_themes[position] += weight
            for group in item.target_groups:
                position = self._group_positions.get(group)
                if position is not None:
                    track_groups[position] += weight
        items = record.track_record or ()
        profile_themes = slug_bits(record.themes, self._theme_positions)
        themes = slug_bits(experience(record.themes, items, "themes"), self._theme_positions)
        groups = slug_bits(
            experience(record.target_groups, items, "target_groups"), self._group_positions
        )
        languages = slug_bits(record.languages, self._language_positions)
        return {
            # The texts live on as TF-IDF rows and the slugs as bitmasks; keeping whole
            # records would take several times the memory of the arrays.
            "kept": (
                record.ref,
                record.name,
                record.municipality,
                tuple(sorted(int(o) for o in record.organisation_ids or ())) or _NO_IDS,
                tuple(record.track_record or ()) or _NO_ITEMS,
            ),
            "organisations": self._organisations_of(record),
            "alive": True,
            "kind": KIND_CODE[record.kind],
            "ids": int(record.id),
            "roles": bit_words_of(slug_bits(roles, self._role_positions), self.role_words),
            "themes": bit_words_of(themes, self.theme_words),
            "profile_themes": bit_words_of(profile_themes, self.theme_words),
            "profile_theme_count": profile_themes.bit_count(),
            "target_groups": bit_words_of(groups, self.group_words),
            "languages": bit_words_of(languages, self.language_words),
            "theme_count": themes.bit_count(),
            "group_count": groups.bit_count(),
            "language_count": languages.bit_count(),
            "latitude": np.nan if point is None else point[0],
            "cos_latitude": 0.0 if point is None else math.cos(point[0] * DEGREE),
            "longitude": np.nan if point is None else point[1],
            "municipality": -1
            if municipality is None
            else self.municipality_codes.setdefault(municipality, len(self.municipality_codes)),
            "hours": np.nan if hours is None else hours,
            "mentor_capacity": int(record.mentor_capacity or 0),
            "mentor_load": int(record.mentor_load or 0),
            "open": bool(record.open_to_matching),
            "hidden": bool(record.hidden),
            "exposure": max(0, int(record.exposure or 0)),
            "exposure_log": exposure_log(record.exposure or 0),
            "track_themes": track_themes,
            "track_groups": track_groups,
        }

    def _store(self, slot: int, row: dict) -> None:
        self.kept[slot] = row["kept"]
        for name in self._ROW_ARRAYS:
            getattr(self, name)[slot] = row[name]
        for name in _COLUMN_ARRAYS:
            getattr(self, name)[:, slot] = row[name]
        for organisation_id in row["organisations"]:
            self.members.setdefault(organisation_id, set()).add(slot)

    def _store_many(self, rows: list[dict]) -> None:
        """`_store` for slots 0..len(rows)-1 at once (the build)."""
        n = len(rows)
        for slot, row in enumerate(rows):
            self.kept[slot] = row["kept"]
            for organisation_id in row["organisations"]:
                self.members.setdefault(organisation_id, set()).add(slot)
        if not n:
            return
        for name in self._ROW_ARRAYS:
            array = getattr(self, name)
            array[:n] = np.asarray([row[name] for row in rows], dtype=array.dtype)
        for name in _COLUMN_ARRAYS:
            array = getattr(self, name)
            array[:, :n] = np.asarray([row[name] for row in rows], dtype=array.dtype).T

    # -- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._count

    def __contains__(self, key: tuple[str, int]) -> bool:
        return key in self.slot_of

    def record(self, kind: str, id: int) -> CandidateRecord | None:
        slot = self.slot_of.get((kind, int(id)))
        return None if slot is None else self.record_at(slot)

    def record_at(self, slot: int) -> CandidateRecord | None:
        """The candidate as the index sees it: slugs outside the vocabulary are gone,
        coordinates and hours are float32, and the texts are empty (they live as TF-IDF)."""
        kept = self.kept[slot]
        if kept is None:
            return None
        ref, name, municipality, organisation_ids, track_record = kept
        vocabulary = self.vocabulary
        latitude = float(self.latitude[slot])
        longitude = float(self.longitude[slot])
        hours = float(self.hours[slot])
        return CandidateRecord(
            id=int(self.ids[slot]),
            kind=CANDIDATE_KINDS[int(self.kind[slot])],
            ref=ref,
            name=name,
            roles=_slugs(self.roles[:, slot], vocabulary.roles),
            themes=_slugs(self.profile_themes[:, slot], vocabulary.themes),
            # experience: declared plus those of running and finished initiatives
            target_groups=_slugs(self.target_groups[:, slot], vocabulary.target_groups),
            languages=_slugs(self.languages[:, slot], vocabulary.languages),
            latitude=None if math.isnan(latitude) else latitude,
            longitude=None if math.isnan(longitude) else longitude,
            municipality=municipality,
            hours_per_week=None if math.isnan(hours) else hours,
            mentor_capacity=int(self.mentor_capacity[slot]),
            mentor_load=int(self.mentor_load[slot]),
            open_to_matching=bool(self.open[slot]),
            hidden=bool(self.hidden[slot]),
            organisation_ids=frozenset(organisation_ids),
            text="",
            looking_for="",
            track_record=track_record,
            exposure=int(self.exposure[slot]),
        )

    def keys(self) -> list[tuple[str, int]]:
        return list(self.slot_of)

    def nbytes(self) -> int:
        """Memory the index takes: the arrays exactly, the Python-side maps estimated."""
        return sum(self.nbytes_detail().values())

    def nbytes_detail(self) -> dict[str, int]:
        arrays = sum(getattr(self, name).nbytes for name in self._ROW_ARRAYS)
        arrays += sum(getattr(self, name).nbytes for name in _COLUMN_ARRAYS)
        python_maps = (
            sys.getsizeof(self.slot_of)
            + sys.getsizeof(self.kept)
            + 64 * len(self.slot_of)  # each key tuple with its two members
            + sum(sys.getsizeof(s) for s in self.members.values())
        )
        return {
            "arrays": int(arrays),
            "kept": _kept_estimate(self.kept),
            "text": self.text.nbytes() + self.looking_for.nbytes(),
            "text_model": self.text_model.nbytes(),
            "python_maps": int(python_maps),
        }
