"""Copies, containment and translations between documents, kept right by incremental reindexes."""
from __future__ import annotations

import shutil
from pathlib import Path

from search.index import store
from search.index.indexer import reindex
import pytest

from search.index.relations import copy_groups, find_relations, load_relations, load_signatures
from search.ingest.signatures import content_words, name_key, sketch
from search.query.service import SearchService
from conftest import SEEDS

FR, EN, LISTING = "000_f63f00728d386dc6.txt", "001_2b910b306ed54871.txt", "003_19f07d10ece0ff41.txt"


def relations_of(index_dir: Path) -> dict[str, dict[str, str]]:
    found = load_relations(store.current_generation(index_dir))
    return {doc: {link["id"]: link["relation"] for link in links} for doc, links in found.items()}


def copy_seeds(target: Path) -> Path:
    shutil.copytree(SEEDS, target)
    return target


def test_seed_translations_and_wire_copy_are_linked(tmp_path):
    reindex(SEEDS, tmp_path / "index")
    links = relations_of(tmp_path / "index")
    assert links[FR][EN] == "translation" and links[EN][FR] == "translation"
    assert links[EN][f"{LISTING}-2"] == "duplicate"
    assert LISTING not in links  # the ALECSO article of the page has no copy


def test_unrelated_articles_have_no_relations(tmp_path):
    reindex(SEEDS, tmp_path / "index")
    links = relations_of(tmp_path / "index")
    assert "002_5aa7868815be7374.txt" not in links and "004_c732ec44fd574afc.txt" not in links


def test_incremental_reindex_drops_and_restores_a_relation(tmp_path):
    docs = copy_seeds(tmp_path / "docs")
    index = tmp_path / "index"
    reindex(docs, index)
    original = (docs / EN).read_bytes()
    (docs / EN).write_text("A short note about an unrelated meeting on water resources in 2019.\n", encoding="utf-8")
    reindex(docs, index)
    links = relations_of(index)
    assert EN not in links.get(FR, {}) and EN not in links.get(f"{LISTING}-2", {})
    assert links[FR][f"{LISTING}-2"] == "translation"  # the unchanged pair stays linked
    (docs / EN).write_bytes(original)
    summary = reindex(docs, index)
    assert summary.updated == 1 and summary.unchanged == 4
    assert relations_of(index)[FR][EN] == "translation"


def test_removed_file_leaves_no_dangling_relation(tmp_path):
    docs = copy_seeds(tmp_path / "docs")
    reindex(docs, tmp_path / "index")
    (docs / EN).unlink()
    reindex(docs, tmp_path / "index")
    links = relations_of(tmp_path / "index")
    assert all(EN not in targets for targets in links.values()) and EN not in links


def test_copy_groups_join_chains_of_duplicates():
    relations = {"a": [{"id": "b", "relation": "duplicate"}], "b": [{"id": "c", "relation": "duplicate"}],
                 "d": [{"id": "a", "relation": "translation"}]}
    assert copy_groups(relations)["c"] == ["a", "b", "c"]
    assert "d" not in copy_groups(relations)


def test_document_lists_its_related_documents(tmp_path):
    reindex(SEEDS, tmp_path / "index")
    view = SearchService(tmp_path / "index").document(EN)
    assert {"id": FR, "relation": "translation"} in view.related
    assert {"id": f"{LISTING}-2", "relation": "duplicate"} in view.related


@pytest.mark.parametrize("latin, other", [
    ("Rabat", "الرباط"), ("Essebsi", "السبسى"), ("Alecso", "ألكسو"), ("Hissein", "حسین"),
    ("Ibrahim", "ابراہیم"), ("AlMalik", "المالك"), ("Bakou", "Baku"), ("Azerbaïdjan", "Azerbaijan"),
])
def test_name_keys_match_across_spellings_and_scripts(latin, other):
    assert name_key(latin) == name_key(other)


def _sig(doc_id, lang, text, date=None, script="latin", **fields):
    sig = {"id": doc_id, "source": doc_id, "lang": lang, "date": date, "title": False, "length": len(text),
           "sketch": sketch(text), "terms": content_words(text), "numbers": [], "dates": [], "names": [],
           "keys": [], "entities": [], "concepts": [], "paragraphs": [], "script": script}
    sig.update(fields)
    return sig


WORDS = "harvest valley river farmer bridge market school train harbour museum garden tower forest clinic".split()
FILLER = [" ".join(f"{WORDS[(i * 7 + j * 3) % len(WORDS)]}{i}x{j}" for j in range(30)) for i in range(40)]
OWN_A = " ".join(f"{w}{n}" for n in range(4) for w in WORDS)
OWN_B = " ".join(f"{w}{n}" for n in range(4, 8) for w in WORDS)
SHARED = ("The prize gives recognition to the achievements of young people conducive to socio-economic "
          "transformation on a global scale and is awarded every two years to five laureates from five regions. "
          "Its purpose is to encourage youth participation in science, in particular women and girls, so as to "
          "promote gender equality, scientific literacy and the choice of a scientific career.")


def test_two_write_ups_sharing_a_rare_passage_are_one_story_unless_dated_apart():
    a = "Call for nominations opens for the young scientists prize. " + OWN_A + " " + SHARED
    b = "Five laureates of the young scientists prize received their medals. " + OWN_B + " " + SHARED
    sigs = [_sig(f"f{i}", "en", text) for i, text in enumerate(FILLER)]
    related = find_relations(sigs + [_sig("a", "en", a), _sig("b", "en", b)])
    assert {"id": "b", "relation": "duplicate"} in related["a"]
    apart = find_relations(sigs + [_sig("a", "en", a, date="2022-01-10"), _sig("b", "en", b, date="2023-06-01")])
    assert "a" not in apart


