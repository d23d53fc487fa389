"""Meetings: sentences in which two of a document's people or organisations meet, sign or visit."""
from __future__ import annotations

from dataclasses import dataclass, field

from search.ingest.knowledge import Knowledge
from search.ingest.meeting_grammar import LANGUAGES, grammar
from search.ingest.meeting_reader import SentenceReader
from search.ingest.mentions import PERSON, Mention, find_entity_mentions
from search.ingest.names import fold
from search.ingest.sentences import MAX_SENTENCE_CHARS, split_sentences

@dataclass
class Meeting:
    """Who met whom in one sentence of a document, and when (the document's date)."""

    participants: list[dict] = field(default_factory=list)  # {"kind", "name", "key"}, in text order
    sentence: str = ""
    start: int = 0
    end: int = 0
    date: str | None = None

    def as_dict(self) -> dict:
        """The meeting as plain JSON-ready data."""
        return {"date": self.date, "participants": self.participants, "sentence": self.sentence,
                "start": self.start, "end": self.end}


def find_meetings(text: str, people: list[str], organisations: list[str], date: str | None = None,
                  lang: str | None = None, knowledge: Knowledge | None = None,
                  mentions: list[Mention] | None = None) -> list[Meeting]:
    """The meetings a cleaned text reports between its extracted people and organisations
    (`mentions`: find_entity_mentions' answer for them, when the caller has it already)."""
    if mentions is None:
        mentions = find_entity_mentions(text, people, organisations, knowledge)
    if len({m.key for m in mentions}) < 2:
        return []
    folded = fold(text)
    # A text in another named language gets no reading: its words are not this grammar's.
    if lang in LANGUAGES:
        grammars = [grammar(lang)]
    elif lang in (None, "", "und"):
        grammars = [grammar(code) for code in LANGUAGES]
    else:
        return []
    meetings, index, previous = [], 0, None
    for start, end in split_sentences(text):
        inside = []
        while index < len(mentions) and mentions[index].start < end:
            if mentions[index].start >= start and mentions[index].end <= end:
                inside.append(mentions[index])
            index += 1
        if inside and end - start <= MAX_SENTENCE_CHARS:
            sentence = SentenceReader(text, folded, start, end, inside, previous)
            parties = next((p for g in grammars if (p := sentence.parties(g))), None)
            if parties:
                meetings.append(Meeting([{"kind": m.kind, "name": m.name, "key": m.key} for m in parties],
                                        text[start:end], start, end, date))
        # A pronoun subject stands for the first person of the last sentence that named one.
        previous = next((m for m in inside if m.kind == PERSON), previous)
    return meetings
