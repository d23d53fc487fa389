"""HTML, PDF, Markdown and Word files give the same documents as the plain-text seeds they came from."""
from __future__ import annotations

import html
import io
from pathlib import Path

import pytest

from search.ingest.extract import ExtractionContext, extract_documents
from search.ingest.formats import UnreadableFile, read_raw
from search.index.indexer import reindex
from conftest import SEEDS

FONT_PATHS = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
]
HTML_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title} | News archive</title>
<meta name="description" content="Press releases"></head>
<body><header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li></ul></nav></header>
<main><article>
{body}
</article></main>
<footer><p>© All rights reserved</p><ul><li><a href="/privacy">Privacy policy</a></li>
<li><a href="/terms">Terms of use</a></li></ul></footer></body></html>
"""


def seed_documents() -> dict[str, list]:
    """The documents each seed gives as plain text: the reference every format must match."""
    found = {}
    for path in sorted(SEEDS.glob("*.txt")):
        found[path.stem] = extract_documents(path.name, path, path.read_bytes(), ExtractionContext(), "")
    return found


def seed_blocks(path: Path) -> tuple[list[str], str | None]:
    """A seed's non-empty lines and its headline (as the plain-text pipeline reads it)."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    docs = extract_documents(path.name, path, path.read_bytes(), ExtractionContext(), "")
    return lines, docs[0].title


def write_html(lines: list[str], title: str | None, lang: str) -> bytes:
    """A page with site chrome around the article; headlines as <h2>, the first as <h1>."""
    body = []
    for line in lines:
        tag = "h1" if line == title else "p"
        body.append(f"<{tag}>{html.escape(line)}</{tag}>")
    return HTML_PAGE.format(lang=lang, title=html.escape(title or "News"), body="\n".join(body)).encode()


def write_markdown(lines: list[str], title: str | None) -> bytes:
    """Markdown with the headline as a # heading, one paragraph per line."""
    return "\n\n".join(f"# {line}" if line == title else line.replace("*", r"\*") for line in lines).encode()


def write_docx(lines: list[str], title: str | None) -> bytes:
    """A Word file written by python-docx: the headline in the Heading 1 style."""
    import docx

    document = docx.Document()
    for line in lines:
        if line == title:
            document.add_heading(line, level=1)
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_pdf(lines: list[str], title: str | None) -> bytes:
    """A PDF with a text layer written by fpdf2 (a Unicode font), paragraphs spaced apart."""
    fpdf = pytest.importorskip("fpdf")
    font = next((p for p in FONT_PATHS if p.is_file()), None)
    if font is None:
        pytest.skip("no DejaVu font to write Unicode PDFs")
    pdf = fpdf.FPDF()
    pdf.add_font("DejaVu", fname=str(font))
    pdf.add_page()
    for line, following in zip(lines, lines[1:] + [""]):
        pdf.set_font("DejaVu", size=16 if line == title else 11)
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        if not (line.startswith("•") and following.startswith("•")):
            pdf.ln(6)  # a gap between paragraphs; the items of a list stand close together
    return bytes(pdf.output())


WRITERS = {
    ".html": lambda lines, title, lang: write_html(lines, title, lang),
    ".md": lambda lines, title, lang: write_markdown(lines, title),
    ".docx": lambda lines, title, lang: write_docx(lines, title),
    ".pdf": lambda lines, title, lang: write_pdf(lines, title),
}


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_converted_seeds_give_the_same_metadata_as_plain_text(tmp_path, suffix):
    reference = seed_documents()
    for path in sorted(SEEDS.glob("*.txt")):
        lines, title = seed_blocks(path)
        target = tmp_path / f"{path.stem}{suffix}"
        target.write_bytes(WRITERS[suffix](lines, title, reference[path.stem][0].lang))
        docs = extract_documents(target.name, target, target.read_bytes(), ExtractionContext(), "")
        expected = reference[path.stem]
        assert [d.title for d in docs] == [d.title for d in expected], target.name
        assert [d.date for d in docs] == [d.date for d in expected], target.name
        assert [d.lang for d in docs] == [d.lang for d in expected], target.name
        assert [d.people for d in docs] == [d.people for d in expected], target.name
        assert [d.organisations for d in docs] == [d.organisations for d in expected], target.name


def test_html_navigation_and_footer_are_left_out(tmp_path):
    page = write_html(["A Headline About Cooperation Today", "The body of the article " * 20], None, "en")
    text = read_raw(page, Path("page.html")).text
    assert "The body of the article" in text
    assert "Privacy policy" not in text and "About us" not in text


def test_html_declared_language_and_title_are_hints():
    page = write_html(["Une rencontre sur la coopération numérique", "Le texte de l’article. " * 20],
                      "Une rencontre sur la coopération numérique", "fr")
    raw = read_raw(page, Path("page.html"))
    assert raw.hints["lang"] == "fr"
    assert raw.hints["title"] == "Une rencontre sur la coopération numérique"


def test_pdf_without_text_layer_is_skipped_as_a_scan(tmp_path):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 100, 100, style="F")  # an image-only page
    with pytest.raises(UnreadableFile, match="scanned PDF"):
        read_raw(bytes(pdf.output()), Path("scan.pdf"))


def test_encrypted_pdf_is_skipped_with_a_reason():
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "A confidential report on cooperation")
    with pytest.raises(UnreadableFile, match="encrypted"):
        read_raw(bytes(pdf.output()), Path("locked.pdf"))


@pytest.mark.parametrize("suffix, reason", [(".pdf", "corrupt"), (".docx", "not a readable .docx")])
def test_corrupt_files_are_skipped_with_a_reason(suffix, reason):
    with pytest.raises(UnreadableFile, match=reason):
        read_raw(b"this is not really a " + suffix.encode() + b" file" * 10, Path("broken" + suffix))


def test_markdown_markup_is_dropped_and_the_heading_is_the_title():
    raw = read_raw(b"# The Headline Of The Release\n\nSome **bold** text with a [link](http://x.org).\n",
                   Path("note.md"))
    assert raw.hints["title"] == "The Headline Of The Release"
    assert "Some bold text with a link." in raw.text
    assert "**" not in raw.text and "http" not in raw.text


def test_reindex_reports_broken_files_and_indexes_the_others(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    lines, title = seed_blocks(SEEDS / "004_c732ec44fd574afc.txt")
    (docs / "good.docx").write_bytes(write_docx(lines, title))
    (docs / "good.md").write_bytes(write_markdown(lines, title))
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    summary = reindex(docs, tmp_path / "index")
    assert summary.added == 2
    assert [(s.source, "corrupt" in s.reason) for s in summary.skipped] == [("broken.pdf", True)]
