// A loopback Elastic Load Balancing v2 endpoint that speaks the wire protocol the real SDK client speaks
// (awsQuery: form-encoded POST, version 2015-12-01, XML answers and XML errors), holding listeners and
// rules in memory. Tests point a real ElasticLoadBalancingV2Client (or a bundled action, through
// AWS_ENDPOINT_URL) at it, so request serialization, response parsing, error mapping and the SDK's
// retries all run for real. Fault hooks play throttling storms, 5xx answers, lost responses and other
// people changing the weights.
//
// Behaviour copied from ELBv2 where shiftgate depends on it:
// - Modify* replaces the whole action list; Describe* answers what was stored.
// - A forward action given as TargetGroupArn is described with both TargetGroupArn and a ForwardConfig
//   of that one target group at weight 1; a single-target-group ForwardConfig is described with its
//   TargetGroupArn too; TargetGroupStickinessConfig defaults to { Enabled: false }.
// - authenticate-oidc: the client secret is never described; a Modify must send either ClientSecret or
//   UseExistingClientSecret=true, never both (the error text is ELBv2's).
// - A target group serves one load balancer (TargetGroupAssociationLimit), weights are 0–999, an action
//   holds at most 5 target groups. ELBv2's error code for a sixth target group is not documented for
//   Modify*; this server answers TooManyTargetGroups.
// - Rules: DescribeRules by ListenerArn answers the listener's rules with its default rule (IsDefault,
//   Priority "default"), paged by PageSize/Marker; CreateRule refuses a priority in use
//   (PriorityInUse) and a 101st rule (TooManyRules); DeleteRule of a missing rule is RuleNotFound;
//   DescribeTags answers the tags given at CreateRule (none for rules added as fixtures).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const ELBV2_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** An action as the API shapes it (Type, Order, ForwardConfig, AuthenticateOidcConfig, …). */
export type WireAction = { [key: string]: Json };

export interface ListenerRecord {
  ListenerArn: string;
  LoadBalancerArn: string;
  Port: number;
  Protocol: string;
  DefaultActions: WireAction[];
}

export interface RuleRecord {
  RuleArn: string;
  ListenerArn: string;
  Priority: string;
  IsDefault: boolean;
  Conditions: Json[];
  Actions: WireAction[];
}

/** One request as the server saw it. */
export interface Elbv2Request {
  /** 1-based over every request. */
  index: number;
  action: string;
  params: Record<string, string>;
  /** The SigV4 credential scope's region and service, from the Authorization header. */
  region: string | null;
  service: string | null;
  userAgent: string;
  /** The HTTP status answered, or `dropped` when the connection was cut. */
  status: number | 'dropped';
  /** The error code answered, when there was one. */
  error?: string;
}

/** An error answer in ELBv2's XML shape. */
export interface ErrorAnswer {
  code: string;
  message: string;
  /** HTTP status; 400 unless given. */
  status?: number;
  type?: 'Sender' | 'Receiver';
}

/** What a hook can make of a request. */
export type Fault =
  /** Answer this error instead of handling the request. */
  | { error: ErrorAnswer }
  /** Cut the connection: `before` handling (nothing applied) or `after` it (applied, answer lost). */
  | { drop: 'before' | 'after' }
  /** Wait, then handle normally; or, with `drop: 'before'`, cut the connection unhandled (a hung request). */
  | { delayMs: number; drop?: 'before' };

/** Sees every request before it is handled; returns a fault or nothing. */
export type Hook = (request: Elbv2Request, server: Elbv2Server) => Fault | void;

const OIDC_BOTH = 'You cannot both specify a client secret and set UseExistingClientSecret to true';
const OIDC_NEITHER =
  'You must specify a client secret or set UseExistingClientSecret to true when modifying an authenticate-oidc action';

class AnswerError extends Error {
  constructor(readonly answer: ErrorAnswer) {
    super(answer.message);
  }
}

