import { createServer } from "node:net";
import { DemoError } from "./errors";

/** True when nothing listens on `port` (checked on all interfaces, as the app server binds). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** A port the operating system says is free right now. */
export function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface ChosenPort {
  port: number;
  /** Set when the preferred port was busy and another one was taken. */
  note?: string;
}

/**
 * The port a service gets. One the user asked for must be free, or the demo stops and says
 * which; otherwise the preferred port, or any free one when it is taken.
 */
export async function choosePort(
  service: string,
  flag: string,
  requested: number | undefined,
  preferred: number,
): Promise<ChosenPort> {
  if (requested !== undefined) {
    if (await isPortFree(requested)) return { port: requested };
    throw new DemoError(
      `Port ${requested} (asked for with ${flag}, for the ${service}) is busy: another program is listening on it.\n` +
        `Stop that program, choose another port with ${flag} <port>, or leave ${flag} out and the demo picks a free one.`,
    );
  }
  if (await isPortFree(preferred)) return { port: preferred };
  const port = await anyFreePort();
  return { port, note: `port ${preferred} is busy, so the ${service} uses port ${port}` };
}
