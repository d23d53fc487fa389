"""Roles beside a name, in both languages: appositions after it, roles before it, counted per person."""
import pytest

from search.ingest.mentions import entity_key
from search.ingest.roles import find_roles, normalise_role, role_counts, role_key


def _roles(text, people, organisations=()):
    return [(entity["name"], role) for entity, role in find_roles(text, list(people), list(organisations))]


ROLES = [
    # An apposition after the name; the organisation written out gets its canonical name.
    ("Dr. Amina Diallo, Director-General of ALECSO, opened the session.", ["Amina Diallo"], ["ALECSO"],
     [("Amina Diallo", "Director-General of ALECSO")]),
    ("Mme Amina Diallo, ministre de l’Éducation nationale, a ouvert la séance.", ["Amina Diallo"], [],
     [("Amina Diallo", "ministre de l’Éducation nationale")]),
    # Two roles in a row, the second after a comma.
    ("M. Karl Weber, ministre de la Culture, président de la Commission nationale, a signé.", ["Karl Weber"], [],
     [("Karl Weber", "ministre de la Culture"), ("Karl Weber", "président de la Commission nationale")]),
    # A role before the name, after an article and before a comma or a title.
    ("Le ministre des Affaires étrangères, Karl Weber, a reçu la délégation.", ["Karl Weber"], [],
     [("Karl Weber", "ministre des Affaires étrangères")]),
    ("The Secretary-General of ALECSO, H.E. Dr. Amina Diallo, met the press.", ["Amina Diallo"], ["ALECSO"],
     [("Amina Diallo", "Secretary-General of ALECSO")]),
    # Role words right before the name, with an acronym before them.
    ("ALECSO Director-General Dr. Amina Diallo opened the session.", ["Amina Diallo"], ["ALECSO"],
     [("Amina Diallo", "ALECSO Director-General")]),
    ("Le ministre Karl Weber a souligné l’importance du patrimoine.", ["Karl Weber"], [], [("Karl Weber", "ministre")]),
    # A possessor and a former role.
    ("Dr. Amina Diallo, Malaysia’s Minister of Higher Education, spoke.", ["Amina Diallo"], [],
     [("Amina Diallo", "Minister of Higher Education")]),
    ("Mr. Karl Weber, former Secretary-General of ALECSO, attended.", ["Karl Weber"], ["ALECSO"],
     [("Karl Weber", "former Secretary-General of ALECSO")]),
]

NO_ROLES = [
    # A verb right after the name, a clause after the comma, or another person's apposition.
    ("Dr. Amina Diallo said the meeting was useful.", ["Amina Diallo"]),
    ("Au début de la réunion, tenue mardi à Rabat, Mme Amina Diallo a remercié les participants.", ["Amina Diallo"]),
    ("Mme Amina Diallo, qui a présidé la séance, a remercié les participants.", ["Amina Diallo"]),
]


@pytest.mark.parametrize("text, people, organisations, expected", ROLES)
def test_roles_beside_a_name(text, people, organisations, expected):
    assert _roles(text, people, organisations) == expected


@pytest.mark.parametrize("text, people", NO_ROLES)
def test_no_role_where_none_is_written(text, people):
    assert _roles(text, people) == []


def test_a_role_after_one_person_is_not_the_next_persons():
    text = "Ont pris part M. Karl Weber, ministre de la Culture, Mme Amina Diallo, rectrice, et d’autres."
    assert ("Amina Diallo", "ministre de la Culture") not in _roles(text, ["Karl Weber", "Amina Diallo"])


@pytest.mark.parametrize("raw, shown", [
    ("the  Director-General of ICESCO,", "Director-General of ICESCO"),
    ("l'ancien ministre de la Culture de", "ancien ministre de la Culture"),
])
def test_roles_are_normalised(raw, shown):
    assert normalise_role(raw) == shown


def test_role_counts_join_writings_of_one_role():
    person = {"kind": "person", "name": "Amina Diallo", "key": entity_key("person", "Amina Diallo")}
    pairs = [(person, "Director-General of ALECSO"), (person, "Director General of ALECSO"),
             (person, "Director-General of ALECSO"), (person, "ministre de la Culture")]
    assert role_key("Director-General of ALECSO") == role_key("director general of Alecso")
    assert role_counts(pairs) == {person["key"]: [{"role": "Director-General of ALECSO", "count": 3},
                                                  {"role": "ministre de la Culture", "count": 1}]}
