"""Query parsing: friendly fields, required filters, OR-ed words, and the expansions added beside them."""
from __future__ import annotations

import pytest
from whoosh import query as Q

from search.query.expansion import Expansion, free_words, load_expansion, package_expansion
from search.query.parse import Expanded, FreeWords, parse_query
from search.index.schema import build_schema


@pytest.fixture(scope="module")
def schema():
    return build_schema()


def _terms(query) -> set[tuple[str, str]]:
    return {(f, t.decode("utf-8", "replace") if isinstance(t, bytes) else t) for f, t in query.iter_all_terms(phrases=True)}


def _fields(query) -> set[str]:
    return {f for f, _ in _terms(query)}


@pytest.mark.parametrize(
    "text, fields",
    [
        ("org:AICTO", {"org_names"}),
        ("person:AlMalik", {"person_names"}),
        ("title:patrimoine", {"title_fr", "title_en", "title_xx"}),
        ("lang:fr", {"lang"}),
        ("année:2024", {"year"}),
    ],
)
def test_friendly_fields_map_to_real_fields(schema, text, fields):
    assert _fields(parse_query(text, schema).query) == fields


def test_fielded_clauses_are_required_and_free_words_stay_or_ed(schema):
    query = parse_query("patrimoine jeunesse org:AICTO year:2024", schema).query
    assert isinstance(query, Q.And)
    *required, free = query.subqueries
    assert {f for r in required for f in _fields(r)} == {"org_names", "year"}
    assert isinstance(free, Expanded)
    words = free.subqueries[0]
    assert isinstance(words, FreeWords) and len(words.subqueries) == 2


def test_only_fielded_clauses_are_all_required(schema):
    query = parse_query("org:AICTO year:2024", schema).query
    assert isinstance(query, Q.And) and _fields(query) == {"org_names", "year"}


def test_explicit_boolean_operators_are_left_as_written(schema):
    query = parse_query("patrimoine AND jeunesse", schema).query
    assert isinstance(query, Q.And) and not isinstance(query, Expanded)


def test_words_expand_to_their_translations_weighted_below_the_words(schema):
    query = parse_query("patrimoine", schema).query
    assert isinstance(query, Expanded)
    assert ("text_en", "heritag") in _terms(query)
    original, *expansions = query.subqueries
    translation = next(e for e in expansions if ("text_en", "heritag") in _terms(e))
    assert translation.child.boost < 1.0 and original.boost == 1.0


def test_phrases_of_the_glossary_translate_as_phrases(schema):
    query = parse_query("intelligence artificielle", schema).query
    phrases = [q for q in query.leaves() if isinstance(q, Q.Phrase) and q.fieldname == "text_en"]
    assert any(p.words == ["artifici", "intellig"] for p in phrases)


def test_an_acronym_reaches_the_organisation_spelled_out(tmp_path):
    from search.index.indexer import reindex
    from search.query.service import SearchRequest, SearchService

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "spelled.txt").write_text(
        "Réunion à Tunis\n\nLe 3 mars 2023, l’Organisation Arabe des Technologies de l’Information et de "
        "la Communication a réuni ses experts à Tunis pour parler de gouvernance numérique.\n", encoding="utf-8")
    (docs / "other.txt").write_text(
        "Visite à Rabat\n\nLe 4 mars 2023, une délégation a visité Rabat pour parler de patrimoine.\n",
        encoding="utf-8")
    reindex(docs, tmp_path / "index")
    hits = SearchService(tmp_path / "index").search(SearchRequest(q="AICTO")).hits
    assert [hit.source for hit in hits] == ["spelled.txt"]

def test_a_former_acronym_reaches_the_current_one(schema):
    assert ("text_en", "icesco") in _terms(parse_query("ISESCO", schema).query)


def test_name_variants_and_misspellings_search_sound_keys_and_fuzzy_terms(schema):
    query = parse_query("Almalick", schema).query
    assert ("name_keys", "mlk") in _terms(query) and ("name_keys", "lmlk") in _terms(query)
    assert any(isinstance(q, Q.FuzzyTerm) and q.fieldname == "spell" for q in query.leaves())


def test_neighbouring_words_add_proximity_phrases(schema):
    query = parse_query("executive council", schema).query
    assert any(isinstance(q, Q.Phrase) and q.slop > 1 and q.fieldname == "text_en" for q in query.leaves())


