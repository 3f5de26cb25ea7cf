/** Prisma's P2002: a unique constraint refused the write (another writer got there first). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/**
 * Runs a create and returns what it made, or undefined when a unique constraint shows another
 * writer created the row first; the caller then works with that row instead (read or update).
 */
export async function createUnlessTaken<T>(create: () => Promise<T>): Promise<T | undefined> {
  try {
    return await create();
  } catch (error) {
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
}
