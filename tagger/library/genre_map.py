"""The genre map: which class an existing genre string stands for, as an ordered rule list.

A rule is a term and a target: a class name (`metal`, `hardcore`, `other`, or any class of the
user's) or `ignore` (ambiguous: "Metalcore", "Crossover", "Rock", "Punk"). For each genre string
the FIRST rule whose term matches decides, so hybrids and false friends ("Metalcore",
"Happy Hardcore", "Metallic Hardcore") are listed before the broad terms ("metal", "hardcore").

Matching is by word, case- and separator-insensitive ("Death-Metal", "death metal",
"DEATH_METAL"): a term matches when its words appear in order, next to each other, among the
genre's words, or run together as one word ("Deathmetal"). A one-word term of 4+ letters also
matches a word that starts or ends with it ("metal" in "Nu-Metal", "grind" in "Goregrind");
shorter terms ("hc", "rap", "pop") only match whole words, so "pop" does not match "Popcorn".

One tag value may hold several genres ("Death Metal / Hardcore"): it is split on ; / , | first.
A track whose genres map to more than one class, or to any `ignore`, is ambiguous and gives no
label; genres no rule matches ("Seen live", "Shoegaze") are neutral.

The same map decides the scope (which tracks are classified): a track with no genre, or with
any genre that maps to a class other than `other` or to `ignore`.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

IGNORE = "ignore"
OTHER = "other"  # "clearly neither": a class the model may learn so it can abstain

_WORD = re.compile(r"[^\W_]+")
_VALUE_SEPARATORS = re.compile(r"[;/,|\\]")
MIN_AFFIX_LETTERS = 4


def words(text: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in _WORD.findall(text))


def _word_matches(word: str, term: str) -> bool:
    if word == term:
        return True
    return len(term) >= MIN_AFFIX_LETTERS and (word.startswith(term) or word.endswith(term))


def term_matches(genre_words: Sequence[str], term_words: Sequence[str]) -> bool:
    """Whether a term (as words) matches a genre (as words), per the rules above."""
    n = len(term_words)
    if n == 0:
        return False
    if n == 1:
        return any(_word_matches(w, term_words[0]) for w in genre_words)
    if "".join(term_words) in genre_words:
        return True
    return any(tuple(genre_words[i : i + n]) == tuple(term_words) for i in range(len(genre_words)))


def class_title(name: str | None) -> str:
    """A class as people read it: "Metal", "Hardcore", and "Neither" for `other`."""
    if not name:
        return ""
    return "Neither" if name.casefold() == OTHER else name.title()


class GenreMapError(ValueError):
    pass


@dataclass(frozen=True)
class GenreRule:
    term: str
    target: str  # a class name, or IGNORE

    def __post_init__(self) -> None:
        if not words(self.term):
            raise GenreMapError(f"genre map rule {self.term!r} has no letters or digits")
        if not self.target.strip():
            raise GenreMapError(f"genre map rule {self.term!r} has no class")


class Verdict(enum.StrEnum):
    LABELED = "labeled"  # the genres name exactly one class
    AMBIGUOUS = "ambiguous"  # several classes, or an `ignore` genre
    UNMAPPED = "unmapped"  # genres, but no rule matches any of them
    UNTAGGED = "untagged"  # no genre at all


@dataclass(frozen=True)
class GenreLabel:
    verdict: Verdict
    label: str | None = None  # set when verdict is LABELED
    targets: tuple[str, ...] = ()  # what each mapped genre pointed to, in order, without repeats


def split_values(genres: Iterable[str] | None) -> list[str]:
    """Every genre named, with values like "Death Metal / Hardcore" split apart."""
    out: list[str] = []
    for value in genres or []:
        if not isinstance(value, str):
            continue
        out.extend(part.strip() for part in _VALUE_SEPARATORS.split(value) if words(part))
    return out


@dataclass(frozen=True)
class GenreMap:
    rules: tuple[GenreRule, ...]
    # Each rule's words, computed once: a map is asked about every track of a library.
    _compiled: tuple[tuple[tuple[str, ...], str], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", tuple((words(r.term), r.target) for r in self.rules))

    def target(self, genre: str) -> str | None:
        """The target of the first matching rule, or None when no rule matches."""
        genre_words = words(genre)
        for term_words, target in self._compiled:
            if term_matches(genre_words, term_words):
                return target
        return None

    def label(self, genres: Iterable[str] | None) -> GenreLabel:
        named = split_values(genres)
        if not named:
            return GenreLabel(Verdict.UNTAGGED)
        targets = tuple(dict.fromkeys(t for g in named if (t := self.target(g)) is not None))
        if not targets:
            return GenreLabel(Verdict.UNMAPPED)
        if len(targets) == 1 and targets[0] != IGNORE:
            return GenreLabel(Verdict.LABELED, targets[0], targets)
        return GenreLabel(Verdict.AMBIGUOUS, None, targets)

    def in_scope(self, genres: Iterable[str] | None) -> bool:
        """Classify the track: no genre, or a genre mapping to `ignore` or a class but `other`."""
        named = split_values(genres)
        if not named:
            return True
        return any(t not in (None, OTHER) for t in map(self.target, named))

    @functools.cached_property
    def digest(self) -> str:
        """A short name for exactly these rules, in order: what a value computed under the map
        remembers it by (`tag_class.py`)."""
        return hashlib.sha256(self.to_text().encode()).hexdigest()[:16]

    @property
    def classes(self) -> list[str]:
        """The classes the map can give, in rule order (`ignore` is not a class)."""
        return list(dict.fromkeys(r.target for r in self.rules if r.target != IGNORE))

    def to_text(self) -> str:
        """One rule per line, "genre words = class", for a plain-text editor."""
        return "\n".join(f"{r.term} = {r.target}" for r in self.rules)

    @classmethod
    def from_text(cls, text: str) -> GenreMap:
        """Parse `to_text`'s form; blank lines and lines starting with # are skipped."""
        rules = []
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            term, sep, target = line.rpartition("=")
            if not sep:
                raise GenreMapError(f"line {n}: write a rule as 'genre words = class': {line!r}")
            rules.append(GenreRule(term.strip(), target.strip().casefold()))
        return cls(tuple(rules))

    def to_settings(self) -> list[dict[str, str]]:
        return [{"genre": r.term, "class": r.target} for r in self.rules]

    @classmethod
    def from_settings(cls, raw: Iterable[Mapping[str, Any]] | None) -> GenreMap:
        """From the settings' list of {"genre": term, "class": target}; None: the defaults."""
        if raw is None:
            return DEFAULT_GENRE_MAP
        rules = []
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping):
                raise GenreMapError(f"genre map rule {i + 1} is not an object: {item!r}")
            term, target = item.get("genre"), item.get("class")
            if not isinstance(term, str) or not isinstance(target, str):
                raise GenreMapError(f"genre map rule {i + 1} needs text 'genre' and 'class'")
            rules.append(GenreRule(term.strip(), target.strip().casefold()))
        return cls(tuple(rules))


