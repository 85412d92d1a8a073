/** A parsed JSON value: what `JSON.parse` returns, typed so readers must check before they trust it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** True for a JSON object (not null, not an array): the first check of every document reader. */
export function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
