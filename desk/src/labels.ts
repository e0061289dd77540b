// Short labels of the questions, for the case view: the page's own words (desk.po), so a
// long question reads as a word or two. A question without one shows its text's first sentence.
import { t } from "./i18n";

export function shortOf(questionId: string): string | undefined {
  switch (questionId) {
    case "a_safe_now":
      return t("Safe to answer");
    case "a_urgent":
      return t("Urgent risk in detention");
    case "b_consent_store":
      return t("Consent to send");
    case "r_role":
      return t("Who reports");
    case "r_relation":
      return t("Relationship");
    case "r_name":
      return t("Reporter's name");
    case "r_country_now":
      return t("Reporter is now in");
    case "r_source_of_info":
      return t("Source of information");
    case "r_own_risk":
      return t("Risk of reprisals for the reporter");
    case "b_victim_knows":
      return t("The person knows and agrees");
    case "v_name":
      return t("Name of the person");
    case "v_sex":
      return t("Sex");
    case "v_age":
      return t("Age");
    case "v_citizenship":
      return t("Citizenship");
    case "v_residence":
      return t("Lives in");
    case "v_occupation":
      return t("Occupation");
    case "v_profile":
      return t("Profile");
    case "v_health_before":
      return t("Medicine or condition");
    case "v_status_now":
      return t("Where the person is now");
    case "e_narrative":
      return t("What happened");
    case "e_detained":
      return t("Deprived of liberty");
    case "e_date":
      return t("Date of detention or start");
    case "e_country":
      return t("Country of events");
    case "e_place":
      return t("Place");
    case "e_how":
      return t("How detained");
    case "e_authority":
      return t("Authority");
    case "e_officer_ids":
      return t("Officers: names, ranks, badges");
    case "e_reason_given":
      return t("Reason given");
    case "e_registered":
      return t("Detention recorded");
    case "e_family_informed":
      return t("Family informed");
    case "e_incommunicado":
      return t("Held incommunicado");
    case "e_lawyer":
      return t("Access to a lawyer");
    case "e_judge":
      return t("Brought before a judge");
    case "f_types":
      return t("Kinds of places held");
    case "f_names":
      return t("Names of the places");
    case "f_conditions":
      return t("Conditions");
    case "g_ill_treated":
      return t("Ill-treated");
    case "g_acts":
      return t("Acts");
    case "g_when_where":
      return t("When or where");
    case "g_duration":
      return t("How long or how often");
    case "g_perpetrators":
      return t("Perpetrators");
    case "g_details":
      return t("Details");
    case "g_purpose":
      return t("Purpose");
    case "g_confession":
      return t("Confession under pressure");
    case "g_witnesses":
      return t("Witnesses");
    case "g_pattern":
      return t("Others treated the same way");
    case "h_injuries":
      return t("Injuries");
    case "h_need_care_now":
      return t("Needs medical care now");
    case "h_exam":
      return t("Medical examination");
    case "h_exam_when":
      return t("Examined how long after");
    case "h_injuries_recorded":
      return t("Injuries recorded");
    case "h_death_date":
      return t("Date of death");
    case "h_death_official_cause":
      return t("Official cause of death");
    case "h_autopsy":
      return t("Autopsy");
    case "h_body_signs":
      return t("Signs of violence on the body");
    case "h_files":
      return t("Files sent");
    case "l_case_stage":
      return t("Case against the person");
    case "l_charge":
      return t("Charge");
    case "l_complaint_made":
      return t("Complaint made");
    case "l_complaint_to":
      return t("Complaint made to");
    case "l_complaint_result":
      return t("Result of the complaint");
    case "l_reprisals":
      return t("Pressure after complaining");
    case "l_has_lawyer":
      return t("Has a trusted lawyer");
    case "l_wants_lawyer":
      return t("Wants help finding a lawyer");
    case "p_mass_event":
      return t("Linked to a mass event");
    case "p_event_name":
      return t("Which event");
    case "p_motivation":
      return t("Targeted because of");
    case "p_others":
      return t("Others detained with them");
    case "u_risks":
      return t("Urgent now");
    case "b_share_lawyer":
      return t("May pass to a lawyer");
    case "b_share_un":
      return t("May send to the UN");
    case "b_publish":
      return t("May mention publicly");
    case "k_contact_way":
      return t("Contact by");
    case "k_contact_value":
      return t("Contact details");
    case "k_code_word":
      return t("Code word");
    default:
      return undefined;
  }
}
