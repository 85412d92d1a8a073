import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseTrace, replay, traceJudgeOptions } from '@shiftgate/core';
import { parseFlags } from '../args';
import { EXIT, UsageError, type Command } from '../command';

/** `shiftgate judge --trace <file>`: replays a bake-and-gate trace through the same judge. */
export const judgeCommand: Command = {
  name: 'judge',
  summary: 'Replay a bake-and-gate trace through the health judge',
  help: `Usage: shiftgate judge --trace <file>

Replays a trace (the bake-and-gate action's trace output, or one written by hand) through the same
health judge, window by window, and prints one JSON object:

  {"decision": "promote" | "rollback" | "inconclusive",
   "decidedAtWindow": <0-based index of the window that decided, or null>,
   "checks": [{"name", "phase", "observed", "interval", "evidence", "threshold", "windows", "message"}, ...]}

decidedAtWindow is null when the verdict came before the first window (pre-flight) or when the
evidence ran out and on-inconclusive decided.

Trace format:
  {"period": "60s",
   "gates": {"max-error-rate": "1%", "max-p99-latency": "500ms", "max-latency-increase": "20%",
             "min-healthy-percent": "95%", "min-requests": 200, "bake-time": "10m", "confidence": "95%",
             "on-inconclusive": "rollback", "max-consecutive-errors": 4},
   "windows": [{"canary":   {"requests": 61,   "errors": 0, "p99": 212, "healthy": 2,  "unhealthy": 0},
                "baseline": {"requests": 1158, "errors": 3, "p99": 205, "healthy": 18, "unhealthy": 0}},
               {"error": "GetMetricData failed: Throttling"}]}
Gates not given take their defaults; a missing or null side or field is no data for that window;
bake-time counts windows × period from the first window; {"error": ...} entries are failed polls.

Options:
  --trace   the trace file (required)

Exit codes: 0 judged (whatever the decision), 2 invalid trace, file or flags.`,
  async run(argv, io) {
    const { values } = parseFlags('judge', argv, { trace: { type: 'string' } });
    if (!values.trace) throw new UsageError("missing --trace <file>. See 'shiftgate judge --help'.");
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, values.trace), 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot read --trace ${values.trace}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    const trace = parseTrace(text, values.trace);
    const judgement = replay(trace.gates, trace.windows, traceJudgeOptions(trace));
    io.stdout(
      `${JSON.stringify({ decision: judgement.decision, decidedAtWindow: judgement.decidedAtWindow, checks: judgement.checks }, null, 2)}\n`,
    );
    return EXIT.ok;
  },
};
