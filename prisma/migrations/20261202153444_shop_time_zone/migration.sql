-- AlterTable
ALTER TABLE "DataRequest" ADD COLUMN "downloadedAt" DATETIME;

-- AlterTable (plain ADD COLUMN rather than a table copy, so it cannot drop columns another
-- migration adds to Shop, whichever runs first)
ALTER TABLE "Shop" ADD COLUMN "timeZone" TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE "Shop" ADD COLUMN "timeZoneRejected" TEXT;

-- CreateIndex
CREATE INDEX "DataRequest_shopId_createdAt_idx" ON "DataRequest"("shopId", "createdAt");
