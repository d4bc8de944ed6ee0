"""Search for the network that forgives how a word or name is written (docs/network.md,
"Search").

- One fold (`fold`): NFKD, combining marks dropped, casefolded, apostrophes and hyphens
  dropped, so `Özdemir` = `ozdemir` and `N'Diaye` = `ndiaye`. It is the only definition of
  "the same letters": everything this module stores or compares in Python goes through it.
- Full text. On PostgreSQL each row stores a `search_vector` in the `bruggen_dutch` text
  search configuration (Dutch stemming after `unaccent`, so `ouders` finds `ouder` and
  `Ozdemir` finds `Özdemir`) with a GIN index. On SQLite the same column stores the row's
  folded text and every query word (folded, a Dutch plural ending dropped) must occur in it.
- Names (people, organisations). `search_name` is the folded name and `search_key` its
  consonant skeleton per word (`Mohammed`, `Mohamed` and `Muhammad` are all `mhmd`). A name
  matches when every query word occurs in it (so a prefix matches while someone types), when
  a query word's skeleton equals one of the name's, or, on PostgreSQL, when the name is
  similar enough by trigrams (`pg_trgm`, GIN-indexed `%>`). Best matches first: a name that
  starts with the query, then the trigram similarity.

All of it is refreshed by `search_vectors_refresh`, which every writer calls (the services,
the import, the generator, the admin).

- Cached results (`search_cached`). The knowledge bank's sorted id windows and counts are
  kept in the Django cache (Redis in production) under a key made of the search
  generation and the SQL that computes them. `search_results_changed` moves the
  generation on: `search_vectors_refresh` calls it, so every writer does, and so do the
  deletes, which refresh nothing.
- Rendered fragments (`fragments_cached`). The knowledge bank page's filter form and results
  list, rendered once per query string, page and language in a generation: the same
  generation, so the same writes make them stale.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.http import HttpResponse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from config.after_commit import on_commit_safe
from network.models import Initiative, Organisation, Person

SEARCH_CONFIG = "bruggen_dutch"
MAX_QUERY_LENGTH = 300
MAX_FALLBACK_WORDS = 8
MIN_NAME_QUERY = 2  # one letter would list half the network
MIN_KEY_WORD = 4  # skeletons of shorter words (`ali` → `al`) match too much
MIN_KEY = 3
MIN_TRIGRAM_QUERY = 4
REFRESH_CHUNK = 2000

# Weighted fields per model: A counts most. Only the row's own columns (UPDATE can't join).
VECTOR_FIELDS = {
    Initiative: {
        "A": ["title"],
        "B": ["summary", "lessons", "results"],
        "C": ["obstacles", "neighbourhood"],
    },
    Organisation: {"A": ["name"], "B": ["description", "offers"]},
    Person: {"A": ["name"], "B": ["bio", "looking_for"]},
}
# By model name, so that a migration's historical models refresh through the same code.
_FIELDS_BY_MODEL_NAME = {model._meta.model_name: fields for model, fields in VECTOR_FIELDS.items()}
NAME_MODELS = {Organisation._meta.model_name, Person._meta.model_name}


def searchable_register(*, model, fields: dict[str, list[str]], cached: bool = False) -> None:
    """Make an app's model searchable like the network's own: `fields` are its weighted
    columns (as in VECTOR_FIELDS); every writer refreshes it with `search_vectors_refresh`.
    `cached`: its search results are alike for every reader, so `search_cached` may keep them.
    Called from the app's AppConfig.ready() (the sources library registers `Source`)."""
    VECTOR_FIELDS[model] = fields
    _FIELDS_BY_MODEL_NAME[model._meta.model_name] = fields
    if cached:
        CACHED_MODELS.add(model._meta.label)


