"""Limits checked before a reader opens a file built to hurt: a zip bomb, a page too big to analyse.

A .docx is a zip archive. Its directory declares each part's compressed and uncompressed size, and
Python's zipfile never inflates a part past the size it declares (a part that inflates further
fails its CRC check), so checking the declared sizes first bounds what python-docx will read.
"""
from __future__ import annotations

import io
import zipfile

# What a real .docx comes near: a book-length document.xml is a few tens of MB; images add more.
MAX_ZIP_UNCOMPRESSED = 256 * 2**20
MAX_XML_PART = 64 * 2**20
# Word's XML compresses about 10:1; a part that claims more than this is padding, not text.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM = 2**20  # small parts (styles, settings) may compress more
# trafilatura needs about 40 times a page's size in memory and a second per MB: past this size a
# page's text is read straight from its parsed tree (paragraphs kept, scripts and styles dropped).
MAX_ANALYSED_HTML = 2 * 2**20
# libxml2 stops reading a page at this depth of nested tags.
HTML_MAX_DEPTH = 256


def zip_bomb_reason(data: bytes, kind: str) -> str | None:
    """Why a zip container declares more than a real document holds, or None when it does not."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # the reader reports a corrupt file in its own words
    total = sum(m.file_size for m in members)
    if total > MAX_ZIP_UNCOMPRESSED:
        return (f"a .{kind} that unpacks to {total / 2**20:,.0f} MB (a zip bomb?); "
                f"at most {MAX_ZIP_UNCOMPRESSED // 2**20} MB is read")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_FROM and ratio > MAX_COMPRESSION_RATIO:
            return (f"{member.filename} inside this .{kind} is compressed {ratio:,.0f} to 1 "
                f"(a zip bomb?); at most {MAX_COMPRESSION_RATIO} to 1 is read")
        if member.filename.endswith((".xml", ".rels")) and member.file_size > MAX_XML_PART:
            return (f"{member.filename} inside this .{kind} is {member.file_size / 2**20:,.0f} MB "
                f"of XML; at most {MAX_XML_PART // 2**20} MB is read")
    return None
