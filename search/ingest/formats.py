"""Readers that turn a file into raw text (plus hints such as a declared title, date or language).

Each format goes through a maintained library: trafilatura for HTML (main content, chrome left
out), pypdf for PDF text layers, python-docx for Word, markdown-it-py for Markdown. A reader
returns paragraphs separated by blank lines, the shape the cleaning and title code expect.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from search.ingest.decoding import UndecodableError, decode_bytes
from search.ingest.safeguards import HTML_MAX_DEPTH, MAX_ANALYSED_HTML, zip_bomb_reason

# A PDF page with fewer characters than this in its text layer counts as an image (a scan).
MIN_PDF_CHARS = 20
_LANG = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]+)*$")
_SPACES = re.compile(r"[ \t\u00a0]+")


class UnreadableFile(Exception):
    """A file that cannot become text; the message is the reason shown in the reindex summary."""


@dataclass
class RawText:
    """What a reader got out of a file."""

    text: str
    hints: dict = field(default_factory=dict)  # optional: title, date, lang declared by the file


def read_txt(data: bytes, path: Path) -> RawText:
    """Plain text in any common encoding."""
    try:
        return RawText(decode_bytes(data))
    except UndecodableError as exc:
        raise UnreadableFile(str(exc)) from exc


def read_html(data: bytes, path: Path) -> RawText:
    """An HTML page's main content (trafilatura drops navigation, footers and widgets)."""
    import trafilatura
    from lxml import html as lxml_html

    try:
        markup = decode_bytes(data)
    except UndecodableError as exc:
        raise UnreadableFile(str(exc)) from exc
    parser = lxml_html.HTMLParser()
    try:
        tree = lxml_html.fromstring(markup, parser=parser)
    except Exception as exc:  # lxml raises several types for broken markup
        raise UnreadableFile(f"not a readable HTML page ({exc})") from exc
    if len(markup) > MAX_ANALYSED_HTML:
        result, body = None, _plain_text(tree)
    else:
        result = trafilatura.bare_extraction(
            tree, include_comments=False, include_tables=True, favor_recall=True, with_metadata=True,
            output_format="python",
        )
        body = (getattr(result, "text", None) or "") if result is not None else ""
    if not body.strip() and any("Excessive depth" in str(e) for e in parser.error_log):
        raise UnreadableFile(f"tags nested more than {HTML_MAX_DEPTH} deep before any text: the page cannot be read")
    hints = {}
    headline = _first_text(tree, "//h1")
    title = headline or getattr(result, "title", None) or _first_text(tree, "//title")
    if title:
        hints["title"] = _SPACES.sub(" ", title).strip()
        if headline and headline not in body[: len(headline) + 200]:
            # trafilatura keeps the headline in metadata: put it back above the text.
            body = f"{headline}\n\n{body}"
    date = getattr(result, "date", None) if result is not None else None
    if date and re.fullmatch(r"\d{4}-\d\d-\d\d", date):
        hints["date"] = date
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and _LANG.match(lang.strip()):
        hints["lang"] = lang.strip()[:2].lower()
    return RawText(_paragraphs(body.split("\n")), hints)


_BLOCKS = ("p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section",
           "article", "table", "ul", "ol", "dd", "dt")


def _plain_text(tree) -> str:
    """A big page's text without main-content analysis: one paragraph per block, no scripts or styles."""
    for element in list(tree.iter("script", "style", "noscript", "template")):
        if element.getparent() is not None:
            element.drop_tree()
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    body = tree.find("body")
    text = (body if body is not None else tree).text_content()
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _first_text(tree, xpath: str) -> str | None:
    found = tree.xpath(xpath)
    if not found:
        return None
    text = _SPACES.sub(" ", found[0].text_content()).strip()
    return text or None


