"""Typed text that names a choice counts as choosing it, in the complainant's language or English.

The labels come in from outside (the translations), once, at start; matching is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from bot.intake.form import Form, Question

# language -> question id -> typed label (casefolded) -> choice code
ChoiceLabels = Mapping[str, Mapping[str, Mapping[str, str]]]


def choice_labels(
    form: Form, languages: Iterable[str], translate: Callable[[str, str], str]
) -> ChoiceLabels:
    """The label of every choice of every question in each language (and in English)."""
    labels: dict[str, dict[str, dict[str, str]]] = {}
    for language in languages:
        per_question: dict[str, dict[str, str]] = {}
        for question in form.questions():
            if question.type not in ("single", "multi"):
                continue
            named: dict[str, str] = {}
            for choice in form.offered_choices(question):
                named.setdefault(choice.label.casefold(), choice.code)
            for choice in form.offered_choices(question):
                named[translate(language, choice.label).casefold()] = choice.code
            per_question[question.id] = named
        labels[language] = per_question
    return labels


# Yes and no as people type them, in every language of the bot; on a question whose choices
# include `yes` and `no`, typing one counts as choosing it.
YES_NO: dict[str, frozenset[str]] = {
    "yes": frozenset(
        {"да", "ага", "иә", "иа", "ия", "ооба", "ова", "ҳа", "ха", "бале", "ha", "xa",
         "hа", "hawa", "howa", "yes", "y", "yeah", "yep"}
    ),
    "no": frozenset(
        {"нет", "не", "неа", "жоқ", "жок", "нест", "yoʻq", "yoq", "yo'q", "yo‘q", "йўқ",
         "йук", "ýok", "yok", "no", "n", "nope"}
    ),
}  # fmt: skip
_PUNCTUATION = ".,!?;:«»\"' "


def match_choice(labels: ChoiceLabels, question: Question, language: str, text: str) -> str | None:
    named = labels.get(language) or labels.get("en") or {}
    typed = text.strip().casefold()
    found = named.get(question.id, {}).get(typed)
    if found is not None:
        return found
    codes = set(named.get(question.id, {}).values())
    if {"yes", "no"} <= codes:
        word = typed.strip(_PUNCTUATION)
        for code, words in YES_NO.items():
            if word in words:
                return code
    return None