def _rules(target: str, terms: str) -> list[GenreRule]:
    return [GenreRule(t.strip(), target) for t in terms.split(",") if t.strip()]


# Order matters: hybrids and false friends first, then the two heavy classes, then the broad
# ambiguous words, then everything that is clearly neither.
DEFAULT_RULES: tuple[GenreRule, ...] = tuple(
    _rules(
        IGNORE,
        "metalcore, deathcore, mathcore, thrashcore, crossover, post hardcore, "
        "nu metal, rap metal, rapcore, grindcore, grind, screamo, emo",
    )
    + _rules("hardcore", "metallic hardcore")
    + _rules(OTHER, "happy hardcore, hardcore techno, hardcore hip hop, hardcore rap, hardstyle")
    + _rules(
        "metal",
        "metal, thrash, doom, sludge, djent, nwobhm, melodeath",
    )
    + _rules(
        "hardcore",
        "hardcore, nyhc, hxc, hc, beatdown, power violence, youth crew, crust, d beat, "
        "straight edge, sxe",
    )
    + _rules(IGNORE, "stoner, rock, punk, oi, industrial, noise, alternative, grunge")
    + _rules(
        OTHER,
        "jazz, pop, synthpop, electropop, hip hop, rap, trap, r&b, rnb, soul, funk, blues, "
        "gospel, electronic, electronica, techno, house, trance, drum and bass, drum & bass, "
        "drum n bass, dnb, dubstep, ambient, edm, disco, dance, trip hop, lo fi, chillout, "
        "downtempo, "
        "classical, orchestral, opera, baroque, soundtrack, new age, folk, country, "
        "bluegrass, reggae, ska, latin, bossa nova, salsa, world, swing, singer songwriter, "
        "easy listening, lounge, schlager, chanson",
    )
)

DEFAULT_GENRE_MAP = GenreMap(DEFAULT_RULES)
