// The browser desk. Everything happens on this device: the identity stays in this page's memory
// (dropped when the page closes or after 15 minutes without activity), cases are decrypted
// here, and the page makes no network request at all (its Content-Security-Policy forbids it).
import { IdentityProblem, Unopenable, inlineImageType, isProtected, nameParts, openSealed, receiptFor } from "./cases";
import type { Attachment, Opened } from "./cases";
import { casesCsv } from "./csv";
import { clear, h } from "./dom";
import { availableLanguages, language, preferredLanguage, setLanguage, t, tr } from "./i18n";
import { parseSignerKey, type Receipt, type SignerKey } from "./minisign";
import {
  type Answer,
  type Case,
  URGENCY_ORDER,
  answers,
  questionText,
  receiptState,
  sections,
  shortLabel,
  shortOf,
  shown,
  value,
  withdrawn,
} from "./model";
import { type Keychain, forget, passphraseProtected, probe, remember } from "./keychain";
import { canFetch, fetchCase } from "./remote";
import { summary } from "./summary";
import { launch, post, versionAtLeast } from "./telegram";

const IDLE_LIMIT_MS = 15 * 60 * 1000;

const state = {
  identities: null as string[] | null,
  identityName: "",
  pendingIdentity: null as { name: string; content: Uint8Array } | null,
  signer: undefined as SignerKey | undefined,
  sealed: new Map<string, Uint8Array>(),
  receipts: new Map<string, string>(),
  opened: new Map<string, Opened>(),
  failures: new Map<string, string>(),
  notice: null as { kind: "bad" | "ok" | "warn"; text: string } | null,
  busy: false,
  view: null as string | null,
  sort: { key: "urgency", descending: true },
  urls: [] as string[],
  /** Inside Telegram: the case the Mini App was opened for, fetched (still sealed) from the bot. */
  remote: null as { reference: string; status: "loading" | "done" | "refused" | "failed"; shown: boolean } | null,
  keychain: { supported: false, remembered: null } as Keychain,
  pendingFromKeychain: false,
};

const app = document.getElementById("app") as HTMLElement;
const telegram = launch();
const params = new URLSearchParams(location.search);
setLanguage(params.get("lang") ?? preferredLanguage([telegram.language ?? "", ...navigator.languages]));

// ---- memory: what is dropped, and when ----------------------------------------------------

function revokeUrls(): void {
  for (const url of state.urls) URL.revokeObjectURL(url);
  state.urls = [];
}

function blobUrl(data: Uint8Array, type: string): string {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  state.urls.push(url);
  return url;
}

/** Forget the identity and everything decrypted with it; the sealed files stay, still sealed. */
function lock(reason: string | null): void {
  state.identities = null;
  state.identityName = "";
  state.pendingIdentity = null;
  state.pendingFromKeychain = false;
  state.opened.clear();
  state.failures.clear();
  state.view = null;
  revokeUrls();
  state.notice = reason ? { kind: "warn", text: reason } : null;
  render();
}

const idleLimit = Math.min(IDLE_LIMIT_MS, Number(params.get("idle-seconds") ?? Infinity) * 1000);
let idleTimer: number | undefined;
function activity(): void {
  window.clearTimeout(idleTimer);
  idleTimer = window.setTimeout(() => {
    if (state.identities || state.pendingIdentity) {
      lock(t("Locked after 15 minutes without activity: the key and the opened cases are forgotten. Choose your key file again."));
    }
  }, idleLimit);
}
for (const name of ["pointerdown", "keydown", "wheel", "touchstart"]) {
  window.addEventListener(name, activity, { passive: true });
}
window.addEventListener("pagehide", () => lock(null));
activity();

// ---- reading files ------------------------------------------------------------------------

