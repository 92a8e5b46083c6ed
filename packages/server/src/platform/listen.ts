import type { Server } from 'node:net';
import { PortBindError } from './PortBindError.js';

/** Binds `server` and resolves with the bound port, or rejects with a {@link PortBindError}. */
export function listen(server: Server, port: number, host: string, configKey: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(new PortBindError(port, configKey, host, err));
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host });
  });
}
