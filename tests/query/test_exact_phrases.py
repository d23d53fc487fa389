"""Search that means what it says: quoted phrases are exact, notices say how a query was read,
highlights show what matched, snippets and stand-in titles start where the reading does."""
from __future__ import annotations

import re
import shutil

import pytest

from search.index.indexer import reindex
from search.query.lead import body_start, title_end
from search.query.results import SearchRequest
from search.query.service import SearchService
from conftest import SHARED

CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="no ../shared/corpus")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    docs = tmp_path_factory.mktemp("corpus")
    for path in sorted(CORPUS.glob("*.txt")):
        shutil.copy(path, docs / path.name)
    index = tmp_path_factory.mktemp("index")
    reindex(docs, index)
    return SearchService(index, docs_dir=docs)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A few articles written for the cases the corpus lacks."""
    docs = tmp_path_factory.mktemp("small")
    articles = {
        "fr-coop.txt": "La coopération numérique entre l'AICTO et l’ICESCO\n\nL'AICTO et l’ICESCO renforcent "
                       "la coopération numérique dans la région arabe, ont annoncé les deux organisations à Tunis.",
        "en-board.txt": "Executive Board reviews the regional plan in Rabat\n\nThe Executive Board of the Council "
                        "met in Rabat to review the plan. Delegates praised the digital government strategy of the region.",
        "en-gov.txt": "Ministers open a regional forum on e-services in Tunis\n\nA forum on digital government and "
                      "e-services opened in Tunis, where ministers discussed digital governments across the Arab region.",
        "en-counter.txt": "January 13, 2021 0\nDr Salim AlMalik received the ambassador of Chad in Rabat to "
                          "discuss cooperation in education and culture.",
    }
    for name, text in articles.items():
        (docs / name).write_text(text, encoding="utf-8")
    index = tmp_path_factory.mktemp("small-index")
    reindex(docs, index)
    service = SearchService(index, docs_dir=docs)
    service.docs = docs  # for the app built over the same folders
    return service


def sources(service: SearchService, q: str) -> set[str]:
    results = service.search(SearchRequest(q=q, per_page=100))
    assert results.total == len(results.hits)
    return {hit.source for hit in results.hits}


def holding(service: SearchService, pattern: str) -> set[str]:
    """The documents whose stored title or text holds the pattern, read without the index's matching."""
    found = set()
    gen = service._current()
    view = gen.view()
    for docnum in range(gen.doc_count):
        if gen.live[docnum]:
            stored = view.stored_fields(docnum)
            if re.search(pattern, f"{stored.get('title') or ''}\n\n{stored['text']}", re.IGNORECASE):
                found.add(stored["source"])
    return found


@needs_corpus
@pytest.mark.parametrize("q", ['"ICESCO banana"', '"council executive"', '"digital governance"', '"gouvernance numérique"'])
def test_a_phrase_no_document_holds_answers_nothing(corpus, q):
    assert corpus.search(SearchRequest(q=q)).total == 0


@needs_corpus
def test_a_phrase_answers_exactly_the_documents_holding_its_words_in_order(corpus):
    expected = holding(corpus, r"\bexecutive\W+council\b")
    assert len(expected) >= 5
    assert sources(corpus, '"Executive Council"') == expected
    assert sources(corpus, '"executive council"') == expected


@needs_corpus
def test_the_glossary_translation_of_a_phrase_is_offered_not_searched(corpus):
    results = corpus.search(SearchRequest(q='"digital governance"'))
    assert results.total == 0 and results.also == ['"gouvernance numérique"']
    assert corpus.search(SearchRequest(q='"gouvernance numérique"')).also == ['"digital governance"']


@needs_corpus
def test_quoted_words_are_not_expanded_but_unquoted_ones_still_are(corpus):
    quoted, unquoted = sources(corpus, '"ICESCO"'), sources(corpus, "ICESCO")
    assert quoted == holding(corpus, r"\bICESCO\b") and quoted < unquoted  # unquoted reaches ISESCO, its former name


@pytest.mark.parametrize("a, b", [('"l\'AICTO"', '"AICTO"'), ('"Coopération numérique"', '"cooperation numerique"'),
                                  ('"L’ICESCO renforcent"', '"icesco renforcent"')])
def test_case_accents_and_elisions_are_folded_inside_quotes(small, a, b):
    assert sources(small, a) == sources(small, b) == {"fr-coop.txt"}


def test_words_inside_quotes_are_not_stemmed(small):
    assert sources(small, '"digital government"') == {"en-board.txt", "en-gov.txt"}
    assert sources(small, '"digital governance"') == set()
    assert sources(small, '"digital governments"') == {"en-gov.txt"}


def test_tilde_allows_that_many_words_between(small):
    assert sources(small, '"executive council"') == set()
    assert sources(small, '"executive council"~2') == set()
    assert sources(small, '"executive council"~3') == {"en-board.txt"}  # Board of the: three words between
    assert sources(small, '"board council"~2') == {"en-board.txt"}


