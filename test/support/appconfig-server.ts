// A loopback AWS AppConfig endpoint speaking its REST-JSON protocol, so the real @aws-sdk/client-appconfig
// serializes, signs, retries and parses for real. It keeps applications, environments, profiles, hosted
// versions and deployments in memory; deployments deploy, bake and complete by the number of times they
// are read. Hooks play throttling, 5xx answers and lost responses.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface AppConfigRequest {
  index: number;
  /** The AppConfig operation, e.g. `StartDeployment`. */
  operation: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The service the request was signed for (appconfig). */
  service: string | null;
  userAgent: string;
  status: number | 'dropped';
}

/** What a hook can make of a request: an error answer, or a cut connection before or after handling. */
export type AppConfigFault =
  | { error: { code: string; message: string; status: number } }
  | { drop: 'before' | 'after' }
  /** Never answer (the client's request timeout must end the wait); the connection is cut after `ms`. */
  | { hangMs: number };

export type AppConfigHook = (request: AppConfigRequest) => AppConfigFault | void;

interface Deployment {
  DeploymentNumber: number;
  ConfigurationProfileId: string;
  ConfigurationName: string;
  ConfigurationVersion: string;
  DeploymentStrategyId: string;
  State: string;
  reads: number;
  /** AppConfig (its alarm) rolls it back at this read, if set. */
  rollBackAt: number | null;
  before: string | null;
}

const ROUTES: [string, RegExp, string][] = [
  ['GET', /^\/applications$/, 'ListApplications'],
  ['GET', /^\/applications\/[^/]+\/environments$/, 'ListEnvironments'],
  ['GET', /^\/applications\/[^/]+\/configurationprofiles$/, 'ListConfigurationProfiles'],
  ['GET', /^\/applications\/[^/]+\/configurationprofiles\/[^/]+$/, 'GetConfigurationProfile'],
  [
    'GET',
    /^\/applications\/[^/]+\/configurationprofiles\/[^/]+\/hostedconfigurationversions$/,
    'ListHostedConfigurationVersions',
  ],
  [
    'GET',
    /^\/applications\/[^/]+\/configurationprofiles\/[^/]+\/hostedconfigurationversions\/\d+$/,
    'GetHostedConfigurationVersion',
  ],
  [
    'POST',
    /^\/applications\/[^/]+\/configurationprofiles\/[^/]+\/hostedconfigurationversions$/,
    'CreateHostedConfigurationVersion',
  ],
  ['GET', /^\/deploymentstrategies$/, 'ListDeploymentStrategies'],
  ['GET', /^\/applications\/[^/]+\/environments\/[^/]+\/deployments$/, 'ListDeployments'],
  ['POST', /^\/applications\/[^/]+\/environments\/[^/]+\/deployments$/, 'StartDeployment'],
  ['GET', /^\/applications\/[^/]+\/environments\/[^/]+\/deployments\/\d+$/, 'GetDeployment'],
  ['DELETE', /^\/applications\/[^/]+\/environments\/[^/]+\/deployments\/\d+$/, 'StopDeployment'],
];

