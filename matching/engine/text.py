"""Text relevance: Dutch stemming and TF-IDF with a vocabulary fixed when the index is built.

Words are lower-cased, split on anything that is not a letter (so Özdemir, N'Diaye and
عائشة survive), stripped of common Dutch and English function words and stemmed with the
Snowball Dutch stemmer. A document's weight for a stem is (1 + ln tf) * idf, L2-normalised;
the idf is smoothed (ln((1 + N) / (1 + df)) + 1) over the candidates' texts at build time.
Stems that were not seen at build time are ignored until the next build.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable

import numpy as np
import snowballstemmer

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_STOPWORD_TEXT = """
    aan al alle alles als altijd andere ben bij daar dan dat de der deze die dit doch doen
    door dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun
    iemand iets ik in is ja je kan kon kunnen maar me meer men met mij mijn moet na naar niet
    niets nog nu of om omdat onder ons ook op over reeds te tegen toch toen tot u uit uw van
    veel voor want waren was wat we wel werd wezen wie wil worden wordt zal ze zelf zich zij
    zijn zo zonder zou onze jullie graag samen per wij elk elke welke waar waarin heel
    a an and are as at be by for from has have in is it its of on or that the this to was
    we were will with our you your who what which
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_stemmer = snowballstemmer.stemmer("dutch")
_stem_cache: dict[str, str] = {}
_STEM_CACHE_LIMIT = 500_000


def stem(word: str) -> str:
    cached = _stem_cache.get(word)
    if cached is None:
        if len(_stem_cache) >= _STEM_CACHE_LIMIT:
            _stem_cache.clear()
        cached = _stemmer.stemWord(word)
        _stem_cache[word] = cached
    return cached


def words(text: str) -> list[str]:
    """The content words of a text, lower-cased, before stemming."""
    if not text:
        return []
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS]


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


class TextModel:
    """The vocabulary (stem -> column), idf per column and a readable word per stem."""

    def __init__(self, term_ids: dict[str, int], idf: np.ndarray, display: list[str]):
        self.term_ids = term_ids
        self.idf = idf  # float64, one per column
        self._idf = idf.tolist()  # the same, for the per-text loops
        self.display = display  # the first word seen for each stem, for the reasons

    @classmethod
    def fit(
        cls, documents: Iterable[tuple[str, ...]]
    ) -> tuple[TextModel, list[list[tuple[array, array]]]]:
        """Learn the vocabulary and idf from candidates' texts, in one pass.

        Each document is a candidate's group of texts (profile text, "looking for"), which
        counts once for the document frequency. Returns the model and, per document and
        text, its term counts as two compact arrays (columns, counts), so that nothing is
        tokenised twice and 200,000 texts do not become 200,000 dicts.
        """
        term_ids: dict[str, int] = {}
        display: list[str] = []
        document_frequency: Counter[int] = Counter()
        counted: list[list[tuple[array, array]]] = []
        cache = _stem_cache
        for group in documents:
            per_text = []
            seen: set[int] = set()
            for text in group:
                columns = []
                for word in words(text):
                    term = cache.get(word) or stem(word)
                    column = term_ids.get(term)
                    if column is None:
                        column = len(display)
                        term_ids[term] = column
                        display.append(word)
                    columns.append(column)
                counter = Counter(columns)
                seen.update(counter)
                per_text.append((array("i", counter.keys()), array("i", counter.values())))
            document_frequency.update(seen)
            counted.append(per_text)
        df = np.zeros(len(display), dtype=np.float64)
        if document_frequency:
            df[np.fromiter(document_frequency.keys(), dtype=np.int64)] = np.fromiter(
                document_frequency.values(), dtype=np.float64
            )
        idf = np.log((1.0 + len(counted)) / (1.0 + df)) + 1.0
        return cls(term_ids, idf, display), counted

    def __len__(self) -> int:
        return len(self.display)

    def counts(self, text: str) -> Counter[int]:
        """Term frequency per known column."""
        ids = self.term_ids
        cache = _stem_cache
        columns = [ids.get(cache.get(w) or stem(w)) for w in words(text)]
        return Counter(c for c in columns if c is not None)

    def vector(self, text: str, max_terms: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(sorted columns int32, L2-normalised weights float64) of a text.

        With `max_terms`, only the text's most weighty stems are kept (a query, not a
        document: the rest adds work and little signal)."""
        return self.vector_of_counts(self.counts(text), max_terms)

    def vector_of_counts(
        self, counter: Counter[int], max_terms: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if not counter:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
        idf = self._idf
        weight_of = {c: (1.0 + math.log(n)) * idf[c] for c, n in counter.items()}
        columns = sorted(counter)
        if max_terms is not None and len(columns) > max_terms:
            heaviest = sorted(columns, key=lambda c: (-weight_of[c], c))[:max_terms]
            columns = sorted(heaviest)
        weights = [weight_of[c] for c in columns]
        norm = math.sqrt(sum(w * w for w in weights))
        return (
            np.asarray(columns, dtype=np.int32),
            np.asarray([w / norm for w in weights], dtype=np.float64),
        )

    def document_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A candidate's vector as the index stores it: weights rounded to float32."""
        return self.document_vector_of_counts(self.counts(text))

    def document_vector_of_counts(self, counted) -> tuple[np.ndarray, np.ndarray]:
        """`document_vector` from counts: a Counter, or (columns, counts) as `fit` gives."""
        counter = counted if isinstance(counted, dict) else dict(zip(*counted, strict=True))
        columns, weights = self.vector_of_counts(counter)
        return columns, weights.astype(np.float32)

    def nbytes(self) -> int:
        # The dict and strings are Python objects; this is an estimate (about 120 B a term).
        return int(self.idf.nbytes) + 120 * len(self.display)
