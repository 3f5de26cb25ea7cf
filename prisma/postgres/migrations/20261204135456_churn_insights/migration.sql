-- CreateTable
CREATE TABLE "ChurnRun" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "horizonDays" INTEGER NOT NULL,
    "served" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "metrics" TEXT NOT NULL DEFAULT '{}',
    "customers" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChurnRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChurnPrediction" (
    "shopId" TEXT NOT NULL,
    "customerShopifyId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "risk" DOUBLE PRECISION NOT NULL,
    "expectedNextAt" TIMESTAMP(3) NOT NULL,
    "segment" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChurnPrediction_pkey" PRIMARY KEY ("shopId","customerShopifyId")
);

-- CreateTable
CREATE TABLE "CustomerInsightSettings" (
    "shopId" TEXT NOT NULL,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerInsightSettings_pkey" PRIMARY KEY ("shopId")
);

-- CreateIndex
CREATE INDEX "ChurnRun_shopId_createdAt_idx" ON "ChurnRun"("shopId", "createdAt");

-- CreateIndex
CREATE INDEX "ChurnPrediction_shopId_segment_value_idx" ON "ChurnPrediction"("shopId", "segment", "value");

-- AddForeignKey
ALTER TABLE "ChurnRun" ADD CONSTRAINT "ChurnRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChurnPrediction" ADD CONSTRAINT "ChurnPrediction_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerInsightSettings" ADD CONSTRAINT "CustomerInsightSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