def test_quoted_phrase_matches_its_words_as_written_and_never_widens(schema):
    """The phrase is matched on the unstemmed fields, stop word included; the stemmed phrase only
    scores (ExactPhrase's second part); no word of it is searched alone (issue: exact phrases)."""
    from search.query.exact import ExactPhrase

    query = parse_query('"Charte de Riyad"', schema).query
    assert isinstance(query, ExactPhrase)
    exact = list(query.a.leaves())
    assert {q.fieldname for q in exact} == {"exact_title", "exact_text"}
    assert all(isinstance(q, Q.Phrase) and q.words == ["charte", "de", "riyad"] and q.slop == 1 for q in exact)
    assert any(isinstance(q, Q.Phrase) and q.fieldname == "text_fr" for q in query.b.leaves())
    assert not any(isinstance(q, Q.Term) for q in query.leaves())


@pytest.mark.parametrize(
    "text, words",
    [
        ("patrimoine org:AICTO", ["patrimoine"]),
        ('heritage title:"Riyadh Charter" -museum', ["heritage"]),
        ("a AND b OR NOT c", ["a", "b"]),
        ("l’ICESCO", ["l’ICESCO"]),
    ],
)
def test_free_words_leave_out_fields_exclusions_and_operators(text, words):
    assert free_words(text) == words


def test_unreadable_syntax_is_searched_as_plain_expanded_words(schema):
    parsed = parse_query('title:( "patrimoine', schema)
    assert parsed.plain is False or parsed.notices
    assert parsed.query is not Q.NullQuery


def test_researcher_glossary_extends_the_package_one(tmp_path, schema):
    (tmp_path / "glossary.toml").write_text('[local]\n"souk" = "market"\n', encoding="utf-8")
    expansion = load_expansion(tmp_path)
    assert ("text_en", "market") in _terms(parse_query("souk", schema, expansion).query)
    assert ("text_en", "market") not in _terms(parse_query("souk", schema).query)
    assert ("fr", ("souk",)) not in package_expansion().glossary


def test_a_malformed_glossary_says_what_was_expected(tmp_path):
    with pytest.raises(ValueError, match="string or a list"):
        Expansion().add_glossary({"local": {"souk": 3}}, "glossary.toml")


@pytest.mark.parametrize("text", ["ICESCO NOT AICTO", "ICESCO AND NOT AICTO", "Marrakech ICESCO NOT AICTO"])
def test_not_excludes_documents_even_beside_free_words(index_dir, text):
    from search.query.service import SearchRequest, SearchService

    service = SearchService(index_dir)
    results = service.search(SearchRequest(q=text, per_page=20))
    assert results.total > 0
    for hit in results.hits:
        assert "AICTO" not in service.document(hit.id, similar=0).fields["text"]


@pytest.mark.parametrize(
    "text, dropped, kept",
    [
        ("coopération entre l’ICESCO et les universités", {"et", "les", "l"}, {"icesco", "universit"}),
        ("son of the king", {"of", "the"}, {"son", "king"}),  # English query: the French "son" stays
        ("AI in education", {"in"}, {"ai"}),  # capitals are names, not the French "ai"
    ],
)
def test_stop_words_of_the_query_language_leave_every_field(schema, text, dropped, kept):
    words = parse_query(text, schema).query.subqueries[0]
    assert isinstance(words, FreeWords)
    terms = {t for _f, t in _terms(words)}
    assert not dropped & terms and kept <= terms



def test_refining_a_search_answers_as_a_fresh_search_does(index_dir):
    """Match masks are reused when a search is refined; the reuse must never change an answer."""
    from search.query.service import SearchRequest, SearchService

    warm = SearchService(index_dir)
    warm.export(SearchRequest(q="ICESCO", lang=["fr"]))  # filters the reused mask in place
    warm.search(SearchRequest(q="ICESCO", org=["AICTO"]))
    for request in (SearchRequest(q="ICESCO"), SearchRequest(q="ICESCO", lang=["en"], page=1, per_page=2)):
        refined, fresh = warm.search(request), SearchService(index_dir).search(request)
        assert refined.total == fresh.total > 0
        assert [hit.id for hit in refined.hits] == [hit.id for hit in fresh.hits]
        assert {k: [(v.value, v.count) for v in vs] for k, vs in refined.facets.items()} == {
            k: [(v.value, v.count) for v in vs] for k, vs in fresh.facets.items()}