async function bytesOf(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

const textDecoder = new TextDecoder();

async function addFiles(files: FileList | File[]): Promise<void> {
  activity();
  const list = [...files];
  for (const file of list) {
    const content = await bytesOf(file);
    const head = textDecoder.decode(content.slice(0, 60));
    if (file.name.endsWith(".minisig")) {
      state.receipts.set(file.name, textDecoder.decode(content));
    } else if (head.startsWith("untrusted comment: minisign public key") || file.name.endsWith(".pub")) {
      setSigner(textDecoder.decode(content));
    } else if (file.name.endsWith(".age") && !head.startsWith("age-encryption.org/v1\n-> scrypt")) {
      state.sealed.set(file.name, content);
      state.failures.delete(file.name);
      state.opened.delete(file.name);
    } else if (head.includes("AGE-SECRET-KEY-") || isProtected(content)) {
      await chooseIdentity(file.name, content);
    } else {
      state.failures.set(file.name, t("Not a case file (.age), a receipt (.minisig) or a key file."));
    }
  }
  await openAll();
}

function setSigner(text: string): void {
  try {
    state.signer = parseSignerKey(text);
    state.notice = null;
  } catch {
    state.notice = { kind: "bad", text: t("This is not a minisign public key.") };
  }
}

async function chooseIdentity(name: string, content: Uint8Array): Promise<void> {
  state.pendingFromKeychain = false;
  if (isProtected(content)) {
    state.pendingIdentity = { name, content };
    state.notice = null;
    render();
    document.getElementById("passphrase")?.focus();
    return;
  }
  await unlock(name, content, undefined);
}

async function unlock(name: string, content: Uint8Array, passphrase: string | undefined, keep = false): Promise<void> {
  const { readIdentities } = await import("./cases");
  state.busy = true;
  render();
  // Let "Opening…" paint: unlocking runs scrypt, which holds the page for a second or two.
  await new Promise((resolve) => window.setTimeout(resolve, 30));
  try {
    state.identities = await readIdentities(content, passphrase);
    activity();
    state.identityName = name;
    state.pendingIdentity = null;
    state.notice = null;
    if (keep && passphraseProtected(content)) await rememberKey(content);
  } catch (error) {
    const kind = error instanceof IdentityProblem ? error.kind : "no-identity";
    state.notice = {
      kind: "bad",
      text:
        kind === "passphrase"
          ? t("Wrong passphrase for this key file.")
          : t("This file holds no staff key (AGE-SECRET-KEY-1...)."),
    };
  } finally {
    state.busy = false;
  }
  await openAll();
}

async function openAll(): Promise<void> {
  if (state.identities) {
    for (const [name, sealed] of state.sealed) {
      if (state.opened.has(name) || state.failures.has(name)) continue;
      try {
        state.opened.set(name, await openSealed(name, sealed, state.identities));
      } catch (error) {
        state.failures.set(
          name,
          error instanceof Unopenable && error.kind === "not-a-case"
            ? t("This file opened but holds no case: it may be damaged.")
            : t("This file cannot be opened with this key, or it is damaged."),
        );
      }
    }
  }
  const remote = state.remote;
  if (remote?.status === "done" && !remote.shown && state.opened.has(`${remote.reference}.age`)) {
    remote.shown = true;
    state.view = remote.reference;
  }
  render();
}

async function rememberKey(content: Uint8Array): Promise<void> {
  if (await remember(content)) {
    state.keychain = { supported: true, remembered: content };
    state.notice = { kind: "ok", text: t("This key file is remembered on this phone. Its passphrase is still needed every time.") };
  } else {
    state.notice = { kind: "warn", text: t("This phone could not remember the key file. Choose it again next time.") };
  }
}

async function forgetKey(): Promise<void> {
  if (await forget()) {
    state.keychain = { supported: true, remembered: null };
    state.notice = { kind: "ok", text: t("The key file is no longer remembered on this phone.") };
  } else {
    state.notice = { kind: "warn", text: t("This phone could not forget the key file. Try again.") };
  }
  render();
}

function useRememberedKey(): void {
  const content = state.keychain.remembered;
  if (!content) return;
  state.pendingIdentity = { name: t("the key remembered on this phone"), content };
  state.pendingFromKeychain = true;
  state.notice = null;
  render();
  document.getElementById("passphrase")?.focus();
}

async function fetchRemote(reference: string): Promise<void> {
  state.remote = { reference, status: "loading", shown: false };
  render();
  const fetched = await fetchCase(reference, telegram.initData);
  if (fetched.kind !== "files") {
    state.remote = { reference, status: fetched.kind, shown: false };
    render();
    return;
  }
  for (const file of fetched.files) {
    state.sealed.set(file.name, file.sealed);
    state.failures.delete(file.name);
    state.opened.delete(file.name);
    if (file.receipt !== null) state.receipts.set(file.receiptName, file.receipt);
  }
  state.remote = { reference: fetched.reference, status: "done", shown: false };
  await openAll();
}

function cases(): Case[] {
  const byReference = new Map<string, Case>();
  for (const opened of state.opened.values()) {
    const c: Case = byReference.get(opened.reference) ?? { reference: opened.reference, file: undefined, later: [], receipts: new Map() };
    byReference.set(opened.reference, c);
    if (opened.kind === "case") c.file = opened;
    else c.later.push(opened);
    const sealed = state.sealed.get(opened.fileName);
    if (sealed) c.receipts.set(opened.fileName, receiptFor(opened, sealed, state.receipts, state.signer));
  }
  for (const c of byReference.values()) c.later.sort((a, b) => a.number - b.number);
  return [...byReference.values()];
}

// ---- the page -----------------------------------------------------------------------------

function render(): void {
  revokeUrls();
  const all = cases();
  const open = state.view ? all.find((c) => c.reference === state.view) : undefined;
  clear(app);
  app.append(
    header(),
    h(
      "main",
      {},
      state.notice ? h("div", { class: `notice ${state.notice.kind}`, role: "alert", id: "notice" }, state.notice.text) : null,
      open ? caseView(open) : [remotePanel(), keyPanel(), failuresPanel(), tablePanel(all), filesPanel()],
    ),
  );
}

function header(): HTMLElement {
  const select = h(
    "select",
    { "aria-label": t("Language"), id: "language", onchange: (e: Event) => { setLanguage((e.target as HTMLSelectElement).value); render(); } },
    ...availableLanguages().map(({ code, name }) => h("option", { value: code, selected: code === language() }, name)),
  );
  return h(
    "header",
    { class: "bar" },
    h("h1", {}, t("Case desk")),
    h("span", { class: "state", id: "key-state" }, state.identities ? t("Key open: {name}", { name: state.identityName }) : t("No key open")),
    select,
    state.identities ? h("button", { class: "secondary", id: "lock", onclick: () => lock(t("Locked: the key and the opened cases are forgotten.")) }, t("Lock")) : null,
  );
}

function remotePanel(): HTMLElement | null {
  const remote = state.remote;
  if (!remote) return null;
  const reference = remote.reference;
  const says = {
    loading: h("p", { class: "notice ok" }, t("Fetching case {reference} from the bot's server…", { reference })),
    done: h("p", { class: "hint" }, t("Case {reference} came sealed from the bot's server. It opens here, with your key: the key and what you read never leave this device.", { reference })),
    refused: h("p", { class: "notice bad" }, t("Case {reference} is not available to you here. Only staff of its coalition can open it, from the button on its card in their staff chat.", { reference })),
    failed: h(
      "div",
      {},
      h("p", { class: "notice bad" }, t("The bot's server could not be reached to fetch case {reference}. Check the connection and try again.", { reference })),
      h("button", { id: "retry", onclick: () => void fetchRemote(reference) }, t("Try again")),
    ),
  }[remote.status];
  return h("section", { class: "panel", id: "remote", "data-status": remote.status }, says);
}

function keyPanel(): HTMLElement {
  const pending = state.pendingIdentity;
  const passphrase = h("input", { type: "password", id: "passphrase", autocomplete: "off", spellcheck: "false" });
  // Offered only where the client has SecureStorage, and only for a passphrase-protected file.
  const offerKeeping = pending !== null && state.keychain.supported && !state.pendingFromKeychain && passphraseProtected(pending.content);
  const keep = h("input", { type: "checkbox", id: "remember" });
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (pending) await unlock(pending.name, pending.content, passphrase.value, offerKeeping && keep.checked);
  };
  const remembered = state.keychain.remembered
    ? h(
        "div",
        { class: "row", id: "remembered" },
        pending ? null : h("button", { id: "use-remembered", onclick: useRememberedKey }, t("Use the key remembered on this phone")),
        h("button", { class: "secondary", id: "forget-remembered", onclick: () => void forgetKey() }, t("Forget the key on this phone")),
      )
    : null;
  return h(
    "section",
    { class: "panel", id: "key-panel" },
    h("h2", {}, t("1. Your staff key")),
    state.identities
      ? h("p", { class: "hint" }, t("Your key is open in this page only. It is forgotten when you close the page or after 15 minutes without activity."))
      : [
          remembered,
          h("label", { for: "identity" }, t("Choose your key file (made with complaint-bot keys new)")),
          h("input", {
            type: "file",
            id: "identity",
            onchange: async (e: Event) => {
              const file = (e.target as HTMLInputElement).files?.[0];
              if (file) await chooseIdentity(file.name, await bytesOf(file));
            },
          }),
          pending
            ? h(
                "form",
                { onsubmit: submit, id: "passphrase-form" },
                h("label", { for: "passphrase" }, t("Passphrase of {name}", { name: pending.name })),
                passphrase,
                offerKeeping
                  ? h("label", { class: "check", for: "remember" }, keep, " ", t("Remember this key file on this phone (Telegram's secure storage). The passphrase is still asked every time."))
                  : null,
                h("div", { class: "row" }, h("button", { type: "submit", id: "unlock", disabled: state.busy }, state.busy ? t("Opening…") : t("Open the key"))),
              )
            : null,
          state.remote ? null : h("p", { class: "hint" }, t("Nothing leaves this device: the page works offline and sends nothing anywhere.")),
        ],
    h("label", { for: "signer" }, t("Signer key of the bot (signer.pub), to check receipts")),
    state.signer
      ? h("p", { class: "hint", id: "signer-state" }, t("Signer key pinned for this session: {id}", { id: state.signer.keyId.toUpperCase() }))
      : h("textarea", {
          id: "signer",
          placeholder: "RWQ…",
          onchange: (e: Event) => { setSigner((e.target as HTMLTextAreaElement).value); render(); },
        }),
  );
}

