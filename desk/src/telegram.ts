// Inside Telegram (a Mini App): the page never loads telegram-web-app.js from Telegram's servers
// (it makes no network request at all). It uses window.Telegram.WebApp when the host provides
// it, and otherwise reads what Telegram puts in the page's address (#tgWebAppData=...) and tells
// the client it is ready the way that script does, by a message to the app, not to the network.

type WebApp = {
  ready?: () => void;
  expand?: () => void;
  initData?: string;
  initDataUnsafe?: { user?: { language_code?: string }; start_param?: string };
};

export type Launch = {
  inTelegram: boolean;
  /** The signed initData, for the webhook front to verify before it hands out a sealed file. */
  initData: string;
  language: string | undefined;
  startParam: string | undefined;
  /** The Mini App version the client supports (tgWebAppVersion), e.g. "9.1"; "" if unknown. */
  version: string;
};

function fromFragment(): {
  initData: string;
  user: { language_code?: string } | undefined;
  start: string | undefined;
  version: string;
} {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const initData = fragment.get("tgWebAppData") ?? "";
  const fields = new URLSearchParams(initData);
  let user: { language_code?: string } | undefined;
  try {
    user = JSON.parse(fields.get("user") ?? "null") ?? undefined;
  } catch {
    user = undefined;
  }
  return {
    initData,
    user,
    start: fields.get("start_param") ?? fragment.get("tgWebAppStartParam") ?? undefined,
    version: fragment.get("tgWebAppVersion") ?? "",
  };
}

export const TELEGRAM_WEB = "https://web.telegram.org";

/** A method call to the Telegram client (core.telegram.org/api/web-events): the apps' proxy,
 * the old Windows Phone bridge, or (Telegram Web, in an iframe) a message to the parent. */
export function post(event: string, data?: Record<string, unknown>): void {
  const payload = data === undefined ? "" : JSON.stringify(data);
  const w = window as unknown as {
    TelegramWebviewProxy?: { postEvent: (e: string, d: string) => void };
    external?: { notify?: (message: string) => void };
  };
  if (w.TelegramWebviewProxy) w.TelegramWebviewProxy.postEvent(event, payload);
  else if (typeof w.external?.notify === "function") w.external.notify(JSON.stringify({ eventType: event, eventData: data ?? "" }));
  else if (window.parent !== window) window.parent.postMessage(JSON.stringify({ eventType: event, eventData: data ?? "" }), TELEGRAM_WEB);
}

type Listener = (eventType: string, eventData: unknown) => void;
const listeners: Listener[] = [];
let receiving = false;

/** Events from the Telegram client: the apps call a global function (its path differs by
 * platform), Telegram Web posts a message from its own origin. Installed only when needed. */
export function onEvent(listener: Listener): void {
  listeners.push(listener);
  if (receiving) return;
  receiving = true;
  const receive: Listener = (eventType, eventData) => {
    for (const l of listeners) l(eventType, eventData);
  };
  const w = window as unknown as Record<string, unknown> & {
    Telegram?: { WebView?: { receiveEvent?: Listener } };
    TelegramGameProxy?: { receiveEvent?: Listener };
  };
  w.Telegram = w.Telegram ?? {};
  w.Telegram.WebView = { ...(w.Telegram.WebView ?? {}), receiveEvent: receive }; // iOS, Android
  w.TelegramGameProxy = { ...(w.TelegramGameProxy ?? {}), receiveEvent: receive }; // Desktop
  w["TelegramGameProxy_receiveEvent"] = receive; // Windows Phone
  window.addEventListener("message", (event: MessageEvent) => {
    if (event.origin !== TELEGRAM_WEB || event.source !== window.parent || typeof event.data !== "string") return;
    try {
      const message = JSON.parse(event.data) as { eventType?: unknown; eventData?: unknown };
      if (typeof message.eventType === "string") receive(message.eventType, message.eventData);
    } catch {
      // not an event
    }
  });
}

/** Whether the client's Mini App version is at least `wanted` ("9.0" and the like). */
export function versionAtLeast(version: string, wanted: string): boolean {
  const have = version.split(".").map(Number);
  const need = wanted.split(".").map(Number);
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (Number.isNaN(a)) return false;
    if (a !== b) return a > b;
  }
  return true;
}

export function launch(): Launch {
  const app = (window as unknown as { Telegram?: { WebApp?: WebApp } }).Telegram?.WebApp;
  if (app) {
    app.ready?.();
    app.expand?.();
    return {
      inTelegram: true,
      initData: app.initData ?? "",
      language: app.initDataUnsafe?.user?.language_code,
      startParam: app.initDataUnsafe?.start_param,
      version: "",
    };
  }
  const { initData, user, start, version } = fromFragment();
  if (!initData) return { inTelegram: false, initData: "", language: undefined, startParam: undefined, version: "" };
  post("web_app_ready");
  post("web_app_expand");
  return { inTelegram: true, initData, language: user?.language_code, startParam: start, version };
}
