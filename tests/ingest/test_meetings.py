"""Meetings: who met whom, in which sentence, when; measured against hand labels of the shared corpus."""
import re
import time

import pytest

from search.evaluation.meetings import archive_meetings, extract_archive, score_meetings
from search.ingest.mentions import entity_key, find_entity_mentions
from search.ingest.meetings import find_meetings
from search.ingest.sentences import split_sentences
from conftest import PROJECT, SHARED

ROOT = PROJECT
LABELS = ROOT / "tests" / "data" / "meetings.jsonl"


def _pairs(text, people, organisations, lang):
    return [sorted(p["name"] for p in m.participants) for m in find_meetings(text, people, organisations, "2024-03-05", lang)]


MEETINGS = [
    # A subject with its role in apposition receives an object with its own.
    ("en", "Dr. Amina Diallo, Rector of the University of Dakar, received Mr. Karl Weber, Secretary-General of UNESCO.",
     ["Amina Diallo", "Karl Weber"], ["University of Dakar", "UNESCO"], [["Amina Diallo", "Karl Weber"]]),
    ("fr", "Mme Amina Diallo, rectrice de l’Université de Dakar, a reçu M. Karl Weber, Secrétaire général de l’UNESCO.",
     ["Amina Diallo", "Karl Weber"], ["Université de Dakar", "UNESCO"], [["Amina Diallo", "Karl Weber"]]),
    # Present tense, in a headline, between two organisations named through their heads.
    ("en", "UNESCO Director-General receives President of ALECSO", [], ["UNESCO", "ALECSO"], [["ALECSO", "UNESCO"]]),
    ("fr", "Le Directeur général de l’UNESCO reçoit le Président de l’ALECSO", [], ["UNESCO", "ALECSO"], [["ALECSO", "UNESCO"]]),
    # Passive with the agent after an insertion.
    ("en", "Mr. Karl Weber was received, on Monday in Tunis, by Dr. Amina Diallo.", ["Amina Diallo", "Karl Weber"], [],
     [["Amina Diallo", "Karl Weber"]]),
    ("fr", "M. Karl Weber a été reçu, lundi à Tunis, par Mme Amina Diallo.", ["Amina Diallo", "Karl Weber"], [],
     [["Amina Diallo", "Karl Weber"]]),
    # An agreement signed by two coordinated parties, or with a partner after `with`.
    ("en", "UNESCO and ALECSO signed a memorandum of understanding on heritage.", [], ["UNESCO", "ALECSO"], [["ALECSO", "UNESCO"]]),
    ("fr", "L’UNESCO a signé un accord de coopération avec l’ALECSO pour protéger le patrimoine.", [], ["UNESCO", "ALECSO"],
     [["ALECSO", "UNESCO"]]),
    ("en", "The agreement was signed by Dr. Amina Diallo, Rector, and Mr. Karl Weber, Director of the Office.",
     ["Amina Diallo", "Karl Weber"], [], [["Amina Diallo", "Karl Weber"]]),
    # Talks with, reflexive and compound French forms with an adverb inside.
    ("en", "Dr. Amina Diallo held talks in Rabat with Mr. Karl Weber on digital education.", ["Amina Diallo", "Karl Weber"], [],
     [["Amina Diallo", "Karl Weber"]]),
    ("fr", "Mme Amina Diallo s’est également entretenue, mardi 5 mars, avec M. Karl Weber.", ["Amina Diallo", "Karl Weber"], [],
     [["Amina Diallo", "Karl Weber"]]),
    ("en", "On the sidelines of the ASEAN summit, Dr. Amina Diallo met with Mr. Karl Weber.", ["Amina Diallo", "Karl Weber"],
     ["ASEAN"], [["Amina Diallo", "Karl Weber"]]),
    # A visit to an organisation's premises.
    ("fr", "Une délégation de l’ALECSO en visite au siège de l’UNESCO à Paris", [], ["ALECSO", "UNESCO"], [["ALECSO", "UNESCO"]]),
    ("en", "Mr. Karl Weber visited ALECSO headquarters in Tunis.", ["Karl Weber"], ["ALECSO"], [["ALECSO", "Karl Weber"]]),
    # A pronoun subject is the person of the sentence before.
    ("fr", "Mme Amina Diallo est arrivée à Niamey. Elle s’est entretenue avec M. Karl Weber.", ["Amina Diallo", "Karl Weber"], [],
     [["Amina Diallo", "Karl Weber"]]),
    # Talks between two parties.
    ("en", "The talks between UNESCO and ALECSO focused on heritage.", [], ["UNESCO", "ALECSO"], [["ALECSO", "UNESCO"]]),
    # The verb's own clause gives the subject, not a clause before it.
    ("en", "Dr. Amina Diallo said that Mr. Karl Weber met UNESCO officials in Paris.", ["Amina Diallo", "Karl Weber"],
     ["UNESCO"], [["Karl Weber", "UNESCO"]]),
    ("fr", "Mme Amina Diallo a indiqué que M. Karl Weber a reçu une délégation de l’ALECSO.", ["Amina Diallo", "Karl Weber"],
     ["ALECSO"], [["ALECSO", "Karl Weber"]]),
    # A delegation from an organisation, a courtesy call, an audience.
    ("en", "Dr. Amina Diallo received a delegation from ALECSO.", ["Amina Diallo"], ["ALECSO"], [["ALECSO", "Amina Diallo"]]),
    ("en", "Mr. Karl Weber paid a courtesy call on Dr. Amina Diallo.", ["Amina Diallo", "Karl Weber"], [],
     [["Amina Diallo", "Karl Weber"]]),
    ("fr", "Mme Amina Diallo a reçu en audience M. Karl Weber.", ["Amina Diallo", "Karl Weber"], [],
     [["Amina Diallo", "Karl Weber"]]),
    # A conjunct joins only after an apposition; a person after a comma is no role's holder.
    ("en", "Dr. Amina Diallo discussed with Mr. Karl Weber ways to strengthen cooperation between ALECSO and UNESCO.",
     ["Amina Diallo", "Karl Weber"], ["ALECSO", "UNESCO"], [["Amina Diallo", "Karl Weber"]]),
    ("en", "In 2019, Dr. Amina Diallo signed an agreement with ALECSO, Mr. Karl Weber recalled.",
     ["Amina Diallo", "Karl Weber"], ["ALECSO"], [["ALECSO", "Amina Diallo"]]),
    ("en", "UNESCO chief Amina Diallo met with Tunisian minister Karl Weber on Tuesday.", ["Amina Diallo", "Karl Weber"],
     ["UNESCO"], [["Amina Diallo", "Karl Weber"]]),
    # A day and a place between the verb and its object, without commas.
    ("fr", "Mme Amina Diallo a reçu jeudi à Tunis M. Karl Weber, représentant de l’UNESCO.", ["Amina Diallo", "Karl Weber"],
     ["UNESCO"], [["Amina Diallo", "Karl Weber"]]),
]