def read_pdf(data: bytes, path: Path) -> RawText:
    """A PDF's text layer, lines of a paragraph joined; scans, encrypted and broken files refused."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable files warn a lot
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = 0
            if not opened:
                raise UnreadableFile("encrypted PDF (password needed): save it without a password")
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
        info = reader.metadata or {}
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableFile(f"corrupt or unreadable PDF ({exc})") from exc
    if not pages:
        raise UnreadableFile("PDF without pages")
    if sum(len(p.strip()) for p in pages) < MIN_PDF_CHARS * len(pages):
        raise UnreadableFile("scanned PDF without a text layer (needs OCR first)")
    lines = [line for page in pages for line in (page.split("\n") + [""])]
    hints = {}
    # The creation date is when the file was made, not when the article was published: not a hint.
    title = info.get("/Title") if hasattr(info, "get") else None
    if isinstance(title, str) and title.strip():
        hints["title"] = title.strip()
    return RawText(_reflow(lines), hints)


def _reflow(lines: list[str]) -> str:
    """Join the wrapped lines of a paragraph; blank lines (vertical gaps) separate paragraphs.

    A line that opens with a bullet starts a line of its own: list items stay one per line.
    """
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        line = _SPACES.sub(" ", line).strip()
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
        elif not current:
            current = line
        elif _BULLET.match(line):
            current += "\n" + line
        elif current.endswith("-") and line[:1].islower():
            current = current[:-1] + line  # a word hyphenated at the line's end
        else:
            current += " " + line
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def read_docx(data: bytes, path: Path) -> RawText:
    """A Word document's paragraphs and tables; its core properties as hints."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    bomb = zip_bomb_reason(data, "docx")
    if bomb:
        raise UnreadableFile(bomb)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile("not a readable .docx (corrupt, or encrypted with a password)") from exc
    except Exception as exc:  # lxml errors on a broken part
        raise UnreadableFile(f"not a readable .docx ({type(exc).__name__})") from exc
    lines: list[str] = []
    hints: dict = {}
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if text and "title" not in hints and style.lower().startswith(("title", "heading 1")):
            hints["title"] = text
        lines.append(text)
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    props = document.core_properties
    if "title" not in hints and props.title:
        hints["title"] = props.title.strip()
    if props.language and _LANG.match(props.language.strip()):
        hints["lang"] = props.language.strip()[:2].lower()
    return RawText(_paragraphs(lines), hints)


def read_markdown(data: bytes, path: Path) -> RawText:
    """Markdown as plain text: markup dropped, one paragraph per block; the first # heading as a hint."""
    from markdown_it import MarkdownIt

    try:
        source = decode_bytes(data)
    except UndecodableError as exc:
        raise UnreadableFile(str(exc)) from exc
    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    blocks: list[str] = []
    hints: dict = {}
    heading = None
    for token in tokens:
        if token.type == "heading_open":
            heading = token.tag
        elif token.type == "inline":
            text = "".join(_inline_text(child) for child in token.children or [])
            if heading == "h1" and "title" not in hints:
                hints["title"] = text.strip()
            blocks.append(text)
        elif token.type in ("code_block", "fence"):
            blocks.append(token.content)
        elif token.type == "heading_close":
            heading = None
    return RawText(_paragraphs(blocks), hints)


def _inline_text(token) -> str:
    if token.type in ("softbreak", "hardbreak"):
        return "\n" if token.type == "hardbreak" else " "
    if token.type in ("text", "code_inline", "html_inline"):
        return token.content if token.type != "html_inline" else ""
    if token.type == "image":
        return ""
    return ""


_BULLET = re.compile(r"^\s*[•·▪►*+\-–—]\s")


def _paragraphs(blocks) -> str:
    """Blocks as paragraphs separated by blank lines (list items on consecutive lines), empty ones dropped."""
    out: list[str] = []
    for block in (b.strip() for b in blocks if b and b.strip()):
        if out and _BULLET.match(block) and _BULLET.match(out[-1].rsplit("\n", 1)[-1]):
            out[-1] += "\n" + block  # a list stays one run of lines, as menus are recognised by
        else:
            out.append(block)
    return "\n\n".join(out)


READERS = {
    ".txt": read_txt,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".docx": read_docx,
}


def supported_extensions() -> set[str]:
    """The file extensions that have a reader."""
    return set(READERS)


def read_raw(data: bytes, path: Path) -> RawText:
    """Dispatch to the reader for the file's extension; a reader that fails skips only this file."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(f"unsupported file type {path.suffix!r}")
    kind = path.suffix.lower().lstrip(".")
    try:
        return reader(data, path)
    except UnreadableFile:
        raise
    except ImportError as exc:
        # An installer that missed a dependency (lxml_html_clean for HTML) costs that format only.
        raise UnreadableFile(f"the .{kind} reader cannot be loaded ({exc}); reinstall the package: pip install .") from exc
    except RecursionError as exc:
        raise UnreadableFile(f"nested too deeply to read as .{kind}") from exc
    except Exception as exc:  # a library's bug on one strange file must not cost the rest
        raise UnreadableFile(f"the .{kind} reader failed on this file ({type(exc).__name__}: {exc})") from exc
