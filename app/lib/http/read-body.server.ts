import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";

/** The body went past the route's limit; nothing more of it was kept. */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`The body is larger than ${maxBytes} bytes`);
  }
}

/**
 * Reads a request body, but never more than `maxBytes`, so an oversized or endless body cannot
 * exhaust memory. Content-Length is checked first; the stream is counted as well because the
 * header may be absent (chunked) or wrong. The rest of an oversized body is drained, not kept,
 * so the connection can still carry the 413.
 */
export function readBodyWithLimit(
  req: Readable & { headers?: IncomingHttpHeaders },
  maxBytes: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers?.["content-length"] ?? 0) > maxBytes) {
      req.resume();
      reject(new BodyTooLargeError(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    req.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}