NOT_MEETINGS = [
    # Founding, representation, support: a "by" that is no meeting.
    ("en", "ALECSO was founded by UNESCO in 1970.", [], ["UNESCO", "ALECSO"]),
    ("fr", "L’ALECSO a été représentée par Mme Amina Diallo lors de l’atelier.", ["Amina Diallo"], ["ALECSO"]),
    # A noun after a determiner, thanks, praise and partnership.
    ("fr", "Au début de la rencontre, Mme Amina Diallo a remercié l’UNESCO.", ["Amina Diallo"], ["UNESCO"]),
    ("en", "Dr. Amina Diallo welcomed expanded cooperation with UNESCO.", ["Amina Diallo"], ["UNESCO"]),
    ("fr", "L’UNESCO a tenu, en partenariat avec l’ALECSO, un atelier régional.", [], ["UNESCO", "ALECSO"]),
    # Objects that are things, not parties: a medal, someone's election.
    ("en", "Dr. Amina Diallo received from the ambassador a medal awarded by President Karl Weber.", ["Amina Diallo", "Karl Weber"], []),
    ("en", "Dr. Amina Diallo welcomed Weber’s election as head of ALECSO.", ["Amina Diallo", "Karl Weber"], ["ALECSO"]),
    # Attendants are not the parties, nor is the organisation where a delegate is posted.
    ("fr", "Ont assisté à cette rencontre Mme Amina Diallo et M. Karl Weber.", ["Amina Diallo", "Karl Weber"], []),
    ("en", "ALECSO Director-General meets with Permanent Delegate of Chad to UNESCO", [], ["ALECSO", "UNESCO"]),
    # A joint launch, and "met" as an English passive in a French-free sentence.
    ("en", "UNESCO and ALECSO launched a charter on Wednesday.", [], ["UNESCO", "ALECSO"]),
    ("en", "ALECSO and UNESCO goals are met when Dr. Amina Diallo reports.", ["Amina Diallo"], ["ALECSO", "UNESCO"]),
    # Things received or welcomed are no party.
    ("en", "Dr. Amina Diallo received an award from ALECSO.", ["Amina Diallo"], ["ALECSO"]),
    ("en", "ALECSO receives UNESCO award for heritage education", [], ["UNESCO", "ALECSO"]),
    ("en", "ALECSO welcomed the UNESCO decision.", [], ["UNESCO", "ALECSO"]),
    ("fr", "Mme Amina Diallo a salué la décision de l’UNESCO.", ["Amina Diallo"], ["UNESCO"]),
    # An object that names no party: no fallback to a later `with`, no reciprocal reading.
    ("fr", "M. Karl Weber a rencontré des difficultés avec l’UNESCO.", ["Karl Weber"], ["UNESCO"]),
    ("en", "Karl Weber: UNESCO and ALECSO meet the needs of students", ["Karl Weber"], ["UNESCO", "ALECSO"]),
    # A page in another language is not read with these grammars.
    ("es", "La UNESCO firmó un acuerdo con la ALECSO y visite ALECSO.", [], ["UNESCO", "ALECSO"]),
]


