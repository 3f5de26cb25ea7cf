import { createServer, connect, type AddressInfo, type Socket } from "node:net";

export interface ReplyDroppingProxy {
  /** redis:// URL of the proxy, to give to the client under test. */
  url: string;
  /**
   * Arms a one-shot drop: the next request (as raw RESP text) matching `request` is forwarded to
   * Redis, and once Redis answers, that client's connection is closed before the answer is passed
   * on. So Redis has run the command but the client never learns its result, as when Redis goes
   * away between running a command and the reply reaching the client. Resolves when dropped.
   */
  dropReplyTo(request: (resp: string) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy in front of Redis that can lose one reply on purpose. */
export async function startReplyDroppingProxy(target = { host: "127.0.0.1", port: 6379 }): Promise<ReplyDroppingProxy> {
  const sockets = new Set<Socket>();
  let armed: { matches: (resp: string) => boolean; dropped: () => void } | undefined;

  const server = createServer((client) => {
    const upstream = connect(target);
    let dropOnReply: (() => void) | undefined;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      // A reset while closing is the point of this proxy, not an error.
      socket.on("error", () => socket.destroy());
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("data", (chunk) => {
      if (armed?.matches(chunk.toString("latin1"))) {
        dropOnReply = armed.dropped;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!dropOnReply) return void client.write(chunk);
      // Both sides go: the reply is never delivered, and Redis has already run the command.
      client.destroy();
      upstream.destroy();
      dropOnReply();
      dropOnReply = undefined;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `redis://127.0.0.1:${port}`,
    dropReplyTo: (request) => new Promise((resolve) => (armed = { matches: request, dropped: resolve })),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
