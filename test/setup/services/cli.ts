/**
 * `tsx test/setup/services/cli.ts --check`: the first step of `npm test`. Names everything the
 * tests need that is missing and cannot be started, each with the command that provides it, and
 * exits 1; starts nothing, so it takes a second, before the build.
 *
 * `--hold`: provides the services as the test run does, prints one `services ready` line, and
 * keeps them until SIGTERM or SIGINT, then stops what it started (for test/integration/test-setup).
 */
import { TEST_ENV } from "../../helpers/test-env";
import { checkServices, provideServices, ServicesMissing } from "./index";
import { describeProblems } from "./problem";

const urls = { redisUrl: TEST_ENV.REDIS_URL!, postgresUrl: TEST_ENV.POSTGRES_TEST_URL! };

async function main(mode: string | undefined) {
  if (mode === "--check") {
    const problems = await checkServices(urls);
    if (problems.length === 0) return;
    process.stderr.write(describeProblems(problems) + "\n");
    process.exit(1);
  }
  if (mode !== "--hold") {
    process.stderr.write("usage: tsx test/setup/services/cli.ts --check | --hold\n");
    process.exit(2);
  }
  const services = await provideServices(urls).catch((error: unknown) => {
    if (!(error instanceof ServicesMissing)) throw error;
    process.stderr.write(describeProblems(error.problems) + "\n");
    return process.exit(1);
  });
  process.stdout.write(`services ready ${JSON.stringify(services)}\n`);
  const stop = () => void services.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

void main(process.argv[2]);
