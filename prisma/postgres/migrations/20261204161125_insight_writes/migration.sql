-- CreateTable
CREATE TABLE "CustomerInsightWrite" (
    "shopId" TEXT NOT NULL,
    "customerShopifyId" TEXT NOT NULL,
    "tag" TEXT,
    "metafields" TEXT,
    "redacted" BOOLEAN NOT NULL DEFAULT false,
    "gone" BOOLEAN NOT NULL DEFAULT false,
    "lastError" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerInsightWrite_pkey" PRIMARY KEY ("shopId","customerShopifyId")
);

-- CreateTable
CREATE TABLE "InsightWriteRun" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "step" TEXT,
    "bulkOperationId" TEXT,
    "stepChanges" TEXT,
    "planned" INTEGER NOT NULL DEFAULT 0,
    "written" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "objectCount" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "InsightWriteRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CustomerInsightWrite_shopId_redacted_idx" ON "CustomerInsightWrite"("shopId", "redacted");

-- CreateIndex
CREATE INDEX "InsightWriteRun_shopId_createdAt_idx" ON "InsightWriteRun"("shopId", "createdAt");

-- AddForeignKey
ALTER TABLE "CustomerInsightWrite" ADD CONSTRAINT "CustomerInsightWrite_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InsightWriteRun" ADD CONSTRAINT "InsightWriteRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

