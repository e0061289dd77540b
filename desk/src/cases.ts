// Opening sealed files on this device: the staff identity (plain, or protected by a passphrase
// with age's scrypt), age decryption (typage), the ZIP inside (fflate), the SHA-256 of every
// attachment, and the receipt beside the file.
import { Decrypter, armor } from "age-encryption";
import { unzipSync } from "fflate";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { checkReceipt, type Receipt, type SignerKey } from "./minisign";

const AGE_HEADER = "age-encryption.org/v1\n";
const ARMOR_HEADER = "-----BEGIN AGE ENCRYPTED FILE-----";
const decoder = new TextDecoder();

export class IdentityProblem extends Error {
  constructor(readonly kind: "passphrase" | "no-identity" | "needs-passphrase") {
    super(kind);
  }
}

export function isProtected(content: Uint8Array): boolean {
  const start = decoder.decode(content.slice(0, 40));
  return start.startsWith(AGE_HEADER) || start.startsWith(ARMOR_HEADER);
}

/** The `AGE-SECRET-KEY-1...` lines of an identity file, unlocking it first when protected. */
export async function readIdentities(content: Uint8Array, passphrase?: string): Promise<string[]> {
  let text: string;
  if (isProtected(content)) {
    if (!passphrase) throw new IdentityProblem("needs-passphrase");
    const sealed = decoder.decode(content.slice(0, 40)).startsWith(ARMOR_HEADER)
      ? armor.decode(decoder.decode(content))
      : content;
    const decrypter = new Decrypter();
    decrypter.addPassphrase(passphrase);
    try {
      text = await decrypter.decrypt(sealed, "text");
    } catch {
      throw new IdentityProblem("passphrase");
    }
  } else {
    text = decoder.decode(content);
  }
  const identities = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(line));
  if (identities.length === 0) throw new IdentityProblem("no-identity");
  return identities;
}

export type Attachment = {
  path: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  questionId: string | undefined;
  data: Uint8Array | undefined;
  matches: boolean;
};

export type Kind = "case" | "message" | "note" | "notice";

export type Opened = {
  fileName: string;
  reference: string;
  number: number;
  kind: Kind;
  manifest: Record<string, any>;
  attachments: Attachment[];
  sealedSha256: string;
};

export class Unopenable extends Error {
  constructor(readonly kind: "key-or-damaged" | "not-a-case") {
    super(kind);
  }
}

const NAME = /^([A-Z]{2}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4})(?:-(\d+))?\.age$/;

export function nameParts(fileName: string): { reference?: string; number?: number } {
  const match = NAME.exec(fileName);
  if (!match) return {};
  return { reference: match[1], number: match[2] ? Number(match[2]) : 0 };
}

function kindOf(manifest: Record<string, any>): Kind | undefined {
  switch (manifest["schema"]) {
    case "complaint-bot/case/v1":
      return "case";
    case "complaint-bot/message/v1":
      return "message";
    case "complaint-bot/note/v1":
      return "note";
    case "complaint-bot/notice/v1":
      return "notice";
    default:
      return undefined;
  }
}

export async function openSealed(fileName: string, sealed: Uint8Array, identities: string[]): Promise<Opened> {
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  let plain: Uint8Array;
  try {
    plain = await decrypter.decrypt(sealed);
  } catch {
    throw new Unopenable("key-or-damaged");
  }
  let files: Record<string, Uint8Array>;
  let manifest: Record<string, any>;
  try {
    files = unzipSync(plain);
    const manifestName = ["case.json", "message.json", "notice.json", "note.json"].find((n) => n in files);
    if (!manifestName) throw new Error("no manifest");
    manifest = JSON.parse(decoder.decode(files[manifestName]));
  } catch {
    throw new Unopenable("not-a-case");
  }
  const kind = kindOf(manifest);
  const reference = typeof manifest["reference"] === "string" ? manifest["reference"] : undefined;
  if (!kind || !reference) throw new Unopenable("not-a-case");
  const attachments = (Array.isArray(manifest["attachments"]) ? manifest["attachments"] : []).map(
    (a: Record<string, any>): Attachment => {
      const path = String(a["path"] ?? "");
      const data = files[path];
      const recorded = String(a["sha256"] ?? "").toLowerCase();
      return {
        path,
        name: String(a["name"] ?? path.split("/").pop() ?? "file"),
        type: String(a["type"] ?? "application/octet-stream"),
        size: Number(a["size"] ?? data?.length ?? 0),
        sha256: recorded,
        questionId: typeof a["question_id"] === "string" ? a["question_id"] : undefined,
        data,
        matches: data !== undefined && bytesToHex(sha256(data)) === recorded,
      };
    },
  );
  const number = nameParts(fileName).number ?? (kind === "case" ? 0 : Number.MAX_SAFE_INTEGER);
  return { fileName, reference, number, kind, manifest, attachments, sealedSha256: bytesToHex(sha256(sealed)) };
}

export function receiptFor(
  opened: Opened,
  sealed: Uint8Array,
  receipts: Map<string, string>,
  signer: SignerKey | undefined,
): Receipt {
  return checkReceipt(sealed, opened.reference, receipts.get(`${opened.fileName}.minisig`), signer);
}

/** The image type to show inline, only when the bytes are really a JPEG, PNG or WebP. */
export function inlineImageType(attachment: Attachment): string | undefined {
  const d = attachment.data;
  if (!d || !attachment.matches) return undefined;
  const declared = attachment.type.toLowerCase();
  const isJpeg = d[0] === 0xff && d[1] === 0xd8 && d[2] === 0xff;
  const isPng = d[0] === 0x89 && d[1] === 0x50 && d[2] === 0x4e && d[3] === 0x47;
  const isWebp = decoder.decode(d.slice(0, 4)) === "RIFF" && decoder.decode(d.slice(8, 12)) === "WEBP";
  if (isJpeg && (declared === "image/jpeg" || declared === "image/jpg")) return "image/jpeg";
  if (isPng && declared === "image/png") return "image/png";
  if (isWebp && declared === "image/webp") return "image/webp";
  return undefined;
}
