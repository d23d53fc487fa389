"""Decoding: BOMs, legacy encodings, mojibake repaired, NFC, and binary refused."""
import unicodedata

import pytest

from search.ingest.decoding import UndecodableError, decode_bytes

FR = "Élève à l’école : « cœur » – été"


@pytest.mark.parametrize(
    "data",
    [
        FR.encode("utf-8"),
        FR.encode("utf-8-sig"),
        FR.encode("utf-16"),
        FR.encode("utf-16-le").join([b"\xff\xfe", b""]),
        FR.encode("cp1252"),
        FR.encode("utf-8").decode("cp1252").encode("utf-8"),  # whole text read once as cp1252
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16 BOM", "utf-16-le BOM", "cp1252", "mojibake"],
)
def test_decodes_to_the_same_text(data):
    assert decode_bytes(data) == FR


def test_latin1():
    assert decode_bytes("Élève naïve à côté".encode("latin-1")) == "Élève naïve à côté"


@pytest.mark.parametrize(
    "broken, repaired",
    [
        ("l’Ã©tÃ©", "l’été"),
        ("la sÅ“ur de l’Ã©lÃ¨ve", "la sœur de l’élève"),
        ("Å“uvre", "œuvre"),
        ("Ã‰ducation", "Éducation"),
        ("lâ€™ICESCO", "l’ICESCO"),
    ],
)
def test_mojibake_repaired(broken, repaired):
    assert decode_bytes(broken.encode("utf-8")) == repaired


@pytest.mark.parametrize("text", ["Âge et Ça ôté", "à… « guillemets »", "المنظمة العربية", "Ärger über Größe"])
def test_correct_text_left_alone(text):
    assert decode_bytes(text.encode("utf-8")) == text


def test_nfc_and_line_endings():
    text = decode_bytes("cafe\u0301\r\nsuite\rfin".encode("utf-8"))
    assert text == "café\nsuite\nfin"
    assert unicodedata.is_normalized("NFC", text)


def test_binary_refused():
    with pytest.raises(UndecodableError):
        decode_bytes(bytes(range(256)) * 4)
