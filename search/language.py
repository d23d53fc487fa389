"""Language detection from cleaned text, with a model that ships inside the py3langid package."""
from __future__ import annotations

import re
from functools import lru_cache

UNDETERMINED = "und"
_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, min_words: int = 3) -> str:
    """ISO 639-1 code of the text's language, or 'und' when there is too little text to tell."""
    sample = text[:5000]
    if len(_WORD.findall(sample)) < min_words:
        return UNDETERMINED
    lang, _prob = _identifier().classify(sample)
    return lang
