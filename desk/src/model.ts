// Cases as the page shows them: a case file with its later files, and how to read answers.
import form from "./generated/form.json";
import type { Opened } from "./cases";
import type { Receipt } from "./minisign";
import { language, tr } from "./i18n";

export type FormQuestion = { id: string; type: string; text: string; short: string; choices: Record<string, string> };
export type FormSection = { id: string; title: string; questions: FormQuestion[] };
export const sections = form.sections as FormSection[];
const questions = new Map<string, FormQuestion>(sections.flatMap((s) => s.questions.map((q) => [q.id, q])));

export type Answer = {
  question_id: string;
  section?: string;
  question?: string;
  type?: string;
  skipped?: boolean;
  value?: unknown;
  label?: string;
  labels?: string[];
};

export type Case = {
  reference: string;
  file: Opened | undefined;
  later: Opened[];
  receipts: Map<string, Receipt>;
};

export function answers(file: Opened | undefined): Answer[] {
  const list = file?.manifest["answers"];
  return Array.isArray(list) ? (list as Answer[]) : [];
}

export function answerOf(c: Case, questionId: string): Answer | undefined {
  return answers(c.file).find((a) => a.question_id === questionId);
}

export function questionText(answer: Answer): string {
  return tr(questions.get(answer.question_id)?.text ?? answer.question ?? answer.question_id);
}

/** The Python desk's short label of a question (desk.po), if it has one. */
export function shortOf(questionId: string): string | undefined {
  const short = questions.get(questionId)?.short;
  return short ? tr(short) : undefined;
}

/** A short label: the question's first sentence in the staff's language, without asides. */
export function shortLabel(text: string): string {
  const first = (text.split(/(?<=[?.!])\s+/)[0] ?? text).replace(/\s*\([^)]*\)/g, "").trim();
  if (first.length <= 80) return first;
  const cut = first.slice(0, 78);
  return `${cut.slice(0, cut.lastIndexOf(" ") > 40 ? cut.lastIndexOf(" ") : 78)}…`;
}

export function choiceLabel(questionId: string, code: string, fallback?: string): string {
  const label = questions.get(questionId)?.choices[code] ?? fallback ?? code;
  return tr(label);
}

/** A partial date as people write it, in the staff's language: 12 March 2024, March 2024, 2024. */
export function partialDate(iso: string): string {
  const parts = iso.split("-").map(Number);
  if (parts.some((n) => !Number.isInteger(n)) || parts.length > 3 || !parts[0]) return iso;
  const [year, month, day] = parts as [number, number?, number?];
  if (parts.length === 1) return String(year);
  const date = new Date(Date.UTC(year, (month ?? 1) - 1, day ?? 1));
  const options: Intl.DateTimeFormatOptions =
    parts.length === 2 ? { year: "numeric", month: "long", timeZone: "UTC" } : { dateStyle: "long", timeZone: "UTC" };
  try {
    return new Intl.DateTimeFormat(language() === "uz" ? "uz-Latn" : language(), options).format(date);
  } catch {
    return iso;
  }
}

/** The answer as words in the staff's language; "" when skipped or absent. */
export function shown(answer: Answer | undefined): string {
  if (!answer || answer.skipped || answer.value === null || answer.value === undefined) return "";
  const value = answer.value;
  if (typeof value === "string" && (answer.type === "single" || "label" in answer)) {
    return choiceLabel(answer.question_id, value, answer.label);
  }
  if (Array.isArray(value) && answer.type === "multi") {
    return value.map((code, i) => choiceLabel(answer.question_id, String(code), answer.labels?.[i])).join(", ");
  }
  if (Array.isArray(value)) return value.map((path) => String(path).split("/").pop()).join(", ");
  if (typeof value === "string" && answer.type === "date") return partialDate(value);
  if (typeof value === "object") return "";
  return String(value);
}

export function value(c: Case, questionId: string): string {
  return shown(answerOf(c, questionId));
}

export function codeOf(c: Case, questionId: string): string | undefined {
  const answer = answerOf(c, questionId);
  return typeof answer?.value === "string" && !answer.skipped ? answer.value : undefined;
}

export function withdrawn(c: Case): boolean {
  return c.later.some((f) => f.kind === "notice" && f.manifest["kind"] === "consent_withdrawn");
}

export function lastActivity(c: Case): string {
  const days = [c.file, ...c.later]
    .map((f) => String(f?.manifest["received_on"] ?? f?.manifest["written_at"] ?? "").slice(0, 10))
    .filter((d) => d.length > 0)
    .sort();
  return days[days.length - 1] ?? "";
}

/** The worst receipt state among the case's files: one bad receipt flags the case. */
export function receiptState(c: Case): Receipt["state"] {
  const states = [...c.receipts.values()].map((r) => r.state);
  for (const state of ["bad", "unsigned", "no-key"] as const) if (states.includes(state)) return state;
  return states.length > 0 ? "verified" : "unsigned";
}

export const URGENCY_ORDER: Record<string, number> = { high: 3, medium: 2, low: 1 };
