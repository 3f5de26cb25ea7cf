const HEADER = "// GENERATED from prisma/schema.prisma by `npm run db:schemas`. Do not edit.\n";

/** Rewrites the SQLite schema's generator and datasource blocks for PostgreSQL. */
export function derivePostgresSchema(sqliteSchema: string): string {
  const withProvider = sqliteSchema.replace('provider = "sqlite"', 'provider = "postgresql"');
  const withUrl = withProvider.replace(/url\s+= "file:[^"]*"/, 'url      = env("DATABASE_URL")');
  // The PostgreSQL client is generated beside the default one, so both can be loaded at once.
  const withOutput = withUrl.replace(
    'engineType = "client"',
    'engineType = "client"\n  output     = "../generated/postgres"',
  );
  if (withOutput === sqliteSchema || !withOutput.includes("postgresql")) {
    throw new Error("prisma/schema.prisma no longer has the expected generator/datasource blocks");
  }
  return HEADER + withOutput;
}
