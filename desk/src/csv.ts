// The cases spreadsheet (`cases.csv`), the same sheet as `complaint-bot desk export` writes: its
// columns come from bot/desk_web/columns.json, generated from the export itself, and each cell
// is filled as the export fills it (codes, labels in the staff's language, 0/1 per choice, dates
// with their precision, the case file's receipt, empty staff columns).
import columnsFile from "../../bot/desk_web/columns.json";
import { choiceLabel, type Case, answers } from "./model";
import type { Receipt } from "./minisign";

type Column = {
  name: string;
  kind: string;
  free_text: boolean;
  path?: string;
  field?: string;
  question_id?: string;
  code?: string;
  type?: string;
};
export const columns = columnsFile.columns as Column[];
const known = new Set(columns.filter((c) => c.kind === "answer").map((c) => c.question_id));
const FORMULA_START = /^[=+\-@\t\r]/;

function dig(data: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), data);
}

function text(value: unknown): string {
  return value === null || value === undefined || value === "" ? "" : String(value);
}

/** The receipt column: the words `desk export` uses for the case file's own receipt. */
export function receiptWord(receipt: Receipt | undefined): string {
  switch (receipt?.state) {
    case "verified":
      return "verified";
    case "no-key":
      return "not checked";
    case "bad":
      return receipt.reason === "other-key" ? "signed by another key" : "INVALID";
    default:
      return "unsigned";
  }
}

function answerCell(value: unknown, type: string | undefined): string {
  if (value === null || value === undefined) return "";
  switch (type) {
    case "multi":
      return Array.isArray(value) ? value.map(String).join(" ") : "";
    case "files":
      return Array.isArray(value) ? value.map(String).join("; ") : "";
    default:
      if (typeof value === "object" && value !== null && "voice" in value) {
        const voice = value as Record<string, unknown>;
        return `[voice ${String(voice["duration_seconds"])} s: ${String(voice["voice"])}]`;
      }
      return text(value);
  }
}

function cells(c: Case, extra: string[]): string[] {
  const manifest = c.file?.manifest ?? {};
  const byId = new Map(answers(c.file).map((a) => [a.question_id, a]));
  const given = (id: string | undefined): unknown => {
    const answer = id ? byId.get(id) : undefined;
    return answer && !answer.skipped ? answer.value : null;
  };
  const row = columns.map((column): string => {
    switch (column.kind) {
      case "case":
        return text(dig(manifest, column.path ?? ""));
      case "flag":
        return dig(manifest, column.path ?? "") ? "1" : "0";
      case "receipt":
        return receiptWord(c.file ? c.receipts.get(c.file.fileName) : undefined);
      case "answer":
        return answerCell(given(column.question_id), column.type);
      case "label": {
        const code = given(column.question_id);
        return code === null || code === "" ? "" : choiceLabel(column.question_id ?? "", String(code));
      }
      case "precision": {
        const value = given(column.question_id);
        return value ? ({ 1: "year", 2: "month", 3: "day" } as Record<number, string>)[String(value).split("-").length] ?? "" : "";
      }
      case "choice": {
        const value = given(column.question_id);
        return Array.isArray(value) ? (value.includes(column.code) ? "1" : "0") : "";
      }
      case "attachments": {
        const list = Array.isArray(manifest["attachments"]) ? (manifest["attachments"] as Array<Record<string, unknown>>) : [];
        return list.map((a) => String(a[column.field ?? "path"] ?? "")).join("; ");
      }
      default:
        return "";
    }
  });
  // Answers to questions this form does not know (another version) go after the questions.
  const at = columns.findIndex((column) => column.kind === "attachments");
  row.splice(at, 0, ...extra.map((id) => text(byId.get(id)?.skipped ? null : byId.get(id)?.value)));
  return row;
}

/** A field as Python's csv module writes it: quoted only when it must be. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function casesCsv(cases: Case[]): string {
  const withFile = cases.filter((c) => c.file);
  const extra = [...new Set(withFile.flatMap((c) => answers(c.file).map((a) => a.question_id)))].filter((id) => !known.has(id)).sort();
  const at = columns.findIndex((column) => column.kind === "attachments");
  const names = columns.map((column) => column.name);
  names.splice(at, 0, ...extra);
  const free = columns.map((column) => column.free_text);
  free.splice(at, 0, ...extra.map(() => true));
  const rows = withFile.map((c) =>
    cells(c, extra).map((value, i) => (free[i] && FORMULA_START.test(value) ? `'${value}` : value)),
  );
  // The byte-order mark makes Excel on Windows read UTF-8 (Cyrillic) correctly.
  return `\uFEFF${[names, ...rows].map((r) => r.map(field).join(",")).join("\r\n")}\r\n`;
}
