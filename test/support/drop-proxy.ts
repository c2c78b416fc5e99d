import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of DynamoDB Local that can swallow
 * responses: the request reaches DynamoDB and is applied, but the client
 * never hears back and times out. This is the fault that makes a write's
 * outcome unknown.
 */
export interface DropProxy {
  readonly endpoint: string;
  /** The next `n` connections forward requests but discard every response byte. */
  dropResponsesOfNextConnections(n: number): void;
  close(): Promise<void>;
}

export async function startDropProxy(upstream: string): Promise<DropProxy> {
  const target = new URL(upstream);
  let dropBudget = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const drop = dropBudget > 0;
    if (drop) dropBudget--;
    const server = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(server);
    client.on('data', (chunk) => server.write(chunk));
    server.on('data', (chunk) => {
      if (!drop) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      server.destroy();
      sockets.delete(client);
      sockets.delete(server);
    };
    client.on('close', end).on('error', end);
    server.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    dropResponsesOfNextConnections: (n) => {
      dropBudget = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