@pytest.mark.parametrize("lang, text, people, organisations, expected", MEETINGS)
def test_meetings_are_read_by_grammar(lang, text, people, organisations, expected):
    assert _pairs(text, people, organisations, lang) == expected


@pytest.mark.parametrize("lang, text, people, organisations", NOT_MEETINGS)
def test_sentences_that_are_no_meeting(lang, text, people, organisations):
    assert _pairs(text, people, organisations, lang) == []


def test_a_meeting_gives_its_sentence_offsets_date_and_keys():
    text = "Opening line.\nMme Amina Diallo a reçu M. Karl Weber.\nClosing line."
    [meeting] = find_meetings(text, ["Amina Diallo", "Karl Weber"], [], "2024-03-05", "fr")
    assert text[meeting.start:meeting.end] == meeting.sentence == "Mme Amina Diallo a reçu M. Karl Weber."
    assert meeting.as_dict()["date"] == "2024-03-05"
    assert [p["key"] for p in meeting.participants] == [entity_key("person", "Amina Diallo"), entity_key("person", "Karl Weber")]


@pytest.mark.parametrize("kind, a, b", [
    ("person", "Salim M. AlMalik", "Salem bin Mohammed Al-Malik"),
    ("person", "Saud Al-Harbi", "Saoud Al Harbi"),
    ("org", "Organisation arabe de l’aviation civile", "ORGANISATION ARABE DE L'AVIATION CIVILE"),
])
def test_keys_are_url_safe_and_shared_by_variants(kind, a, b):
    assert entity_key(kind, a) == entity_key(kind, b)
    assert re.fullmatch(r"[a-z0-9-]+", entity_key(kind, a))


def test_mentions_find_variants_and_surnames_of_the_documents_people():
    text = "Dr. Salim M. AlMalik received Dr. Saud Al-Harbi. Dr. Al-Harbi thanked ICESCO."
    names = [m.name for m in find_entity_mentions(text, ["Salim M. AlMalik", "Saud Al-Harbi"], ["ICESCO"])]
    assert names == ["Salim M. AlMalik", "Saud Al-Harbi", "Saud Al-Harbi", "ICESCO"]


def test_sentences_do_not_end_at_titles_or_initials():
    text = "Dr. Salim M. AlMalik met H.E. Mr. Y. Diallo. The talks ended.\nNext line"
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Dr. Salim M. AlMalik met H.E. Mr. Y. Diallo.", "The talks ended.", "Next line"]


def test_time_grows_with_the_text_not_faster():
    sentence = "Mme Amina Diallo a reçu M. Karl Weber au siège de l’UNESCO. Les deux parties ont discuté. "
    start = time.perf_counter()
    meetings = find_meetings(sentence * 2000, ["Amina Diallo", "Karl Weber"], ["UNESCO"], None, "fr")
    assert len(meetings) == 2000
    assert time.perf_counter() - start < 20


def test_a_text_without_sentence_ends_is_read_in_linear_time():
    start = time.perf_counter()
    assert find_meetings("Amina Diallo a reçu Karl Weber et " * 8000, ["Amina Diallo", "Karl Weber"], [], None, "fr") == []
    assert time.perf_counter() - start < 20


def test_seed_003_gives_one_meeting_between_almalik_and_al_harbi():
    documents, knowledge = extract_archive(ROOT / "seeds")
    found = archive_meetings(documents, knowledge)["003_19f07d10ece0ff41.txt"]
    between = [m for m in found if {p["name"] for p in m.participants} == {"Salim M. AlMalik", "Saud Al-Harbi"}]
    assert len(between) == 1
    assert between[0].date == "2024-07-26"
    assert "received Dr. Saud Al-Harbi" in between[0].sentence


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="needs ../shared/corpus")
def test_meetings_precision_on_the_labelled_corpus():
    scores = score_meetings(SHARED / "corpus", LABELS)
    assert scores["labelled"] >= 60
    assert scores["precision"] >= 0.85, scores["false_positives"]
    # Recall counts labels the extractor cannot reach (unextracted names, pronouns, Arabic):
    # this floor only guards against a regression.
    assert scores["recall"] >= 0.55, scores["missed"]
