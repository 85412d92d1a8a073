// A run's report where people look: an HTML page of the same site (the dashboard's layout and style
// sheet) and a Markdown file whose charts are separate SVG files it links to, since github.com strips
// inline SVG from Markdown. `shiftgate demo` and `shiftgate deploy --report` write them.
import { errorMessage, escapeHtml as h, escapeMarkdown as md } from '../shared/index';
import type { RolloutState } from '../rollout/index';
import { page } from './layout';
import { chartList, chartsSection, extras, planSection, runSection, type RunView } from './sections';
import { readDeploymentTrace } from './trace';
import type { SiteFile } from './site';
import { STYLE } from './layout';

/** One run of a report. */
export interface ReportRun {
  title: string;
  /** One sentence: how it ended. */
  verdict: string;
  state: RolloutState;
  /** The run's trace (run-plan's `trace`), as produced. */
  trace: unknown;
  /** A chart of the run drawn elsewhere (the demo's per-minute truth), as a standalone SVG. */
  chart?: { title: string; svg: string };
  /** Markdown/HTML-free lines shown under the verdict (the replay command, notes). */
  notes?: string[];
}

/**
 * The report's files: `<name>.html` (with `style.css`), `<name>.md`, and one `<name>-<n>.svg` per chart.
 * `name` is a plain file name chosen by the caller (no directories).
 */
export function renderRunReport(options: {
  name: string;
  title: string;
  intro: string[];
  runs: ReportRun[];
  generatedAt: number;
}): SiteFile[] {
  const files: SiteFile[] = [];
  const html: string[] = [`<h1>${h(options.title)}</h1>`, ...options.intro.map((p) => `<p>${h(p)}</p>`)];
  const markdown: string[] = [`# ${md(options.title)}`, '', ...options.intro.flatMap((p) => [md(p), '']), ''];
  let chartNumber = 0;
  options.runs.forEach((run, i) => {
    let view: RunView;
    try {
      view = {
        state: run.state,
        trace: readDeploymentTrace(`of run ${i + 1}`, run.trace),
        traceProblem: null,
      };
    } catch (error) {
      view = { state: run.state, trace: null, traceProblem: errorMessage(error) };
    }
    const id = `run-${i + 1}`;
    html.push(
      `<section aria-labelledby="${id}"><h2 id="${id}">${i + 1}. ${h(run.title)}</h2>`,
      `<p><strong>${h(run.verdict)}</strong></p>`,
      ...(run.notes ?? []).map((n) => `<p class="note">${h(n)}</p>`),
      run.chart
        ? `<figure>${run.chart.svg.replace(/^<svg xmlns="[^"]*"/, '<svg class="chart"')}</figure>`
        : '',
      planSection(view),
      view.trace ? runSection(view.trace) : '',
      chartsSection(view),
      extras(view),
      '</section>',
    );
    markdown.push(`## ${i + 1}. ${md(run.title)}`, '', `**${md(run.verdict)}**`, '');
    for (const note of run.notes ?? []) markdown.push(md(note), '');
    const charts = [...(run.chart ? [run.chart] : []), ...chartList(view, { standalone: true })];
    for (const chart of charts) {
      const file = `${options.name}-${++chartNumber}.svg`;
      files.push({ path: file, content: `${chart.svg}\n` });
      markdown.push(`![${md(chart.title)}](${file})`, '');
    }
    if (view.trace) {
      markdown.push('| # | step | outcome | what happened |', '| ---: | --- | --- | --- |');
      for (const s of view.trace.steps)
        markdown.push(`| ${s.index + 1} | ${md(s.kind)} | ${md(s.outcome)} | ${md(s.message)} |`);
      markdown.push('');
    }
  });
  markdown.push(`The same report as a web page: [${options.name}.html](${options.name}.html).`, '');
  files.unshift(
    {
      path: `${options.name}.html`,
      content: page({
        title: options.title,
        repository: 'shiftgate',
        root: '',
        body: html.join('\n'),
        generatedAt: options.generatedAt,
        home: `${options.name}.html`,
      }),
    },
    { path: `${options.name}.md`, content: markdown.join('\n') },
    { path: 'style.css', content: `${STYLE.trim()}\n` },
  );
  return files;
}
