-- Rendered downloads name the blobs they were rendered from, so retention removes a rendered
-- overlay together with the video or saliency volume it shows. Rows are only a cache (renders
-- come back on the next request), so existing ones are dropped rather than back-filled.
DELETE FROM "RenderedExport";

ALTER TABLE "RenderedExport" ADD COLUMN "videoSha256" TEXT NOT NULL;
ALTER TABLE "RenderedExport" ADD COLUMN "saliencySha256" TEXT NOT NULL;

CREATE INDEX "RenderedExport_videoSha256_idx" ON "RenderedExport"("videoSha256");
CREATE INDEX "RenderedExport_saliencySha256_idx" ON "RenderedExport"("saliencySha256");
