/** A parsed JSON value: what `JSON.parse` returns, typed so readers must check before they trust it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** True for a JSON object (not null, not an array): the first check of every document reader. */
export function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why `JSON.parse` refused a text, without the text: its message quotes what it stopped at, and the text
 * may be any file a flag or an input named (`/etc/shadow`), so only the position is kept.
 */
export function notJson(error: unknown): string {
  const at = /at position \d+/.exec(error instanceof Error ? error.message : '')?.[0];
  return `it is not JSON${at ? ` (${at})` : ''}`;
}