function filesPanel(): HTMLElement {
  const input = h("input", {
    type: "file",
    id: "files",
    multiple: true,
    onchange: async (e: Event) => {
      const files = (e.target as HTMLInputElement).files;
      if (files) await addFiles(files);
    },
  });
  const waiting = [...state.sealed.keys()].filter((n) => !state.opened.has(n) && !state.failures.has(n)).length;
  const zone = h(
    "div",
    { class: "drop", id: "drop" },
    h("p", {}, t("Drop case files here (.age, with their .minisig receipts), or choose them:")),
    input,
    waiting > 0 && !state.identities ? h("p", { class: "notice warn" }, t("{n} file(s) wait for your key.", { n: waiting })) : null,
  );
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer?.files) await addFiles(e.dataTransfer.files);
  });
  return h("section", { class: "panel" }, h("h2", {}, t("2. Case files")), zone);
}

function failuresPanel(): HTMLElement | null {
  if (state.failures.size === 0) return null;
  return h(
    "section",
    { class: "panel", id: "failures" },
    ...[...state.failures].map(([name, problem]) => h("p", { class: "notice bad" }, `${name}: ${problem}`)),
  );
}

function receiptBadge(receipt: Receipt["state"]): HTMLElement {
  const [cls, text] = {
    verified: ["ok", t("Receipt verified")],
    bad: ["bad", t("Receipt does NOT match")],
    unsigned: ["warn", t("No receipt")],
    "no-key": ["warn", t("Receipt not checked: no signer key")],
  }[receipt];
  return h("span", { class: `badge ${cls}` }, text);
}

