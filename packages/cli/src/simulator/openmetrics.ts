// The simulator's traffic as Prometheus would have scraped it, in OpenMetrics text: what
// `promtool tsdb create-blocks-from openmetrics` loads for the real-Prometheus tests and benches.
// Names match the Prometheus source's default templates (RED metrics selected by `job`, and `up`).
import { countAbove, TrafficModel, type Scenario } from './model';

/** The latency histogram's bucket bounds, seconds (the Prometheus client libraries' defaults). */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** One simulated service: a canary and a baseline job over the same minutes. */
export interface OpenMetricsService {
  seed: number;
  scenario: Scenario;
  /** The minute (from `start`) a regression begins. */
  at?: number;
  /** The canary's share of traffic, percent. */
  share: number;
  /** Requests per minute to the whole service. */
  rpm?: number;
  /** The `job` label values. */
  canary: string;
  baseline: string;
}

/** What to write. */
export interface OpenMetricsOptions {
  /** The first minute (epoch ms, a whole minute). */
  start: number;
  minutes: number;
  services: readonly OpenMetricsService[];
  /** Scrape interval, ms; a divisor of a minute. Default 15 s. */
  scrape?: number;
  buckets?: readonly number[];
}

const MIN = 60_000;

/**
 * The services' counters, histograms and `up` gauges over `minutes` from `start`, in OpenMetrics text
 * (ending with `# EOF`). Each minute's requests are spread evenly over its scrapes, so `increase(x[1m])`
 * at the end of a minute is that minute's count; the same seed always writes the same text.
 */
export function simulatorOpenMetrics(options: OpenMetricsOptions): string {
  const scrape = options.scrape ?? 15_000;
  if (options.start % MIN !== 0 || MIN % scrape !== 0) throw new Error('start must be a whole minute');
  const perMinute = MIN / scrape;
  const bounds = options.buckets ?? DEFAULT_BUCKETS;
  const times = Array.from({ length: options.minutes * perMinute + 1 }, (_, j) => options.start + j * scrape);
  const requests: string[] = ['# TYPE http_requests counter'];
  const histogram: string[] = ['# TYPE http_request_duration_seconds histogram'];
  const up: string[] = ['# TYPE up gauge'];
  const ts = (t: number) => (t / 1000).toFixed(3);
  const num = (v: number) => String(Math.round(v * 1000) / 1000);
  for (const service of options.services) {
    const model = new TrafficModel({
      seed: service.seed,
      start: options.start,
      scenario: service.scenario,
      ...(service.at !== undefined ? { at: service.at } : {}),
      ...(service.rpm !== undefined ? { rpm: service.rpm } : {}),
    });
    model.setShare(options.start, service.share);
    for (const side of ['canary', 'baseline'] as const) {
      const job = side === 'canary' ? service.canary : service.baseline;
      const minutes = Array.from({ length: options.minutes }, (_, m) => {
        const minute = model.minute(side, options.start + m * MIN);
        const n = minute.requests ?? 0;
        const lat = minute.latencies ?? new Float64Array();
        return {
          ok: n - (minute.errors ?? 0),
          errors: minute.errors ?? 0,
          buckets: bounds.map((le) => n - countAbove(lat, le * 1000)),
          count: n,
          sum: lat.reduce((a, b) => a + b, 0) / 1000,
          healthy: minute.healthy,
          hosts: minute.healthy + minute.unhealthy,
        };
      });
      // Cumulative value at every scrape of a per-minute quantity: whole minutes, plus the share of this one.
      const running = (of: (m: (typeof minutes)[number]) => number) => {
        const out: number[] = [];
        let done = 0;
        for (let j = 0; j < times.length; j++) {
          const whole = Math.floor(j / perMinute);
          if (j > 0 && j % perMinute === 0) done += of(minutes[whole - 1]!);
          out.push(
            whole < minutes.length ? done + (of(minutes[whole]!) * (j % perMinute)) / perMinute : done,
          );
        }
        return out;
      };
      const labels = `job="${job}",instance="${job}:8080"`;
      for (const [code, of] of [
        ['200', (m: (typeof minutes)[number]) => m.ok],
        ['500', (m: (typeof minutes)[number]) => m.errors],
      ] as const) {
        const values = running(of);
        times.forEach((t, j) =>
          requests.push(`http_requests_total{${labels},code="${code}"} ${num(values[j]!)} ${ts(t)}`),
        );
      }
      const bucketValues = bounds.map((_, b) => running((m) => m.buckets[b]!));
      const counts = running((m) => m.count);
      const sums = running((m) => m.sum);
      times.forEach((t, j) => {
        bounds.forEach((le, b) =>
          histogram.push(
            `http_request_duration_seconds_bucket{${labels},le="${le}"} ${num(bucketValues[b]![j]!)} ${ts(t)}`,
          ),
        );
        histogram.push(
          `http_request_duration_seconds_bucket{${labels},le="+Inf"} ${num(counts[j]!)} ${ts(t)}`,
        );
        histogram.push(`http_request_duration_seconds_count{${labels}} ${num(counts[j]!)} ${ts(t)}`);
        histogram.push(`http_request_duration_seconds_sum{${labels}} ${num(sums[j]!)} ${ts(t)}`);
      });
      const hosts = minutes[0]?.hosts ?? 0;
      for (let h = 0; h < hosts; h++) {
        times.forEach((t, j) => {
          const m = minutes[Math.min(Math.floor(j / perMinute), minutes.length - 1)]!;
          up.push(`up{job="${job}",instance="${job}-${h}:8080"} ${h < m.healthy ? 1 : 0} ${ts(t)}`);
        });
      }
    }
  }
  return [...requests, ...histogram, ...up, '# EOF', ''].join('\n');
}
