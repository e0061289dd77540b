// The page's words and the form's texts in the coalition's language. The catalogs are carried
// in the page (generated/catalogs.json, made from bot/locales by `make desk-data`): an English
// msgid without a translation shows in English.
import catalogs from "./generated/catalogs.json";

type Catalog = { name: string; messages: Record<string, string> };
const languages = catalogs.languages as Record<string, Catalog>;
let messages: Record<string, string> = {};
let current = "en";

export function availableLanguages(): Array<{ code: string; name: string }> {
  return Object.entries(languages).map(([code, c]) => ({ code, name: c.name }));
}

export function setLanguage(code: string): string {
  current = code in languages ? code : "en";
  messages = languages[current]?.messages ?? {};
  document.documentElement.lang = current;
  return current;
}

export function language(): string {
  return current;
}

/** The first supported language among the ones the browser or Telegram prefers. */
export function preferredLanguage(candidates: readonly string[]): string {
  for (const candidate of candidates) {
    const code = candidate.toLowerCase().split(/[-_]/)[0] ?? "";
    if (code in languages) return code;
  }
  return "ru";
}

/** One of the page's own words (a literal msgid, extracted into desk.pot). */
export function t(msgid: string, params: Record<string, string | number> = {}): string {
  return fill(messages[msgid] || msgid, params);
}

/** A text of the form (its English msgid comes from the form, in messages.po). */
export function tr(msgid: string): string {
  return messages[msgid] || msgid;
}

function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
