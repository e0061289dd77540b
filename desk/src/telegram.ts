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
};

function fromFragment(): { initData: string; user: { language_code?: string } | undefined; start: string | undefined } {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const initData = fragment.get("tgWebAppData") ?? "";
  const fields = new URLSearchParams(initData);
  let user: { language_code?: string } | undefined;
  try {
    user = JSON.parse(fields.get("user") ?? "null") ?? undefined;
  } catch {
    user = undefined;
  }
  return { initData, user, start: fields.get("start_param") ?? fragment.get("tgWebAppStartParam") ?? undefined };
}

function post(event: string): void {
  const proxy = (window as unknown as { TelegramWebviewProxy?: { postEvent: (e: string, d: string) => void } })
    .TelegramWebviewProxy;
  if (proxy) proxy.postEvent(event, "");
  else if (window.parent !== window) window.parent.postMessage(JSON.stringify({ eventType: event, eventData: "" }), "https://web.telegram.org");
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
    };
  }
  const { initData, user, start } = fromFragment();
  if (!initData) return { inTelegram: false, initData: "", language: undefined, startParam: undefined };
  post("web_app_ready");
  post("web_app_expand");
  return { inTelegram: true, initData, language: user?.language_code, startParam: start };
}
