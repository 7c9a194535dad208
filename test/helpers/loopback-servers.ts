import type http from 'node:http';
import { afterEach } from 'vitest';

/**
 * HTTP servers on 127.0.0.1 that a test file starts, closed (with every connection) after each
 * test: `const servers = useLoopbackServers();` then `await servers.listen(server)`.
 */
export function useLoopbackServers(): { listen(server: http.Server): Promise<URL> } {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (server) =>
          new Promise((resolve) => {
            server.closeAllConnections();
            server.close(resolve);
          }),
      ),
    );
  });
  return {
    async listen(server) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      return new URL(`http://127.0.0.1:${port}/`);
    },
  };
}
