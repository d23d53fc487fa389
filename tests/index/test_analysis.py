"""Analysers in both languages: elision, possessives, plurals, accents, stemmers, name keys, highlights."""
from __future__ import annotations

import pytest

from search.index.analysis import analyze, french_analyzer, french_light_stem, sound_key_analyzer
from search.index.namekeys import search_keys
from search.query.highlight import match_spans
from conftest import PROJECT, SHARED


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("l'ICESCO", "fr", ["icesco"]),
        ("l’ICESCO", "fr", ["icesco"]),
        ("d’entente", "fr", ["entent"]),
        ("jusqu’à Rabat", "fr", ["rabat"]),
        ("lorsqu’il signe", "fr", ["sign"]),
        ("qu'elle", "fr", []),
        ("L'Éducation", "fr", ["educ"]),
        ("les universités", "fr", ["universit"]),
        ("patrimoines patrimoine", "fr", ["patrimoin", "patrimoin"]),
        ("culturelle culturel", "fr", ["culturel", "culturel"]),
        ("cybersécurité", "fr", ["cybersecurit"]),
        ("ICESCO's programmes", "en", ["icesco", "programm"]),
        ("ICESCO’s programme", "en", ["icesco", "programm"]),
        ("the teachers and a teacher", "en", ["teacher", "teacher"]),
        ("Côte d'Ivoire", "en", ["cote", "d"]),
        ("heritage sites", "en", ["heritag", "site"]),
    ],
)
def test_analysers_split_elisions_stem_and_fold(text, lang, expected):
    assert analyze(text, lang) == expected


@pytest.mark.parametrize(
    "word, stem",
    [
        ("chevaux", "cheval"),
        ("universités", "universit"),
        ("université", "universit"),
        ("nationales", "national"),
        ("capitales", "capital"),
        ("directrice", "direct"),
        ("directeurs", "direct"),
        ("enseignement", "enseign"),
        ("islamique", "islam"),
    ],
)
def test_french_light_stemmer_conflates_plurals_feminines_and_derivations(word, stem):
    assert french_light_stem(word) == stem


def test_french_analyser_offers_light_and_snowball_stemming():
    light = [t.text for t in french_analyzer("light")("les directrices")]
    snowball = [t.text for t in french_analyzer("snowball")("les directrices")]
    assert light == ["direct"] and snowball == ["directric"]
    with pytest.raises(ValueError, match="light"):
        french_analyzer("porter")


@pytest.mark.parametrize(
    "variants",
    [
        ("AlMalik", "Almalick", "Al-Malik", "Malik", "المالك"),
        ("Altuwaijri", "Altwaijri", "Tuwaijri"),
        ("Karimov", "Karimof"),
        ("Ghazouani", "Ghazwani", "الغزواني"),
        ("Othaimeen", "Uthaymeen", "Alothaimeen"),
        ("Mohammed", "Muhammad", "محمد"),
    ],
)
def test_transliterations_of_a_name_share_a_key(variants):
    keys = [set(search_keys(v.replace("Al-", ""))) for v in variants]
    assert set.intersection(*keys)


def test_name_keys_index_capitalised_and_arabic_words_and_query_every_word():
    analyzer = sound_key_analyzer()
    assert [t.text for t in analyzer("Dr Al-Tuwaijri visited the museum", mode="index")] == ["tgr"]
    assert [t.text for t in analyzer("نبيل العربى", mode="index")] == ["nbl"]  # العربى: two consonants, no key
    assert [t.text for t in analyzer("altuwaijri", mode="query")] == ["ltgr", "tgr"]


@pytest.mark.parametrize(
    "text, lang, terms, marked",
    [
        ("L’ICESCO signe un accord", "fr", {"icesco"}, ["ICESCO"]),
        ("Les Universités marocaines", "fr", {"universit"}, ["Universités"]),
        ("jusqu’à l'Éducation nationale", "fr", {"educ"}, ["Éducation"]),
        ("ICESCO’s teachers", "en", {"icesco", "teacher"}, ["ICESCO", "teachers"]),
    ],
)
def test_highlights_fall_on_the_words_as_written(text, lang, terms, marked):
    spans = match_spans(text, lang, terms)
    assert [text[a:b] for a, b in spans] == marked


