"""Language detection from cleaned text, with a model that ships inside the py3langid package."""
from __future__ import annotations

import re
from functools import lru_cache

UNDETERMINED = "und"
_WORD = re.compile(r"\w+", re.UNICODE)
# The model knows some regional varieties by ISO 639-3 codes; documents carry the ISO 639-1 code
# of the language they belong to (Moroccan and Egyptian Arabic are Arabic, and so on).
MACROLANGUAGES = {"ary": "ar", "arz": "ar", "uzs": "uz", "gug": "gn", "wuu": "zh", "yue": "zh"}
# Codes that name no language ("zxx": no linguistic content).
NOT_A_LANGUAGE = {"zxx"}


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load_model() -> None:
    """Load the language model now rather than at the first detection (about half a second, most of
    it decompressing, which leaves the interpreter free for other threads)."""
    _identifier()


def import_model_loader() -> None:
    """Import what loading the model imports. Call it in the main thread before `load_model` runs
    in another one: a process forked while a thread imports a module hangs if it imports that
    module too (the module's lock stays taken); then the loading thread imports nothing."""
    import tempfile
    import zipfile  # noqa: F401 (numpy imports it to open the model's archive)

    from py3langid import langid  # noqa: F401

    tempfile.gettempdir()  # the loader's temporary file: tempfile's first call takes a module lock


def detect_language(text: str, min_words: int = 3) -> str:
    """ISO 639-1 code of the text's language (639-3 when it has none), or 'und' when too little text."""
    sample = text[:5000]
    if len(_WORD.findall(sample)) < min_words:
        return UNDETERMINED
    lang, _prob = _identifier().classify(sample)
    if lang in NOT_A_LANGUAGE:
        return UNDETERMINED
    return MACROLANGUAGES.get(lang, lang)
