"""Search by part of a name or by phone (issue 17): the terms a client is indexed under, what a query asks.

A client is indexed under the prefixes of each word of their given and family names (from three letters;
a shorter word whole) and the last 4, 7 and 10 digits of their phone. Services keep only truncated HMACs
of these terms (security.md A8), so a query finds candidates with deliberate false positives, which
`Query.matches` filters after the candidates are decrypted. Nothing here is stored in plaintext at rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.text import fold

NAME_PREFIX = "name_prefix"
PHONE_TAIL = "phone_tail"
MIN_LETTERS = 3
MAX_PREFIX = 12
MIN_DIGITS = 4
PHONE_TAILS = (4, 7, 10)
MAX_QUERY = 100
_PARTS = re.compile(r"[^\w]+|_")
_PHONE_CHARS = re.compile(r"^[0-9+()\-. ]+$")


def name_words(text: str) -> set[str]:
    """The words of a name as a search sees them: "Smith-Jones" gives smithjones, smith and jones."""
    words: set[str] = set()
    for chunk in fold(text).split(" "):
        joined = _joined(chunk)
        if joined:
            words.add(joined)
        words.update(part for part in _PARTS.split(chunk) if part)
    return words


def _joined(chunk: str) -> str:
    return "".join(ch for ch in chunk if ch.isalnum())


def digits(text: str) -> str:
    """The digits of a phone number, whatever separators it was typed with."""
    return "".join(ch for ch in text if "0" <= ch <= "9")


def terms_of(given_name: str, family_name: str, phone: str) -> set[tuple[str, str]]:
    """Every (index, value) a client is found under."""
    out: set[tuple[str, str]] = set()
    for word in name_words(given_name) | name_words(family_name):
        if len(word) < MIN_LETTERS:
            out.add((NAME_PREFIX, word))
        for n in range(MIN_LETTERS, min(len(word), MAX_PREFIX) + 1):
            out.add((NAME_PREFIX, word[:n]))
    number = digits(phone)
    out.update((PHONE_TAIL, number[-n:]) for n in PHONE_TAILS if len(number) >= n)
    return out


@dataclass(frozen=True)
class Query:
    """What a person typed in "name or phone": name words that must each start a word of the client's
    names, and phone digits the client's number must end with."""

    names: tuple[str, ...]
    phone: str

    def terms(self) -> set[tuple[str, str]]:
        """The (index, value) pairs every matching client is indexed under."""
        out = {(NAME_PREFIX, word[:MAX_PREFIX]) for word in self.names}
        if self.phone:
            tail = max(n for n in PHONE_TAILS if n <= len(self.phone))
            out.add((PHONE_TAIL, self.phone[-tail:]))
        return out

    def matches(self, given_name: str, family_name: str, phone: str) -> bool:
        """Whether a decrypted client really matches (the index only narrows the candidates)."""
        words = name_words(given_name) | name_words(family_name)
        if not all(any(_starts(w, q) for w in words) for q in self.names):
            return False
        return not self.phone or digits(phone).endswith(self.phone)


def _starts(word: str, typed: str) -> bool:
    # A typed word shorter than MIN_LETTERS is a whole short name ("Li"), as the index keeps it.
    return word == typed if len(typed) < MIN_LETTERS else word.startswith(typed)


def parse_query(text: str) -> Query:
    """Read "smi", "Zoe O'Br", "555-0123" or "smith 0123"; refuse what would match too much, naming why."""
    raw = text.strip()
    if not raw:
        raise InvalidInput("type part of a name or a phone number", field="q")
    if len(raw) > MAX_QUERY:
        raise InvalidInput(f"a search is at most {MAX_QUERY} characters", field="q")
    names: list[str] = []
    number = ""
    for token in raw.split():
        if _PHONE_CHARS.match(token):
            number += digits(token)
            continue
        # "O'Br" and "Smith-J" are typed as one word: they start the joined "obrien" and "smithjones".
        word = _joined(fold(token))
        if not any(ch.isalpha() for ch in word):
            raise InvalidInput(f"{token!r} is neither part of a name nor a phone number", field="q")
        if len(word) < 2:
            raise InvalidInput(
                f"{token!r} is too short: type at least {MIN_LETTERS} letters of a name", field="q"
            )
        names.append(word)
    if number and len(number) < MIN_DIGITS:
        raise InvalidInput(f"type at least {MIN_DIGITS} digits of a phone number", field="q")
    if not names and not number:
        raise InvalidInput("type part of a name or a phone number", field="q")
    # A shorter word is kept only when no longer one starts with it ("smi smith" asks for "smith").
    kept = tuple(sorted(w for w in set(names) if not any(o != w and o.startswith(w) for o in names)))
    return Query(kept, number)
