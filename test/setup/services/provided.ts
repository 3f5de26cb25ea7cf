/** A service the run uses: where it is, and how to stop it when the run started it. */
export interface Provided {
  description: string;
  stop(): Promise<void>;
}

/** Only a server on this machine can be started in place of a missing one. */
export function isLocalHost(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1";
}
