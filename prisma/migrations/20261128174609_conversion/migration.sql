-- CreateTable
CREATE TABLE "Event" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "customerShopifyId" TEXT,
    "recommendationId" TEXT,
    "productShopifyId" TEXT,
    "orderShopifyId" TEXT,
    "occurredAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Event_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Experiment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "holdoutPercent" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME,
    "runningShopId" TEXT,
    CONSTRAINT "Experiment_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ExperimentVisitor" (
    "experimentId" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL,
    "exposedAt" DATETIME,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue" DECIMAL NOT NULL DEFAULT 0,

    PRIMARY KEY ("experimentId", "visitorId"),
    CONSTRAINT "ExperimentVisitor_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ExperimentArmTotal" (
    "experimentId" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "visitors" INTEGER NOT NULL DEFAULT 0,
    "exposedVisitors" INTEGER NOT NULL DEFAULT 0,
    "convertedVisitors" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue" DECIMAL NOT NULL DEFAULT 0,
    "revenueSquares" REAL NOT NULL DEFAULT 0,

    PRIMARY KEY ("experimentId", "arm"),
    CONSTRAINT "ExperimentArmTotal_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "VisitorDay" (
    "shopId" TEXT NOT NULL,
    "day" DATETIME NOT NULL,
    "visitorId" TEXT NOT NULL,
    "exposed" BOOLEAN NOT NULL DEFAULT false,

    PRIMARY KEY ("shopId", "day", "visitorId"),
    CONSTRAINT "VisitorDay_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DailyRollup" (
    "shopId" TEXT NOT NULL,
    "day" DATETIME NOT NULL,
    "experimentId" TEXT NOT NULL DEFAULT '',
    "arm" TEXT NOT NULL DEFAULT '',
    "visitors" INTEGER NOT NULL DEFAULT 0,
    "exposedVisitors" INTEGER NOT NULL DEFAULT 0,
    "productViews" INTEGER NOT NULL DEFAULT 0,
    "impressions" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "addToCarts" INTEGER NOT NULL DEFAULT 0,
    "cartAdds" INTEGER NOT NULL DEFAULT 0,
    "checkouts" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue" DECIMAL NOT NULL DEFAULT 0,
    "attributedOrders" INTEGER NOT NULL DEFAULT 0,
    "attributedRevenue" DECIMAL NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shopId", "day", "experimentId", "arm"),
    CONSTRAINT "DailyRollup_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OrderAttribution" (
    "shopId" TEXT NOT NULL,
    "orderShopifyId" TEXT NOT NULL,
    "day" DATETIME NOT NULL,
    "visitorId" TEXT,
    "experimentId" TEXT NOT NULL DEFAULT '',
    "arm" TEXT NOT NULL DEFAULT '',
    "counted" BOOLEAN NOT NULL DEFAULT false,
    "revenue" DECIMAL NOT NULL DEFAULT 0,
    "attributedRevenue" DECIMAL NOT NULL DEFAULT 0,
    "attributedLines" TEXT NOT NULL DEFAULT '[]',
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shopId", "orderShopifyId"),
    CONSTRAINT "OrderAttribution_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RefundLine" (
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "refundShopifyId" TEXT NOT NULL,
    "orderShopifyId" TEXT NOT NULL,
    "lineShopifyId" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,

    PRIMARY KEY ("shopId", "shopifyId"),
    CONSTRAINT "RefundLine_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Event_shopId_type_productShopifyId_occurredAt_idx" ON "Event"("shopId", "type", "productShopifyId", "occurredAt");

-- CreateIndex
CREATE INDEX "Event_shopId_visitorId_occurredAt_idx" ON "Event"("shopId", "visitorId", "occurredAt");

-- CreateIndex
CREATE INDEX "Event_shopId_customerShopifyId_occurredAt_idx" ON "Event"("shopId", "customerShopifyId", "occurredAt");

-- CreateIndex
CREATE INDEX "Event_shopId_orderShopifyId_idx" ON "Event"("shopId", "orderShopifyId");

-- CreateIndex
CREATE UNIQUE INDEX "Experiment_runningShopId_key" ON "Experiment"("runningShopId");

-- CreateIndex
CREATE INDEX "Experiment_shopId_startedAt_idx" ON "Experiment"("shopId", "startedAt");

-- CreateIndex
CREATE INDEX "RefundLine_shopId_orderShopifyId_idx" ON "RefundLine"("shopId", "orderShopifyId");

