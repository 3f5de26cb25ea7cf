/** Something the test run needs and could not get, with the command that provides it. */
export interface Problem {
  /** "Chromium", "Redis", "PostgreSQL". */
  part: string;
  /** What was found, or what failed, in a few words. */
  detail: string;
  /** The command (or setting) that provides it. */
  fix: string;
}

/** Thrown by a set-up step that cannot go on. */
export class SetupProblem extends Error {
  override name = "SetupProblem";
  constructor(readonly problem: Problem) {
    super(`${problem.part}: ${problem.detail}`);
  }
}

/** One line per problem, so the reader sees every missing part at once and what to run. */
export function describeProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `affinity tests: ${p.part}: ${p.detail}. Fix: ${p.fix}`).join("\n");
}
