// The dashboard's own settings, parsed once for the CLI flags and the action inputs alike.
import { InputError, parseDuration } from '../shared/index';
import { DAY_MS } from './model';

const DAYS = /^(\d{1,4})d$/;

/** Parses the window: whole days such as `90d` (1 to 3650), or a duration of at least an hour (`720h`). */
export function parseSince(input: string, value: string): number {
  const text = value.trim();
  const days = DAYS.exec(text);
  if (days) {
    const n = Number(days[1]);
    if (n >= 1 && n <= 3650) return n * DAY_MS;
  } else if (!/d/.test(text)) {
    try {
      return parseDuration(input, text, { min: 3_600_000 });
    } catch {
      // fall through to the one message that names both forms
    }
  }
  throw new InputError(
    input,
    value,
    "whole days from '1d' to '3650d' (such as '90d') or a duration of at least '1h'",
  );
}

/** Parses the most deployments read per environment: 1 to 10000. */
export function parseDashboardLimit(input: string, value: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 10_000) {
    throw new InputError(input, value, 'a whole number of deployments from 1 to 10000');
  }
  return Number(text);
}

/** Parses the dashboard's public address, for links in the daily summary: an https URL. */
export function parseDashboardUrl(input: string, value: string): string | null {
  const text = value.trim();
  if (text === '') return null;
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  // `|` and `>` end a Slack link; a URL with them is refused rather than mangled.
  if (url === null || url.protocol !== 'https:' || /[\s|<>]/.test(text))
    throw new InputError(input, value, 'an https:// URL (where the dashboard is published)');
  return text;
}
