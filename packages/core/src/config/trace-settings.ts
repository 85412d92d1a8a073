// The progressive-deploy composite's and reusable workflow's own settings (issue 14): whether the run's
// trace is uploaded for the deployment dashboard and how long it is kept. Declared here and spread into
// the one settings catalogue, which marks them `workflows`.
import { parseBoolean, parseInteger } from '../shared/index';
import type { SettingSpec } from './catalogue';

/** Parses `trace-retention-days`: the days GitHub keeps the trace artifact, 1 to 90 (its own limits). */
export function parseRetentionDays(input: string, text: string): number {
  return parseInteger(input, text, { min: 1, max: 90 });
}

const UPLOAD_TRACE =
  "Save the run's trace when the outcome is recorded and upload it as the artifact shiftgate-trace-<deployment-id>, for the deployment dashboard's gate verdicts and charts (examples/dashboard.yml collects it); true or false. A failed upload never fails the deployment nor changes its recorded outcome.";
const TRACE_RETENTION =
  "Days GitHub keeps the trace artifact, from 1 to 90. Empty means the repository's artifact retention setting.";
/** How select-strategy states the composite's own settings: it checks them first and passes them on. */
const passed = (description: string) => ({
  description: `progressive-deploy (composite and reusable workflow): ${description} select-strategy checks it before anything moves and passes it on as the output of the same name.`,
});

/** The composite's and reusable workflow's own settings, for the catalogue. */
export const TRACE_SETTINGS = {
  'upload-trace': {
    default: 'true',
    parse: parseBoolean,
    description: UPLOAD_TRACE,
    actions: { 'select-strategy': passed(UPLOAD_TRACE) },
    cli: [],
    workflows: true,
  },
  'trace-retention-days': {
    default: '',
    parse: parseRetentionDays,
    description: TRACE_RETENTION,
    actions: { 'select-strategy': passed(TRACE_RETENTION) },
    cli: [],
    workflows: true,
  },
} as const satisfies Record<string, SettingSpec>;