def test_spans_found_by_word_patterns_equal_the_analysers_own():
    """Highlighting finds the matching words with patterns built from them; on real articles of
    every language the spans are those of running each analyser over the whole text."""
    import random

    from search.query import highlight
    from search.index.schema import language_group

    corpus = SHARED / "corpus"
    seeds = PROJECT / "seeds"
    paths = sorted(corpus.glob("*.txt"))[:60] if corpus.is_dir() else sorted(seeds.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    texts.append("L'ICESCO's l’Organisation 'ensemble d'aujourd’hui AlMalik's Al-Malik ICESCO’s ICESCO")
    rng = random.Random(5)
    for text in texts:
        words = text.split()
        sample = rng.sample(words, min(40, len(words))) + ["ICESCO", "ensemble", "Organisation", "AlMalik"]
        for lang in ("fr", "en", "ar"):
            group = language_group(lang)
            terms = {t for w in sample for t in analyze(w, group)}
            names = {t.text for w in sample for t in highlight._cached("names")(w)}
            keys = {t.text for w in sample for t in highlight._cached("keys")(w, mode="query")}
            expected = set()
            for g, wanted, options in ((group, terms, {"removestops": True}), ("names", names, {}), ("keys", keys, {})):
                expected |= {(t.startchar, t.endchar) for t in highlight._cached(g)(text, chars=True, mode="index", **options)
                             if t.text in wanted}
            assert match_spans(text, lang, terms, names, keys) == sorted(expected)


def test_highlighting_stays_exact_when_its_word_table_starts_again(monkeypatch):
    """A full word table starts again empty: the words of the text at hand are still all found."""
    from search.query import highlight

    monkeypatch.setattr(highlight._WordTable, "MAX_WORDS", 3)
    monkeypatch.setattr(highlight, "_TABLES", {})
    first = "Les ministres de l'éducation ont signé un accord culturel."
    second = "L'accord culturel des ministres de l'éducation est signé."
    terms = set(analyze("ministres accord culturel éducation", "fr"))
    for text in (first, second, first):
        expected = [(t.startchar, t.endchar) for t in highlight._cached("fr")(text, chars=True, removestops=True, mode="index")
                    if t.text in terms]
        assert match_spans(text, "fr", terms) == expected


def test_one_reading_per_text_gives_whooshs_postings_byte_for_byte():
    """search/index/whoosh/fieldterms.py against Whoosh's own analysis, for every text field of every
    corpus page and of texts built to hit the edge cases (stop words first, elisions, possessives)."""
    from search.index.schema import Text, analysed, build_schema, document_fields
    from search.ingest.documents import Document

    schema = build_schema()
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in sorted((SHARED / "corpus").glob("*.txt"))]
    texts += ["le la les l'ICESCO d’entente", "the the ICESCO’s programme, don't", "", "   ", "aujourd’hui's l' d'",
              "Œuvre cœur ÆSIR résumé", "١٢٣ مرحبا بالعالم"]
    fields_seen = set()
    for i, text in enumerate(texts):
        for lang in ("fr", "en", "xx"):
            doc = Document(id=f"{i}", source=f"{i}.txt", title=text[:80], lang=lang, date=None, year=None, text=text,
                           raw=text, people=["Salim AlMalik"], organisations=["ICESCO"], content_hash="h", part=1,
                           person_terms=["Salim Al-Malik"], org_terms=["l'ICESCO"])
            fields = document_fields(doc)
            fast = analysed(fields, schema)
            for name, value in fields.items():
                field = schema[name] if name in schema else None
                if isinstance(field, Text) and isinstance(value, str):
                    assert fast[name].items == list(field.index(value)), (name, text[:60])
                    fields_seen.add(name)
    assert {"text_fr", "text_en", "text_xx", "exact_text", "spell", "title_fr", "org_names"} <= fields_seen
