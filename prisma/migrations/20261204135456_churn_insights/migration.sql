-- CreateTable
CREATE TABLE "ChurnRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "horizonDays" INTEGER NOT NULL,
    "served" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "metrics" TEXT NOT NULL DEFAULT '{}',
    "customers" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ChurnRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ChurnPrediction" (
    "shopId" TEXT NOT NULL,
    "customerShopifyId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "risk" REAL NOT NULL,
    "expectedNextAt" DATETIME NOT NULL,
    "segment" TEXT NOT NULL,
    "value" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shopId", "customerShopifyId"),
    CONSTRAINT "ChurnPrediction_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CustomerInsightSettings" (
    "shopId" TEXT NOT NULL PRIMARY KEY,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CustomerInsightSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ChurnRun_shopId_createdAt_idx" ON "ChurnRun"("shopId", "createdAt");

-- CreateIndex
CREATE INDEX "ChurnPrediction_shopId_segment_value_idx" ON "ChurnPrediction"("shopId", "segment", "value");

