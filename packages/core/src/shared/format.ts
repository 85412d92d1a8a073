// Text for people: the escapers, one per target format (Markdown summaries, SVG, Slack mrkdwn), and the
// number formats they share. Core renders summaries, and core may not import @shiftgate/github, so they
// live here, once.

const MARKDOWN: Record<string, string> = {
  '\\': '\\\\',
  '|': '\\|',
  '[': '\\[',
  ']': '\\]',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  // An entity, not a backslash: inside a code span a backslash does not escape, and a bare backtick
  // would end the span early.
  '`': '&#96;',
};

/**
 * Makes untrusted text (labels, reasons, AWS and GitHub messages) safe in a job summary, in a table cell
 * or in running text: HTML cannot open (`<`, `>`, `&`), a cell cannot end (`|`, newlines), links and
 * code cannot start (`[`, `]`, backticks), and `@name` does not mention anyone. Ordinary text renders
 * as it was written.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(/[\\|[\]&<>`]/g, (c) => MARKDOWN[c]!)
    .replace(/@(?=[A-Za-z0-9])/g, '&#64;');
}

/** Escapes text for SVG and XML: element text and double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Escapes text for HTML: element text and attribute values in either quote, with line breaks and other
 * control characters (but tabs and newlines) dropped so a value cannot smuggle invisible text. The
 * dashboard's pages and inline SVG go through this one function.
 */
export function escapeHtml(text: string): string {
  // eslint-disable-next-line no-control-regex -- dropping control characters is the point
  return escapeXml(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')).replace(
    /'/g,
    '&#39;',
  );
}

/**
 * Escapes text for Slack's mrkdwn, where `&`, `<` and `>` are control characters (`<url|label>` links,
 * `<!channel>` mentions): https://api.slack.com/reference/surfaces/formatting#escaping
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The median of the values (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A percentage for sentences: two decimals below 10% (so 1.03% is not shown as 1%), one above. */
export function fmtPct(percent: number): string {
  const digits = Math.abs(percent) < 10 ? 2 : 1;
  return `${Number(percent.toFixed(digits))}%`;
}

/** Formats a percent for people: `5%`, `0.5%`, `12.34%` (at most two decimals). */
export function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(2))}%`;
}
