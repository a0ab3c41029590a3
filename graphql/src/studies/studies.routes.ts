import type { Express, Request, Response } from 'express';
import { AppError } from '@fep/shared';
import { authorizeObject } from '../auth/permissions.ts';
import { describeError } from '../common/errors.ts';
import type { ApiDeps } from '../context.ts';
import { buildContext } from '../server/request-context.ts';
import { resolveRaterMedia } from './studies.rater.ts';
import { exportCsv } from './studies.results.ts';
import { getStudyTeam } from './studies.service.ts';

/**
 * Study-scoped HTTP routes:
 * - GET /api/media/studies/:studyId/items/:ref/video and …/options/:alias/saliency.npy — what a
 *   rater needs, addressed only by their per-assignment aliases (RATERs cannot read videos or
 *   explanations directly: `video.read` / `explanation.read` exclude them). Requires
 *   'study.participate' and an assignment in the study.
 * - GET /api/studies/:studyId/judgements.csv — the tidy CSV export, 'study.read'.
 */
export function mountStudyRoutes(app: Express, deps: ApiDeps) {
  const handle = async (req: Request, res: Response, run: (ctx: Awaited<ReturnType<typeof buildContext>>) => Promise<void>) => {
    try {
      const ctx = await buildContext(deps, { headers: req.headers, ip: req.ip ?? 'unknown' }, null);
      await run(ctx);
    } catch (err) {
      const { code, status, message } = describeError(err);
      if (code === 'INTERNAL' || code === 'UNAVAILABLE') console.error('[api] study route failed', err);
      res.status(status).json({ error: { code, message } });
    }
  };
  const sendBlob = async (res: Response, sha256: string, type: string, name: string) => {
    const file = await deps.storage.localPath(sha256);
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('Content-Disposition', `inline; filename="${name}"`);
    res.sendFile(file);
  };
  app.get('/api/media/studies/:studyId/items/:ref/video', (req, res) =>
    handle(req, res, async (ctx) => {
      const studyId = String(req.params.studyId);
      const { caller } = await authorizeObject(ctx, 'Study', await getStudyTeam(ctx, studyId), 'study.participate');
      const { video } = await resolveRaterMedia(ctx, caller, studyId, String(req.params.ref));
      if (!video) throw new AppError('NOT_FOUND', 'This item has no video.');
      await sendBlob(res, video.sha256, 'video/mp4', 'video.mp4');
    }),
  );
  app.get('/api/media/studies/:studyId/items/:ref/options/:alias/saliency.npy', (req, res) =>
    handle(req, res, async (ctx) => {
      const studyId = String(req.params.studyId);
      const { caller } = await authorizeObject(ctx, 'Study', await getStudyTeam(ctx, studyId), 'study.participate');
      const { explanation } = await resolveRaterMedia(ctx, caller, studyId, String(req.params.ref), String(req.params.alias));
      if (!explanation?.saliencySha256) throw new AppError('NOT_FOUND', 'This option has no saliency volume.');
      await sendBlob(res, explanation.saliencySha256, 'application/octet-stream', 'saliency.npy');
    }),
  );
  app.get('/api/studies/:studyId/judgements.csv', (req, res) =>
    handle(req, res, async (ctx) => {
      const studyId = String(req.params.studyId);
      await authorizeObject(ctx, 'Study', await getStudyTeam(ctx, studyId), 'study.read');
      const csv = await exportCsv(ctx, studyId);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="study-${studyId}.csv"`);
      res.send(csv);
    }),
  );
}
