// A loopback fake of the Prometheus HTTP API's range query, for the source's error paths, SigV4, the
// fault rows and the e2e runs on machines without the prometheus binary. It answers the default
// templates from a steady model (or a regression), and injects faults: an HTTP status with a body, a
// hang, a reset connection.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  params: URLSearchParams;
}

/** A fault for the next `times` range queries (whose query matches `match`, when given). */
export type PrometheusFault = { times: number; match?: RegExp } & (
  { kind: 'status'; status: number; body: string } | { kind: 'hang' } | { kind: 'reset' }
);

/** Per minute of one side: what the default templates read. */
export interface SideMinute {
  requests: number;
  errors: number;
  /** Cumulative requests per bucket bound (seconds), the last `+Inf`. */
  buckets: [string, number][];
  healthy: number;
  unhealthy: number;
}

/** A healthy side: 1% of requests between 100 and 250 ms, the rest under 100 ms, no errors. */
export function steady(requests: number): SideMinute {
  return {
    requests,
    errors: 0,
    buckets: [
      ['0.1', requests * 0.99],
      ['0.25', requests],
      ['0.5', requests],
      ['+Inf', requests],
    ],
    healthy: 4,
    unhealthy: 0,
  };
}

const JOB = /job="([^"]*)"/;

/** The fake. `sides` maps a `job` name to its minutes (by evaluation time, ms); unknown jobs have no series. */
export class FakePrometheus {
  readonly requests: SeenRequest[] = [];
  readonly faults: PrometheusFault[] = [];
  sides = new Map<string, (at: number) => SideMinute | null>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakePrometheus> {
    let fake: FakePrometheus | null = null;
    const server = createServer((req, res) => void fake!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakePrometheus(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const params = new URLSearchParams(req.method === 'POST' ? body : url.search);
    this.requests.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, body, params });
    const query = params.get('query') ?? '';
    const fault = this.faults.find((f) => f.times > 0 && (!f.match || f.match.test(query)));
    if (fault) {
      fault.times--;
      if (fault.kind === 'hang') return; // never answered: only the client's time limit ends the wait
      if (fault.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(fault.status, { 'content-type': 'application/json' }).end(fault.body);
      return;
    }
    if (url.pathname !== '/api/v1/query_range') {
      res.writeHead(404).end('not found');
      return;
    }
    const start = Number(params.get('start')) * 1000;
    const end = Number(params.get('end')) * 1000;
    const step = Number((params.get('step') ?? '60s').replace(/s$/, '')) * 1000;
    const side = this.sides.get(JOB.exec(query)?.[1] ?? '');
    const times: number[] = [];
    for (let t = start; t <= end; t += step) times.push(t);
    const result: { metric: Record<string, string>; values: [number, string][] }[] = [];
    const series = (metric: Record<string, string>, value: (m: SideMinute) => number) => {
      const values: [number, string][] = [];
      for (const t of times) {
        const m = side?.(t);
        if (m) values.push([t / 1000, String(value(m))]);
      }
      if (values.length > 0) result.push({ metric, values });
    };
    if (side) {
      if (query.includes('_bucket'))
        for (const [i, [le]] of (side(times[0] ?? start)?.buckets ?? []).entries())
          series({ le }, (m) => m.buckets[i]![1]);
      else if (query.includes('code=~"5..')) series({}, (m) => m.errors);
      else if (query.includes('http_requests_total')) series({}, (m) => m.requests);
      else if (query.includes('1 - min_over_time(up')) series({}, (m) => m.unhealthy);
      else if (query.includes('min_over_time(up')) series({}, (m) => m.healthy);
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
  }
}
