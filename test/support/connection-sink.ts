// A loopback TCP server that accepts connections, counts them and closes them without a word. Point
// AWS_ENDPOINT_URL and GITHUB_API_URL at it to prove that a step made no network call: any client that
// tries connects here (and fails), and `connections` says how many times that happened.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** The sink. Start it with {@link ConnectionSink.start}; read {@link connections} after the step. */
export class ConnectionSink {
  /** Sockets accepted since the start or the last {@link reset}. */
  connections = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>`, for endpoint variables. */
    readonly url: string,
  ) {}

  /** Listens on 127.0.0.1 on a free port. */
  static async start(): Promise<ConnectionSink> {
    let sink: ConnectionSink | null = null;
    const server = createServer((socket) => {
      sink!.connections++;
      sink!.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sink!.sockets.delete(socket));
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    sink = new ConnectionSink(server, `http://127.0.0.1:${port}`);
    return sink;
  }

  /** Forgets the count. */
  reset(): void {
    this.connections = 0;
  }

  /** Endpoint variables that send every AWS SDK client and Octokit here. */
  get env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: this.url,
      AWS_ENDPOINT_URL_CLOUDWATCH: this.url,
      GITHUB_API_URL: this.url,
    };
  }

  /** Stops listening and cuts anything still open. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
