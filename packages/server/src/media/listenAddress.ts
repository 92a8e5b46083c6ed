import { networkInterfaces } from 'node:os';

/** `auto` → the first non-internal IPv4 address of this machine, else 127.0.0.1. */
export function resolveListenAddress(configured: string): string {
  if (configured !== 'auto') return configured;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
