/** A listener could not bind its port: names the port, its config key and the fix. */
export class PortBindError extends Error {
  readonly port: number;
  readonly configKey: string;
  readonly reason: string;

  constructor(port: number, configKey: string, host: string, cause: NodeJS.ErrnoException) {
    const fix =
      cause.code === 'EACCES'
        ? `ports below 1024 need root (or CAP_NET_BIND_SERVICE). Run as root, grant the capability (setcap 'cap_net_bind_service=+ep' $(which node)), set ${configKey} to a port ≥ 1024, or use ports.privileged=shifted (8080/8443).`
        : cause.code === 'EADDRINUSE'
          ? `another process is listening on ${port} (find it with: ss -ltnp 'sport = :${port}'). Stop it or set ${configKey} to a free port.`
          : cause.code === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this machine; set listenHost to one that is (or 0.0.0.0).`
            : 'see the error above.';
    super(
      `Cannot listen on TCP ${host}:${port} (config key ${configKey}): ${cause.code ?? cause.message} — ${fix}`,
    );
    this.name = 'PortBindError';
    this.port = port;
    this.configKey = configKey;
    this.reason = cause.code ?? cause.message;
  }
}