# Apostrophes and hyphens of every kind (N'Diaye, N\u2019Diaye, Al-Amal, El\u2011Amrani).
_DROPPED = re.compile("['`\u00b4\u02b9\u02bb\u02bc\u02bd\u2018\u2019\u201b\u2032\\-\u2010-\u2015]")
# Letters that are not a base letter plus a mark, so NFKD leaves them whole.
_LETTERS = str.maketrans(
    {
        "\u0131": "i",  # Turkish dotless i, so that Yildiz finds the name spelt with it
        "\u00f8": "o",
        "\u0142": "l",
        "\u0111": "d",
        "\u00f0": "d",
        "\u0127": "h",
        "\u00e6": "ae",
        "\u0153": "oe",
        "\u00fe": "th",
    }
)
_VOWELS = frozenset("aeiouy")
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def fold(text: str) -> str:
    """The one fold: the form in which names and text are stored and compared."""
    text = unicodedata.normalize("NFKD", text)
    # Marks (accents, Arabic vowel signs) and format characters (zero-width spaces, bidi
    # controls) are not letters anyone types on purpose.
    text = "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Cf"))
    text = _DROPPED.sub("", text.casefold().translate(_LETTERS))
    return " ".join(unicodedata.normalize("NFC", text).split())


def name_key(folded: str) -> str:
    """Consonant skeletons of a folded name's words, padded with spaces so that a word is
    found as ` mhmd `: the first letter, then the consonants, doubles made single.
    Transliterations of one name mostly differ in vowels and doubled letters."""
    keys = []
    for word in re.findall(r"\w+", folded):
        key = word[0]
        for letter in word[1:]:
            if letter not in _VOWELS and letter != key[-1]:
                key += letter
        keys.append(key)
    return f" {' '.join(keys)} " if keys else ""


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


def clean_query(q: str | None) -> str:
    """Any string is a valid search: drop control characters (NUL included) and lone
    surrogates, collapse space, cap length."""
    if not q:
        return ""
    q = _CONTROL.sub(" ", str(q))
    return " ".join(q.split())[:MAX_QUERY_LENGTH]


def search_vector_expression(model) -> SearchVector:
    expression = None
    for weight, fields in _FIELDS_BY_MODEL_NAME[model._meta.model_name].items():
        part = SearchVector(*fields, weight=weight, config=SEARCH_CONFIG)
        expression = part if expression is None else expression + part
    return expression


def search_vectors_refresh(model, ids: Iterable[int] | None = None) -> None:
    """Recompute what search reads for these rows (all rows when ids is None): the stored
    search vector, and for people and organisations the folded name and its skeleton.
    Cached search results are stale from here on (`search_results_changed`)."""
    queryset = model._default_manager.all()
    if ids is not None:
        ids = list(ids)
        if not ids:
            return
        queryset = queryset.filter(pk__in=ids)
    search_results_changed()
    if full_text_available() and model._meta.model_name not in NAME_MODELS:
        queryset.update(search_vector=search_vector_expression(model))
    else:
        _folded_refresh(model, queryset)


def _folded_refresh(model, queryset: QuerySet) -> None:
    """Write what `fold` computes (SQL has no equal of it), a chunk of rows per statement:
    for people and organisations the folded name and its skeleton; on SQLite, as the
    search vector, the row's folded text. On PostgreSQL the same statement computes the
    search vector, so that each row is rewritten once, not twice."""
    postgresql = full_text_available()
    names = model._meta.model_name in NAME_MODELS
    fields = [f for group in _FIELDS_BY_MODEL_NAME[model._meta.model_name].values() for f in group]
    if postgresql:
        fields = fields[:1]  # the name, the first A field
    columns = ([] if postgresql else ["search_vector"]) + (
        ["search_name", "search_key"] if names else []
    )
    pks = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(pks), REFRESH_CHUNK):
        rows = model._default_manager.filter(pk__in=pks[start : start + REFRESH_CHUNK])
        params = []
        for pk, *values in rows.values_list("pk", *fields):
            folded_name = fold(values[0] or "")
            row = [] if postgresql else [fold(" ".join(v for v in values if v))]
            if names:
                row += [folded_name, name_key(folded_name)]
            params.append((pk, *row))
        if postgresql:
            _rows_update_postgresql(model, columns, params)
        else:
            _rows_update(model, columns, params)


