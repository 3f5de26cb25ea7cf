-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "reconnectReason" TEXT;
ALTER TABLE "Shop" ADD COLUMN "reconnectRequiredAt" DATETIME;

