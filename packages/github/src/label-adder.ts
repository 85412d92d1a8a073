import { displayUntrusted, errorMessage, SelectionError } from '@shiftgate/core';

/** The slice of Octokit the look-up needs, so any configured client can be passed. */
export interface IssueEventsClient {
  request(
    route: 'GET /repos/{owner}/{repo}/issues/{issue_number}/events',
    params: { owner: string; repo: string; issue_number: number; per_page: number; page: number },
  ): Promise<{ data: unknown }>;
}

/** What the event tells about the label before any API call. */
export interface LabelEventFacts {
  /** The event's `action`. */
  action: string | null;
  /** On `labeled`, the label that was added. */
  addedLabel: string | null;
  /** Login of whoever triggered the event. */
  sender: string | null;
}

/** Who added the deciding label, and how that was learned. */
export interface LabelAdder {
  login: string;
  /** `event`: the `labeled` event that started this run; `history`: the pull request's issue events. */
  source: 'event' | 'history';
}

const PER_PAGE = 100;
/** 50 pages of 100 events: far more than a pull request gathers; past it the look-up fails closed. */
const MAX_PAGES = 50;

/**
 * Finds who added `label` to pull request `number`: on a `labeled` event for that very label, the
 * sender; otherwise (`closed`, `synchronize`, a review, …) the actor of the latest `labeled` event for it
 * in `GET /repos/{owner}/{repo}/issues/{number}/events`, read page by page. The sender of such an event
 * merged or pushed; they did not choose the strategy. Anything unreadable refuses (fails closed).
 */
export async function findLabelAdder(
  client: IssueEventsClient,
  options: { owner: string; repo: string; number: number; label: string; event: LabelEventFacts },
): Promise<LabelAdder> {
  const { event, label } = options;
  const shown = displayUntrusted(label);
  if (event.action === 'labeled' && event.addedLabel !== null && sameLabel(event.addedLabel, label)) {
    if (!event.sender)
      throw new SelectionError(
        `The labeled event for '${shown}' has no sender, so whoever added the label cannot be checked; refusing to deploy.`,
      );
    return { login: event.sender, source: 'event' };
  }
  let adder: string | null = null;
  let found = false;
  for (let page = 1; ; page++) {
    if (page > MAX_PAGES) {
      throw new SelectionError(
        `Pull request #${options.number} has more than ${MAX_PAGES * PER_PAGE} issue events; shiftgate cannot tell who ` +
          `added '${shown}' and refuses to deploy. Remove and re-add the label, or run the workflow by hand.`,
      );
    }
    let data: unknown;
    try {
      ({ data } = await client.request('GET /repos/{owner}/{repo}/issues/{issue_number}/events', {
        owner: options.owner,
        repo: options.repo,
        issue_number: options.number,
        per_page: PER_PAGE,
        page,
      }));
    } catch (error) {
      const status = (error as { status?: number }).status;
      throw new Error(
        `Reading who added '${shown}' to pull request #${options.number} (GET /repos/${options.owner}/${options.repo}/issues/${options.number}/events) failed: ` +
          `${errorMessage(error)}. shiftgate refuses to deploy when it cannot tell who chose the strategy` +
          (status === 403 || status === 404 ? ". Give the token 'issues: read'." : '.'),
      );
    }
    if (!Array.isArray(data)) {
      throw new Error(
        `Reading who added '${shown}' to pull request #${options.number} failed: the issue events are not a list. shiftgate refuses to deploy when it cannot tell who chose the strategy.`,
      );
    }
    // Events come oldest first; the last `labeled` event for the label is the one that put it there now.
    for (const item of data) {
      const record = item as {
        event?: unknown;
        label?: { name?: unknown };
        actor?: { login?: unknown } | null;
      };
      if (record.event !== 'labeled' || typeof record.label?.name !== 'string') continue;
      if (!sameLabel(record.label.name, label)) continue;
      found = true;
      adder = typeof record.actor?.login === 'string' ? record.actor.login : null;
    }
    if (data.length < PER_PAGE) break;
  }
  if (!found) {
    throw new SelectionError(
      `Pull request #${options.number} has the label '${shown}', but its issue events show no one adding it; ` +
        'shiftgate cannot tell who chose the strategy and refuses to deploy. Remove and re-add the label, or run the workflow by hand.',
    );
  }
  if (adder === null) {
    throw new SelectionError(
      `The label '${shown}' on pull request #${options.number} was added by a deleted account; shiftgate cannot check ` +
        'its permission and refuses to deploy. Remove and re-add the label, or run the workflow by hand.',
    );
  }
  return { login: adder, source: 'history' };
}

// GitHub label names are unique without regard to case.
const sameLabel = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
