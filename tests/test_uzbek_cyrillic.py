"""Uzbek Latin → Cyrillic: known spellings, untouched markup, and the uz_Cyrl catalog it writes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n.catalogs import default_locales_dir
from bot.i18n.uzbek_cyrillic import PLACEHOLDER, convert_catalog, latin_to_cyrillic, main

NAMED = re.compile(r"\{[^{}]*\}")


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Oʻzbekiston", "Ўзбекистон"),
        ("Qozogʻiston", "Қозоғистон"),
        ("qoʻngʻiroq", "қўнғироқ"),
        ("shahar", "шаҳар"),
        ("choy", "чой"),
        ("tonggacha", "тонггача"),
        ("yoki", "ёки"),
        ("tayyor", "тайёр"),
        ("ayol", "аёл"),
        ("dunyo", "дунё"),
        ("yurak", "юрак"),
        ("yashaydi", "яшайди"),
        ("Rossiya", "Россия"),
        ("Yevropa", "Европа"),
        ("yer", "ер"),
        ("poyezd", "поезд"),
        ("qayerda", "қаерда"),
        ("obyekt", "объект"),
        ("elchixona", "элчихона"),
        ("ekspertiza", "экспертиза"),
        ("kesilgan", "кесилган"),
        ("aeroport", "аэропорт"),
        ("orientatsiya", "ориентация"),
        ("koalitsiya", "коалиция"),
        ("militsiya", "милиция"),
        ("ekstraditsiya", "экстрадиция"),
        ("aytsa", "айтса"),
        ("maʼlumot", "маълумот"),
        ("eʼlon", "эълон"),
        ("taʼqib", "таъқиб"),
        ("Isʼhoq", "Исҳоқ"),
        ("mashhur", "машҳур"),
        ("yoʻq", "йўқ"),
        ("hibsxona", "ҳибсхона"),
        ("qiynoq", "қийноқ"),
        ("Toshkent", "Тошкент"),
    ],
)
def test_words_take_their_cyrillic_spelling(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Shahar", "Шаҳар"),
        ("SHAHAR", "ШАҲАР"),
        ("Choy", "Чой"),
        ("Yoʻq", "Йўқ"),
        ("YOʻQ", "ЙЎҚ"),
        ("Oʻ", "Ў"),
        ("Gʻalaba", "Ғалаба"),
        ("Eʼtibor", "Эътибор"),
        ("DXX", "ДХХ"),
        ("SIZO", "СИЗО"),
    ],
)
def test_capitals_stay_capitals(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize("apostrophe", ["'", "`", "‘", "’", "ʼ"])
def test_apostrophes_typed_another_way_are_read_as_the_okina(apostrophe: str) -> None:
    assert latin_to_cyrillic(f"O{apostrophe}zbekiston") == "Ўзбекистон"
    assert latin_to_cyrillic(f"bog{apostrophe}liq") == "боғлиқ"
    assert latin_to_cyrillic(f"ma{apostrophe}lum") == "маълум"


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        (
            "Hozir xavfsiz joydamisiz, ekraningizni hech kim koʻrmayaptimi?",
            "Ҳозир хавфсиз жойдамисиз, экранингизни ҳеч ким кўрмаяптими?",
        ),
        (
            "Tugallanmagan javoblar 48 soatdan keyin oʻchiriladi.",
            "Тугалланмаган жавоблар 48 соатдан кейин ўчирилади.",
        ),
        (
            "Bu kishiga hozir tibbiy yordam kerakmi?",
            "Бу кишига ҳозир тиббий ёрдам керакми?",
        ),
        (
            "Vaqtincha saqlash hibsxonasi (IVS)",
            "Вақтинча сақлаш ҳибсхонаси (ИВС)",
        ),
        (
            "Ha, roziman. Yoʻq, hech narsa yubormang.",
            "Ҳа, розиман. Йўқ, ҳеч нарса юборманг.",
        ),
    ],
)
def test_sentences(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("{reference} murojaati: {status}.", "{reference} мурожаати: {status}."),
        ("ovozli xabar ({minutes}:{seconds:02d})", "овозли хабар ({minutes}:{seconds:02d})"),
        ("{reference}.age faylini saqlang", "{reference}.age файлини сақланг"),
        ("<b>Diqqat</b> <i>yoki</i>", "<b>Диққат</b> <i>ёки</i>"),
        ("/check va kodingizni yuboring", "/check ва кодингизни юборинг"),
        ("masalan: /delete KZ-7G4M-Q2XD.", "масалан: /delete KZ-7G4M-Q2XD."),
        ("/check ABCD-EFGH-JKMN-PQRS", "/check ABCD-EFGH-JKMN-PQRS"),
        ("Sayt: https://notorturetj.org/en/about", "Сайт: https://notorturetj.org/en/about"),
        ("Signal ilovasi yoki Telegram", "Signal иловаси ёки Telegram"),
        ("WhatsApp orqali", "WhatsApp орқали"),
        ("20 MB gacha PDF", "20 МБ гача PDF"),
        ("LGBTQI+", "ЛГБТКИ+"),
        ("BMT yoki YXHT", "БМТ ёки ЕХҲТ"),
        ("&amp; va", "&amp; ва"),
        ("(complaint-bot keys new buyrugʻi bilan)", "(complaint-bot keys new буйруғи билан)"),
        ("kalit yoʻq (AGE-SECRET-KEY-1...).", "калит йўқ (AGE-SECRET-KEY-1...)."),
        ("oʻz SHA-256 qiymati", "ўз SHA-256 қиймати"),
    ],
)
def test_placeholders_markup_commands_references_and_names_are_kept(
    latin: str, cyrillic: str
) -> None:
    assert latin_to_cyrillic(latin) == cyrillic


def test_text_without_latin_letters_is_unchanged() -> None:
    for text in ("", "✉️ 12.03.2024 — 48", "Ўзбекистон", "· → …"):
        assert latin_to_cyrillic(text) == text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(["{", "}", "{n}", "{reference}", "{seconds:02d}", "o'", "g`", "/x"]),
            st.from_regex(r"\{[a-z_ {]{0,8}\}", fullmatch=True),
        ),
        max_size=12,
    ).map("".join)
)
def test_any_text_keeps_its_placeholders(text: str) -> None:
    out = latin_to_cyrillic(text)
    assert set(PLACEHOLDER.findall(out)) == set(PLACEHOLDER.findall(text))
    assert PLACEHOLDER.findall(out) == PLACEHOLDER.findall(text)
    assert NAMED.findall(out) == NAMED.findall(text)
    assert out.count("{") == text.count("{")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abdefghijklmnopqrstuvxyzOGY'ʻʼ ", max_size=30))
def test_latin_text_leaves_no_uzbek_latin_letter_behind(text: str) -> None:
    out = latin_to_cyrillic(text)
    assert re.search(r"[A-Za-z]", out) is None


def test_the_catalog_is_written_in_cyrillic(tmp_path: Path) -> None:
    target = tmp_path / "uz_Cyrl" / "LC_MESSAGES" / "messages.po"
    source = default_locales_dir() / "uz" / "LC_MESSAGES" / "messages.po"
    assert main([str(source), str(target)]) == 0
    latin = read_po(io.BytesIO(source.read_bytes()), locale="uz")
    cyrillic = read_po(io.BytesIO(target.read_bytes()), locale="uz_Cyrl")
    assert str(cyrillic.locale) == "uz_Cyrl"
    assert cyrillic.plural_forms == latin.plural_forms
    assert "Language: uz_Cyrl" in target.read_text(encoding="utf-8")
    assert {m.id for m in cyrillic if m.id} == {m.id for m in latin if m.id}
    assert cyrillic["Yes"].string == "Ҳа"
    assert cyrillic["Signal"].string == "Signal"
    plural = cyrillic[("{n} file received.", "{n} files received.")].string
    assert plural == ("{n} та файл қабул қилинди.", "{n} та файл қабул қилинди.")


def test_a_catalog_without_translations_stays_without(tmp_path: Path) -> None:
    source = tmp_path / "uz.po"
    source.write_text(
        'msgid ""\nmsgstr ""\n"Language: uz\\n"\n\nmsgid "Yes"\nmsgstr ""\n', encoding="utf-8"
    )
    target = tmp_path / "out.po"
    assert convert_catalog(source, target) == 1
    catalog = read_po(io.BytesIO(target.read_bytes()), locale="uz_Cyrl")
    assert catalog["Yes"].string == ""


@pytest.mark.parametrize("domain", ["messages", "desk", "browser"])
def test_the_committed_cyrillic_catalog_is_up_to_date(domain: str, tmp_path: Path) -> None:
    committed = default_locales_dir() / "uz_Cyrl" / "LC_MESSAGES" / f"{domain}.po"
    fresh = tmp_path / f"{domain}.po"
    convert_catalog(default_locales_dir() / "uz" / "LC_MESSAGES" / f"{domain}.po", fresh)
    assert fresh.read_bytes() == committed.read_bytes(), (
        "run python -m bot.i18n.uzbek_cyrillic on the uz catalog"
    )
