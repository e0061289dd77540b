// Inside Telegram, the page served by the bot's webhook front (/desk/) asks it for the case the
// Mini App was opened for (startapp=REF), proving who is asking with Telegram's signed initData.
// What comes back is still sealed: it is opened here, with the staff member's own key.

export type Fetched =
  | { kind: "files"; reference: string; files: Array<{ name: string; sealed: Uint8Array; receiptName: string; receipt: string | null }> }
  | { kind: "refused" }
  | { kind: "failed" };

const REFERENCE = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether this page can ask a server at all: served over HTTP(S), opened for a reference. */
export function canFetch(startParam: string | undefined, initData: string): startParam is string {
  return /^https?:$/.test(location.protocol) && initData !== "" && startParam !== undefined && REFERENCE.test(startParam);
}

function bytes(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

export async function fetchCase(reference: string, initData: string): Promise<Fetched> {
  let response: Response;
  try {
    response = await fetch(`case/${encodeURIComponent(reference)}`, {
      headers: { Authorization: `tma ${initData}` },
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
  } catch {
    return { kind: "failed" };
  }
  if (response.status === 403 || response.status === 404) return { kind: "refused" };
  if (!response.ok) return { kind: "failed" };
  try {
    const body = (await response.json()) as { reference?: unknown; files?: unknown };
    if (!Array.isArray(body.files) || typeof body.reference !== "string") return { kind: "failed" };
    const files = body.files.map((f: Record<string, unknown>) => {
      if (typeof f["name"] !== "string" || typeof f["sealed"] !== "string" || !f["name"].endsWith(".age")) throw new Error("bad file");
      return {
        name: f["name"],
        sealed: bytes(f["sealed"]),
        receiptName: typeof f["receipt_name"] === "string" ? f["receipt_name"] : `${f["name"]}.minisig`,
        receipt: typeof f["receipt"] === "string" ? f["receipt"] : null,
      };
    });
    return { kind: "files", reference: body.reference, files };
  } catch {
    return { kind: "failed" };
  }
}