class Answer extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The loopback AppConfig endpoint. Start with {@link AppConfigServer.start}; point clients at {@link url}. */
export class AppConfigServer {
  readonly requests: AppConfigRequest[] = [];
  hooks: AppConfigHook[] = [];
  readonly applications: { Id: string; Name: string }[] = [];
  readonly environments: { Id: string; Name: string; ApplicationId: string }[] = [];
  readonly profiles: {
    Id: string;
    Name: string;
    ApplicationId: string;
    LocationUri: string;
    Type: string;
  }[] = [];
  /** Hosted versions per profile id: content of version n at index n - 1. */
  readonly versions = new Map<string, string[]>();
  readonly deployments: Deployment[] = [];
  /** Reads of GetDeployment a deployment stays DEPLOYING, then BAKING, before COMPLETE. */
  deployingReads = 1;
  bakingReads = 1;
  /** AppConfig rolls back the n-th deployment (1-based) on its first read while baking. */
  rollBack = new Set<number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<AppConfigServer> {
    let instance: AppConfigServer | null = null;
    const server = createServer((req, res) => void instance!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new AppConfigServer(server, `http://127.0.0.1:${port}`);
    return instance;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** An application with one environment and one hosted feature-flag profile holding `content` as version 1. */
  seed(content: string, type = 'AWS.AppConfig.FeatureFlags'): void {
    this.requests.length = 0;
    this.hooks = [];
    this.applications.splice(0, Infinity, { Id: 'app1abc', Name: 'shop' });
    this.environments.splice(0, Infinity, { Id: 'env2def', Name: 'prod', ApplicationId: 'app1abc' });
    this.profiles.splice(0, Infinity, {
      Id: 'prf3ghi',
      Name: 'flags',
      ApplicationId: 'app1abc',
      LocationUri: 'hosted',
      Type: type,
    });
    this.versions.clear();
    this.versions.set('prf3ghi', [content]);
    this.deployments.length = 0;
    this.deployingReads = 1;
    this.bakingReads = 1;
    this.rollBack.clear();
  }

  /** The requests of one operation. */
  calls(operation: string): AppConfigRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** The version live in the environment (the last complete, or the one a rollback returned to). */
  live(): string | null {
    let live: string | null = null;
    for (const d of this.deployments) {
      if (d.State === 'COMPLETE' || d.State === 'DEPLOYING' || d.State === 'BAKING')
        live = d.ConfigurationVersion;
      else if (d.State === 'ROLLED_BACK') live = d.before;
    }
    return live;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      req.on('end', () => resolve(data));
    });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const route = ROUTES.find(([m, re]) => m === method && re.test(url.pathname));
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    );
    const request: AppConfigRequest = {
      index: this.requests.length + 1,
      operation: route?.[2] ?? 'Unknown',
      method,
      path: url.pathname,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body,
      service: scope?.[2] ?? null,
      userAgent: [req.headers['user-agent'], req.headers['x-amz-user-agent']].filter(Boolean).join(' '),
      status: 200,
    };
    this.requests.push(request);
    let fault: AppConfigFault | void = undefined;
    for (const hook of [...this.hooks]) {
      fault = hook(request);
      if (fault) break;
    }
    if (fault && 'hangMs' in fault) {
      request.status = 'dropped';
      setTimeout(() => req.socket.destroy(), fault.hangMs).unref();
      return;
    }
    if (fault && 'drop' in fault && fault.drop === 'before') return this.drop(request, req);
    if (fault && 'error' in fault)
      return this.error(request, res, new Answer(fault.error.code, fault.error.message, fault.error.status));
    let answer: { status: number; json?: unknown; raw?: string; headers?: Record<string, string> };
    try {
      answer = this.dispatch(request, url);
    } catch (error) {
      if (error instanceof Answer) return this.error(request, res, error);
      throw error;
    }
    if (fault && 'drop' in fault && fault.drop === 'after') return this.drop(request, req);
    request.status = answer.status;
    res.writeHead(answer.status, {
      'content-type': answer.raw !== undefined ? 'application/json' : 'application/json',
      'x-amzn-requestid': randomUUID(),
      ...(answer.headers ?? {}),
    });
    res.end(answer.raw ?? JSON.stringify(answer.json ?? {}));
  }

  private drop(request: AppConfigRequest, req: IncomingMessage): void {
    request.status = 'dropped';
    req.socket.destroy();
  }

  private error(request: AppConfigRequest, res: ServerResponse, answer: Answer): void {
    request.status = answer.status;
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      'x-amzn-errortype': answer.code,
      'x-amzn-requestid': randomUUID(),
    });
    res.end(JSON.stringify({ Message: answer.message }));
  }

  private dispatch(
    request: AppConfigRequest,
    url: URL,
  ): { status: number; json?: unknown; raw?: string; headers?: Record<string, string> } {
    const parts = url.pathname.split('/').filter(Boolean);
    const app = parts[1];
    const needApp = () => {
      if (!this.applications.some((a) => a.Id === app))
        throw new Answer('ResourceNotFoundException', `Application ${app} not found`, 404);
    };
    switch (request.operation) {
      case 'ListApplications':
        return { status: 200, json: { Items: this.applications } };
      case 'ListEnvironments':
        needApp();
        return { status: 200, json: { Items: this.environments.filter((e) => e.ApplicationId === app) } };
      case 'ListConfigurationProfiles':
        needApp();
        return { status: 200, json: { Items: this.profiles.filter((p) => p.ApplicationId === app) } };
      case 'GetConfigurationProfile': {
        const p = this.profiles.find((x) => x.Id === parts[3]);
        if (!p) throw new Answer('ResourceNotFoundException', `Profile ${parts[3]} not found`, 404);
        return { status: 200, json: p };
      }
      case 'ListHostedConfigurationVersions': {
        const versions = this.versions.get(parts[3]!) ?? [];
        const items = versions
          .map((_, i) => ({
            VersionNumber: i + 1,
            ConfigurationProfileId: parts[3],
            ApplicationId: app,
            ContentType: 'application/json',
          }))
          .reverse();
        return {
          status: 200,
          json: { Items: items.slice(0, Number(url.searchParams.get('max_results') ?? 50)) },
        };
      }
      case 'GetHostedConfigurationVersion': {
        const n = Number(parts[5]);
        const content = this.versions.get(parts[3]!)?.[n - 1];
        if (content === undefined)
          throw new Answer('ResourceNotFoundException', `Version ${n} not found`, 404);
        return {
          status: 200,
          raw: content,
          headers: {
            'version-number': String(n),
            'application-id': app!,
            'configuration-profile-id': parts[3]!,
          },
        };
      }
      case 'CreateHostedConfigurationVersion': {
        if (request.headers['content-type'] !== 'application/json')
          throw new Answer(
            'BadRequestException',
            `Content-Type ${request.headers['content-type']} is not application/json`,
          );
        const list = this.versions.get(parts[3]!);
        if (!list) throw new Answer('ResourceNotFoundException', `Profile ${parts[3]} not found`, 404);
        JSON.parse(request.body);
        list.push(request.body);
        return {
          status: 201,
          raw: request.body,
          headers: {
            'version-number': String(list.length),
            'application-id': app!,
            'configuration-profile-id': parts[3]!,
          },
        };
      }
      case 'ListDeploymentStrategies':
        return { status: 200, json: { Items: [{ Id: 'abc1234', Name: 'Steady' }] } };
      case 'ListDeployments':
        return { status: 200, json: { Items: [...this.deployments].reverse().map((d) => this.summary(d)) } };
      case 'StartDeployment': {
        const input = JSON.parse(request.body) as Record<string, string>;
        if (
          this.deployments.some((d) =>
            ['DEPLOYING', 'BAKING', 'VALIDATING', 'ROLLING_BACK'].includes(d.State),
          )
        )
          throw new Answer('ConflictException', 'A deployment is in progress in this environment', 409);
        const profile = this.profiles.find((p) => p.Id === input.ConfigurationProfileId);
        if (!profile) throw new Answer('ResourceNotFoundException', 'Profile not found', 404);
        if (!this.versions.get(profile.Id)?.[Number(input.ConfigurationVersion) - 1])
          throw new Answer('BadRequestException', `Version ${input.ConfigurationVersion} does not exist`);
        const d: Deployment = {
          DeploymentNumber: this.deployments.length + 1,
          ConfigurationProfileId: profile.Id,
          ConfigurationName: profile.Name,
          ConfigurationVersion: input.ConfigurationVersion!,
          DeploymentStrategyId: input.DeploymentStrategyId!,
          State: 'DEPLOYING',
          reads: 0,
          rollBackAt: null,
          before: this.live(),
        };
        if (this.rollBack.has(d.DeploymentNumber)) d.rollBackAt = this.deployingReads + 1;
        this.deployments.push(d);
        return { status: 201, json: this.summary(d) };
      }
      case 'GetDeployment': {
        const d = this.find(Number(parts[5]));
        d.reads++;
        if (d.State === 'DEPLOYING' || d.State === 'BAKING') {
          if (d.rollBackAt !== null && d.reads >= d.rollBackAt) d.State = 'ROLLED_BACK';
          else if (d.reads > this.deployingReads + this.bakingReads) d.State = 'COMPLETE';
          else if (d.reads > this.deployingReads) d.State = 'BAKING';
        } else if (d.State === 'ROLLING_BACK') d.State = 'ROLLED_BACK';
        return { status: 200, json: this.summary(d) };
      }
      case 'StopDeployment': {
        const d = this.find(Number(parts[5]));
        if (!['DEPLOYING', 'BAKING', 'VALIDATING'].includes(d.State))
          throw new Answer(
            'BadRequestException',
            `Deployment ${d.DeploymentNumber} is ${d.State} and cannot be stopped`,
          );
        d.State = 'ROLLING_BACK';
        return { status: 202, json: this.summary(d) };
      }
      default:
        throw new Answer('UnknownOperationException', `${request.method} ${url.pathname}`, 404);
    }
  }

  private find(n: number): Deployment {
    const d = this.deployments.find((x) => x.DeploymentNumber === n);
    if (!d) throw new Answer('ResourceNotFoundException', `Deployment ${n} not found`, 404);
    return d;
  }

  private summary(d: Deployment) {
    return {
      ApplicationId: 'app1abc',
      EnvironmentId: 'env2def',
      DeploymentNumber: d.DeploymentNumber,
      ConfigurationProfileId: d.ConfigurationProfileId,
      ConfigurationName: d.ConfigurationName,
      ConfigurationVersion: d.ConfigurationVersion,
      DeploymentStrategyId: d.DeploymentStrategyId,
      State: d.State,
    };
  }
}
