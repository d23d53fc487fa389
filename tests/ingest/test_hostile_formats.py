"""Files built to hurt: each is indexed, or skipped with its reason, in bounded time and memory.

Each case reindexes the seeds plus one such file in a fresh process, which reports its CPU time and
the peak memory of itself and its children (the relations process): the reindex's, not pytest's.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript

from conftest import PROJECT

PEAK_MB = 1024
# The per-file budget the issue gives extraction (EXTRACT_TIME_LIMIT's default).
CPU_SECONDS = 60
REINDEX = """
import json, resource, sys, time
from search.index.indexer import reindex
from search.query.service import SearchRequest, SearchService
started = time.process_time()
summary = reindex(sys.argv[1], sys.argv[2])
cpu = time.process_time() - started + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
found = {q: sorted(h.source for h in SearchService(sys.argv[2]).search(SearchRequest(q=q, per_page=50)).hits)
         for q in sys.argv[3:]}
print(json.dumps({"added": summary.added, "skipped": {s.source: s.reason for s in summary.skipped},
                  "cpu": cpu, "peak_mb": peak, "found": found}))
"""


def reindex_with(tmp_path: Path, name: str, content: bytes, *queries: str) -> dict:
    """Reindex the seeds plus one file in a fresh process; what it did, its CPU time and peak memory."""
    docs = tmp_path / "docs"
    shutil.copytree(PROJECT / "seeds", docs)
    (docs / name).write_bytes(content)
    done = subprocess.run([sys.executable, "-c", REINDEX, str(docs), str(tmp_path / "index"), *queries], cwd=PROJECT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["peak_mb"] <= PEAK_MB, outcome
    assert outcome["cpu"] <= CPU_SECONDS, outcome
    return outcome


def docx_bomb(gigabytes: int = 1) -> bytes:
    """A real .docx whose document.xml inflates to gigabytes of spaces (a few MB on disk)."""
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Bomb report of ICESCO")
    document.save(buffer)
    source = zipfile.ZipFile(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for item in source.infolist():
            data = source.read(item)
            if item.filename != "word/document.xml":
                bomb.writestr(item, data)
                continue
            head, tail = data.split(b"</w:body>")
            with bomb.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(head)
                for _ in range(gigabytes * 1024):
                    part.write(b" " * 2**20)
                part.write(b"</w:body>" + tail)
    return out.getvalue()


def pdf_page(text: str):
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 5, text)
    return PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0]


def pdf_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.slow
def test_a_docx_zip_bomb_is_skipped_before_it_is_inflated(tmp_path):
    bomb = docx_bomb(1)
    assert len(bomb) < 10 * 2**20
    outcome = reindex_with(tmp_path, "bomb.docx", bomb)
    assert outcome["added"] == 5
    assert outcome["skipped"]["bomb.docx"].startswith("a .docx that unpacks to 1,025 MB (a zip bomb?)")


@pytest.mark.slow
def test_an_html_page_of_a_million_nested_tags_is_skipped_with_its_reason(tmp_path):
    page = "<html><body>" + "<div>" * 1_000_000 + "<p>Deep text.</p>" + "</div>" * 1_000_000 + "</body></html>"
    outcome = reindex_with(tmp_path, "nested.html", page.encode())
    assert outcome["skipped"] == {"nested.html": "tags nested more than 256 deep before any text: the page cannot be read"}


@pytest.mark.slow
def test_a_20_mb_html_page_on_one_line_is_indexed(tmp_path):
    # Minified markup, as a page of inline styles and tracking attributes is: 20 MB of which about
    # 2 MB is text (20 MB of distinct text is the budget of a big text file, not of a hostile format).
    paragraph = ('<p class="c{n}" style="margin:0;padding:0;font-family:Arial,Helvetica,sans-serif;color:#333" '
                 'data-track="' + "x" * 120 + '"><span>Pelican {n} in Rabat.</span></p>')
    body = "".join(paragraph.format(n=n) for n in range(20 * 2**20 // len(paragraph) + 1))
    page = f"<html><head><title>Pelican archive</title><script>var x = 'scriptword';</script></head><body>{body}</body></html>"
    assert "\n" not in page and len(page) >= 20 * 2**20
    outcome = reindex_with(tmp_path, "oneline.html", page.encode(), "pelican", "scriptword")
    assert outcome["added"] == 6 and not outcome["skipped"]
    assert outcome["found"] == {"pelican": ["oneline.html"], "scriptword": []}


@pytest.mark.parametrize("declared, encoding", [("windows-1251", "utf-8"), ("utf-8", "cp1252")])
def test_an_html_page_whose_meta_charset_lies_is_read_in_its_real_encoding(tmp_path, declared, encoding):
    page = (f'<html><head><meta charset="{declared}"><title>Réunion</title></head><body><h1>Réunion à Rabat</h1>'
            "<p>Le comité de l'ICESCO s'est réuni à Rabat le 3 mars 2023 pour étudier le patrimoine culturel "
            "et les musées de la région.</p></body></html>")
    outcome = reindex_with(tmp_path, "liar.html", page.encode(encoding), "musées", "Réunion")
    assert outcome["found"]["musées"] == ["liar.html"]  # read as the declared charset, it would be "musРµes"
    assert "liar.html" in outcome["found"]["Réunion"]


@pytest.mark.slow
def test_a_2000_page_pdf_is_indexed(tmp_path):
    writer = PdfWriter()
    page = pdf_page("Flamingo report on heritage, culture and education in Rabat, with many delegates. " * 12)
    for _ in range(2000):
        writer.add_page(page)
    outcome = reindex_with(tmp_path, "long.pdf", pdf_bytes(writer), "flamingo")
    assert outcome["found"] == {"flamingo": ["long.pdf"]}


def test_a_pdf_with_an_embedded_file_and_javascript_is_indexed_without_either(tmp_path):
    writer = PdfWriter()
    writer.add_page(pdf_page("Attachment report. ICESCO and ALECSO met in Tunis on 5 May 2022 about the ibis. " * 5))
    writer.add_open_action(JavaScript("app.alert('javascriptword');"))
    writer.add_attachment("secret.txt", b"zanzibarword: the attachment's text")
    outcome = reindex_with(tmp_path, "attached.pdf", pdf_bytes(writer), "ibis", "zanzibarword", "javascriptword")
    assert outcome["found"] == {"ibis": ["attached.pdf"], "zanzibarword": [], "javascriptword": []}


@pytest.mark.parametrize("marker", ["- ", "> ", "1. "])
def test_markdown_nested_100000_levels_is_read(tmp_path, marker):
    text = "# Deep list\n\nThe heron survey of ICESCO was published in May 2022.\n\n" + marker * 100_000 + "item\n"
    outcome = reindex_with(tmp_path, "nested.md", text.encode(), "heron")
    assert outcome["found"] == {"heron": ["nested.md"]}
