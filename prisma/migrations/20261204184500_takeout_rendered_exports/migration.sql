-- Rendered downloads (overlay MP4, overlay PNG zip), cached by a hash of their inputs; the files
-- themselves live in content-addressed blob storage.
CREATE TABLE "RenderedExport" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RenderedExport_pkey" PRIMARY KEY ("key")
);
