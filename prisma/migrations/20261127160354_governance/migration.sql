-- AlterTable
ALTER TABLE "Explanation" ADD COLUMN     "comparison" JSONB,
ADD COLUMN     "provenanceSha256" TEXT,
ADD COLUMN     "reproducesId" TEXT,
ADD COLUMN     "saliencyDeletedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Video" ADD COLUMN     "blobDeletedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ModelCardRevision" (
    "id" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "card" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelCardRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditReport" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "modelId" TEXT,
    "createdById" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "manifestSha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ModelCardRevision_teamId_createdAt_idx" ON "ModelCardRevision"("teamId", "createdAt");

-- CreateIndex
CREATE INDEX "ModelCardRevision_authorId_idx" ON "ModelCardRevision"("authorId");

-- CreateIndex
CREATE UNIQUE INDEX "ModelCardRevision_modelId_teamId_revision_key" ON "ModelCardRevision"("modelId", "teamId", "revision");

-- CreateIndex
CREATE INDEX "AuditReport_teamId_createdAt_idx" ON "AuditReport"("teamId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditReport_modelId_idx" ON "AuditReport"("modelId");

-- CreateIndex
CREATE INDEX "AuditReport_createdById_idx" ON "AuditReport"("createdById");

-- CreateIndex
CREATE INDEX "Explanation_reproducesId_idx" ON "Explanation"("reproducesId");

-- AddForeignKey
ALTER TABLE "Explanation" ADD CONSTRAINT "Explanation_reproducesId_fkey" FOREIGN KEY ("reproducesId") REFERENCES "Explanation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelCardRevision" ADD CONSTRAINT "ModelCardRevision_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditReport" ADD CONSTRAINT "AuditReport_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE SET NULL ON UPDATE CASCADE;