function urgencyBadge(level: string | undefined): HTMLElement | null {
  if (!level) return null;
  const words: Record<string, string> = { high: t("urgent"), medium: t("medium"), low: t("low") };
  return h("span", { class: `badge ${level}` }, words[level] ?? level);
}

type SortKey = "reference" | "received" | "urgency" | "status" | "country" | "place" | "authority" | "receipt";

function sortValue(c: Case, key: SortKey): string | number {
  switch (key) {
    case "reference":
      return c.reference;
    case "received":
      return String(c.file?.manifest["received_on"] ?? "");
    case "urgency":
      return URGENCY_ORDER[String(c.file?.manifest["urgency"]?.["level"])] ?? 0;
    case "status":
      return `${withdrawn(c) ? "0" : "1"}${value(c, "v_status_now")}`;
    case "country":
      return value(c, "e_country");
    case "place":
      return value(c, "e_place");
    case "authority":
      return value(c, "e_authority");
    case "receipt":
      return receiptState(c);
  }
}

/** A table cell that, on a phone, shows its column's name before its content. */
function cell(label: string, cls: string, ...content: Array<Node | string | null>): HTMLElement {
  return h("td", { class: cls || undefined, "data-label": label }, h("div", {}, ...content));
}

const SORTS: SortKey[] = ["urgency", "received", "reference", "status", "country", "place", "authority", "receipt"];

