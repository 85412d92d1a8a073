// The job summary of a rollout over cells: a table per wave and a regions × zones grid of cells with
// their status. Pure (Markdown out); every name from the state goes through the escaper.
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
  );
  return lines.join('\n');
}

/** The zone column of a cell: the zone without its region (`a` of `us-east-1a`), or `–` without one. */
function zoneLetter(cell: CellState): string {
  if (!cell.zone) return '–';
  return cell.zone.startsWith(cell.region) ? cell.zone.slice(cell.region.length) || cell.zone : cell.zone;
}
