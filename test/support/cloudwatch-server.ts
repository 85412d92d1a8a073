// A CloudWatch fake on 127.0.0.1 that speaks the protocol the installed @aws-sdk/client-cloudwatch uses:
// AWS JSON 1.0 (POST /, `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, timestamps as epoch
// seconds) with query-compatible errors (`x-amzn-query-error: <Code>;<Sender|Receiver>`). It serves
// GetMetricData (with per-query status codes and NextToken pagination) and DescribeAlarms, records
// every request, and injects faults, so the SDK's serialization, signing and retries run for real.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';

/** One query of a GetMetricData request, as the fake hands it to the data provider. */
export interface FakeQuery {
  id: string;
  label?: string;
  /** Set for a metric stat. */
  metric?: { namespace: string; name: string; dimensions: Record<string, string>; stat: string };
  /** Set for a math expression. */
  expression?: string;
  /** Seconds. */
  period: number;
  returnData: boolean;
}

/** Gives the value of a query at a period start (epoch ms); `null`/`undefined` = no datapoint. */
export type MetricProvider = (query: FakeQuery, timestamp: number) => number | null | undefined;

/** An injected failure. `operation` limits it to one operation; `times` repeats it (default once). */
export type Fault = {
  operation?: 'GetMetricData' | 'DescribeAlarms' | 'PutMetricData';
  times?: number;
} & (
  | { kind: 'error'; status: number; code: string; message?: string; fault?: 'Sender' | 'Receiver' }
  | { kind: 'reset' }
  | { kind: 'garbage' }
  /** Wait this long, then answer normally (a slow or hung endpoint, for request timeouts). */
  | { kind: 'delay'; ms: number }
);

/** A request as the fake received it. */
export interface RecordedRequest {
  operation: string;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The loopback CloudWatch. Start with {@link CloudWatchServer.start}; `close()` when done. */
export class CloudWatchServer {
  /** Every request, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Metric values; by default nothing has data. */
  metrics: MetricProvider = () => undefined;
  /** Metric alarms by name. */
  readonly alarms = new Map<string, AlarmStateValue>();
  /** Composite alarms by name. */
  readonly compositeAlarms = new Map<string, AlarmStateValue>();
  /** Status codes to report for query ids (default Complete); their values are still sent. */
  readonly statusCodes = new Map<string, 'PartialData' | 'Forbidden' | 'InternalError'>();
  /** At most this many datapoints per query per page; more are paginated with NextToken. */
  pageSize: number | null = null;
  /** Faults, consumed in order by the requests they match. */
  readonly faults: Fault[] = [];

  private constructor(
    private readonly server: Server,
    /** The endpoint, for AWS_ENDPOINT_URL or a client's `endpoint`. */
    readonly url: string,
  ) {}

  /** Starts the fake on an ephemeral loopback port. */
  static async start(): Promise<CloudWatchServer> {
    const ref: { current?: CloudWatchServer } = {};
    const server = createServer((req, res) => {
      void ref.current!.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ref.current = new CloudWatchServer(server, `http://127.0.0.1:${port}`);
    return ref.current;
  }

  /** Requests of one operation. */
  calls(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return this.error(res, 400, 'SerializationException', 'body is not JSON', 'Sender');
    }
    this.requests.push({ operation, body, headers: req.headers });

    if (
      req.method !== 'POST' ||
      !String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.0')
    ) {
      return this.error(
        res,
        400,
        'UnknownOperationException',
        'expected POST with application/x-amz-json-1.0',
        'Sender',
      );
    }
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return this.error(res, 403, 'MissingAuthenticationToken', 'request is not signed', 'Sender');
    }
    const fault = this.takeFault(operation);
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    else if (fault) {
      if (fault.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('<html>not json');
        return;
      }
      return this.error(res, fault.status, fault.code, fault.message ?? fault.code, fault.fault ?? 'Sender');
    }
    switch (operation) {
      case 'GetMetricData':
        return this.json(res, this.getMetricData(body));
      case 'DescribeAlarms':
        return this.json(res, this.describeAlarms(body));
      case 'PutMetricData':
        // Accepted and dropped: tests read what was sent from `requests`.
        return this.json(res, {});
      default:
        return this.error(res, 400, 'InvalidAction', `operation ${operation} is not faked`, 'Sender');
    }
  }

  private takeFault(operation: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.operation === undefined || f.operation === operation);
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    if ((fault.times ?? 1) <= 1) this.faults.splice(index, 1);
    else fault.times = (fault.times ?? 1) - 1;
    return fault;
  }

  private getMetricData(body: Record<string, unknown>): unknown {
    const start = toMs(body.StartTime);
    const end = toMs(body.EndTime);
    const offset =
      typeof body.NextToken === 'string' ? Number(Buffer.from(body.NextToken, 'base64').toString()) : 0;
    const raw = (body.MetricDataQueries ?? []) as Array<Record<string, unknown>>;
    let more = false;
    const results = raw
      .map(toFakeQuery)
      .filter((q) => q.returnData)
      .map((q) => {
        const points: Array<[number, number]> = [];
        for (let t = start; t + q.period * 1000 <= end; t += q.period * 1000) {
          const value = this.metrics(q, t);
          if (value !== null && value !== undefined) points.push([t, value]);
        }
        if (body.ScanBy === 'TimestampDescending') points.reverse();
        const page =
          this.pageSize === null ? points.slice(offset) : points.slice(offset, offset + this.pageSize);
        const partial = this.pageSize !== null && offset + this.pageSize < points.length;
        if (partial) more = true;
        return {
          Id: q.id,
          Label: q.label ?? q.id,
          Timestamps: page.map(([t]) => t / 1000),
          Values: page.map(([, v]) => v),
          StatusCode: this.statusCodes.get(q.id) ?? (partial ? 'PartialData' : 'Complete'),
        };
      });
    return {
      MetricDataResults: results,
      Messages: [],
      ...(more ? { NextToken: Buffer.from(String(offset + this.pageSize!)).toString('base64') } : {}),
    };
  }