function tablePanel(all: Case[]): HTMLElement | null {
  if (all.length === 0) return null;
  const { key, descending } = state.sort;
  const sorted = [...all].sort((a, b) => {
    const x = sortValue(a, key as SortKey);
    const y = sortValue(b, key as SortKey);
    const order = x < y ? -1 : x > y ? 1 : a.reference.localeCompare(b.reference);
    return descending ? -order : order;
  });
  const heading = (k: SortKey, text: string): HTMLElement =>
    h(
      "th",
      { "aria-sort": key === k ? (descending ? "descending" : "ascending") : undefined, "data-key": k },
      h("button", { onclick: () => { state.sort = { key: k, descending: key === k ? !descending : k === "urgency" || k === "received" }; render(); } }, text),
    );
  const labels: Record<SortKey, string> = {
    reference: t("Reference"), received: t("Received"), urgency: t("Urgency"), status: t("Where the person is now"),
    country: t("Country"), place: t("Place"), authority: t("Authority"), receipt: t("Receipt"),
  };
  const sortSelect = h(
    "select",
    { id: "sort", class: "phone-only", "aria-label": t("Sort by"), onchange: (e: Event) => { const k = (e.target as HTMLSelectElement).value as SortKey; state.sort = { key: k, descending: k === "urgency" || k === "received" }; render(); } },
    ...SORTS.map((k) => h("option", { value: k, selected: k === key }, `${t("Sort by")}: ${labels[k]}`)),
  );
  const download = (): void => {
    const url = blobUrl(new TextEncoder().encode(casesCsv(sorted)), "text/csv");
    h("a", { href: url, download: "cases.csv" }).click();
  };
  return h(
    "section",
    { class: "panel", id: "cases-panel" },
    h("div", { class: "row" }, h("h2", {}, t("Cases ({n})", { n: all.length })), telegram.inTelegram ? null : h("button", { class: "secondary", id: "csv", onclick: download }, t("Download the spreadsheet (CSV)")), sortSelect),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "cases", id: "cases" },
        h("thead", {}, h("tr", {}, heading("reference", labels.reference), heading("received", labels.received), heading("urgency", labels.urgency), heading("status", labels.status), heading("country", labels.country), heading("place", labels.place), heading("authority", labels.authority), heading("receipt", labels.receipt))),
        h(
          "tbody",
          {},
          ...sorted.map((c) =>
            h(
              "tr",
              { "data-reference": c.reference, tabindex: "0", onclick: () => show(c.reference), onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === "Enter") show(c.reference); } },
              cell(t("Reference"), "ref", c.reference),
              cell(t("Received"), "day", String(c.file?.manifest["received_on"] ?? "—")),
              cell(t("Urgency"), "", urgencyBadge(c.file?.manifest["urgency"]?.["level"])),
              cell(t("Where the person is now"), "", withdrawn(c) ? h("span", { class: "badge bad" }, t("consent withdrawn")) : null, " ", value(c, "v_status_now"), c.later.length ? h("div", { class: "hint" }, t("Later files: {n}", { n: c.later.length })) : null, c.file ? null : h("div", { class: "hint" }, t("The case file itself is not loaded."))),
              cell(t("Country"), "", value(c, "e_country")),
              cell(t("Place"), "", value(c, "e_place")),
              cell(t("Authority"), "", value(c, "e_authority")),
              cell(t("Receipt"), "receipt", receiptBadge(receiptState(c))),
            ),
          ),
        ),
      ),
    ),
  );
}

