// Receipts: minisign signatures (`REF.age.minisig`) by the server's Ed25519 key, checked against
// the signer key the staff member pinned. The format is minisign's: a signature line
// base64("ED" | key id | Ed25519 over BLAKE2b-512 of the file) ("Ed": over the file itself, the
// legacy form), then a trusted comment and a global signature over signature | comment.
import { ed25519 } from "@noble/curves/ed25519.js";
import { blake2b } from "@noble/hashes/blake2.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

export type SignerKey = { keyId: string; publicKey: Uint8Array };

export type Receipt =
  | { state: "verified"; comment: string; receivedOn: string }
  | { state: "bad"; reason: "signature" | "other-key" | "comment" | "malformed"; comment?: string }
  | { state: "unsigned" }
  | { state: "no-key" };

const encoder = new TextEncoder();
export const COMMENT_PREFIX = "complaint-bot receipt";

function base64(text: string): Uint8Array {
  const binary = atob(text.trim());
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function meaningfulLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

/** A minisign public key: the file (`signer.pub`) or just its base64 line (`RWQ...`). */
export function parseSignerKey(text: string): SignerKey {
  const line = meaningfulLines(text).find((l) => !l.startsWith("untrusted comment:"));
  if (!line) throw new Error("no key");
  const raw = base64(line);
  if (raw.length !== 42 || raw[0] !== 0x45 || raw[1] !== 0x64) throw new Error("not a minisign key");
  return { keyId: bytesToHex(raw.slice(2, 10)), publicKey: raw.slice(10) };
}

type Signature = { prehashed: boolean; keyId: string; signature: Uint8Array; comment: string; global: Uint8Array };

function parseSignature(text: string): Signature {
  const lines = meaningfulLines(text);
  const start = lines[0]?.startsWith("untrusted comment:") ? 1 : 0;
  const sigLine = lines[start];
  const commentLine = lines[start + 1];
  const globalLine = lines[start + 2];
  if (!sigLine || !commentLine?.startsWith("trusted comment: ") || !globalLine) {
    throw new Error("malformed");
  }
  const raw = base64(sigLine);
  const global = base64(globalLine);
  if (raw.length !== 74 || raw[0] !== 0x45 || (raw[1] !== 0x44 && raw[1] !== 0x64) || global.length !== 64) {
    throw new Error("malformed");
  }
  return {
    prehashed: raw[1] === 0x44,
    keyId: bytesToHex(raw.slice(2, 10)),
    signature: raw.slice(10),
    comment: commentLine.slice("trusted comment: ".length),
    global,
  };
}

function verifies(signature: Uint8Array, message: Uint8Array, key: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, key, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Check a receipt for `file` (of case `reference`) as the Python desk does: signed by the pinned
 * key, and its trusted comment (signed too) names this file's SHA-256 and this reference.
 */
export function checkReceipt(
  file: Uint8Array,
  reference: string,
  receiptText: string | undefined,
  signer: SignerKey | undefined,
): Receipt {
  if (receiptText === undefined) return { state: "unsigned" };
  if (!signer) return { state: "no-key" };
  let parsed: Signature;
  try {
    parsed = parseSignature(receiptText);
  } catch {
    return { state: "bad", reason: "malformed" };
  }
  const { comment } = parsed;
  if (parsed.keyId !== signer.keyId) return { state: "bad", reason: "other-key", comment };
  const signed = parsed.prehashed ? blake2b(file, { dkLen: 64 }) : file;
  const commentBytes = encoder.encode(comment);
  const whole = new Uint8Array(parsed.signature.length + commentBytes.length);
  whole.set(parsed.signature);
  whole.set(commentBytes, parsed.signature.length);
  if (!verifies(parsed.signature, signed, signer.publicKey) || !verifies(parsed.global, whole, signer.publicKey)) {
    return { state: "bad", reason: "signature", comment };
  }
  // The bot's trusted comment: "complaint-bot receipt\treference:…\tfile:…\tsha256:…\treceived:…".
  const fields = comment.split("\t");
  const values = new Map(fields.slice(1).map((f) => [f.slice(0, f.indexOf(":")), f.slice(f.indexOf(":") + 1)]));
  if (fields[0] !== COMMENT_PREFIX || values.get("sha256") !== bytesToHex(sha256(file)) || values.get("reference") !== reference) {
    return { state: "bad", reason: "comment", comment };
  }
  return { state: "verified", comment, receivedOn: values.get("received") ?? "" };
}
