-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "activeModelRunId" TEXT,
ADD COLUMN     "ordersSinceTraining" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "previousModelRunId" TEXT;

-- CreateTable
CREATE TABLE "ModelRun" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "trigger" TEXT NOT NULL,
    "backend" TEXT,
    "served" TEXT,
    "reason" TEXT,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "customers" INTEGER NOT NULL DEFAULT 0,
    "items" INTEGER NOT NULL DEFAULT 0,
    "examples" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER,
    "examplesPerSecond" DOUBLE PRECISION,
    "metrics" TEXT NOT NULL DEFAULT '{}',
    "artifact" BYTEA,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ModelRun_shopId_createdAt_idx" ON "ModelRun"("shopId", "createdAt");

-- AddForeignKey
ALTER TABLE "ModelRun" ADD CONSTRAINT "ModelRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

