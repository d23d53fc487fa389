"""Strange files in DOCS_DIR: each is indexed correctly or skipped with its reason; the rest all index."""
from __future__ import annotations

import codecs
import os
import struct
import zlib
from pathlib import Path

import pytest

from search.index.indexer import reindex
from search.query.service import SearchRequest, SearchService
from conftest import PROJECT

PNG = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0) + \
    struct.pack(">I", zlib.crc32(b"IHDR")) + bytes(range(256)) * 4
FRENCH = "Réunion à l’ICESCO\n\nLe comité s’est réuni à Rabat le 3 mars 2023 pour étudier le {word}.\n"
ENGLISH = "AICTO meeting\n\nThe board of AICTO met in Tunis on 5 May 2022 to discuss the {word} plan.\n"

# name → (bytes, expected: "indexed" with a word to find, or the start of the skip reason)
GOOD = {
    "utf16 bom.txt": (codecs.BOM_UTF16_LE + FRENCH.format(word="utfseize").encode("utf-16-le"), "utfseize"),
    "cp1252.txt": (FRENCH.format(word="cpwindows").encode("cp1252", "replace").replace(b"?", b"'"), "cpwindows"),
    "latin bad utf8.txt": (ENGLISH.format(word="badbyte").encode() + b"\xff\xfe caf\xe9\n", "badbyte"),
    "Élysée «accents».txt": (FRENCH.format(word="accentnom"), "accentnom"),
    "it's \"quoted\".txt": (ENGLISH.format(word="quotednom"), "quotednom"),
    "line\nbreak.txt": (ENGLISH.format(word="newlinenom"), "newlinenom"),
    "long line.txt": ("Long line\n\n" + "ICESCO longlinemot " * 5_600 + "\n", "longlinemot"),
    "sub dir/nested.txt": (ENGLISH.format(word="nestedmot"), "nestedmot"),
}
SKIPPED = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b"  \n\t \r\n   ", "empty file"),
    "image.txt": (PNG, "binary content"),
}


def build_bad_folder(docs: Path) -> None:
    for name, (content, _) in {**GOOD, **SKIPPED}.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    (docs / "loop").mkdir()
    os.symlink("..", docs / "loop" / "back")  # a folder loop
    os.symlink("self.txt", docs / "self.txt")  # a file loop
    os.symlink("nowhere.txt", docs / "dangling.txt")
    os.mkfifo(docs / "pipe.txt")  # reading it would block forever
    (docs / "folder.txt").mkdir()  # a folder is walked, not read
    (docs / "folder.txt" / "inside.txt").write_text(ENGLISH.format(word="insidemot"), encoding="utf-8")
    (docs / os.fsdecode(b"bad-\xff-name.txt")).write_text(ENGLISH.format(word="badname"), encoding="utf-8")
    with open(docs / "huge.txt", "wb") as handle:  # 50 MB of real text
        block = (ENGLISH.format(word="hugemot") * 400).encode()
        for _ in range(50 * 2**20 // len(block) + 1):
            handle.write(block)


@pytest.fixture(scope="module")
def bad_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    docs = root / "docs"
    docs.mkdir()
    for seed in (PROJECT / "seeds").iterdir():
        (docs / seed.name).write_bytes(seed.read_bytes())
    build_bad_folder(docs)
    summary = reindex(docs, root / "index")
    return summary, SearchService(root / "index")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GOOD))
def test_odd_but_readable_files_are_indexed(bad_index, name):
    _, service = bad_index
    word = GOOD[name][1]
    assert [hit.source for hit in service.search(SearchRequest(q=word)).hits] == [name]


@pytest.mark.slow
def test_decoded_text_is_right(bad_index):
    _, service = bad_index
    for word in ("utfseize", "cpwindows"):
        hit = service.search(SearchRequest(q=word)).hits[0]
        text = service.document(hit.id).fields["text"]
        assert "Le comité s’est réuni à Rabat" in text or "Le comité s'est réuni à Rabat" in text


@pytest.mark.slow
def test_unusable_files_are_skipped_with_their_reason(bad_index):
    summary, _ = bad_index
    reasons = {s.source: s.reason for s in summary.skipped}
    for name, (_, reason) in SKIPPED.items():
        assert reasons[name].startswith(reason), (name, reasons[name])
    assert reasons["self.txt"] == "symlink loop"
    assert reasons["loop/back"] == "symlink loop (folder already visited)"
    assert reasons["dangling.txt"].startswith("broken symlink")
    assert reasons["pipe.txt"].startswith("not a regular file")
    assert reasons["huge.txt"] == "larger than the 25 MB limit"
    assert reasons["bad-\\xff-name.txt"].startswith("file name is not valid UTF-8")
    assert len(reasons) == len(SKIPPED) + 6


@pytest.mark.slow
def test_every_other_file_is_indexed_and_the_summary_is_one_line(bad_index):
    summary, service = bad_index
    assert summary.added == 5 + len(GOOD) + 1  # the seeds, the odd files, folder.txt/inside.txt
    assert "\n" not in summary.line()
    assert "line\\nbreak.txt" not in summary.line()  # indexed, so not listed
    assert "bad-\\xff-name.txt (file name is not valid UTF-8" in summary.line()
    assert service.search(SearchRequest(q="insidemot")).hits[0].source == "folder.txt/inside.txt"


@pytest.mark.slow
def test_document_pages_of_odd_names_work(bad_index):
    _, service = bad_index
    hit = service.search(SearchRequest(q="newlinenom")).hits[0]
    assert "/" not in hit.id and "\n" not in hit.id
    assert service.document(hit.id).fields["source"] == "line\nbreak.txt"