function show(reference: string | null): void {
  state.view = reference;
  state.notice = null;
  render();
  window.scrollTo(0, 0);
}

// ---- one case -----------------------------------------------------------------------------

function caseView(c: Case): HTMLElement {
  const manifest = c.file?.manifest ?? {};
  return h(
    "section",
    { class: "panel", id: "case" },
    h(
      "div",
      { class: "case-head" },
      h("button", { class: "secondary", id: "back", onclick: () => show(null) }, `← ${t("All cases")}`),
      h("h2", {}, c.reference),
      urgencyBadge(manifest["urgency"]?.["level"]),
      receiptBadge(receiptState(c)),
      withdrawn(c) ? h("span", { class: "badge bad" }, t("consent withdrawn")) : null,
    ),
    manifest["demo"] ? h("p", { class: "demo" }, t("DEMO: not a real case")) : null,
    receiptNotices(c),
    c.file ? [summary(c), answersView(c), attachmentsView(c.file.attachments)] : h("p", { class: "notice warn" }, t("The case file itself is not loaded.")),
    laterView(c),
  );
}

function receiptNotices(c: Case): Array<HTMLElement | null> {
  const verified = [...c.receipts].filter(([, r]) => r.state === "verified");
  const problems = [...c.receipts].flatMap(([name, r]) => {
    if (r.state === "bad") {
      return [h("p", { class: "notice bad", "data-receipt": name }, `${name}: ${t("the receipt does NOT match this file. It may have been altered, or it did not come from the bot. Ask for the file again.")}`)];
    }
    if (r.state === "unsigned") return [h("p", { class: "notice warn", "data-receipt": name }, `${name}: ${t("no receipt (.minisig): where this file comes from is not confirmed.")}`)];
    if (r.state === "no-key") return [h("p", { class: "notice warn", "data-receipt": name }, `${name}: ${t("a receipt is here, but no signer key is pinned to check it.")}`)];
    return [];
  });
  return [
    ...problems,
    verified.length
      ? h(
          "details",
          { class: "hint receipts" },
          h("summary", {}, t("Receipts verified: {n} of {total} files", { n: verified.length, total: c.receipts.size })),
          h("ul", {}, ...verified.map(([name, r]) => h("li", {}, `${name}: ${t("signed by the bot, received {day} (UTC)", { day: r.state === "verified" ? r.receivedOn : "" })}`))),
        )
      : null,
  ];
}

function answerValue(answer: Answer): Node | string {
  const v = answer.value;
  if (v && typeof v === "object" && !Array.isArray(v) && "voice" in v) {
    const seconds = (v as Record<string, unknown>)["duration_seconds"];
    return t("Voice message ({n} s): see the attachments", { n: String(seconds ?? "?") });
  }
  if (Array.isArray(v) && answer.type === "files") return t("{n} file(s): see the attachments", { n: v.length });
  return shown(answer);
}

