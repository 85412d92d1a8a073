import { parseDuration, parseHistoryLimit, renderHistoryText } from '@shiftgate/core';
import { fetchHistory, historyDocument } from '@shiftgate/github';
import { parseFlags } from '../args';
import { EXIT, UsageError, type Command } from '../command';
import { deploymentStore, parseRepo } from '../github-store';

/** `shiftgate history`: an environment's deployments with their outcome, and the DORA figures. */
export const historyCommand: Command = {
  name: 'history',
  summary: 'Show deployments of an environment and the DORA figures',
  help: `Usage: shiftgate history --repo owner/name --environment <name> [--limit 50] [--window 720h]
                         [--until <time>] [--json] [--last-good]

Reads the newest deployments of an environment from GitHub Deployments (as record-deployment writes
them), with each one's final status, duration and reason, and computes the DORA figures over a window:
  deployment frequency   successful deployments per day
  change failure rate    failed or rolled back over finished deployments
  time to restore        median, from a failed or rolled-back deployment to the next success
  lead time for changes  median, from the deployed commit's time to the deployment's success

Options:
  --repo          the repository, owner/name (required)
  --environment   the environment, for example production (required)
  --limit         how many of the newest deployments to read, 1 to 1000 (default 50)
  --window        the DORA window, a duration such as 720h (default 720h, 30 days)
  --until         the end of the window, an ISO 8601 time (default now)
  --json          print one JSON document: {repository, environment, deployments, dora, last-good}
  --last-good     print only the newest successful deployment (ref, sha, version, rollout state)

Environment:
  GITHUB_TOKEN (or GH_TOKEN)  a token that can read deployments (and contents, for lead time)
  GITHUB_API_URL              the API base URL (default https://api.github.com)

Exit codes: 0 shown, 1 GitHub refused or failed (or --last-good found none), 2 invalid flags.`,
  async run(argv, io) {
    const { values } = parseFlags('history', argv, {
      repo: { type: 'string' },
      environment: { type: 'string' },
      limit: { type: 'string' },
      window: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean' },
      'last-good': { type: 'boolean' },
    });
    if (!values.repo) throw new UsageError("missing --repo owner/name. See 'shiftgate history --help'.");
    const repo = parseRepo(values.repo);
    if (!values.environment)
      throw new UsageError("missing --environment <name>. See 'shiftgate history --help'.");
    const limit = parseHistoryLimit('--limit', values.limit ?? '50');
    const windowMs = parseDuration('--window', values.window ?? '720h', { min: 3_600_000 });
    const now = values.until === undefined ? Date.now() : Date.parse(values.until);
    if (Number.isNaN(now)) {
      throw new UsageError(
        `--until must be an ISO 8601 time such as 2026-01-31T00:00:00Z, got '${values.until}'`,
      );
    }
    const { store, logger } = deploymentStore(io, repo, 'cli history');
    const history = await fetchHistory(store, {
      environment: values.environment,
      limit,
      windowMs,
      now,
      logger,
    });

    if (values['last-good']) {
      const good = history.lastGood;
      if (values.json) io.stdout(`${JSON.stringify(good, null, 2)}\n`);
      else if (good !== null) {
        io.stdout(
          `Last good deployment of ${values.repo} to ${values.environment}: ${good['deployment-id']} ${good.version}` +
            ` (ref ${good.ref}, sha ${good.sha}), succeeded ${new Date(good['completed-at']).toISOString()}\n`,
        );
      }
      if (good === null) {
        io.stderr(
          `No successful deployment of ${values.repo} to ${values.environment} among the newest ${history.entries.length}.\n`,
        );
        return EXIT.failed;
      }
      return EXIT.ok;
    }
    if (values.json) {
      io.stdout(`${JSON.stringify(historyDocument(values.repo, history), null, 2)}\n`);
    } else {
      io.stdout(
        renderHistoryText({
          repo: values.repo,
          environment: values.environment,
          entries: history.entries,
          dora: history.dora,
        }),
      );
    }
    return EXIT.ok;
  },
};
