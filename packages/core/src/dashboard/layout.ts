// The page shell every dashboard page shares: one style sheet of the site's own (no file, font or script
// from elsewhere, so a page works from file:// and from GitHub Pages alike), a skip link, landmarks and a
// language.
import { escapeHtml as h } from '../shared/index';
import type { DeploymentStatus } from '../records/index';
import { PALETTE, STATUS_LABEL } from './svg';

/** The site's one style sheet, `style.css` (linked by every page, so each page stays small). */
export const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#212529;background:#fff}
a{color:#1864ab}a:focus-visible,[tabindex]:focus-visible{outline:3px solid #1864ab;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:1}
header,main,footer{max-width:1100px;margin:0 auto;padding:12px 16px}
header{border-bottom:1px solid #dee2e6}header p{margin:0;color:#495057}
h1{font-size:1.6rem;margin:.4em 0}h2{font-size:1.3rem;margin:1.4em 0 .4em;border-bottom:1px solid #dee2e6}h3{font-size:1.05rem;margin:1em 0 .3em}
nav ul{list-style:none;padding:0;margin:.3em 0;display:flex;flex-wrap:wrap;gap:.3em 1em}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px;margin:0;padding:0;list-style:none}
.cards>li,.dora>div{border:1px solid #dee2e6;border-radius:6px;padding:10px 12px}
.cards h3{margin:0 0 .2em;font-size:.95rem;color:#495057}
.dora{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:12px;margin:0}
.dora dt{font-weight:600}.dora dd{margin:0}.dora .value{font-size:1.5rem;font-weight:700}.dora .detail{font-size:.85rem;color:#495057}
svg{display:block;max-width:100%;height:auto}svg .lbl{font-size:12px;fill:#212529}svg .b{font-weight:700}svg .ttl{font-size:14px;font-weight:700;fill:#212529}svg .thr{fill:${PALETTE.threshold}}
.timeline .ok{fill:${PALETTE.succeeded}}.timeline .rb{fill:${PALETTE.rolled_back}}.timeline .ko{fill:${PALETTE.failed}}.timeline .un{fill:${PALETTE.in_progress}}
.trend{width:160px;margin-top:4px}
.scroll{overflow-x:auto;margin:.5em 0}.scroll table{min-width:40rem}.wide svg{min-width:640px}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #dee2e6;vertical-align:top}th{background:#f1f3f5}
td.num,th.num{text-align:right}code,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all}
.badge{display:inline-block;padding:0 .5em;border-radius:4px;color:#fff;font-weight:600;font-size:.85rem}
.s-succeeded{background:#1e6b30}.s-failed{background:#b02525}.s-rolled_back{background:#8a4600}.s-in_progress{background:#1864ab}.s-pending{background:#495057}
.p-Successful{color:#1e6b30}.p-Failed{color:#b02525}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.grid td{min-width:120px}
.note{color:#495057;font-size:.9rem}
footer{color:#495057;font-size:.85rem;border-top:1px solid #dee2e6}
@media (max-width:600px){body{font-size:15px}h1{font-size:1.3rem}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:6px}}
`;

/** A status badge: colour and words together. */
export function badge(status: DeploymentStatus): string {
  return `<span class="badge s-${status}">${h(STATUS_LABEL[status])}</span>`;
}

/** A table in a scrollable, keyboard-reachable region (narrow screens scroll it sideways). */
export function table(options: {
  caption: string;
  head: string[];
  rows: string[][];
  numeric?: number[];
}): string {
  const num = new Set(options.numeric ?? []);
  const cls = (i: number) => (num.has(i) ? ' class="num"' : '');
  return [
    `<div class="scroll" role="region" tabindex="0" aria-label="${h(options.caption)}"><table>`,
    `<caption class="skip">${h(options.caption)}</caption>`,
    `<thead><tr>${options.head.map((c, i) => `<th scope="col"${cls(i)}>${h(c)}</th>`).join('')}</tr></thead><tbody>`,
    ...options.rows.map((row) => `<tr>${row.map((c, i) => `<td${cls(i)}>${c}</td>`).join('')}</tr>`),
    '</tbody></table></div>',
  ].join('');
}

/** Time for people, UTC to the minute. */
export function when(ms: number | null): string {
  return ms === null ? '-' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A link to a URL from GitHub: only https URLs are linked; anything else is shown as text. */
export function externalLink(url: string | null, text: string): string {
  if (url === null || !/^https:\/\/[^\s"'<>]+$/.test(url)) return h(text);
  return `<a href="${h(url)}" rel="noopener noreferrer">${h(text)}</a>`;
}

/** A whole page. `root` is the relative path back to the site's root (`''` or `'../'`). */
export function page(options: {
  title: string;
  repository: string;
  root: string;
  body: string;
  generatedAt: number;
  /** The page the header links back to (default the overview, `index.html`). */
  home?: string;
}): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No favicon request: the site has no other file to fetch.
    '<link rel="icon" href="data:,">',
    `<title>${h(options.title)}</title>`,
    `<link rel="stylesheet" href="${options.root}style.css"></head><body>`,
    '<a class="skip" href="#main">Skip to content</a>',
    options.home
      ? `<header><p><a href="${options.root}${options.home}">${h(options.title)}</a></p></header>`
      : `<header><p><a href="${options.root}index.html">Deployments of ${h(options.repository)}</a></p></header>`,
    `<main id="main">${options.body}</main>`,
    options.home
      ? `<footer>Written by shiftgate at ${when(options.generatedAt)}.</footer>`
      : `<footer>Built by shiftgate from GitHub Deployments at ${when(options.generatedAt)}.</footer>`,
    '</body></html>',
    '',
  ].join('\n');
}
