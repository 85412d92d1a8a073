import { escapeSlack, formatSpan, type DeploymentRecord } from '@shiftgate/core';

const ICONS: Record<string, string> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  rolled_back: ':rewind:',
  in_progress: ':hourglass_flowing_sand:',
  pending: ':hourglass:',
};

/**
 * The one line posted for a terminal status:
 * `:rewind: acme/shop v1.4.0 to production rolled back after 20m (canary, deployment 1007): p99 612ms > 500ms <…|run>`.
 */
export function notificationLine(options: {
  repository: string;
  record: DeploymentRecord;
  logUrl: string;
}): string {
  const r = options.record;
  const status = r['deployment-status'].replace('_', ' ');
  const after = r['duration-ms'] === null ? '' : ` after ${formatSpan(r['duration-ms'])}`;
  const what = [r.strategy, r['deployment-id'] === null ? null : `deployment ${r['deployment-id']}`]
    .filter(Boolean)
    .join(', ');
  const reason = r.reason ? `: ${escapeSlack(r.reason)}` : '';
  const link = options.logUrl ? ` <${options.logUrl}|run>` : '';
  return `${ICONS[r['deployment-status']] ?? ''} ${escapeSlack(options.repository)} ${escapeSlack(r.version)} to ${escapeSlack(r.environment)} ${status}${after}${what ? ` (${escapeSlack(what)})` : ''}${reason}${link}`.trim();
}

/**
 * Posts one line to a Slack incoming webhook (`{"text": …}`), giving up after `timeoutMs`. Throws on
 * anything but a 2xx; callers turn that into a warning, because a notification never fails a record.
 * The URL is a secret: it never appears in the error.
 */
export async function postWebhook(
  url: string,
  text: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = (error as Error).name === 'TimeoutError' ? 'no answer in time' : (error as Error).message;
    throw new Error(`Posting the notification failed: ${cause}`);
  }
  if (!response.ok) {
    const body = (await response.text().catch(() => '')).slice(0, 200);
    throw new Error(
      `Posting the notification failed: the webhook answered ${response.status}${body ? ` "${body}"` : ''}`,
    );
  }
  await response.arrayBuffer().catch(() => undefined);
}

/**
 * GitHub's web address: `GITHUB_SERVER_URL` (set on every runner, GitHub Enterprise Server's own), else
 * the one that goes with `GITHUB_API_URL` (`https://HOST/api/v3` → `https://HOST`), else github.com.
 */
export function githubServerUrl(env: Record<string, string | undefined>): string {
  if (env.GITHUB_SERVER_URL) return env.GITHUB_SERVER_URL.replace(/\/+$/, '');
  const api = env.GITHUB_API_URL ?? '';
  const ghes = /^(https?:\/\/[^/]+)\/api\/v3\/?$/.exec(api);
  return ghes ? ghes[1]! : 'https://github.com';
}

/** The URL of this workflow run (a deployment status's `log_url`), from the runner's variables. */
export function runUrl(env: Record<string, string | undefined>): string {
  const server = githubServerUrl(env);
  const repository = env.GITHUB_REPOSITORY;
  const run = env.GITHUB_RUN_ID;
  if (!repository || !run) return '';
  const attempt =
    env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
  return `${server}/${repository}/actions/runs/${run}${attempt}`;
}
