"""The index build's faster paths build exactly the index the row-by-row code built:
the same arrays, bit for bit, the same vocabulary, the same text matrices."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from django.core.management import call_command
from scipy import sparse

from matching import index as matching_index
from matching.engine import CandidateIndex
from matching.engine.index import Postings
from matching.engine.synthetic import NetworkGenerator, contract_vocabulary
from matching.engine.text import TextModel


def _row_by_row(records, vocabulary) -> CandidateIndex:
    """The build as it was: one document vector per text, then `Postings.build()`."""
    index = CandidateIndex.build(records, vocabulary)
    latest = {(r.kind, int(r.id)): r for r in records}
    text_model, counted = TextModel.fit(
        (r.text or "", r.looking_for or "") for r in latest.values()
    )
    vector, n_terms = text_model.document_vector_of_counts, len(text_model)
    index.text = Postings.build([vector(t) for t, _ in counted], n_terms)
    index.looking_for = Postings.build([vector(lf) for _, lf in counted], n_terms)
    return index


def _assert_same(a, b, path: str = "index") -> None:
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), path
        assert (a.dtype, a.shape) == (b.dtype, b.shape), path
        assert a.tobytes() == b.tobytes(), path  # bit for bit, NaNs included
    elif sparse.issparse(a):
        assert a.shape == b.shape and a.format == b.format, path
        for part in ("data", "indices", "indptr"):
            _assert_same(getattr(a, part), getattr(b, part), f"{path}.{part}")
    elif isinstance(a, Postings | CandidateIndex | TextModel):
        assert type(a) is type(b) and vars(a).keys() == vars(b).keys(), path
        for name in vars(a):
            _assert_same(getattr(a, name), getattr(b, name), f"{path}.{name}")
    else:
        assert a == b, path


def test_the_built_index_is_identical_to_the_row_by_row_build():
    vocabulary = contract_vocabulary()
    records = NetworkGenerator(seed=3, vocabulary=vocabulary).network(600, 60)
    new, old = CandidateIndex.build(records, vocabulary), _row_by_row(records, vocabulary)
    assert new.text.main.nnz > 1000 and len(new.text.dense)  # sparse and dense stems
    _assert_same(new, old)


def test_an_index_without_any_text_builds():
    vocabulary = contract_vocabulary()
    generated = NetworkGenerator(seed=4, vocabulary=vocabulary).network(5, 1)
    records = [dataclasses.replace(r, text="", looking_for="") for r in generated]
    _assert_same(CandidateIndex.build(records, vocabulary), _row_by_row(records, vocabulary))


@pytest.mark.django_db
def test_the_adapter_builds_the_same_index_for_a_generated_network():
    call_command("generate_network", people=400, organisations=40, initiatives=120, seed=1)
    records = [*matching_index.person_records(), *matching_index.organisation_records()]
    vocabulary = matching_index.vocabulary()
    _assert_same(matching_index.index_build(), _row_by_row(records, vocabulary))
