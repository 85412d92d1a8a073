// The job summary of a rollout over cells: a table per wave, the weight chart per wave, and a regions ×
// zones grid of cells with their status. Pure (Markdown out); every name from the state goes through the
// escaper, and only checked region names reach the chart.
import { escapeMarkdown as md } from '../shared/index';
import type { CellState, CellStatus, RolloutState } from '../rollout/index';
import { planWaves } from '../strategy/index';

const ICON: Record<CellStatus, string> = {
  untouched: '⚪',
  'in-progress': '🟡',
  promoted: '🟢',
  'rolled-back': '🔴',
};

/** A wave's status: the worst of its cells, read as a person would. */
function waveStatus(cells: CellState[]): string {
  const has = (status: CellStatus) => cells.some((c) => c.status === status);
  if (has('rolled-back')) return `${ICON['rolled-back']} rolled back`;
  if (has('in-progress')) return `${ICON['in-progress']} in progress`;
  if (cells.every((c) => c.status === 'promoted')) return `${ICON.promoted} promoted`;
  return `${ICON.untouched} not started`;
}

/** Markdown: one table of waves (cells, region, zone, status), then the regions × zones grid. */
export function cellsSummary(state: RolloutState): string {
  const cells = state.cells;
  if (!cells) return '';
  const lines = [
    '### Waves',
    '',
    '| Wave | Region | Zone | Cells | Status |',
    '| ---: | --- | --- | --- | --- |',
  ];
  planWaves(state.plan).forEach((names, i) => {
    const members = names.map((n) => cells[n]).filter((c): c is CellState => c !== undefined);
    const regions = [...new Set(members.map((c) => c.region))];
    const zones = [...new Set(members.map((c) => c.zone ?? '–'))];
    const list = names.map((n) => `${ICON[cells[n]?.status ?? 'untouched']} ${md(n)}`).join(', ');
    lines.push(
      `| ${i + 1} | ${md(regions.join(', '))} | ${md(zones.join(', '))} | ${list} | ${waveStatus(members)} |`,
    );
  });
  const chart = waveChart(state);
  if (chart) lines.push('', chart);
  const regions = [...new Set(Object.values(cells).map((c) => c.region))];
  const zones = [...new Set(Object.values(cells).map((c) => zoneLetter(c)))].sort();
  lines.push('', '### Cells by region and zone', '', `| Region | ${zones.map((z) => md(z)).join(' | ')} |`);
  lines.push(`| --- | ${zones.map(() => '---').join(' | ')} |`);
  for (const region of regions) {
    const row = zones.map((zone) =>
      Object.entries(cells)
        .filter(([, c]) => c.region === region && zoneLetter(c) === zone)
        .map(([name, c]) => `${ICON[c.status]} ${md(name)}`)
        .join('<br>'),
    );
    lines.push(`| ${md(region)} | ${row.join(' | ')} |`);
  }
  const count = (status: CellStatus) => Object.values(cells).filter((c) => c.status === status).length;
  lines.push(
    '',
    `${ICON.promoted} promoted ${count('promoted')} · ${ICON['rolled-back']} rolled back ${count('rolled-back')} · ${ICON['in-progress']} in progress ${count('in-progress')} · ${ICON.untouched} untouched ${count('untouched')}`,
    '',
    BASELINE_NOTE,
    '',
  );
  return lines.join('\n');
}

/** What the cross-cell baseline is, so that nobody reads the baseline p99 as more than it is. */
export const BASELINE_NOTE =
  'Each cell is judged against the cells of its region still on the old version (absolute gates where none remain). ' +
  'Requests, 5xx and requests slower than a threshold are summed over those cells, which is exact; the latency gates ' +
  'test those counts (canary requests slower than max-p99-latency, and slower than (1 + max-latency-increase) × the ' +
  "old cells' p99 against the old cells' requests slower than that p99). The baseline p99 shown is the request-weighted " +
  "mean of the old cells' p99s: a percentile of many cells cannot be had from theirs, so it only sets the next threshold.";

/**
 * The weight chart per wave (Mermaid xychart): the share of all cells on the new version after each
 * wave as planned (line), and the share whose traffic is on it now (bars: promoted or switching).
 */
export function waveChart(state: RolloutState): string | null {
  const cells = state.cells;
  if (!cells) return null;
  const waves = planWaves(state.plan);
  const total = Object.keys(cells).length;
  if (waves.length === 0 || total === 0) return null;
  const serving = (name: string) => {
    const status = cells[name]?.status;
    return status === 'promoted' || status === 'in-progress';
  };
  let planned = 0;
  let now = 0;
  const points = waves.map((names, i) => {
    planned += names.length;
    now += names.filter(serving).length;
    const regions = [...new Set(names.map((n) => cells[n]?.region ?? ''))];
    // Only a plain region name goes into the chart's quoted label.
    const region = regions.length === 1 && /^[a-z0-9-]{1,40}$/.test(regions[0]!) ? ` ${regions[0]}` : '';
    return {
      label: `"${i + 1}${region}"`,
      planned: Math.round((1000 * planned) / total) / 10,
      now: Math.round((1000 * now) / total) / 10,
    };
  });
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Cells on the new version after each wave (%): planned (line), serving now (bars)"',
    `  x-axis "wave" [${points.map((p) => p.label).join(', ')}]`,
    '  y-axis "cells (%)" 0 --> 100',
    `  bar [${points.map((p) => p.now).join(', ')}]`,
    `  line [${points.map((p) => p.planned).join(', ')}]`,
    '```',
  ].join('\n');
}

/** The zone column of a cell: the zone without its region (`a` of `us-east-1a`), or `–` without one. */
function zoneLetter(cell: CellState): string {
  if (!cell.zone) return '–';
  return cell.zone.startsWith(cell.region) ? cell.zone.slice(cell.region.length) || cell.zone : cell.zone;
}
