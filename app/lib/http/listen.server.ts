import type { Server } from "node:http";

/** A port the process was told to listen on is taken (or not ours to take): the operator must choose another. */
export class PortInUseError extends Error {
  override name = "PortInUseError";
  constructor(
    readonly what: string,
    readonly port: number,
    readonly host: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(
      cause.code === "EACCES"
        ? `${what} ${host}:${port} may not be used by this user (permission denied). Choose a port above 1023.`
        : `${what} ${host}:${port} is already in use. Stop what holds it or set ${what} to another port.`,
      { cause },
    );
  }
}

/** Listens, and resolves with the port actually bound (a free one when `port` is 0). */
export function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE" || error.code === "EACCES" ? new PortInUseError(what, port, host, error) : error,
      );
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
