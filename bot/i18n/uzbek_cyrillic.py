"""Uzbek Latin to Uzbek Cyrillic, for the uz_Cyrl catalog made from the uz (Latin) one. Pure.

`latin_to_cyrillic` follows the correspondence of the two official alphabets (sh→ш, ch→ч, oʻ→ў,
gʻ→ғ, yo→ё, yu→ю, ya→я, e→э at the start of a word, the tutuq belgisi ʼ→ъ, ts→ц in loanwords
such as koalitsiya). What must reach the reader unchanged is left alone: `{placeholders}`, HTML
tags and entities, `/commands`, case references (UZ-7G4M-Q2XD), URLs, e-mail addresses and Latin
names (Signal, Telegram, and any word with a letter that Uzbek Latin does not use: c without h, w).

Apostrophes typed as ' ` ‘ ’ are normalised first: after o or g they become ʻ (U+02BB), between
two other letters the tutuq belgisi. Loanwords whose Cyrillic spelling is not recoverable from
the Latin (sirk for цирк, oktabr for октябрь) come out as they are written in Latin.

Run as a module to write a Cyrillic catalog from a Latin one:
`python -m bot.i18n.uzbek_cyrillic bot/locales/uz/LC_MESSAGES/messages.po OUT.po`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

OKINA = "\u02bb"  # ʻ in oʻ and gʻ
TUTUQ = "\u02bc"  # ʼ, the tutuq belgisi
_APOSTROPHES = "'`\u2018\u2019\u02bb\u02bc"

PLACEHOLDER = re.compile(r"\{[^}]*\}")  # as tests/test_i18n.py reads them
_PROTECTED = re.compile(
    r"</?[A-Za-z][^<>]*>"  # HTML tags
    r"|&(?:[A-Za-z]+|#\d+);"  # HTML entities
    r"|(?:https?://|www\.)\S+"  # URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|(?<![\w/])/[A-Za-z_]+"  # /commands
    r"|\b[A-Z0-9]{2,4}(?:-[A-Z0-9]{4}){2,}\b"  # references and case codes
    r"|\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+-?"  # key prefixes such as AGE-SECRET-KEY-1
    r"|\bcomplaint-bot(?: (?:keys|desk|db|webhook) [a-z]+)?"  # the program's commands
)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]+\b")
_WORD = re.compile(rf"[A-Za-z][A-Za-z{OKINA}{TUTUQ}]*")

LATIN_NAMES = frozenset({"Signal", "Telegram", "PDF", "IP", "Start", "Word", "Excel"})
ACRONYMS = {"LGBTQI": "ЛГБТКИ", "YXHT": "ЕХҲТ"}

_LETTERS = {
    "a": "а", "b": "б", "d": "д", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж", "k": "к",
    "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т",
    "u": "у", "v": "в", "x": "х", "y": "й", "z": "з",
}  # fmt: skip
_PAIRS = {
    f"o{OKINA}": "ў", f"g{OKINA}": "ғ", "sh": "ш", "ch": "ч", "yo": "ё", "yu": "ю", "ya": "я",
}  # fmt: skip
_VOWELS = frozenset("aeiou")
_CHUNK = re.compile(
    rf"s[{OKINA}{TUTUQ}]h|yo{OKINA}|o{OKINA}|g{OKINA}|sh|ch|yo|yu|ya|ye|ts(?!h)|[a-z{OKINA}{TUTUQ}]"
)


def latin_to_cyrillic(text: str) -> str:
    """The same text in Uzbek Cyrillic, with placeholders, markup, commands and names kept."""
    placeholders = PLACEHOLDER.findall(text)
    parts = PLACEHOLDER.split(text)
    pieces = [_convert_outside_placeholders(parts[0], after_placeholder=False)]
    for placeholder, part in zip(placeholders, parts[1:], strict=True):
        pieces.append(placeholder)
        pieces.append(_convert_outside_placeholders(part, after_placeholder=True))
    return "".join(pieces)


def _convert_outside_placeholders(text: str, *, after_placeholder: bool) -> str:
    out: list[str] = []
    position = 0
    extension = _EXTENSION.match(text) if after_placeholder else None
    if extension:  # {reference}.age is a file name
        out.append(extension.group())
        position = extension.end()
    for match in _PROTECTED.finditer(text, position):
        out.append(_convert_plain(text[position : match.start()]))
        out.append(match.group())
        position = match.end()
    out.append(_convert_plain(text[position:]))
    return "".join(out)


def _convert_plain(text: str) -> str:
    return _WORD.sub(lambda match: _convert_word(match.group()), _normalise_apostrophes(text))


def _normalise_apostrophes(text: str) -> str:
    text = re.sub(rf"(?<=[oOgG])[{_APOSTROPHES}]", OKINA, text)
    return re.sub(rf"(?<=[A-Za-z])(?<![oOgG])[{_APOSTROPHES}](?=[A-Za-z])", TUTUQ, text)


def _convert_word(word: str) -> str:
    if word in LATIN_NAMES or _is_foreign(word):
        return word
    if word in ACRONYMS:
        return ACRONYMS[word]
    shout = sum(char.isalpha() for char in word) > 1 and word.isupper()
    lower = word.lower()
    out: list[str] = []
    for match in _CHUNK.finditer(lower):
        cyrillic = _cyrillic_chunk(lower, match.group(), match.start())
        original = word[match.start() : match.end()]
        if shout:
            cyrillic = cyrillic.upper()
        elif original[:1].isupper():
            cyrillic = cyrillic[:1].upper() + cyrillic[1:]
        out.append(cyrillic)
    return "".join(out)


def _is_foreign(word: str) -> bool:
    lower = word.lower()
    return "w" in lower or re.search(r"c(?!h)", lower) is not None


def _cyrillic_chunk(word: str, chunk: str, start: int) -> str:
    before = word[start - 1] if start else ""
    after = word[start + len(chunk) :]
    if chunk in _PAIRS:
        return _PAIRS[chunk]
    if chunk in _LETTERS:
        return _LETTERS[chunk]
    if chunk in (OKINA, TUTUQ):
        return "ъ"
    if chunk[0] == "s":  # sʼh: the apostrophe only keeps s and h apart (Isʼhoq → Исҳоқ)
        return "сҳ"
    if chunk == f"yo{OKINA}":
        return "йў"
    if chunk == "ye":  # Yevropa → Европа, poyezd → поезд, obyekt → объект
        return "е" if not before or before in _VOWELS else "ъе"
    if chunk == "ts":  # koalitsiya → коалиция, but aytsa → айтса
        return "ц" if not before or re.match(r"i[aeiouy]", after) else "тс"
    if chunk == "e":  # э at the start of a word and after a, o, u (aeroport → аэропорт)
        return "э" if not before or before in "aou" else "е"
    return chunk


def convert_catalog(source: Path, target: Path, locale: str = "uz_Cyrl") -> int:
    """Write the Cyrillic catalog made from a Latin one; returns how many strings it converted."""
    from babel.messages.pofile import read_po, write_po

    with source.open("rb") as handle:
        catalog = read_po(handle, locale="uz")
    catalog.locale = locale
    catalog.header_comment = (
        "# Uzbek (Cyrillic) translations for complaint-bot, generated from\n"
        "# bot/locales/uz by `python -m bot.i18n.uzbek_cyrillic`: edit the\n"
        "# Latin catalog, then run it again. The Latin catalog is a\n"
        "# machine-assisted draft (AI language model), awaiting review by a\n"
        "# native speaker."
    )
    converted = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, tuple | list):
            message.string = tuple(latin_to_cyrillic(part) for part in message.string)
        elif message.string:
            message.string = latin_to_cyrillic(message.string)
        converted += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_po(handle, catalog, width=76, omit_header=False)
    return converted


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.i18n.uzbek_cyrillic",
        description="Write an Uzbek Cyrillic .po catalog from the Uzbek Latin one.",
    )
    parser.add_argument("source", type=Path, help="the Latin catalog (uz)")
    parser.add_argument("target", type=Path, help="the Cyrillic catalog to write (uz_Cyrl)")
    args = parser.parse_args(argv)
    count = convert_catalog(args.source, args.target)
    print(f"{args.target}: {count} messages in Uzbek Cyrillic")
    return 0


if __name__ == "__main__":
    sys.exit(main())
