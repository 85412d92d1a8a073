// The one log writer of the actions. Untrusted text (inputs, labels, AWS and GitHub messages) reaches
// the runner's log only through it: a line that starts with `::` is a workflow command to the runner
// (https://docs.github.com/actions/reference/workflow-commands-for-github-actions), `##[` is the older
// form, and control characters can rewrite what a reader sees (ANSI escapes, bidi overrides).
import * as core from '@actions/core';
import { errorMessage, type Logger } from '@shiftgate/core';

/** C0 (but tab and newline), DEL, C1, and the bidi embedding, override and isolate controls. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `\x1b`, `\u202e`: what a control character looks like once neutralised, so a reader still sees it. */
function visible(c: string): string {
  const code = c.codePointAt(0)!;
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes text safe to write to the runner's log: every line keeps its words, but none can be read as a
 * workflow command (a leading `::`, after any whitespace the runner trims, becomes `: :`; `##[` becomes
 * `## [`), and control characters are shown escaped (`\x1b`) instead of acting.
 */
export function safeLogText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, visible)
    .split('\n')
    .map((line) => line.replace(/^(\s*):(?=:)/, '$1: ').replace(/##\[/g, '## ['))
    .join('\n');
}

/** The log channels of the actions (STYLE 9), every message through {@link safeLogText}. */
export const log = {
  /** Progress a reader may follow. */
  info: (message: string): void => core.info(safeLogText(message)),
  /** An outcome. */
  notice: (message: string): void => core.notice(safeLogText(message)),
  /** Something ignored or worrying that does not fail the step. */
  warning: (message: string): void => core.warning(safeLogText(message)),
  /** Payloads, shown only with step debug logging. */
  debug: (message: string): void => core.debug(safeLogText(message)),
  /** A folded group of lines around `fn`, titled `name`. */
  group: <T>(name: string, fn: () => Promise<T>): Promise<T> => core.group(safeLogText(name), fn),
};

/** Core's Logger on the runner's log channels, for every action. */
export const actionsLogger: Logger = { info: log.info, warning: log.warning, debug: log.debug };

/**
 * Runs a step's body inside the one catch every step has: whatever it throws fails the step once, as
 * `<step> failed: <message>`, through the log writer. Nothing below it calls `setFailed`.
 */
export async function runStep(step: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    core.setFailed(safeLogText(`${step} failed: ${errorMessage(error)}`));
  }
}
