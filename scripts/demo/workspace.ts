import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DemoPaths } from "./config";
import { DemoError } from "./errors";

/**
 * Creates the demo's folders and proves they can be written to, before anything is started, so
 * a read-only checkout fails with one clear sentence instead of a Prisma or Redis stack trace.
 */
export function prepareWorkspace(paths: DemoPaths): void {
  try {
    for (const dir of [paths.dir, paths.logs, paths.redisData, paths.pids]) mkdirSync(dir, { recursive: true });
    const probe = path.join(paths.dir, `.write-test-${process.pid}`);
    writeFileSync(probe, "ok");
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DemoError(
      `Cannot write to ${paths.dir} (${code}). The demo keeps its database, Redis data and logs there.\n` +
        "Run it from a copy of the project you can write to, fix the folder's permissions, " +
        "or pass --dir <a folder you can write to>.",
    );
  }
}
