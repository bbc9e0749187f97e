/**
 * How dashboard handlers answer: HTML with the security headers every page carries, redirects,
 * and the form fields htmx posts (always strings).
 */
import { t } from "elysia";
import type { Html } from "../../views/html.ts";

/** Scripts and styles from our own files only; no framing; forms post only back here. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

export function page(markup: Html, status = 200): Response {
  return new Response(markup.value, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...SECURITY_HEADERS },
  });
}

export function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

/** A form as htmx sends it: names to strings. Handlers pick and convert the fields they expect. */
export const formBody = t.Record(t.String(), t.String());
export type FormFields = Record<string, string>;

/** The field trimmed, or undefined when it is missing or blank. */
export function filled(form: FormFields, name: string): string | undefined {
  const value = form[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}