def test_translation_into_arabic_script_found_by_rare_name_keys():
    names = ["Awangku", "Shahrin", "Bakar", "Mahani", "Brunei", "Bandar"]
    french = _sig("fr", "fr", "x" * 900, keys=sorted(name_key(n) for n in names))
    arabic = _sig("ar", "ar", "x" * 900, script="arabic",
                  keys=sorted(name_key(w) for w in ["أوانجكو", "شاهرين", "بكار", "مهاني", "بروناي", "بندر"]))
    others = [_sig(f"f{i}", "en", text, keys=[name_key("Rabat")]) for i, text in enumerate(FILLER)]
    related = find_relations(others + [french, arabic])
    assert related["fr"] == [{"id": "ar", "relation": "translation"}]
    assert related["ar"] == [{"id": "fr", "relation": "translation"}]


def test_signatures_kept_as_changes_read_back_as_written_whole(tmp_path, monkeypatch):
    """A base plus the changes since it (COMPACT_SHARE never reached) reads back exactly as the
    same reindexes writing every signature each time."""
    import search.index.relations as relations

    def run(name: str, share: float) -> Path:
        monkeypatch.setattr(relations, "COMPACT_SHARE", share)
        docs = copy_seeds(tmp_path / f"docs-{name}")
        index = tmp_path / f"index-{name}"
        reindex(docs, index)
        (docs / EN).write_text("A short note about an unrelated meeting on water resources in 2019.\n", encoding="utf-8")
        reindex(docs, index)
        (docs / FR).unlink()
        shutil.copy(SEEDS / FR, docs / "again.txt")
        reindex(docs, index)
        return index

    changes, whole = run("changes", 10.0), run("whole", 0.0)
    live = store.current_generation(changes)
    assert relations.load_signatures(live) == relations.load_signatures(store.current_generation(whole))
    assert relations._read_signatures(live)[1]  # the changes were kept apart from the base
    assert relations_of(changes) == relations_of(whole)



def test_base_signatures_read_back_equal_with_one_object_per_string(tmp_path):
    """The base is pickled with each distinct string once (smaller, and faster to load)."""
    import copy
    from array import array

    from search.index.relations import load_signatures, update_relations

    texts = {"a": OWN_A + " " + SHARED, "b": OWN_B + " " + SHARED}
    sigs = {doc: _sig(doc, "en", text, names=["rabat", "tunis"], date="2024-05-02") for doc, text in texts.items()}
    update_relations(tmp_path, None, {doc: [copy.deepcopy(sig)] for doc, sig in sigs.items()}, [])
    back = load_signatures(tmp_path)
    assert all(type(sig["sketch"]) is array for sig in back.values())  # 8 bytes a number
    assert {doc: {**sig, "sketch": list(sig["sketch"])} for doc, sig in back.items()} == sigs
    a, b = back["a"], back["b"]
    word = sorted(set(a["terms"]) & set(b["terms"]))[0]
    assert a["terms"][a["terms"].index(word)] is b["terms"][b["terms"].index(word)]
    assert a["lang"] is b["lang"] and a["date"] is b["date"] and a["names"][1] is b["names"][1]


def test_relations_found_in_parallel_are_the_same(tmp_path, monkeypatch):
    """The translations' evidence gathered in a forked process gives the same relations, and when
    that process dies the evidence is gathered in this one."""
    import os

    import search.index.relations as relations
    import search.index.translations as translations

    reindex(SEEDS, tmp_path / "index")
    sigs = list(relations.load_signatures(store.current_generation(tmp_path / "index")).values())
    texts = {"a": OWN_A + " " + SHARED, "b": OWN_B + " " + SHARED}
    sigs += [_sig(doc, "en", text) for doc, text in texts.items()] + [_sig(f"f{i}", "en", t) for i, t in enumerate(FILLER)]
    alone = find_relations(sigs)
    assert any(link["relation"] == "translation" for links in alone.values() for link in links)
    assert {"id": "b", "relation": "duplicate"} in alone["a"]
    assert find_relations(sigs, parallel=True) == alone
    monkeypatch.setattr(translations, "_send_evidence", lambda sender, sigs: os._exit(3))
    assert find_relations(sigs, parallel=True) == alone


def test_holders_numbered_past_32_bits_are_the_same(tmp_path, monkeypatch):
    """Words are numbered in 32-bit arrays until there are too many to fit; then in 64-bit ones,
    with the same relations (the overflow forced here on the first value)."""
    from array import array

    import search.index.copies as copies

    reindex(SEEDS, tmp_path / "index")
    sigs = list(load_signatures(store.current_generation(tmp_path / "index")).values())
    sigs += [_sig(doc, "en", text) for doc, text in {"a": OWN_A + " " + SHARED, "b": OWN_B + " " + SHARED}.items()]
    sigs += [_sig(f"f{i}", "en", t) for i, t in enumerate(FILLER)]
    narrow = find_relations(sigs)
    widths = []

    class Narrow(array):
        def extend(self, values):
            if self.typecode == "i":
                raise OverflowError("signed integer is greater than maximum")
            return super().extend(values)

    monkeypatch.setattr(copies, "array", lambda code: widths.append(code) or Narrow(code))
    assert find_relations(sigs) == narrow
    assert "i" in widths and widths.count("q") > widths.count("i")  # each 32-bit try was redone in 64
