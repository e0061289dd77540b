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


def N_(message: str) -> str:
    """Marks a desk message for `make desk-messages`; translated where it is shown."""
    return message


# Short labels for the report and the spreadsheet's label sheet: a lawyer scans them in seconds.
SHORT_LABELS: dict[str, str] = {
    "a_safe_now": N_("Safe to answer"),
    "a_urgent": N_("Urgent"),
    "b_consent_store": N_("Consent to send"),
    "r_role": N_("Reporter"),
    "r_relation": N_("Relationship"),
    "r_name": N_("Reporter's name"),
    "r_country_now": N_("Reporter is now in"),
    "r_source_of_info": N_("Source of information"),
    "r_own_risk": N_("Reporter at risk"),
    "b_victim_knows": N_("Person knows of the report"),
    "v_name": N_("Name"),
    "v_sex": N_("Sex"),
    "v_age": N_("Age"),
    "v_citizenship": N_("Citizenship"),
    "v_residence": N_("Lives in"),
    "v_occupation": N_("Occupation"),
    "v_profile": N_("Profile"),
    "v_health_before": N_("Medical needs"),
    "v_status_now": N_("Where now"),
    "e_narrative": N_("What happened"),
    "e_detained": N_("Deprived of liberty"),
    "e_date": N_("Since"),
    "e_country": N_("Country"),
    "e_place": N_("Place"),
    "e_how": N_("How detained"),
    "e_authority": N_("By whom"),
    "e_officer_ids": N_("Officers"),
    "e_reason_given": N_("Reason given"),
    "e_registered": N_("Detention recorded"),
    "e_family_informed": N_("Family told"),
    "e_incommunicado": N_("Incommunicado"),
    "e_lawyer": N_("Lawyer access"),
    "e_judge": N_("Before a judge"),
    "f_types": N_("Places of detention"),
    "f_names": N_("Names of places"),
    "f_conditions": N_("Conditions"),
    "g_ill_treated": N_("Ill-treated"),
    "g_acts": N_("Acts"),
    "g_when_where": N_("When or where"),
    "g_duration": N_("How long"),
    "g_perpetrators": N_("Perpetrators"),
    "g_details": N_("Details"),
    "g_purpose": N_("Purpose"),
    "g_confession": N_("Confession"),
    "g_witnesses": N_("Witnesses"),
    "g_pattern": N_("Others treated the same"),
    "h_injuries": N_("Injuries"),
    "h_need_care_now": N_("Needs care now"),
    "h_exam": N_("Medical examination"),
    "h_exam_when": N_("Examined after"),
    "h_injuries_recorded": N_("Injuries recorded"),
    "h_death_date": N_("Date of death"),
    "h_death_official_cause": N_("Official cause of death"),
    "h_autopsy": N_("Autopsy"),
    "h_body_signs": N_("Signs on the body"),
    "h_files": N_("Files"),
    "l_case_stage": N_("Case stage"),
    "l_charge": N_("Charge"),
    "l_complaint_made": N_("Complaint made"),
    "l_complaint_to": N_("Complaint to"),
    "l_complaint_result": N_("Complaint result"),
    "l_reprisals": N_("Reprisals after complaint"),
    "l_has_lawyer": N_("Has a lawyer"),
    "l_wants_lawyer": N_("Wants a lawyer"),
    "p_mass_event": N_("Mass event"),
    "p_event_name": N_("Event"),
    "p_motivation": N_("Targeted because of"),
    "p_others": N_("Others detained with them"),
    "u_risks": N_("Risks now"),
    "b_share_lawyer": N_("Lawyer may see it"),
    "b_share_un": N_("UN may see it"),
    "b_publish": N_("May be published"),
    "k_contact_way": N_("Contact by"),
    "k_contact_value": N_("Contact details"),
    "k_code_word": N_("Code word"),
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
