"""Typed text on a choice question: the choice's label in the person's language, or yes/no."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import LANGUAGE_NAMES, Catalogs
from bot.intake.choices import YES_NO, choice_labels, match_choice
from bot.intake.loader import load_form

FORM = load_form()
CATALOGS = Catalogs.load()
LABELS = choice_labels(
    FORM, LANGUAGE_NAMES, lambda language, text: CATALOGS.translator(language).gettext(text)
)
YES = {"ru": "да", "kk": "иә", "ky": "ооба", "tg": "ҳа", "uz": "ha", "uz_Cyrl": "ҳа",
       "tk": "hawa", "en": "yes"}  # fmt: skip
NO = {"ru": "нет", "kk": "жоқ", "ky": "жок", "tg": "не", "uz": "yoʻq", "uz_Cyrl": "йўқ",
      "tk": "ýok", "en": "no"}  # fmt: skip


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_label_typed_in_the_language_chooses_it(language: str) -> None:
    t = CATALOGS.translator(language)
    for question in FORM.questions():
        if question.type not in ("single", "multi"):
            continue
        for choice in FORM.choices_for(question):
            label = t.gettext(choice.label)
            found = match_choice(LABELS, question, language, f"  {label.upper()} ")
            same = [c.code for c in FORM.offered_choices(question) if t.gettext(c.label) == label]
            if choice.retired:  # never chosen again, even typed
                assert found is None or found in same, (language, question.id, label)
                continue
            assert found in same, (language, question.id, label)


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_yes_and_no_words_answer_a_yes_no_question(language: str) -> None:
    question = FORM.question("a_safe_now")
    assert match_choice(LABELS, question, language, YES[language]) == "yes"
    assert match_choice(LABELS, question, language, NO[language].capitalize() + ".") == "no"


def test_yes_and_no_words_mean_nothing_where_there_is_no_yes_or_no() -> None:
    question = FORM.question("r_role")
    assert match_choice(LABELS, question, "ru", "да") is None


@given(
    language=st.sampled_from(sorted(LANGUAGE_NAMES)),
    code=st.sampled_from(["yes", "no"]),
    data=st.data(),
)
def test_any_yes_or_no_word_on_any_yes_no_question(
    language: str, code: str, data: st.DataObject
) -> None:
    questions = [
        q for q in FORM.questions()
        if q.type == "single" and {"yes", "no"} <= {c.code for c in FORM.choices_for(q)}
    ]  # fmt: skip
    question = data.draw(st.sampled_from(questions))
    word = data.draw(st.sampled_from(sorted(YES_NO[code])))
    assert match_choice(LABELS, question, language, word) == code