/** The loopback ELBv2 endpoint. Start with {@link Elbv2Server.start}; point clients at {@link url}. */
export class Elbv2Server {
  readonly requests: Elbv2Request[] = [];
  private readonly listeners = new Map<string, ListenerRecord>();
  private readonly rules = new Map<string, RuleRecord>();
  /** Target group → the load balancer it serves (null: unused). */
  private readonly targetGroups = new Map<string, string | null>();
  /** OIDC client secrets, per route and action index: stored, never described. */
  private readonly secrets = new Map<string, string>();
  /** Tags per resource ARN, as CreateRule's Tags set them. */
  private readonly tags = new Map<string, { Key: string; Value: string }[]>();
  private created = 0;
  private hooks: Hook[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Starts listening on 127.0.0.1 on a free port. */
  static async start(): Promise<Elbv2Server> {
    let instance: Elbv2Server | null = null;
    const server = createServer((req, res) => void instance!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new Elbv2Server(server, `http://127.0.0.1:${port}`);
    return instance;
  }

  /** Stops the server and cuts open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets every request, hook, listener, rule and target group. */
  reset(): void {
    this.requests.length = 0;
    this.hooks = [];
    this.listeners.clear();
    this.rules.clear();
    this.targetGroups.clear();
    this.secrets.clear();
    this.tags.clear();
  }

  /** Tags a resource out of band (a rule added as a fixture that CreateRule would have tagged). */
  tagForTest(arn: string, key: string, value: string): void {
    const tags = (this.tags.get(arn) ?? []).filter((t) => t.Key !== key);
    this.tags.set(arn, [...tags, { Key: key, Value: value }]);
  }

  /** The rules of a listener (not its default), as `[arn, priority]` pairs in priority order. */
  listenerRules(listener: string): [string, number][] {
    return [...this.rules.values()]
      .filter((r) => r.ListenerArn === listener && !r.IsDefault)
      .map((r): [string, number] => [r.RuleArn, Number(r.Priority)])
      .sort((a, b) => a[1] - b[1]);
  }

  // ─── Fixtures ───────────────────────────────────────────────────────────────────────────────

  /** Registers a target group, optionally already serving a load balancer. */
  addTargetGroup(arn: string, loadBalancerArn: string | null = null): this {
    this.targetGroups.set(arn, loadBalancerArn);
    return this;
  }

  /** Adds a listener. Target groups in its actions are registered and associated with its load balancer. */
  addListener(listener: {
    ListenerArn: string;
    LoadBalancerArn: string;
    DefaultActions: WireAction[];
    Port?: number;
    Protocol?: string;
  }): this {
    const record: ListenerRecord = { Port: 443, Protocol: 'HTTPS', ...listener, DefaultActions: [] };
    this.listeners.set(record.ListenerArn, record);
    record.DefaultActions = this.store(
      record.ListenerArn,
      record.LoadBalancerArn,
      listener.DefaultActions,
      'seed',
    );
    return this;
  }

  /** Adds a rule to a listener added before. */
  addRule(rule: {
    RuleArn: string;
    ListenerArn: string;
    Actions: WireAction[];
    Priority?: string;
    Conditions?: Json[];
    IsDefault?: boolean;
  }): this {
    const listener = this.listeners.get(rule.ListenerArn);
    if (!listener) throw new Error(`addRule: add listener ${rule.ListenerArn} first`);
    const record: RuleRecord = {
      Priority: '10',
      IsDefault: false,
      Conditions: [{ Field: 'path-pattern', Values: ['/api/*'], PathPatternConfig: { Values: ['/api/*'] } }],
      ...rule,
      Actions: [],
    };
    this.rules.set(record.RuleArn, record);
    record.Actions = this.store(record.RuleArn, listener.LoadBalancerArn, rule.Actions, 'seed');
    return this;
  }

  /** The stored listener, as DescribeListeners would describe it (a copy). */
  listener(arn: string): ListenerRecord {
    const found = this.listeners.get(arn);
    if (!found) throw new Error(`no listener ${arn}`);
    return structuredClone(found);
  }

  /** The stored rule (a copy). */
  rule(arn: string): RuleRecord {
    const found = this.rules.get(arn);
    if (!found) throw new Error(`no rule ${arn}`);
    return structuredClone(found);
  }

  /** The forward action's target groups of a listener or rule, as `[arn, weight]` pairs. */
  weights(route: string): [string, number][] {
    const actions = this.rules.get(route)?.Actions ?? this.listeners.get(route)?.DefaultActions;
    if (!actions) throw new Error(`no route ${route}`);
    const forward = actions.find((a) => a.Type === 'forward');
    const tuples =
      (forward?.ForwardConfig as { TargetGroups?: { TargetGroupArn: string; Weight: number }[] })
        ?.TargetGroups ?? [];
    return tuples.map((t) => [t.TargetGroupArn, t.Weight]);
  }

  /** Someone else sets a route's forward weights (out of band, no request logged). */
  setWeights(route: string, weights: [string, number][]): void {
    const record = this.rules.get(route) ?? this.listeners.get(route);
    if (!record) throw new Error(`no route ${route}`);
    const actions = 'Actions' in record ? record.Actions : record.DefaultActions;
    const forward = actions.find((a) => a.Type === 'forward');
    if (!forward) throw new Error(`${route} has no forward action`);
    const config = (forward.ForwardConfig ?? {}) as { [key: string]: Json };
    forward.ForwardConfig = {
      ...config,
      TargetGroups: weights.map(([arn, weight]) => ({ TargetGroupArn: arn, Weight: weight })),
    };
    if (weights.length === 1) forward.TargetGroupArn = weights[0]![0];
    else delete forward.TargetGroupArn;
  }

  // ─── Faults ─────────────────────────────────────────────────────────────────────────────────

  /** Adds a hook that sees every request; returns a function that removes it. */
  onRequest(hook: Hook): () => void {
    this.hooks.push(hook);
    return () => {
      this.hooks = this.hooks.filter((h) => h !== hook);
    };
  }

  /** Answers `fault` to the next `times` requests of `action` (`*` for any). */
  fail(action: string, fault: Fault, times = Number.POSITIVE_INFINITY): () => void {
    let left = times;
    const remove = this.onRequest((request) => {
      if (left <= 0 || (action !== '*' && request.action !== action)) return;
      left--;
      if (left <= 0) remove();
      return fault;
    });
    return remove;
  }

  /** Throttles the next `times` requests of `action` as ELBv2 does (400 Throttling, "Rate exceeded"). */
  throttle(action: string, times = Number.POSITIVE_INFINITY): () => void {
    return this.fail(action, { error: { code: 'Throttling', message: 'Rate exceeded', status: 400 } }, times);
  }

  /** Denies `action` as IAM does, naming the missing permission. */
  deny(
    action: string,
    principal = 'arn:aws:sts::123456789012:assumed-role/deploy/github-actions',
  ): () => void {
    return this.onRequest((request) => {
      if (request.action !== action) return;
      const resource =
        request.params.ListenerArn ??
        request.params.RuleArn ??
        request.params['ListenerArns.member.1'] ??
        request.params['RuleArns.member.1'] ??
        '*';
      return {
        error: {
          code: 'AccessDenied',
          status: 403,
          message: `User: ${principal} is not authorized to perform: elasticloadbalancing:${action} on resource: ${resource} because no identity-based policy allows the elasticloadbalancing:${action} action`,
        },
      };
    });
  }

  /** The ELBv2 actions called, in order (optionally only some). */
  actions(filter?: (r: Elbv2Request) => boolean): string[] {
    return this.requests.filter(filter ?? (() => true)).map((r) => r.action);
  }

  // ─── HTTP ───────────────────────────────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      req.on('end', () => resolve(data));
    });
    const params = Object.fromEntries(new URLSearchParams(body));
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    );
    const request: Elbv2Request = {
      index: this.requests.length + 1,
      action: params.Action ?? '',
      params,
      region: scope?.[1] ?? null,
      service: scope?.[2] ?? null,
      userAgent: [req.headers['user-agent'], req.headers['x-amz-user-agent']].filter(Boolean).join(' '),
      status: 200,
    };
    this.requests.push(request);
    let fault: Fault | void = undefined;
    for (const hook of [...this.hooks]) {
      fault = hook(request, this);
      if (fault) break;
    }
    if (fault && 'delayMs' in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault && 'drop' in fault && fault.drop === 'before') return this.drop(request, req);
    if (fault && 'error' in fault) return this.answerError(request, res, fault.error);
    let xml: string;
    try {
      if (req.method !== 'POST')
        throw new AnswerError({ code: 'InvalidAction', message: 'ELBv2 takes POST requests' });
      if (params.Version !== '2015-12-01')
        throw new AnswerError({
          code: 'InvalidAction',
          message: `Unsupported Version '${params.Version ?? ''}'`,
        });
      xml = this.dispatch(request.action, params);
    } catch (error) {
      if (error instanceof AnswerError) return this.answerError(request, res, error.answer);
      throw error;
    }
    if (fault && 'drop' in fault && fault.drop === 'after') return this.drop(request, req);
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    res.end(xml);
  }

  private drop(request: Elbv2Request, req: IncomingMessage): void {
    request.status = 'dropped';
    req.socket.destroy();
  }

  private answerError(request: Elbv2Request, res: ServerResponse, answer: ErrorAnswer): void {
    const status = answer.status ?? 400;
    request.status = status;
    request.error = answer.code;
    const requestId = randomUUID();
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(
      `<ErrorResponse xmlns="${ELBV2_NAMESPACE}"><Error><Type>${answer.type ?? (status >= 500 ? 'Receiver' : 'Sender')}</Type><Code>${escape(answer.code)}</Code><Message>${escape(answer.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  }

  private dispatch(action: string, params: Record<string, string>): string {
    const input = unflatten(params);
    switch (action) {
      case 'DescribeListeners': {
        const arns = (input.ListenerArns as string[] | undefined) ?? [];
        if (arns.length === 0)
          throw new AnswerError({
            code: 'ValidationError',
            message: 'ListenerArns or LoadBalancerArn is required',
          });
        const found = arns.map((arn) => this.listeners.get(arn));
        if (found.some((l) => !l))
          throw new AnswerError({ code: 'ListenerNotFound', message: 'One or more listeners not found' });
        return respond(action, { Listeners: found.map((l) => this.describeListener(l!)) });
      }
      case 'DescribeRules': {
        const arns = (input.RuleArns as string[] | undefined) ?? [];
        if (arns.length === 0 && typeof input.ListenerArn === 'string')
          return this.describeListenerRules(input);
        if (arns.length === 0)
          throw new AnswerError({ code: 'ValidationError', message: 'ListenerArn or RuleArns is required' });
        const found = arns.map((arn) => this.rules.get(arn));
        if (found.some((r) => !r))
          throw new AnswerError({ code: 'RuleNotFound', message: 'One or more rules not found' });
        return respond(action, { Rules: found.map((r) => this.describeRule(r!)) });
      }
      case 'ModifyListener': {
        const arn = input.ListenerArn as string;
        const listener = this.listeners.get(arn);
        if (!listener)
          throw new AnswerError({ code: 'ListenerNotFound', message: 'One or more listeners not found' });
        if (input.DefaultActions !== undefined) {
          listener.DefaultActions = this.store(
            arn,
            listener.LoadBalancerArn,
            input.DefaultActions as WireAction[],
            'modify',
          );
        }
        return respond(action, { Listeners: [this.describeListener(listener)] });
      }
      case 'ModifyRule': {
        const arn = input.RuleArn as string;
        const rule = this.rules.get(arn);
        if (!rule) throw new AnswerError({ code: 'RuleNotFound', message: 'One or more rules not found' });
        if (rule.IsDefault)
          throw new AnswerError({
            code: 'OperationNotPermitted',
            message: 'Default rule cannot be modified. Use ModifyListener to modify the default actions',
          });
        const listener = this.listeners.get(rule.ListenerArn)!;
        if (input.Actions !== undefined)
          rule.Actions = this.store(arn, listener.LoadBalancerArn, input.Actions as WireAction[], 'modify');
        if (input.Conditions !== undefined) rule.Conditions = input.Conditions as Json[];
        return respond(action, { Rules: [this.describeRule(rule)] });
      }
      case 'CreateRule':
        return respond(action, { Rules: [this.describeRule(this.createRule(input))] });
      case 'DeleteRule': {
        const arn = input.RuleArn as string;
        if (!this.rules.has(arn))
          throw new AnswerError({ code: 'RuleNotFound', message: 'One or more rules not found' });
        this.rules.delete(arn);
        this.tags.delete(arn);
        return respond(action, {});
      }
      case 'DescribeTags': {
        const arns = (input.ResourceArns as string[] | undefined) ?? [];
        if (arns.length === 0 || arns.length > 20)
          throw new AnswerError({
            code: 'ValidationError',
            message: 'ResourceArns must name 1 to 20 resources',
          });
        return respond(action, {
          TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: this.tags.get(arn) ?? [] })),
        });
      }
      default:
        throw new AnswerError({
          code: 'InvalidAction',
          message: `The action ${action} is not valid for this web service.`,
        });
    }
  }

  private describeListenerRules(input: { [key: string]: Json }): string {
    const listener = this.listeners.get(input.ListenerArn as string);
    if (!listener)
      throw new AnswerError({ code: 'ListenerNotFound', message: 'One or more listeners not found' });
    const all: Json[] = [
      ...this.listenerRules(listener.ListenerArn).map(([arn]) => this.describeRule(this.rules.get(arn)!)),
      {
        RuleArn: `${listener.ListenerArn.replace(':listener/', ':listener-rule/')}/default`,
        Priority: 'default',
        IsDefault: true,
        Conditions: [],
        Actions: listener.DefaultActions.map(describeAction),
      },
    ];
    const size = Number(input.PageSize ?? 400);
    const from = Number(input.Marker ?? 0);
    const page: { [key: string]: Json } = { Rules: all.slice(from, from + size) };
    if (from + size < all.length) page.NextMarker = String(from + size);
    return respond('DescribeRules', page);
  }

  private createRule(input: { [key: string]: Json }): RuleRecord {
    const listener = this.listeners.get(input.ListenerArn as string);
    if (!listener)
      throw new AnswerError({ code: 'ListenerNotFound', message: 'One or more listeners not found' });
    const priority = String(input.Priority);
    const rules = this.listenerRules(listener.ListenerArn);
    if (rules.some(([, p]) => String(p) === priority))
      throw new AnswerError({ code: 'PriorityInUse', message: `Priority '${priority}' is currently in use` });
    if (rules.length >= 100)
      throw new AnswerError({
        code: 'TooManyRules',
        message: 'The maximum number of rules per listener has been reached',
      });
    const arn = `${listener.ListenerArn.replace(':listener/', ':listener-rule/')}/${(++this.created).toString(16).padStart(16, 'c')}`;
    const record: RuleRecord = {
      RuleArn: arn,
      ListenerArn: listener.ListenerArn,
      Priority: priority,
      IsDefault: false,
      Conditions: (input.Conditions as Json[] | undefined) ?? [],
      Actions: [],
    };
    record.Actions = this.store(arn, listener.LoadBalancerArn, (input.Actions as WireAction[]) ?? [], 'seed');
    this.rules.set(arn, record);
    this.tags.set(
      arn,
      ((input.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => ({ ...t })),
    );
    return record;
  }

  private describeListener(listener: ListenerRecord): Json {
    const { ListenerArn, LoadBalancerArn, Port, Protocol, DefaultActions } = listener;
    return {
      ListenerArn,
      LoadBalancerArn,
      Port,
      Protocol,
      DefaultActions: DefaultActions.map(describeAction),
    };
  }

  private describeRule(rule: RuleRecord): Json {
    const { RuleArn, Priority, Conditions, Actions, IsDefault } = rule;
    return { RuleArn, Priority, Conditions, Actions: Actions.map(describeAction), IsDefault };
  }

  /** Validates actions as ELBv2 does and returns them as they will be described. */
  private store(
    route: string,
    loadBalancerArn: string,
    actions: WireAction[],
    how: 'seed' | 'modify',
  ): WireAction[] {
    if (!Array.isArray(actions) || actions.length === 0)
      throw new AnswerError({ code: 'ValidationError', message: 'At least one action must be specified' });
    if (actions.length > 1 && actions.some((a) => a.Order === undefined)) {
      throw new AnswerError({
        code: 'ValidationError',
        message: 'Order must be specified for every action when there is more than one',
      });
    }
    const terminal = actions.filter(
      (a) => a.Type === 'forward' || a.Type === 'redirect' || a.Type === 'fixed-response',
    );
    if (terminal.length !== 1)
      throw new AnswerError({
        code: 'InvalidLoadBalancerAction',
        message: 'A rule must have exactly one forward, redirect or fixed-response action',
      });
    const stored: WireAction[] = [];
    actions.forEach((raw, index) => {
      const action = normalizeTypes(structuredClone(raw)) as WireAction;
      switch (action.Type) {
        case 'forward':
          stored.push(this.forward(action, loadBalancerArn, how));
          break;
        case 'authenticate-oidc': {
          const config = (action.AuthenticateOidcConfig ?? {}) as { [key: string]: Json };
          const key = `${route}#${index}`;
          const secret = config.ClientSecret;
          const useExisting = config.UseExistingClientSecret === true;
          if (secret !== undefined && useExisting)
            throw new AnswerError({ code: 'InvalidLoadBalancerAction', message: OIDC_BOTH });
          if (how === 'modify' && secret === undefined && !useExisting)
            throw new AnswerError({ code: 'InvalidLoadBalancerAction', message: OIDC_NEITHER });
          if (typeof secret === 'string') this.secrets.set(key, secret);
          delete config.ClientSecret;
          delete config.UseExistingClientSecret;
          stored.push({ ...action, AuthenticateOidcConfig: config });
          break;
        }
        case 'authenticate-cognito':
        case 'redirect':
        case 'fixed-response':
        case 'jwt-validation':
          stored.push(action);
          break;
        default:
          throw new AnswerError({
            code: 'ValidationError',
            message: `Unknown action type '${String(action.Type)}'`,
          });
      }
    });
    return stored;
  }

  private forward(action: WireAction, loadBalancerArn: string, how: 'seed' | 'modify'): WireAction {
    const config = (action.ForwardConfig ?? {}) as {
      TargetGroups?: { TargetGroupArn?: string; Weight?: number }[];
      TargetGroupStickinessConfig?: { Enabled?: boolean; DurationSeconds?: number };
    };
    const tuples = config.TargetGroups ?? [];
    const single = action.TargetGroupArn as string | undefined;
    if (single && tuples.length > 0 && (tuples.length !== 1 || tuples[0]!.TargetGroupArn !== single)) {
      throw new AnswerError({
        code: 'ValidationError',
        message:
          'You can specify both a top-level target group ARN and a target group ARN within the forward action config only if they are the same target group',
      });
    }
    const list =
      tuples.length > 0
        ? tuples.map((t) => ({ TargetGroupArn: t.TargetGroupArn ?? '', Weight: t.Weight ?? 1 }))
        : single
          ? [{ TargetGroupArn: single, Weight: 1 }]
          : [];
    if (list.length === 0)
      throw new AnswerError({
        code: 'ValidationError',
        message: 'A forward action must specify a target group',
      });
    if (list.length > 5)
      throw new AnswerError({
        code: 'TooManyTargetGroups',
        message: 'A forward action can have at most 5 target groups',
      });
    for (const t of list) {
      if (!Number.isInteger(t.Weight) || t.Weight < 0 || t.Weight > 999) {
        throw new AnswerError({
          code: 'ValidationError',
          message: `Target group weight '${t.Weight}' must be between 0 and 999`,
        });
      }
    }
    for (const t of list) {
      // Seeding registers the target groups it names; a Modify must name known ones.
      if (how === 'seed' && !this.targetGroups.has(t.TargetGroupArn))
        this.targetGroups.set(t.TargetGroupArn, null);
      if (!this.targetGroups.has(t.TargetGroupArn)) {
        throw new AnswerError({
          code: 'TargetGroupNotFound',
          message: `One or more target groups not found`,
        });
      }
      const serving = this.targetGroups.get(t.TargetGroupArn);
      if (serving && serving !== loadBalancerArn) {
        throw new AnswerError({
          code: 'TargetGroupAssociationLimit',
          message: `The following target groups cannot be associated with more than one load balancer: ${t.TargetGroupArn}`,
        });
      }
    }
    for (const t of list) this.targetGroups.set(t.TargetGroupArn, loadBalancerArn);
    const stickiness = config.TargetGroupStickinessConfig ?? { Enabled: false };
    if (
      stickiness.Enabled === true &&
      !(
        Number.isInteger(stickiness.DurationSeconds) &&
        stickiness.DurationSeconds! >= 1 &&
        stickiness.DurationSeconds! <= 604800
      )
    ) {
      throw new AnswerError({
        code: 'ValidationError',
        message: 'Target group stickiness duration must be between 1 and 604800 seconds',
      });
    }
    const stored: WireAction = {
      ...action,
      ForwardConfig: {
        TargetGroups: list,
        TargetGroupStickinessConfig: stickiness as { [key: string]: Json },
      },
    };
    if (list.length === 1) stored.TargetGroupArn = list[0]!.TargetGroupArn;
    else delete stored.TargetGroupArn;
    return stored;
  }
}

