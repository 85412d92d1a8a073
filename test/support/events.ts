// Event payloads shaped like the ones GitHub delivers (trimmed to the fields shiftgate reads, plus a few
// neighbours so parsing is not tuned to a minimal shape).

/** A pull_request / pull_request_target payload. */
export function pullRequestEvent(options: {
  action?: string;
  labels?: string[];
  sender?: string;
  fork?: boolean | 'deleted';
  number?: number;
  merged?: boolean;
}): Record<string, unknown> {
  const base = 'acme/shop';
  const head =
    options.fork === 'deleted'
      ? null
      : options.fork
        ? { full_name: 'mallory/shop', fork: true }
        : { full_name: base, fork: false };
  const labels = (options.labels ?? []).map((name, i) => ({
    id: 100 + i,
    name,
    color: 'ededed',
    default: false,
  }));
  return {
    action: options.action ?? 'labeled',
    number: options.number ?? 7,
    ...(options.action === 'labeled' || options.action === undefined ? { label: labels.at(-1) ?? null } : {}),
    pull_request: {
      number: options.number ?? 7,
      state: options.action === 'closed' ? 'closed' : 'open',
      merged: options.merged ?? false,
      title: 'Make checkout faster',
      labels,
      head: { ref: 'feature/faster-checkout', sha: 'a1b2c3d', repo: head },
      base: { ref: 'main', sha: 'f0e1d2c', repo: { full_name: base, fork: false } },
    },
    repository: { full_name: base, name: 'shop', owner: { login: 'acme' } },
    sender: { login: options.sender ?? 'alice', type: 'User' },
  };
}

/** A workflow_dispatch payload with a `strategy` input. */
export function dispatchEvent(strategy: string | undefined, sender = 'alice'): Record<string, unknown> {
  return {
    inputs: strategy === undefined ? { environment: 'production' } : { strategy, environment: 'production' },
    ref: 'refs/heads/main',
    repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } },
    sender: { login: sender, type: 'User' },
    workflow: '.github/workflows/deploy.yml',
  };
}