# Identifiers come from the model's own metadata and are quoted; every value is a parameter.


def _rows_update(model, columns: list[str], rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(f"{quote(column)} = %s" for column in columns),
        quote(model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*values, pk) for pk, *values in rows])


def _rows_update_postgresql(model, columns: list[str], rows: list[tuple]) -> None:
    """The search vector and the given columns of a chunk of rows in one statement (unnest
    of arrays: a round trip per row made 100,000 people take half a minute)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    query = model._default_manager.annotate(_vector=search_vector_expression(model)).query
    vector_sql, vector_params = query.get_compiler(connection=connection).compile(
        query.annotations["_vector"]
    )
    sets = [f"{quote('search_vector')} = {vector_sql}"]
    sets += [f"{quote(c)} = v.{quote(c)}" for c in columns]
    template = "UPDATE {t} SET {sets} FROM unnest(%s::bigint[], {arrays}) AS v(pk, {names}) "
    sql = (template + "WHERE {t}.{pk} = v.pk").format(
        t=quote(model._meta.db_table),
        pk=quote(model._meta.pk.column),
        sets=", ".join(sets),
        arrays=", ".join("%s::text[]" for _ in columns),
        names=", ".join(quote(c) for c in columns),
    )
    arrays = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*vector_params, *arrays])


def _fallback_stem(word: str) -> str:
    # Enough of Dutch inflection for the SQLite fallback: ouders → ouder, vrijwilligers →
    # vrijwilliger, activiteiten → activiteit.
    for suffix in ("en", "s", "e"):
        if len(word) > 4 + len(suffix) and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _query_words(folded: str) -> list[str]:
    return re.findall(r"\w+", folded)[:MAX_FALLBACK_WORDS]


def _key_condition(word: str) -> Q | None:
    """The name has a word with this word's skeleton (`mohamed` finds `Muhammad`); None for
    a word too short to have a telling skeleton."""
    key = name_key(word).strip()
    if len(word) < MIN_KEY_WORD or len(key) < MIN_KEY:
        return None
    return Q(search_key__contains=f" {key} ")


def _any_key_condition(words: list[str]) -> Q | None:
    conditions = [c for c in map(_key_condition, words) if c is not None]
    if not conditions:
        return None
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return condition


def _name_condition(folded: str) -> Q:
    """Every query word is in the name or has a skeleton of the name; on PostgreSQL also a
    name similar enough by trigrams."""
    words = _query_words(folded)
    if not words:
        return Q(pk__in=[])
    condition = Q()
    for word in words:
        # Three letters or more anywhere in the name (trigrams find them); fewer only at
        # the start of a word, which the trigram index can still narrow down.
        if len(word) >= 3:
            word_condition = Q(search_name__contains=word)
        else:
            word_condition = Q(search_name__startswith=word) | Q(search_name__contains=f" {word}")
        key_condition = _key_condition(word)
        if key_condition is not None:
            word_condition |= key_condition
        condition &= word_condition
    # Trigrams of one or two letters say little, and the index can't narrow them down.
    if full_text_available() and len(folded) >= MIN_TRIGRAM_QUERY:
        condition |= Q(search_name__trigram_word_similar=folded)
    return condition


def _name_score(folded: str):
    """Higher is better: the name starts with the query, or a word of it does, or it
    shares a skeleton with it; on PostgreSQL plus the trigram word similarity (0 to 1)."""
    cases = [
        When(search_name__startswith=folded, then=Value(1.0)),
        When(search_name__contains=f" {folded}", then=Value(0.5)),
    ]
    key_condition = _any_key_condition(_query_words(folded))
    if key_condition is not None:
        cases.append(When(key_condition, then=Value(0.4)))
    score = Case(*cases, default=Value(0.0), output_field=FloatField())
    if full_text_available():
        score = score + TrigramWordSimilarity(folded, "search_name")
    return score


def name_query_usable(q: str | None) -> bool:
    """Whether `q` is enough to look for names: two letters at least."""
    return len(fold(clean_query(q))) >= MIN_NAME_QUERY


def name_search(queryset: QuerySet, q: str) -> QuerySet:
    """People or organisations whose name matches `q` as typed, annotated with `name_score`
    and best first. Fewer than two letters match nobody."""
    if not name_query_usable(q):
        return queryset.none()
    folded = fold(clean_query(q))
    return (
        queryset.filter(_name_condition(folded))
        .annotate(name_score=_name_score(folded))
        .order_by("-name_score", "search_name", "pk")
    )


def text_search(queryset: QuerySet, q: str, *, rank: bool) -> QuerySet:
    """Filter (and with `rank`, annotate `rank`) a queryset of a searchable model: full
    text, and for people and organisations also their names as `name_search` matches them."""
    q = clean_query(q)
    if not q:
        return queryset.annotate(rank=Value(0.0)) if rank else queryset
    folded = fold(q)
    names = queryset.model._meta.model_name in NAME_MODELS
    if full_text_available():
        query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
        condition = Q(search_vector=query)
        if names:
            condition |= _name_condition(folded)
        queryset = queryset.filter(condition)
        _full_text_mark(queryset)
        if rank:
            score = SearchRank(F("search_vector"), query)
            if names:
                score = score + _name_score(folded)
            queryset = queryset.annotate(rank=score)
        return queryset
    for word in _query_words(folded):
        condition = Q(search_vector__contains=_fallback_stem(word))
        key_condition = _key_condition(word) if names else None
        if key_condition is not None:
            condition |= key_condition
        queryset = queryset.filter(condition)
    if rank:
        queryset = queryset.annotate(rank=_name_score(folded) if names else Value(0.0))
    return queryset


# The planner and `@@` ---------------------------------------------------------------------

# PostgreSQL costs `@@` (ts_match_vq) like an integer comparison, so for a common word (one in
# half the initiatives) it plans a sequential scan that evaluates `@@` on all 20,000 wide rows
# rather than the GIN index's exact bitmap, which needs no `@@` at all: 18-26 ms against 5-9 ms
# for a count or a ranked window at 100k (docs/network.md, "The planner and full text").
# Raising the function's cost is a superuser step (ALTER FUNCTION ... COST), so a full-text
# search of the network's own large tables turns sequential scans off for its own statements.
# Not for the small tables an app registers (the source library): a scan is right for them.
INDEX_PREFERRED_MODELS = {model._meta.label for model in (Initiative, Organisation, Person)}
_FULL_TEXT = "bruggen_full_text"


def _full_text_mark(queryset: QuerySet) -> None:
    # On the Query: Query.clone() copies its attributes, so every queryset chained from this
    # one (filters, values_list, slices, count) carries the mark.
    if queryset.model._meta.label in INDEX_PREFERRED_MODELS:
        setattr(queryset.query, _FULL_TEXT, True)


def searches_full_text(queryset: QuerySet) -> bool:
    """Whether `queryset` (or the one it was chained from) was filtered by `text_search` on
    PostgreSQL's full text, over one of the network's large tables."""
    return getattr(queryset.query, _FULL_TEXT, False)


def index_preferred(
    queryset: QuerySet,
    kind: str,
    compute: Callable[[], Any],
    statement: tuple[str, Any] | None = None,
) -> Any:
    """The ids (`kind` "ids": `queryset` is a window of `values_list("pk", flat=True)`) or
    the count (`kind` "count") of `queryset`, as `compute()` gives them; when it searches
    full text, with sequential scans discouraged: `SET enable_seqscan = off; <the
    statement>; RESET enable_seqscan`, sent as one message, so it costs no round trip more
    (a transaction of its own around the statement took three, measurable on the rare words
    most searches are). Nothing else is planned under it: PostgreSQL runs the three as one
    implicit transaction, so a failing statement takes the SET back with it; inside a
    transaction the failure aborts it and the rollback that must follow does the same.

    `statement` is `_statement(queryset, kind)` when the caller compiled it already (to key
    the cache on it): it is run as it is instead of compiling the query a second time."""
    full_text = searches_full_text(queryset)
    if statement is None:
        if not full_text:
            return compute()
        try:
            statement = _statement(queryset, kind)
        except EmptyResultSet:  # a filter that can match nothing: nothing to plan
            return compute()
    sql, params = statement
    with connections[queryset.db].cursor() as cursor:
        if full_text:
            cursor.execute(f"SET enable_seqscan = off; {sql}; RESET enable_seqscan", params)
            cursor.nextset()  # past the SET's result, to the statement's
        else:
            cursor.execute(sql, params)
        rows = cursor.fetchall()
    if kind == "count":
        return rows[0][0]
    return [row[0] for row in rows]


def _statement(queryset: QuerySet, kind: str) -> tuple[str, Any]:
    """The SQL and parameters that answer `index_preferred`'s question: the window's own
    query, or a count of the ids the queryset matches (what `QuerySet.count()` counts,
    without its ordering and annotations). Raises EmptyResultSet for a filter that can
    match nothing."""
    if kind == "count":
        inner, params = queryset.order_by().values("pk").query.sql_with_params()
        return f"SELECT COUNT(*) FROM ({inner}) AS counted", params  # noqa: S608 (compiled SQL)
    return queryset.query.sql_with_params()


# Cached results --------------------------------------------------------------------------

# Only what every viewer sees alike: initiatives are public, so their ids and counts are the
# same for anonymous and signed-in readers. People's directory depends on the viewer.
CACHED_MODELS = {Initiative._meta.label}
GENERATION_KEY = "search:generation"
VOCABULARY_KEY = "search:vocabulary"
# A safety net, not the invalidation: a bump lost while the cache was unreachable (it fails
# open) leaves stale entries for at most this long.
RESULT_TIMEOUT = 300


def search_results_changed() -> None:
    """Every cached search result is stale: a new generation, now and again after the
    transaction commits (a reader between the two may have cached what it saw before the
    commit under the first). A random token, not a counter, so that a generation lost with
    an evicted key or a restarted Redis can never come back and revive old entries."""
    _moved_on(GENERATION_KEY)


def vocabularies_changed() -> None:
    """A vocabulary's names changed (a theme, target group, success factor or municipality
    renamed in the admin): every process reads its own copy again (network.forms._rows) as
    soon as it sees the new vocabulary version, which it reads with the search generation,
    and every search result is stale. Both move on as the generation does."""
    _moved_on(VOCABULARY_KEY)
    search_results_changed()


def _moved_on(key: str) -> None:
    """A new random token under `key`, now and again after the transaction commits."""
    _token_new(key)
    if connection.in_atomic_block:
        on_commit_safe(lambda: _token_new(key))


def _token_new(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, timeout=None)


def _generation() -> str | None:
    global _vocabulary_last_read
    # The vocabulary version in the same round trip: nothing more for a hit to wait for.
    found = cache.get_many((GENERATION_KEY, VOCABULARY_KEY))
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    if generation is not None:
        _vocabulary_last_read = found.get(VOCABULARY_KEY)
    return generation  # None: the cache is down, or forgets at once (the dummy cache)


_vocabulary_last_read: str | None = None


def vocabulary_version_seen() -> str | None:
    """The vocabulary version this process read last with the search generation (None
    before any admin change, or before its first read), without a round trip: what its
    copy of the vocabularies (network.forms._rows) compares its own with."""
    return _vocabulary_last_read


def search_cached(queryset: QuerySet, kind: str, compute: Callable[[], Any]) -> Any:
    """`compute()` (ids or a count of `queryset`), from the cache when this exact SQL was
    answered in the current generation. The key is the SQL with its parameters, so that
    whatever shapes the result (the query's words, filters, order, window) is in it, and
    nothing that doesn't (the language of the page, who reads it). Uncached when the model
    is not public to all alike or the cache is down. Computed with the GIN index preferred
    (`index_preferred`)."""
    if queryset.model._meta.label not in CACHED_MODELS:
        return index_preferred(queryset, kind, compute)
    generation = _generation()
    if generation is None:
        return index_preferred(queryset, kind, compute)
    try:
        statement = _statement(queryset, kind)
    except EmptyResultSet:  # a filter that can match nothing: no SQL to run or to key on
        return compute()
    digest = hashlib.sha256(repr((kind, *statement)).encode()).hexdigest()
    key = f"search:{generation}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    value = index_preferred(queryset, kind, compute, statement)  # compiled once, not twice
    cache.set(key, value, timeout=RESULT_TIMEOUT)
    return value


def shared_cached(kind: str, key_parts: Any, compute: Callable[[], Any]) -> Any:
    """`compute()` from the cache when it was computed in the current search generation for
    the same `kind` and `key_parts`, else computed and kept. For values every viewer gets
    alike (nothing of a user, permission or token) that only a write moving the generation
    on can change, keyed by what the caller has at hand (its filters) instead of SQL:
    compiling a search's SQL to key `search_cached` costs as much as a cached page. Never
    store None (it reads as a miss)."""
    generation = _generation()
    if generation is None:
        return compute()
    digest = hashlib.sha256(repr((kind, key_parts)).encode()).hexdigest()
    key = f"search:{generation}:shared:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    value = compute()
    cache.set(key, value, timeout=RESULT_TIMEOUT)
    return value


# Rendered fragments: the knowledge bank's filter form and results list, as HTML.
FRAGMENT_PREFIX = "search-html"


def fragments_cached(
    parts: dict[str, tuple], render: Callable[[list[str]], dict[str, str]]
) -> dict[str, str]:
    """Rendered HTML fragments by name, from the cache when rendered in the current search
    generation with the same key parts, else `render(names missing)`. The caller puts in
    `parts` everything the HTML depends on (the query string, the page, the path); the
    active language is added here. Only for HTML that is the same for every viewer: the
    fragments are rendered without the request, so no user, permission or token can be in
    them. A write that changes search results moves the generation on
    (`search_results_changed`), which makes every fragment stale at once."""
    generation = _generation()
    if generation is None:  # the cache is down: render, keep nothing
        return render(list(parts))
    language = get_language() or ""
    keys = {
        name: f"{FRAGMENT_PREFIX}:{generation}:{name}:"
        + hashlib.sha256(repr((name, language, key_parts)).encode()).hexdigest()
        for name, key_parts in parts.items()
    }
    return _html_cached(keys, _local_fragments, render)


def _html_cached(keys: dict, local: _LocalFragments, render: Callable) -> dict:
    """HTML by name for these cache `keys` ({name: key}): from this process's copy
    (`local`), else the shared cache, else `render(names missing)` ({name: html}), which is
    then kept in both. Names `render` gives nothing for are left out."""
    found = _kept_get(keys.values(), local)
    missing = [name for name, key in keys.items() if key not in found]
    if missing:
        kept = {keys[name]: str(html) for name, html in render(missing).items()}
        _kept_set(kept, local)
        found.update(kept)
    return {name: mark_safe(found[key]) for name, key in keys.items() if key in found}  # noqa: S308


def _kept_get(keys: Iterable[str], local: _LocalFragments) -> dict:
    """What is kept under `keys`: from this process's copy, else the shared cache (then
    copied into this process's)."""
    found = local.get_many(keys)
    wanted = [key for key in keys if key not in found]
    if wanted:
        shared = cache.get_many(wanted)
        local.set_many(shared)
        found.update(shared)
    return found


def _kept_set(values: dict, local: _LocalFragments) -> None:
    cache.set_many(values, timeout=RESULT_TIMEOUT)
    local.set_many(values)


def rows_rendered_cached(
    kind: str, ids: list[int], render: Callable[[list[int]], dict[int, str]]
) -> list[str]:
    """Each row's rendered HTML (a result card), in the order of `ids`, from the cache when
    rendered in the current search generation in the active language, else `render(ids
    missing)` ({id: html}). A row's card is the same in every query that finds it, so a
    search nobody asked before renders only the rows never shown. The rules of
    `fragments_cached` hold: nothing of a viewer in the HTML, and every write that changes
    search results makes every card stale at once."""
    generation = _generation()
    if generation is None:  # the cache is down: render, keep nothing
        fresh = render(list(ids))
        return [mark_safe(str(fresh[pk])) for pk in ids if pk in fresh]  # noqa: S308
    language = get_language() or ""
    keys = {pk: f"{FRAGMENT_PREFIX}:{generation}:{kind}:{language}:{pk}" for pk in ids}
    html = _html_cached(keys, _local_rows, render)
    return [html[pk] for pk in ids if pk in html]


RESPONSE_PREFIX = "search-response"


def response_cached(key_parts: Any, respond: Callable[[], HttpResponse]) -> HttpResponse:
    """A whole response that every reader gets alike (the API's list of initiatives), from
    the cache when it was answered in the current search generation with the same
    `key_parts` (the caller's path and query string) and active language, else `respond()`.
    Only a plain 200 is kept (no cookies, not streamed): an error or a refusal is answered
    afresh each time. The rules of `fragments_cached` hold: nothing of a reader may be in
    what is kept, and every write that changes search results makes it stale at once."""
    generation = _generation()
    if generation is None:  # the cache is down: answer, keep nothing
        return respond()
    digest = hashlib.sha256(repr((get_language() or "", key_parts)).encode()).hexdigest()
    key = f"{RESPONSE_PREFIX}:{generation}:{digest}"
    found = _kept_get((key,), _local_responses).get(key)
    if found is not None:
        content_type, content = found
        return HttpResponse(content, content_type=content_type)
    response = respond()
    if response.status_code == 200 and not response.streaming and not response.cookies:
        _kept_set({key: (response["Content-Type"], response.content)}, _local_responses)
    return response


class _LocalFragments:
    """This process's most recently used fragments, in front of the shared cache: a hit
    then costs one round trip (the generation) instead of two and does not move 40 KB out
    of Redis and unpickle it. The key holds the generation, which is still read from the
    shared cache on every request, so a write in any process makes these stale at once;
    entries also expire with their shared copy's timeout (`RESULT_TIMEOUT`)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        now = time.monotonic()
        found = {}
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is None:
                    continue
                if entry[0] <= now:
                    del self._entries[key]
                    continue
                self._entries.move_to_end(key)
                found[key] = entry[1]
        return found

    def set_many(self, values: dict[str, str]) -> None:
        expires = time.monotonic() + RESULT_TIMEOUT
        with self._lock:
            for key, value in values.items():
                self._entries[key] = (expires, value)
                self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# About 40 KB a query string (filters and results): 256 entries are 5 to 10 MB a process.
LOCAL_FRAGMENTS = 256
_local_fragments = _LocalFragments(LOCAL_FRAGMENTS)
# About 1 KB a result card: 4,096 are 4 to 5 MB a process.
LOCAL_ROWS = 4096
_local_rows = _LocalFragments(LOCAL_ROWS)
# About 15 KB a page of the API's list: 256 are about 4 MB a process.
LOCAL_RESPONSES = 256
_local_responses = _LocalFragments(LOCAL_RESPONSES)


# Planner statistics ------------------------------------------------------------------------

# Rows written by one import from which its tables are analyzed at once rather than when
# autovacuum gets round to it: until then the planner plans search on old row counts.
ANALYZE_AFTER_ROWS = 1000


def search_statistics_refresh(written: dict) -> None:
    """ANALYZE the tables of the models of which `written` ({model: rows}) wrote many rows,
    with their many-to-many tables (the filters), after a large import. PostgreSQL only; the
    owner of a table may analyze it, no superuser needed."""
    if not full_text_available():
        return
    quote = connection.ops.quote_name
    tables = []
    for model, rows in written.items():
        if rows < ANALYZE_AFTER_ROWS:
            continue
        tables.append(model._meta.db_table)
        tables += [f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many]
    if tables:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(quote(t) for t in dict.fromkeys(tables)))
