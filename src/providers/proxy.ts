/**
 * Outbound proxies: a global HTTP(S) proxy from settings, overridable per connection
 * (`providerSpecificData.proxy`: a URL, or "none" to go direct). Local addresses go direct
 * unless a connection names a proxy itself. Bun's fetch speaks HTTP and HTTPS proxies only.
 */
import type { Endpoint } from "./endpoint.ts";

export interface ProxySettings {
  enabled: boolean;
  url: string | null;
  /** Host names (or suffixes like ".lan") that never go through the global proxy. */
  noProxy: string[];
}

export const PROXY_SETTINGS_KEY = "proxy";

export const DEFAULT_PROXY_SETTINGS: ProxySettings = {
  enabled: false,
  url: null,
  noProxy: ["localhost", "127.0.0.1", "::1"],
};

/** The saved proxy settings over the defaults; `settings` is anything that reads settings by key. */
export function readProxySettings(settings: { get<T>(key: string): T | undefined }): ProxySettings {
  return { ...DEFAULT_PROXY_SETTINGS, ...settings.get<Partial<ProxySettings>>(PROXY_SETTINGS_KEY) };
}

/** Why a proxy URL cannot be used, or undefined when it can. */
export function proxyUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol.startsWith("socks")) {
    return "SOCKS proxies are not supported (Bun's fetch speaks HTTP and HTTPS proxies only); put an HTTP proxy such as privoxy in front of it";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return "must be an http:// or https:// URL";
  return undefined;
}

/** The proxy for a request to `url` at `endpoint`, if any. */
export function proxyFor(endpoint: Endpoint, url: string, settings: ProxySettings): string | undefined {
  if (endpoint.proxy === "none") return undefined;
  if (endpoint.proxy) return endpoint.proxy;
  if (!settings.enabled || !settings.url) return undefined;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  const bypass = settings.noProxy.some((entry) =>
    entry.startsWith(".") ? host.endsWith(entry) : host === entry,
  );
  return bypass ? undefined : settings.url;
}
