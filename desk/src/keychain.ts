// Telegram's SecureStorage (Mini Apps 9.0: the iOS Keychain, the Android Keystore), spoken to
// through the client's event protocol (core.telegram.org/api/web-events), never through a
// script from Telegram's servers. Only a PASSPHRASE-PROTECTED identity file is ever kept there,
// and only when the person asks: whoever gets the phone still needs the passphrase.
import { armor } from "age-encryption";
import { onEvent, post } from "./telegram";

const SLOT = "complaint_desk_identity";
const SCRYPT_HEADER = "age-encryption.org/v1\n-> scrypt ";
const ARMOR_HEADER = "-----BEGIN AGE ENCRYPTED FILE-----";
const ANSWER_WAIT_MS = 5000;
const decoder = new TextDecoder();

type Answer = { event: string; data: Record<string, unknown> };
const waiting = new Map<string, (answer: Answer) => void>();

function listen(): void {
  onEvent((eventType, eventData) => {
    if (!eventType.startsWith("secure_storage_") || typeof eventData !== "object" || eventData === null) return;
    const data = eventData as Record<string, unknown>;
    const done = typeof data["req_id"] === "string" ? waiting.get(data["req_id"]) : undefined;
    if (done) done({ event: eventType, data });
  });
}

function requestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** One method call, answered by an event with the same req_id (or a timeout: no answer). */
function call(method: string, params: Record<string, unknown>): Promise<Answer | null> {
  const id = requestId();
  return new Promise((resolve) => {
    const timer = window.setTimeout(() => {
      waiting.delete(id);
      resolve(null);
    }, ANSWER_WAIT_MS);
    waiting.set(id, (answer) => {
      window.clearTimeout(timer);
      waiting.delete(id);
      resolve(answer);
    });
    post(method, { req_id: id, ...params });
  });
}

/** Whether this is an identity file locked with a passphrase (age's scrypt), not a plain key. */
export function passphraseProtected(content: Uint8Array): boolean {
  const head = (data: Uint8Array): string => decoder.decode(data.slice(0, SCRYPT_HEADER.length));
  if (head(content) === SCRYPT_HEADER) return true;
  if (!decoder.decode(content.slice(0, ARMOR_HEADER.length)).startsWith(ARMOR_HEADER)) return false;
  try {
    return head(armor.decode(decoder.decode(content))) === SCRYPT_HEADER;
  } catch {
    return false;
  }
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export type Keychain = { supported: boolean; remembered: Uint8Array | null };

let listening = false;

/** Ask the client for the remembered key: a client without SecureStorage says UNSUPPORTED (or
 * nothing), and then the option is not offered. A stored value that is not a protected key
 * file is ignored. */
export async function probe(): Promise<Keychain> {
  if (!listening) {
    listen();
    listening = true;
  }
  const answer = await call("web_app_secure_storage_get_key", { key: SLOT });
  if (answer?.event !== "secure_storage_key_received") return { supported: false, remembered: null };
  const value = answer.data["value"];
  if (typeof value !== "string") return { supported: true, remembered: null };
  try {
    const content = fromBase64(value);
    return { supported: true, remembered: passphraseProtected(content) ? content : null };
  } catch {
    return { supported: true, remembered: null };
  }
}

/** Keep a protected key file on this phone; a plain key is refused here, whatever the caller. */
export async function remember(content: Uint8Array): Promise<boolean> {
  if (!passphraseProtected(content)) return false;
  const answer = await call("web_app_secure_storage_save_key", { key: SLOT, value: toBase64(content) });
  return answer?.event === "secure_storage_key_saved";
}

export async function forget(): Promise<boolean> {
  const answer = await call("web_app_secure_storage_save_key", { key: SLOT, value: null });
  return answer?.event === "secure_storage_key_saved";
}
