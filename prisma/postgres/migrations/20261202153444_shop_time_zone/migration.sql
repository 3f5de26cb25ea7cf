-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "timeZone" TEXT NOT NULL DEFAULT 'UTC',
ADD COLUMN     "timeZoneRejected" TEXT;

-- AlterTable
ALTER TABLE "DataRequest" ADD COLUMN     "downloadedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "DataRequest_shopId_createdAt_idx" ON "DataRequest"("shopId", "createdAt");

