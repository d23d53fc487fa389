"""A seeded scale corpus drawn from the real archive: real paragraphs, shuffled, re-dated, in subfolders.

Each generated file looks like a saved article page: a title line, a dateline in the article's
language, then paragraphs sampled from several real articles of that language (sentence order
shuffled within each paragraph), so entity mentions, vocabulary and lengths stay real while no two
files are the same. Site chrome lines from the real files are kept on a share of the files so the
cleaning and common-line detection do their real work.
"""
from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from search.ingest.cleaning import clean_text, paragraphs
from search.ingest.formats import UnreadableFile, read_raw
from search.ingest.language import detect_language
from search.ingest.titles import extract_title

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
SEEDS = PROJECT_ROOT / "seeds"

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
}
_SENTENCE = re.compile(r"(?<=[a-zà-ÿ0-9)»”][.!?])\s+(?=[A-ZÀ-ÖØ-Þ«“\"])")
FOLDERS = ("news", "press", "events", "statements", "archive")


@dataclass
class Article:
    """A real article reduced to what generation samples: language, title, paragraphs, chrome."""

    lang: str
    title: str
    paragraphs: list[str]
    chrome: list[str]


def source_folder() -> Path:
    """The real archive next to the project, or the bundled seeds when it is absent."""
    return SHARED_CORPUS if SHARED_CORPUS.is_dir() and any(SHARED_CORPUS.rglob("*.txt")) else SEEDS


def load_articles(folder: Path) -> list[Article]:
    """Every readable .txt article of the folder, cleaned with the product's own cleaning."""
    articles = []
    for path in sorted(folder.rglob("*.txt")):
        try:
            raw = read_raw(path.read_bytes(), path).text
        except (UnreadableFile, OSError):
            continue
        text = clean_text(raw)
        paras = [p for p in paragraphs(text) if len(p.split()) >= 8]
        if not paras:
            continue
        lang = detect_language(text)
        title = extract_title(text) or paras[0][:90]
        kept = set(text.split("\n"))
        chrome = [line for line in raw.split("\n") if line.strip() and line not in kept][:12]
        articles.append(Article(lang, title, paras, chrome))
    if not articles:
        raise RuntimeError(f"No readable .txt article under {folder}: the benchmark needs some to sample from.")
    return articles


def _shuffled(paragraph: str, rng: random.Random) -> str:
    sentences = _SENTENCE.split(paragraph)
    if len(sentences) > 1:
        rng.shuffle(sentences)
    return " ".join(sentences)


def _dateline(lang: str, rng: random.Random) -> str:
    year, month, day = rng.randint(1998, 2025), rng.randint(1, 12), rng.randint(1, 28)
    if lang == "fr":
        return f"{day} {MONTHS['fr'][month - 1]} {year}"
    if lang == "en":
        return f"{MONTHS['en'][month - 1]} {day}, {year}"
    return f"{year}-{month:02d}-{day:02d}"


def compose(number: int, articles: list[Article], by_lang: dict[str, list[Article]], rng: random.Random) -> str:
    """One generated article page (deterministic for a given rng state).

    Half of the paragraphs are real paragraphs with their sentences shuffled; the other half are
    made of sentences from several articles of the language, so that texts vary like an archive's
    rather than repeating a few hundred paragraphs.
    """
    base = rng.choice(articles)
    pool = by_lang[base.lang]
    parts = [base.title, "", _dateline(base.lang, rng), ""]
    donors = [base] + [rng.choice(pool) for _ in range(rng.randint(2, 5))]
    for _ in range(rng.randint(3, 9)):
        if rng.random() < 0.5:
            paragraph = _shuffled(rng.choice(rng.choice(donors).paragraphs), rng)
        else:
            sentences = [rng.choice(_SENTENCE.split(rng.choice(rng.choice(pool).paragraphs)))
                         for _ in range(rng.randint(2, 5))]
            paragraph = " ".join(sentences)
        parts += [paragraph, ""]
    if base.chrome and rng.random() < 0.5:
        parts = base.chrome[:4] + [""] + parts + base.chrome[4:]
    if number % 97 == 0:
        parts.insert(1, f"Ref. {number}")
    return "\n".join(parts).strip() + "\n"


def generate(target: Path, size: int, seed: int = 20240601, source: Path | None = None,
             progress=None) -> Path:
    """Write `size` articles under target (reused when an identical one is already there)."""
    source = source or source_folder()
    stamp = target / ".bench-corpus"
    wanted = f"size={size} seed={seed} source={source} v2"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return target
    if target.exists():
        shutil.rmtree(target)
    articles = load_articles(source)
    by_lang: dict[str, list[Article]] = {}
    for article in articles:
        by_lang.setdefault(article.lang, []).append(article)
    rng = random.Random(seed)
    for i in range(size):
        if progress and i % 1000 == 0:
            progress("generating", i, size)
        text = compose(i, articles, by_lang, rng)
        path = target / FOLDERS[i % len(FOLDERS)] / f"{1998 + (i * 7) % 28}" / f"article-{i:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    stamp.write_text(wanted, encoding="utf-8")
    return target


def change_share(target: Path, share: float, seed: int, originals: dict[Path, bytes]) -> int:
    """Edit a seeded share of the files (a sentence added), keeping their bytes in originals."""
    files = sorted(target.rglob("*.txt"))
    rng = random.Random(seed)
    chosen = rng.sample(files, max(1, int(len(files) * share)))
    for path in chosen:
        data = path.read_bytes()
        originals[path] = data
        path.write_bytes(data + f"\nUpdated on revision {rng.randint(1, 10**9)}.\n".encode())
    return len(chosen)


def restore(originals: dict[Path, bytes]) -> None:
    """Put edited files back as generated (the next reindex sees them as changed back)."""
    for path, data in originals.items():
        path.write_bytes(data)
