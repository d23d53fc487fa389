"""Turn a file's bytes into clean Unicode text: encoding detection, mojibake repair, NFC."""
from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

import ftfy
from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we recognise (binary data, for example)."""


def looks_binary(data: bytes) -> bool:
    """True when the bytes hold NULs or control characters that no text file has."""
    sample = data[:8192]
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > max(8, len(sample) // 100)


def decode_bytes(data: bytes) -> str:
    """Decode bytes to NFC text: BOM, then UTF-8, then detected legacy encodings; repair mojibake."""
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding)
            break
    if text is None:
        if looks_binary(data):
            raise UndecodableError("binary content (not text)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_legacy(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = ftfy.fix_text(text, normalization="NFC", fix_line_breaks=False, uncurl_quotes=False)
    return unicodedata.normalize("NFC", repair_mojibake(text))


@lru_cache(maxsize=1)
def _mojibake_pattern() -> re.Pattern:
    # UTF-8 read as cp1252: a lead byte (Â..ô) then continuation bytes (0x80-0xBF) as cp1252 shows them.
    lead = "".join(bytes([b]).decode("cp1252") for b in range(0xC2, 0xF5))
    cont = "".join(bytes([b]).decode("cp1252", errors="ignore") for b in range(0x80, 0xC0))
    return re.compile(f"[{re.escape(lead)}][{re.escape(cont)}]{{1,3}}")


def _redecode(match: re.Match) -> str:
    chunk = match.group(0)
    # Try the longest sequence first; keep the text when no prefix is one valid UTF-8 character.
    for end in range(len(chunk), 1, -1):
        try:
            char = chunk[:end].encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if len(char) == 1:
            return char + chunk[end:]
    return chunk


def repair_mojibake(text: str) -> str:
    """Repair UTF-8-read-as-cp1252 sequences (Ã©, Å“, â€™) that ftfy leaves in mixed text."""
    return _mojibake_pattern().sub(_redecode, text)


def _decode_legacy(data: bytes) -> str:
    # Western archives are mostly cp1252/latin-1; another legacy encoding must read better to win.
    candidates = []
    try:
        candidates.append(data.decode("cp1252"))
    except UnicodeDecodeError:
        candidates.append(data.decode("latin-1"))
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            candidates.append(data.decode(best.encoding))
        except (UnicodeDecodeError, LookupError):
            pass
    return max(candidates, key=_plausibility)


def _plausibility(text: str) -> float:
    """Share of characters that are letters, digits, spaces or common punctuation."""
    if not text:
        return 0.0
    good = sum(1 for ch in text if ch.isalnum() or ch.isspace() or ch in ".,;:!?'’\"()-«»")
    odd = sum(1 for ch in text if unicodedata.category(ch) in {"Cc", "Co", "Cn", "So", "Sk"})
    return (good - 5 * odd) / len(text)
