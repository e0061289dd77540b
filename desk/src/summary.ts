// The summary box on top of a case: who, where, since when, what is happening now, urgency,
// consents and how to contact, each from the answers that say it.
import { h } from "./dom";
import { t } from "./i18n";
import { type Case, codeOf, value } from "./model";

function joined(parts: Array<string | undefined>, separator = ", "): string {
  return parts.filter((p): p is string => !!p && p.length > 0).join(separator);
}

function item(id: string, label: string, text: string): HTMLElement {
  return h("div", { "data-summary": id }, h("dt", {}, label), h("dd", {}, text || "—"));
}

export function summary(c: Case): HTMLElement {
  const manifest = c.file?.manifest ?? {};
  const reporterIsVictim = codeOf(c, "r_role") === "victim";
  const name = reporterIsVictim ? value(c, "r_name") : value(c, "v_name");
  const age = value(c, "v_age");
  const who = joined([
    name,
    value(c, "v_sex"),
    age ? t("age {n}", { n: age }) : undefined,
    value(c, "v_citizenship") ? t("citizen of {country}", { country: value(c, "v_citizenship") }) : undefined,
  ]);
  const reporter = reporterIsVictim
    ? t("Reported by the person affected")
    : t("Reported by: {who}", { who: joined([value(c, "r_role"), value(c, "r_relation")]) || "—" });
  const urgency = manifest["urgency"] ?? {};
  const levels: Record<string, string> = { high: t("urgent"), medium: t("medium"), low: t("low") };
  const crossBorder = manifest["routing"]?.["cross_border"] ? t("cross-border") : undefined;
  const consents = joined(
    [
      ["b_victim_knows", t("the person knows")],
      ["b_share_lawyer", t("lawyer")],
      ["b_share_un", t("UN")],
      ["b_publish", t("publication")],
    ].map(([q, label]) => (value(c, q!) ? `${label}: ${value(c, q!)}` : undefined)),
    "\n",
  );
  return h(
    "dl",
    { class: "summary", id: "summary" },
    item("who", t("Who"), joined([who, reporter], "\n")),
    item("where", t("Where"), joined([value(c, "e_place"), value(c, "e_country")], "\n")),
    item("since", t("Since when"), value(c, "e_date")),
    item(
      "now",
      t("What is happening now"),
      joined([value(c, "v_status_now"), value(c, "u_risks"), value(c, "h_need_care_now") ? `${t("needs medical care now")}: ${value(c, "h_need_care_now")}` : undefined], "\n"),
    ),
    item(
      "urgency",
      t("Urgency"),
      joined([levels[String(urgency["level"])] ?? String(urgency["level"] ?? ""), urgency["score"] !== undefined ? t("score {n}", { n: urgency["score"] }) : undefined, crossBorder]),
    ),
    item("consents", t("Consents"), consents),
    item("contact", t("How to contact"), joined([value(c, "k_contact_way"), value(c, "k_contact_value"), value(c, "k_code_word") ? t("code word: {word}", { word: value(c, "k_code_word") }) : undefined], "\n")),
  );
}
