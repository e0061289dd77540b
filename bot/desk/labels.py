"""Words on the desk, in the coalition's language.

Form texts (questions, choices, section titles) come from the bot's own catalogs (`messages`);
the desk's few words of its own (short labels, headings of the report, the statistics) from a
`desk` catalog beside them (`bot/locales/<lang>/LC_MESSAGES/desk.po`). What a catalog lacks stays
in English.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.i18n import Catalogs
from bot.i18n.catalogs import default_locales_dir
from bot.intake.dates import PartialDate
from bot.intake.form import Choice, Form

DESK_DOMAIN = "desk"


def desk_word(message: str) -> str:
    """Marks a desk message for `make desk-messages`; translated where it is shown."""
    return message


# Short labels for the report and the spreadsheet's label sheet: a lawyer scans them in seconds.
SHORT_LABELS: dict[str, str] = {
    "a_safe_now": desk_word("Safe to answer"),
    "a_urgent": desk_word("Urgent"),
    "b_consent_store": desk_word("Consent to send"),
    "r_role": desk_word("Reporter"),
    "r_relation": desk_word("Relationship"),
    "r_name": desk_word("Reporter's name"),
    "r_country_now": desk_word("Reporter is now in"),
    "r_source_of_info": desk_word("Source of information"),
    "r_own_risk": desk_word("Reporter at risk"),
    "b_victim_knows": desk_word("Person knows of the report"),
    "v_name": desk_word("Name"),
    "v_sex": desk_word("Sex"),
    "v_age": desk_word("Age"),
    "v_citizenship": desk_word("Citizenship"),
    "v_residence": desk_word("Lives in"),
    "v_occupation": desk_word("Occupation"),
    "v_profile": desk_word("Profile"),
    "v_health_before": desk_word("Medical needs"),
    "v_status_now": desk_word("Where now"),
    "e_narrative": desk_word("What happened"),
    "e_detained": desk_word("Deprived of liberty"),
    "e_date": desk_word("Since"),
    "e_country": desk_word("Country"),
    "e_place": desk_word("Place"),
    "e_how": desk_word("How detained"),
    "e_authority": desk_word("By whom"),
    "e_officer_ids": desk_word("Officers"),
    "e_reason_given": desk_word("Reason given"),
    "e_registered": desk_word("Detention recorded"),
    "e_family_informed": desk_word("Family told"),
    "e_incommunicado": desk_word("Incommunicado"),
    "e_lawyer": desk_word("Lawyer access"),
    "e_judge": desk_word("Before a judge"),
    "f_types": desk_word("Places of detention"),
    "f_names": desk_word("Names of places"),
    "f_conditions": desk_word("Conditions"),
    "g_ill_treated": desk_word("Ill-treated"),
    "g_acts": desk_word("Acts"),
    "g_when_where": desk_word("When or where"),
    "g_duration": desk_word("How long"),
    "g_perpetrators": desk_word("Perpetrators"),
    "g_details": desk_word("Details"),
    "g_purpose": desk_word("Purpose"),
    "g_confession": desk_word("Confession"),
    "g_witnesses": desk_word("Witnesses"),
    "g_pattern": desk_word("Others treated the same"),
    "h_injuries": desk_word("Injuries"),
    "h_need_care_now": desk_word("Needs care now"),
    "h_exam": desk_word("Medical examination"),
    "h_exam_when": desk_word("Examined after"),
    "h_injuries_recorded": desk_word("Injuries recorded"),
    "h_death_date": desk_word("Date of death"),
    "h_death_official_cause": desk_word("Official cause of death"),
    "h_autopsy": desk_word("Autopsy"),
    "h_body_signs": desk_word("Signs on the body"),
    "h_files": desk_word("Files"),
    "l_case_stage": desk_word("Case stage"),
    "l_charge": desk_word("Charge"),
    "l_complaint_made": desk_word("Complaint made"),
    "l_complaint_to": desk_word("Complaint to"),
    "l_complaint_result": desk_word("Complaint result"),
    "l_reprisals": desk_word("Reprisals after complaint"),
    "l_has_lawyer": desk_word("Has a lawyer"),
    "l_wants_lawyer": desk_word("Wants a lawyer"),
    "p_mass_event": desk_word("Mass event"),
    "p_event_name": desk_word("Event"),
    "p_motivation": desk_word("Targeted because of"),
    "p_others": desk_word("Others detained with them"),
    "u_risks": desk_word("Risks now"),
    "b_share_lawyer": desk_word("Lawyer may see it"),
    "b_share_un": desk_word("UN may see it"),
    "b_publish": desk_word("May be published"),
    "k_contact_way": desk_word("Contact by"),
    "k_contact_value": desk_word("Contact details"),
    "k_code_word": desk_word("Code word"),
}


class Words:
    """The desk's words in one language."""

    def __init__(self, language: str, form: Form) -> None:
        self.language = language
        self._form = form
        self._form_words = _catalogs().translator(language)
        self._own = _desk_catalog(language)

    def __call__(self, message: str, **params: object) -> str:
        text = self._own.ugettext(message) if self._own else message
        return text.format(**params) if params else text

    def form_text(self, message: str) -> str:
        return self._form_words.gettext(message)

    def short_label(self, question_id: str) -> str:
        if question_id in SHORT_LABELS:
            return self(SHORT_LABELS[question_id])
        if self._form.has_question(question_id):
            return self.form_text(self._form.question(question_id).text)
        return question_id

    def choices(self, question_id: str) -> list[Choice]:
        if not self._form.has_question(question_id):
            return []
        return self._form.choices_for(self._form.question(question_id))

    def choice(self, question_id: str, code: str) -> str:
        """A choice's label in this language (the code itself if the form does not know it)."""
        if not self._form.has_question(question_id):
            return code
        question = self._form.question(question_id)
        for choice in self._form.choices_for(question):
            if choice.code == code:
                return self.form_text(choice.label)
        return code

    def date(self, iso: str) -> str:
        """A partial date as people write it: 12 March 2024, March 2024, 2024."""
        try:
            partial = PartialDate.from_iso(iso)
        except (ValueError, TypeError):
            return iso
        locale = _locale(self.language)
        day = dt.date(partial.year, partial.month or 1, partial.day or 1)
        if partial.precision == "year":
            return str(partial.year)
        if partial.precision == "month":
            return format_skeleton("yMMMM", day, locale=locale)
        return format_date(day, format="long", locale=locale)


def _locale(language: str) -> Locale:
    try:
        return Locale.parse("uz_Latn" if language == "uz" else language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@lru_cache(maxsize=1)
def _catalogs() -> Catalogs:
    return Catalogs.load()


@lru_cache(maxsize=16)
def _desk_catalog(language: str) -> Translations | None:
    path = default_locales_dir() / language / "LC_MESSAGES" / f"{DESK_DOMAIN}.po"
    if not path.exists():
        return None
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DESK_DOMAIN)
