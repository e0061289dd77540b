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

# Short labels for the report and the spreadsheet's label sheet: a lawyer scans them in seconds.
SHORT_LABELS: dict[str, str] = {
    "a_safe_now": "Safe to answer",
    "a_urgent": "Urgent",
    "b_consent_store": "Consent to send",
    "r_role": "Reporter",
    "r_relation": "Relationship",
    "r_name": "Reporter's name",
    "r_country_now": "Reporter is now in",
    "r_source_of_info": "Source of information",
    "r_own_risk": "Reporter at risk",
    "b_victim_knows": "Person knows of the report",
    "v_name": "Name",
    "v_sex": "Sex",
    "v_age": "Age",
    "v_citizenship": "Citizenship",
    "v_residence": "Lives in",
    "v_occupation": "Occupation",
    "v_profile": "Profile",
    "v_health_before": "Medical needs",
    "v_status_now": "Where now",
    "e_narrative": "What happened",
    "e_detained": "Deprived of liberty",
    "e_date": "Since",
    "e_country": "Country",
    "e_place": "Place",
    "e_how": "How detained",
    "e_authority": "By whom",
    "e_officer_ids": "Officers",
    "e_reason_given": "Reason given",
    "e_registered": "Detention recorded",
    "e_family_informed": "Family told",
    "e_incommunicado": "Incommunicado",
    "e_lawyer": "Lawyer access",
    "e_judge": "Before a judge",
    "f_types": "Places of detention",
    "f_names": "Names of places",
    "f_conditions": "Conditions",
    "g_ill_treated": "Ill-treated",
    "g_acts": "Acts",
    "g_when_where": "When or where",
    "g_duration": "How long",
    "g_perpetrators": "Perpetrators",
    "g_details": "Details",
    "g_purpose": "Purpose",
    "g_confession": "Confession",
    "g_witnesses": "Witnesses",
    "g_pattern": "Others treated the same",
    "h_injuries": "Injuries",
    "h_need_care_now": "Needs care now",
    "h_exam": "Medical examination",
    "h_exam_when": "Examined after",
    "h_injuries_recorded": "Injuries recorded",
    "h_death_date": "Date of death",
    "h_death_official_cause": "Official cause of death",
    "h_autopsy": "Autopsy",
    "h_body_signs": "Signs on the body",
    "h_files": "Files",
    "l_case_stage": "Case stage",
    "l_charge": "Charge",
    "l_complaint_made": "Complaint made",
    "l_complaint_to": "Complaint to",
    "l_complaint_result": "Complaint result",
    "l_reprisals": "Reprisals after complaint",
    "l_has_lawyer": "Has a lawyer",
    "l_wants_lawyer": "Wants a lawyer",
    "p_mass_event": "Mass event",
    "p_event_name": "Event",
    "p_motivation": "Targeted because of",
    "p_others": "Others detained with them",
    "u_risks": "Risks now",
    "b_share_lawyer": "Lawyer may see it",
    "b_share_un": "UN may see it",
    "b_publish": "May be published",
    "k_contact_way": "Contact by",
    "k_contact_value": "Contact details",
    "k_code_word": "Code word",
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