function answersView(c: Case): HTMLElement {
  const all = answers(c.file);
  const known = new Set(sections.flatMap((s) => s.questions.map((q) => q.id)));
  const groups = sections.map((s) => ({
    title: tr(s.title),
    answers: s.questions.map((q) => all.find((a) => a.question_id === q.id)).filter((a): a is Answer => a !== undefined),
  }));
  const unknown = all.filter((a) => !known.has(a.question_id));
  if (unknown.length) groups.push({ title: t("Other answers"), answers: unknown });
  return h(
    "div",
    { class: "answers", id: "answers" },
    ...groups
      .filter((g) => g.answers.length > 0)
      .map((g) => {
        const given = g.answers.filter((a) => !a.skipped);
        const skipped = g.answers.filter((a) => a.skipped);
        return h(
          "section",
          {},
          h("h3", {}, g.title),
          h(
            "dl",
            {},
            ...given.map((a) => {
              const full = questionText(a);
              const label = shortOf(a.question_id) ?? shortLabel(full);
              return h("div", { class: "qa", "data-question": a.question_id }, h("dt", { title: full }, label), h("dd", {}, answerValue(a)));
            }),
          ),
          skipped.length
            ? h("details", {}, h("summary", {}, t("Skipped questions: {n}", { n: skipped.length })), h("ul", {}, ...skipped.map((a) => h("li", { title: questionText(a) }, shortOf(a.question_id) ?? shortLabel(questionText(a))))))
            : null,
        );
      }),
  );
}

/** Inside Telegram's web view a download usually goes nowhere: say so, and offer the browser. */
function savingOutside(): HTMLElement | null {
  if (!telegram.inTelegram) return null;
  const served = /^https?:$/.test(location.protocol);
  return h(
    "div",
    { class: "notice warn", id: "save-outside" },
    h("p", {}, t("Files cannot be saved from inside Telegram. To save them, open this desk in a browser and open the case files there (download them from the staff chat).")),
    served
      ? h("button", { class: "secondary", id: "open-outside", onclick: () => post("web_app_open_link", { url: location.origin + location.pathname }) }, t("Open the desk in the browser"))
      : null,
  );
}

function attachmentsView(list: Attachment[]): HTMLElement {
  return h(
    "div",
    { id: "attachments" },
    h("h3", {}, t("Attachments")),
    list.length ? savingOutside() : null,
    list.length === 0
      ? h("p", { class: "hint" }, t("No attachments."))
      : h("ul", { class: "files" }, ...list.map(attachmentItem)),
  );
}

function attachmentItem(a: Attachment): HTMLElement {
  const image = inlineImageType(a);
  const name = a.name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_") || "file";
  return h(
    "li",
    { "data-path": a.path },
    h("strong", {}, a.name),
    ` (${a.type}, ${a.size} ${t("bytes")}) `,
    a.matches
      ? h("span", { class: "badge ok" }, t("SHA-256 checked"))
      : h("span", { class: "badge bad" }, a.data ? t("does NOT match its recorded SHA-256") : t("missing from the file")),
    " ",
    a.data && !telegram.inTelegram ? h("a", { class: "button secondary", href: blobUrl(a.data, "application/octet-stream"), download: name }, t("Save")) : null,
    h("br"),
    h("code", {}, `sha256 ${a.sha256}`),
    image && a.data ? h("img", { src: blobUrl(a.data, image), alt: a.name }) : null,
  );
}

function laterView(c: Case): HTMLElement | null {
  if (c.later.length === 0) return null;
  return h(
    "div",
    { class: "later", id: "later" },
    h("h3", {}, t("Later files")),
    ...c.later.map((f) => {
      const m = f.manifest;
      const title =
        f.kind === "message"
          ? t("Message from the complainant")
          : f.kind === "note"
            ? t("Internal note by {author}", { author: String(m["author"] ?? "?") })
            : t("Consent withdrawn");
      const when = String(m["received_on"] ?? m["written_at"] ?? "");
      return h(
        "article",
        { class: f.kind === "notice" ? "notice-file" : f.kind, "data-file": f.fileName },
        h("h4", {}, `${f.fileName} · ${title} · ${when}`),
        f.kind === "notice" ? h("p", {}, t("Someone who knew this case's reference asked to withdraw consent. Decide what to do with the case; if you can, confirm with the complainant using their code word.")) : h("p", {}, String(m["text"] ?? "")),
        f.attachments.length ? h("ul", { class: "files" }, ...f.attachments.map(attachmentItem)) : null,
      );
    }),
  );
}

render();
if (telegram.inTelegram && versionAtLeast(telegram.version, "9.0")) {
  void probe().then((keychain) => {
    state.keychain = keychain;
    render();
  });
}
if (canFetch(telegram.startParam, telegram.initData)) void fetchRemote(telegram.startParam);
