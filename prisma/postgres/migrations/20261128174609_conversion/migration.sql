-- CreateTable
CREATE TABLE "Event" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "customerShopifyId" TEXT,
    "recommendationId" TEXT,
    "productShopifyId" TEXT,
    "orderShopifyId" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Experiment" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "holdoutPercent" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "runningShopId" TEXT,

    CONSTRAINT "Experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExperimentVisitor" (
    "experimentId" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "exposedAt" TIMESTAMP(3),
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue" DECIMAL(65,30) NOT NULL DEFAULT 0,

    CONSTRAINT "ExperimentVisitor_pkey" PRIMARY KEY ("experimentId","visitorId")
);

-- CreateTable
CREATE TABLE "ExperimentArmTotal" (
    "experimentId" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "visitors" INTEGER NOT NULL DEFAULT 0,
    "exposedVisitors" INTEGER NOT NULL DEFAULT 0,
    "convertedVisitors" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "revenueSquares" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "ExperimentArmTotal_pkey" PRIMARY KEY ("experimentId","arm")
);

-- CreateTable
CREATE TABLE "VisitorDay" (
    "shopId" TEXT NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "visitorId" TEXT NOT NULL,
    "exposed" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "VisitorDay_pkey" PRIMARY KEY ("shopId","day","visitorId")
);

-- CreateTable
CREATE TABLE "DailyRollup" (
    "shopId" TEXT NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
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
    "revenue" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "attributedOrders" INTEGER NOT NULL DEFAULT 0,
    "attributedRevenue" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DailyRollup_pkey" PRIMARY KEY ("shopId","day","experimentId","arm")
);

-- CreateTable
CREATE TABLE "OrderAttribution" (
    "shopId" TEXT NOT NULL,
    "orderShopifyId" TEXT NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "visitorId" TEXT,
    "experimentId" TEXT NOT NULL DEFAULT '',
    "arm" TEXT NOT NULL DEFAULT '',
    "counted" BOOLEAN NOT NULL DEFAULT false,
    "revenue" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "attributedRevenue" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "attributedLines" TEXT NOT NULL DEFAULT '[]',
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrderAttribution_pkey" PRIMARY KEY ("shopId","orderShopifyId")
);

-- CreateTable
CREATE TABLE "RefundLine" (
    "shopId" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "refundShopifyId" TEXT NOT NULL,
    "orderShopifyId" TEXT NOT NULL,
    "lineShopifyId" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "RefundLine_pkey" PRIMARY KEY ("shopId","shopifyId")
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

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Experiment" ADD CONSTRAINT "Experiment_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExperimentVisitor" ADD CONSTRAINT "ExperimentVisitor_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExperimentArmTotal" ADD CONSTRAINT "ExperimentArmTotal_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VisitorDay" ADD CONSTRAINT "VisitorDay_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DailyRollup" ADD CONSTRAINT "DailyRollup_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderAttribution" ADD CONSTRAINT "OrderAttribution_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RefundLine" ADD CONSTRAINT "RefundLine_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