def test_a_fielded_phrase_searches_its_field_only(small):
    assert sources(small, 'title:"regional plan"') == {"en-board.txt"}
    assert sources(small, 'title:"digital government"') == set()
    assert sources(small, 'text:"digital government"') == {"en-board.txt", "en-gov.txt"}


@pytest.mark.parametrize("q, notice", [
    ('"ICESCO AICTO', 'A quote was not closed: "ICESCO AICTO" was read as a phrase.'),
    ("(ICESCO", "A bracket was not closed: it was closed at the end of the query."),
    ("ICESCO)", "A closing bracket had no opening one: it was ignored."),
    ('"Executive Board of the Council"', 'In "Executive Board of the Council", «of», «the» must appear as written: '
                                         'inside quotes every word counts.'),
    ("colour:blue", "Unknown field(s) colour: searched as words; fields are title:, org:, person:, year:, lang:, "
                    "date:, source:."),
])
def test_notices_say_how_the_query_was_read(small, q, notice):
    assert notice in small.search(SearchRequest(q=q)).notices


def test_a_wildcard_matching_too_many_words_says_so(small, monkeypatch):
    from search.query import scoring

    monkeypatch.setattr(scoring, "MAX_EXPANDED_TERMS", 2)
    results = small.search(SearchRequest(q="d*"))
    assert any(n.startswith("«d» matches ") and "the 2 most frequent were searched" in n for n in results.notices)


def test_notices_show_in_the_interface_language(small):
    from webui import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(small.index_dir), "DOCS_DIR": str(small.docs)})
    page = app.test_client().get("/", query_string={"q": '"ICESCO AICTO', "ui": "fr"}).get_data(as_text=True)
    assert "Un guillemet n’était pas fermé : &#34;ICESCO AICTO&#34; a été lu comme une expression." in page \
        or "Un guillemet n’était pas fermé : &quot;ICESCO AICTO&quot; a été lu comme une expression." in page


def test_near_spellings_are_highlighted_where_they_made_the_match(small):
    results = small.search(SearchRequest(q="coperation"))
    assert results.total >= 1
    assert all("<mark>coopération</mark>" in h.snippet or "<mark>cooperation</mark>" in h.snippet for h in results.hits)


def test_a_phrase_highlights_its_words_as_written_not_their_stems(small):
    hit = small.search(SearchRequest(q='"digital government"')).hits[0]
    assert "<mark>digital</mark> <mark>government</mark>" in hit.snippet
    assert "<mark>governments</mark>" not in hit.snippet


def test_a_snippet_does_not_repeat_the_title(small):
    hit = next(h for h in small.search(SearchRequest(q="rabat")).hits if h.source == "en-board.txt")
    assert hit.title == "Executive Board reviews the regional plan in Rabat"
    assert re.sub(r"</?mark>", "", hit.snippet).startswith("The Executive Board of the Council")


def test_counters_and_date_stamps_never_open_a_snippet(small):
    hit = next(h for h in small.search(SearchRequest(q="ambassador")).hits if h.source == "en-counter.txt")
    assert re.sub(r"</?mark>", "", hit.snippet).startswith("Dr Salim AlMalik received")


@pytest.mark.parametrize("text, title, start", [
    ("January 13, 2021 0 Dr Salim AlMalik met the minister.", None, "Dr Salim"),
    ("2021-07 Le Caire, 1er juillet, AZERTAC – La réunion", None, "Le Caire"),
    ("Mardi 3 mars 2020 | 12 | Le conseil s'est réuni", None, "Le conseil"),
    ("ICESCO meets AICTO\nICESCO meets AICTO in Tunis today", "ICESCO meets AICTO", "ICESCO meets AICTO in Tunis"),
    ("ICESCO meets AICTO in Tunis today", "ICESCO meets", "ICESCO meets AICTO in Tunis"),
    ("12 pays ont signé la charte", None, "12 pays"),
    ("2024 sera l'année de la jeunesse", None, "2024 sera"),
])
def test_reading_starts_after_the_title_line_and_the_stamps(text, title, start):
    assert text[body_start(text, title):].startswith(start)


def test_the_document_page_does_not_repeat_the_title(small):
    view = small.document("en-board.txt")
    assert view.fields["text"].startswith("Executive Board reviews")
    assert view.text_html.startswith("The Executive Board of the Council")
    assert title_end(view.fields["text"], view.fields["title"]) > 0


def test_an_untitled_documents_stand_in_title_skips_counters(small):
    from webui.views import display_title

    view = small.document("en-counter.txt")
    title, untitled = display_title(view.fields["title"], view.fields["text"])
    assert untitled and title.startswith("Dr Salim AlMalik received")