  private describeAlarms(body: Record<string, unknown>): unknown {
    const names = (body.AlarmNames ?? []) as string[];
    const types = (body.AlarmTypes ?? ['MetricAlarm']) as string[];
    const pick = (map: Map<string, AlarmStateValue>) =>
      [...map]
        .filter(([name]) => names.length === 0 || names.includes(name))
        .map(([AlarmName, StateValue]) => ({
          AlarmName,
          AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${AlarmName}`,
          StateValue,
          StateReason: `fake state ${StateValue}`,
        }));
    return {
      MetricAlarms: types.includes('MetricAlarm') ? pick(this.alarms) : [],
      CompositeAlarms: types.includes('CompositeAlarm') ? pick(this.compositeAlarms) : [],
    };
  }

  private json(res: ServerResponse, payload: unknown): void {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fake-request' });
    res.end(JSON.stringify(payload));
  }

  private error(
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    fault: 'Sender' | 'Receiver',
  ): void {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': 'fake-request',
      'x-amzn-query-error': `${code};${fault}`,
    });
    res.end(JSON.stringify({ __type: `com.amazonaws.cloudwatch#${code}`, message }));
  }
}

function toMs(value: unknown): number {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string')
    return /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  throw new Error(`unexpected timestamp ${JSON.stringify(value)}`);
}

function toFakeQuery(raw: Record<string, unknown>): FakeQuery {
  const stat = raw.MetricStat as
    | {
        Metric: {
          Namespace: string;
          MetricName: string;
          Dimensions?: Array<{ Name: string; Value: string }>;
        };
        Period: number;
        Stat: string;
      }
    | undefined;
  return {
    id: String(raw.Id),
    ...(typeof raw.Label === 'string' ? { label: raw.Label } : {}),
    ...(stat
      ? {
          metric: {
            namespace: stat.Metric.Namespace,
            name: stat.Metric.MetricName,
            dimensions: Object.fromEntries((stat.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value])),
            stat: stat.Stat,
          },
        }
      : { expression: String(raw.Expression) }),
    period: stat ? stat.Period : Number(raw.Period ?? 60),
    returnData: raw.ReturnData !== false,
  };
}

/** Per-minute ALB statistics of one target group, as a test scenario writes them. */
export interface AlbMinute {
  requests?: number | null;
  errors?: number | null;
  /** Milliseconds. */
  p99?: number | null;
  /** Requests slower than the threshold the `PR(:T)` query asked about (the series gets T in ms). */
  slow?: number | null;
  healthy?: number | null;
  unhealthy?: number | null;
}

/** `PR(:T)` or `PR(0:T)` with T in seconds: the percentile rank statistic, T in milliseconds. */
const PERCENT_RANK = /^PR\((?:0)?:(\d+(?:\.\d+)?)\)$/;

/**
 * A provider for ALB metrics: `byTargetGroup` maps a `TargetGroup` dimension (`targetgroup/<name>/<id>`)
 * to a function of the period start (and, for a `PR(:T)` query, of T in milliseconds). `errors: 0` is
 * omitted, as ALB omits it. `PR(:T)` answers `100 × (1 − slow/requests)`, the percentage at most T.
 */
export function albMetrics(
  byTargetGroup: Record<string, (timestamp: number, slowThreshold?: number) => AlbMinute>,
  custom?: MetricProvider,
): MetricProvider {
  return (query, timestamp) => {
    if (!query.metric || query.metric.namespace !== 'AWS/ApplicationELB') return custom?.(query, timestamp);
    const series = byTargetGroup[query.metric.dimensions.TargetGroup ?? ''];
    if (!series) return undefined;
    const rank = PERCENT_RANK.exec(query.metric.stat);
    if (query.metric.name === 'TargetResponseTime' && rank) {
      const minute = series(timestamp, Math.round(Number(rank[1]) * 1e6) / 1e3);
      if (typeof minute.slow !== 'number' || !minute.requests) return undefined;
      return 100 * (1 - minute.slow / minute.requests);
    }
    if (query.metric.name === 'TargetResponseTime' && query.metric.stat !== 'p99') return undefined;
    const minute = series(timestamp);
    switch (query.metric.name) {
      case 'RequestCount':
        return minute.requests;
      case 'HTTPCode_Target_5XX_Count':
        return minute.errors === 0 ? undefined : minute.errors;
      case 'TargetResponseTime':
        return minute.p99 === null || minute.p99 === undefined ? minute.p99 : minute.p99 / 1000;
      case 'HealthyHostCount':
        return minute.healthy;
      case 'UnHealthyHostCount':
        return minute.unhealthy;
      default:
        return undefined;
    }
  };
}
