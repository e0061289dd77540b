// The cases spreadsheet (`cases.csv`): its columns come from bot/desk_web/columns.json, the same
// file the Python desk reads, so both give the same sheet.
import columnsFile from "../../bot/desk_web/columns.json";
import { type Case, answerOf, lastActivity, receiptState, withdrawn } from "./model";

type Column = { name: string; kind: string; path?: string; field?: string; question_id?: string; code?: string };
export const columns = columnsFile.columns as Column[];

function dig(data: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as any)[key] : undefined), data);
}

function plain(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (Array.isArray(value)) return value.map(plain).join("; ");
  if (typeof value === "object") {
    const voice = (value as Record<string, unknown>)["voice"];
    return voice ? String(voice) : JSON.stringify(value);
  }
  return String(value);
}

export function cell(c: Case, column: Column): string {
  switch (column.kind) {
    case "case":
      return plain(dig(c.file?.manifest, column.path ?? ""));
    case "status":
      switch (column.field) {
        case "consent_withdrawn":
          return withdrawn(c) ? "1" : "0";
        case "later_files":
          return String(c.later.length);
        case "last_activity":
          return lastActivity(c);
        case "receipt":
          return receiptState(c);
        default:
          return "";
      }
    case "answer": {
      const answer = answerOf(c, column.question_id ?? "");
      return answer && !answer.skipped ? plain(answer.value) : "";
    }
    case "choice": {
      const answer = answerOf(c, column.question_id ?? "");
      if (!answer || answer.skipped || !Array.isArray(answer.value)) return "";
      return answer.value.includes(column.code) ? "1" : "0";
    }
    case "attachments":
      return (c.file?.attachments ?? []).map((a) => (column.field === "sha256" ? a.sha256 : a.name)).join("; ");
    default:
      return "";
  }
}

/** A cell as CSV: always quoted; text that a spreadsheet would run as a formula is defused. */
function quoted(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function casesCsv(cases: Case[]): string {
  const rows = [columns.map((c) => c.name), ...cases.filter((c) => c.file).map((c) => columns.map((col) => cell(c, col)))];
  // The byte-order mark makes Excel on Windows read UTF-8 (Cyrillic) correctly.
  return `\uFEFF${rows.map((r) => r.map(quoted).join(",")).join("\r\n")}\r\n`;
}
