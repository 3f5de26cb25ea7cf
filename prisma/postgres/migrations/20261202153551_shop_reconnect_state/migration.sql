-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "reconnectReason" TEXT,
ADD COLUMN     "reconnectRequiredAt" TIMESTAMP(3);