function describeAction(action: WireAction): WireAction {
  return structuredClone(action);
}

// ─── awsQuery form ⇄ objects ──────────────────────────────────────────────────────────────────────

const NUMBERS = new Set(['Weight', 'Order', 'DurationSeconds', 'SessionTimeout', 'Port', 'PageSize']);
const BOOLEANS = new Set(['Enabled', 'UseExistingClientSecret', 'IsDefault', 'ResetTransforms']);

/**
 * Turns awsQuery form fields (`DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight`) into
 * objects: `member.N` lists become arrays, `entry.N.key`/`entry.N.value` maps become objects.
 */
export function unflatten(params: Record<string, string>): { [key: string]: Json } {
  const root: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'Action' || key === 'Version') continue;
    const path = key.split('.');
    let node: { [key: string]: Json } = root;
    for (let i = 0; i < path.length - 1; i++) {
      const part = path[i]!;
      node[part] ??= {};
      node = node[part] as { [key: string]: Json };
    }
    node[path.at(-1)!] = value;
  }
  return normalizeShape(root) as { [key: string]: Json };
}

function normalizeShape(node: Json): Json {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'member') {
    const members = node.member as { [index: string]: Json };
    return Object.keys(members)
      .sort((a, b) => Number(a) - Number(b))
      .map((i) => normalizeShape(members[i]!));
  }
  if (keys.length === 1 && keys[0] === 'entry') {
    const entries = node.entry as { [index: string]: { key: string; value: Json } };
    return Object.fromEntries(Object.values(entries).map((e) => [e.key, normalizeShape(e.value)]));
  }
  return Object.fromEntries(keys.map((k) => [k, normalizeShape(node[k]!)]));
}

function normalizeTypes(node: Json, key = ''): Json {
  if (Array.isArray(node)) return node.map((n) => normalizeTypes(n, key));
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [
        k,
        k === 'AuthenticationRequestExtraParams' ? v : normalizeTypes(v, k),
      ]),
    );
  }
  if (typeof node === 'string' && NUMBERS.has(key)) return Number(node);
  if (typeof node === 'string' && BOOLEANS.has(key)) return node === 'true';
  return node;
}

function respond(action: string, result: Json): string {
  return `<${action}Response xmlns="${ELBV2_NAMESPACE}"><${action}Result>${toXml(result)}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

/** Objects become elements, arrays `<member>` lists, `AuthenticationRequestExtraParams` an `<entry>` map. */
function toXml(value: Json, key = ''): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    if (key === 'AuthenticationRequestExtraParams') {
      return Object.entries(value)
        .map(([k, v]) => `<entry><key>${escape(k)}</key><value>${escape(String(v))}</value></entry>`)
        .join('');
    }
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v, k)}</${k}>`)
      .join('');
  }
  return escape(String(value));
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
