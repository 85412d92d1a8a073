import { resolve } from 'node:path';
import {
  dailySummary,
  parseDashboardLimit,
  parseDashboardUrl,
  parseEnvironmentName,
  parseSince,
  renderSite,
} from '@shiftgate/core';
import { fetchDashboard, githubServerUrl, readTraceDir, writeSite } from '@shiftgate/github';
import { parseFlags } from '../args';
import { EXIT, UsageError, type Command } from '../command';
import { deploymentStore, parseRepo } from '../github-store';

/** `shiftgate dashboard`: a static site of an repository's deployments, from GitHub Deployments. */
export const dashboardCommand: Command = {
  name: 'dashboard',
  summary: 'Write a static dashboard site of the deployments and DORA figures',
  help: `Usage: shiftgate dashboard --repo owner/name --out <dir> [--environment <name> ...] [--since 90d]
                           [--traces <dir>] [--limit 1000] [--until <time>] [--summary] [--url <url>]

Reads the deployments from GitHub Deployments (with the records and rollout states shiftgate stored in
their payloads) and writes a static site: index.html, an overview per environment (last deployment and
its outcome, last good version, open incidents, the four DORA figures with their trend per week, and a
timeline coloured by outcome), one page per environment and one per deployment (strategy, plan, who
chose and who approved it, steps with weights, gate verdicts, charts, cells, saga services, A/B verdicts,
artifacts with sha256). No script, font or file from elsewhere: open it from disk or publish it on GitHub
Pages.

Options:
  --repo          the repository, owner/name (required)
  --out           the directory to write the site to (required; created when missing)
  --environment   an environment to show; repeat for several (default: every environment found)
  --since         the window, whole days such as 90d or a duration such as 720h (default 90d)
  --traces        a directory of run traces, <deployment-id>.json (run-plan's or bake-and-gate's trace
                  output), for the gate verdicts and metric charts
  --limit         the most deployments read per environment named (in all, when none is named),
                  1 to 10000 (default 1000)
  --until         the end of the window, an ISO 8601 time (default now)
  --summary       also print the daily summary (yesterday's deployments per environment, rollbacks with
                  their reasons, the DORA figures) in Slack's format
  --url           where the site is published, for the summary's link (https)

Environment:
  GITHUB_TOKEN (or GH_TOKEN)  a token that can read deployments (contents, for lead time; actions, for who
                              approved)
  GITHUB_API_URL              the API base URL (default https://api.github.com)
  GITHUB_SERVER_URL           GitHub's web address, which run links start with (default https://github.com,
                              or the GitHub Enterprise Server of GITHUB_API_URL)

Requests: deployments are read through GitHub's GraphQL API, 100 with their statuses per request (1
point each); who approved is read for records that do not say (needs actions: read), 50 runs per request.

Exit codes: 0 written, 1 GitHub refused or failed, 2 invalid flags.`,
  async run(argv, io) {
    const { values } = parseFlags('dashboard', argv, {
      repo: { type: 'string' },
      out: { type: 'string' },
      environment: { type: 'string', multiple: true },
      since: { type: 'string' },
      traces: { type: 'string' },
      limit: { type: 'string' },
      until: { type: 'string' },
      summary: { type: 'boolean' },
      url: { type: 'string' },
    });
    if (!values.repo) throw new UsageError("missing --repo owner/name. See 'shiftgate dashboard --help'.");
    const repo = parseRepo(values.repo);
    if (!values.out) throw new UsageError("missing --out <dir>. See 'shiftgate dashboard --help'.");
    const environments =
      values.environment === undefined
        ? null
        : [...new Set(values.environment.map((e) => parseEnvironmentName('--environment', e)))];
    const sinceMs = parseSince('--since', values.since ?? '90d');
    const limit = parseDashboardLimit('--limit', values.limit ?? '1000');
    const url = parseDashboardUrl('--url', values.url ?? '');
    const now = values.until === undefined ? Date.now() : Date.parse(values.until);
    if (Number.isNaN(now)) {
      throw new UsageError(
        `--until must be an ISO 8601 time such as 2026-01-31T00:00:00Z, got '${values.until}'`,
      );
    }
    const { store, logger } = deploymentStore(io, repo, 'cli dashboard');
    let traces: Map<number, string> = new Map();
    if (values.traces !== undefined) {
      try {
        traces = await readTraceDir(resolve(io.cwd, values.traces));
      } catch (error) {
        throw new UsageError(
          `--traces must be a readable directory, got '${values.traces}': ${(error as Error).message}`,
        );
      }
    }
    const dashboard = await fetchDashboard(store, {
      repository: values.repo,
      environments,
      sinceMs,
      now,
      limit,
      traces,
      serverUrl: githubServerUrl(io.env),
      logger,
    });
    const files = renderSite(dashboard);
    const out = resolve(io.cwd, values.out);
    await writeSite(out, files);
    const count = dashboard.environments.reduce((n, e) => n + e.deployments.length, 0);
    io.stdout(
      `Wrote ${files.length} files for ${count} deployments to ${dashboard.environments.length} environment${dashboard.environments.length === 1 ? '' : 's'} in ${out} (open index.html)\n`,
    );
    if (values.summary) io.stdout(`${dailySummary(dashboard, { url })}\n`);
    return EXIT.ok;
  },
};
