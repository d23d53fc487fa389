"""Wrong configuration files in DOCS_DIR: one line naming the file, the line and the fix; exit
non-zero; the previous index keeps serving."""
from __future__ import annotations

import subprocess
import sys

import pytest

from search.index import store
from search.ingest.config_files import check_config_files
from search.query.service import SearchRequest, SearchService
from conftest import PROJECT

TEN_MB = "[big]\n" + "".join(f'"mot{i}" = "word{i}"\n' for i in range(10 * 2**20 // 20))

# file, content, the line reported, words the message must hold
CASES = {
    "aliases invalid toml": ("aliases.toml", '[[person]]\nname = "Salim AlMalik"\naliases = ["Dr. Malik"\n', 3,
                             ["not valid TOML", "correct that line"]),
    "aliases wrong type": ("aliases.toml", '[[organisation]]\nname = "ICESCO"\nacronyms = "ISESCO"\n', 3,
                           ["acronyms of 'ICESCO' should be a list of strings"]),
    "aliases name not a string": ("aliases.toml", '[[person]]\nname = 7\n', 1, ["needs a name"]),
    "aliases one-word person": ("aliases.toml", '[[person]]\nname = "Salim AlMalik"\n\n[[person]]\nname = "Malik"\n', 5,
                                ["'Malik' needs a given name and a surname"]),
    "aliases cycle": ("aliases.toml", '[[organisation]]\nname = "ICESCO"\naliases = ["ISESCO"]\n\n'
                                      '[[organisation]]\nname = "ISESCO"\naliases = ["ICESCO"]\n', 2,
                      ["cycle", "ICESCO -> ISESCO -> ICESCO"]),
    "aliases 10 MB": ("aliases.toml", TEN_MB, 1, ["too long for a configuration file"]),
    "glossary invalid toml": ("glossary.toml", '[culture]\n"patrimoine" = "heritage"\n"musée" = \n', 3, ["not valid TOML"]),
    "glossary wrong type": ("glossary.toml", '[culture]\n"patrimoine" = "heritage"\n"musée" = 3\n', 3,
                            ["'musée' maps to 3"]),
    "glossary entry outside a section": ("glossary.toml", '"patrimoine" = "heritage"\n', 1, ["not in a [section]"]),
    "glossary 10 MB": ("glossary.toml", TEN_MB, 1, ["too long"]),
    "curation invalid toml": ("curation.toml", "[merge\n", 1, ["not valid TOML"]),
    "curation 10 MB": ("curation.toml", TEN_MB, 1, ["too long"]),
    "curation not utf-8": ("curation.toml", b'[merge]\n"a" = "caf\xe9"\n', 2, ["not UTF-8"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_wrong_configuration_file_is_one_line_and_the_previous_index_serves(runner, docs_dir, index_dir, case):
    name, content, line, words = CASES[case]
    live = store.current_generation(index_dir)
    (docs_dir / "new.txt").write_text("Ocelot report\n\nThe ocelot survey of AICTO was published in May 2022.\n")
    path = docs_dir / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"Error: {path}, line {line}: ")
    assert all(word in result.output for word in words), result.output
    assert "previous index is still serving" in result.output
    assert "Traceback" not in result.output
    assert store.current_generation(index_dir) == live
    assert SearchService(index_dir).search(SearchRequest(q="ocelot")).total == 0
    assert SearchService(index_dir).search(SearchRequest(q="ICESCO")).total > 0


def test_correct_configuration_files_pass(docs_dir):
    (docs_dir / "aliases.toml").write_text('[[person]]\nname = "Salim M. AlMalik"\naliases = ["Dr. Malik"]\n\n'
                                           '[[organisation]]\nname = "ICESCO"\nacronyms = ["ISESCO"]\n', encoding="utf-8")
    (docs_dir / "glossary.toml").write_text('[culture]\n"patrimoine" = "heritage"\n"musée" = ["museum"]\n',
                                            encoding="utf-8")
    check_config_files(docs_dir)


def test_flask_reindex_exits_non_zero_without_traceback(docs_dir, index_dir):
    (docs_dir / "aliases.toml").write_text('[[person]]\nname = "Malik"\n', encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "FLASK_DOCS_DIR": str(docs_dir), "FLASK_INDEX_DIR": str(index_dir)}
    done = subprocess.run([sys.executable, "-m", "flask", "reindex"], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert f"{docs_dir / 'aliases.toml'}, line 2: person name 'Malik'" in done.stderr


def test_a_broken_glossary_does_not_stop_the_site(docs_dir, index_dir):
    """The site serves with the package glossary and says, on every search, what to fix."""
    (docs_dir / "glossary.toml").write_text('[education]\n"école" = \n', encoding="utf-8")
    service = SearchService(index_dir, docs_dir=docs_dir)
    results = service.search(SearchRequest(q="ICESCO"))
    assert results.total > 0
    assert any("glossary.toml" in notice and "package's glossary" in notice for notice in results.notices)
