// The hostile strings every summary and report is fed (issue 10), and a check that they leave the
// Markdown inert: no HTML, link, mention or code span opens, no table cell or line is added.
import { expect } from 'vitest';

/** Text an attacker can put in a version, environment, ref, reason, step name or error message. */
export const HOSTILE = [
  'v1<img src=x>[Approve](https://x)',
  '@team please approve',
  'a`b`c ``code``',
  'x | y | z',
  'line one\nline two\r\n## Heading\u2028three',
  '<script>alert(1)</script>&amp;',
] as const;

/** Where a line's structure lies: its unescaped pipes, backticks, angle brackets and brackets. */
function shape(markdown: string): string[] {
  return markdown.split('\n').map((line) => {
    const bare = line.replace(/\\[\\|[\]]/g, '');
    const count = (c: string) => bare.split(c).length - 1;
    return ['|', '`', '<', '>', '[', ']'].map((c) => `${c}${count(c)}`).join(' ');
  });
}

/**
 * Asserts that `render(hostile)` has exactly the structure of `render(benign)` (same lines, same cells,
 * same code spans, no tag, no link) and that no hostile fragment appears raw.
 */
export function expectInert(render: (text: string) => string, benign = 'plain-value'): void {
  const reference = shape(render(benign));
  for (const text of HOSTILE) {
    const markdown = render(text);
    expect(shape(markdown), `structure with ${JSON.stringify(text)}`).toEqual(reference);
    expect(markdown).not.toMatch(/<img|<script|\[Approve\]\(/);
    expect(markdown).not.toMatch(/(^|[^\w&#])@team/m);
    expect(markdown).not.toMatch(/^\s*## Heading/m);
  }
}
