/**
 * Which process holds the client end of a loopback TCP connection, from Linux's /proc: the
 * connection's socket inode from /proc/net/tcp (local port = the client's, remote port = the
 * server's), then the process among `pids` with a file descriptor on `socket:[inode]`. The
 * receiver of the replicated drain names each connection's daemon this way, so the split of the
 * work is seen from the receiving end, not taken from the daemons' word.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** The inode of the socket with this local and remote port, from /proc/net/tcp{,6}. */
function socketInode(localPort: number, remotePort: number): string | undefined {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ...
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const remote = fields[2];
      if (local === undefined || remote === undefined) continue;
      const port = (address: string): number =>
        parseInt(address.slice(address.indexOf(':') + 1), 16);
      if (port(local) === localPort && port(remote) === remotePort) return fields[9];
    }
  }
  return undefined;
}

/** The pid among `pids` holding the client end of the connection clientPort -> serverPort. */
export function socketOwner(
  clientPort: number,
  serverPort: number,
  pids: Iterable<number>,
): number | undefined {
  const inode = socketInode(clientPort, serverPort);
  if (inode === undefined || inode === '0') return undefined;
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}
