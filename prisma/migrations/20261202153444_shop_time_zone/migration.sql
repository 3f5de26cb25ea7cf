-- AlterTable
ALTER TABLE "DataRequest" ADD COLUMN "downloadedAt" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "domain" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'installed',
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "retrainRequestedAt" DATETIME,
    "activeModelRunId" TEXT,
    "previousModelRunId" TEXT,
    "ordersSinceTraining" INTEGER NOT NULL DEFAULT 0,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "timeZoneRejected" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("activeModelRunId", "createdAt", "domain", "id", "installedAt", "ordersSinceTraining", "previousModelRunId", "retrainRequestedAt", "settings", "status", "uninstalledAt", "updatedAt") SELECT "activeModelRunId", "createdAt", "domain", "id", "installedAt", "ordersSinceTraining", "previousModelRunId", "retrainRequestedAt", "settings", "status", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "DataRequest_shopId_createdAt_idx" ON "DataRequest"("shopId", "createdAt");

