import type { Server } from 'node:http';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { AppError, HTTP_STATUS, loadConfig } from '@fep/shared';
import { authorizeObject } from '../auth/permissions.ts';
import type { ApiDeps } from '../context.ts';
import { mountExplanationDownloadRoutes } from '../explanations/downloads.ts';
import { mountModelUploadRoute } from '../models/model-upload.routes.ts';
import { mountStudyRoutes } from '../studies/studies.routes.ts';
import { createUploadServer, sweepExpiredUploads, uploadsDirectory, UPLOADS_PATH } from '../videos/uploads.ts';
import { describeError, formatError } from '../common/errors.ts';
import { createApolloServer } from './apollo.ts';
import { trackHttpRequests } from './drain.ts';
import { buildContext } from './request-context.ts';
import { createRequestGuard, type RequestGuard } from './request-guard.ts';
import { apiContentSecurityPolicy, securityHeaders } from './security-headers.ts';

export const GRAPHQL_PATH = '/api/graphql';

/**
 * Mounts the API on an express app: GraphQL at /api/graphql and authenticated media streaming.
 * The returned `stop` drains Apollo. Callers add their own fallthrough (Next.js) afterwards.
 */
export async function mountApi(
  app: Express,
  deps: ApiDeps,
  schema: GraphQLSchema,
  opts: { guard?: RequestGuard } = {},
) {
  if (process.env.TRUST_PROXY) app.set('trust proxy', process.env.TRUST_PROXY);
  const guard = opts.guard ?? createRequestGuard(deps.config.appOrigins);
  const apollo = createApolloServer(schema, [], { introspection: deps.config.introspection });
  await apollo.start();
  // Every /api route: security headers, then the origin check on cookie-authenticated requests.
  app.use('/api', securityHeaders({ hsts: deps.config.secureCookies }), apiContentSecurityPolicy(), guard.middleware(GRAPHQL_PATH));
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        buildContext(deps, { headers: req.headers, ip: req.ip ?? 'unknown' }, (cookie) => res.append('Set-Cookie', cookie)),
    }),
    // Body-parser failures (413, malformed JSON) in the GraphQL error shape, not express's HTML.
    (err: { status?: number; type?: string; message?: string }, _req: Request, res: Response, next: (e?: unknown) => void) => {
      if (res.headersSent || typeof err?.status !== 'number') return next(err);
      const message =
        err.type === 'entity.too.large'
          ? 'The request body is larger than the 1 MB limit.'
          : err.type === 'entity.parse.failed'
            ? 'The request body is not valid JSON.'
            : (err.message ?? 'Bad request.');
      res.status(err.status).json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
    },
  );

  const uploads = createUploadServer(deps);
  const tus = (req: Request, res: Response) => void uploads.handle(req, res);
  app.all(UPLOADS_PATH, tus);
  app.all(`${UPLOADS_PATH}/{*id}`, tus);
  mountModelUploadRoute(app, deps);
  // Abandoned uploads expire: sweep their staging files every half expiry period (at most hourly).
  const expiryMs = deps.config.uploadExpiryHours * 3600_000;
  const sweep = () =>
    void sweepExpiredUploads(uploadsDirectory(deps), expiryMs)
      .then((n) => n > 0 && console.log(`[uploads] deleted ${n} expired upload(s)`))
      .catch((err) => console.error('[uploads] expiry sweep failed', err));
  const sweepTimer = setInterval(sweep, Math.max(1000, Math.min(expiryMs / 2, 3600_000)));
  sweepTimer.unref();

  // Media: same-origin URLs the UI uses; every request is checked like a resolver.
  const media = async (
    req: Request,
    res: Response,
    load: (ctx: Awaited<ReturnType<typeof buildContext>>) => Promise<{ sha256: string; type: string; name: string }>,
  ) => {
    try {
      const ctx = await buildContext(deps, { headers: req.headers, ip: req.ip ?? 'unknown' }, null);
      const { sha256, type, name } = await load(ctx);
      const file = await deps.storage.localPath(sha256);
      res.setHeader('Content-Type', type);
      res.setHeader('Cache-Control', 'private, max-age=3600');
      // ?download=1 (the viewer's download buttons) saves the file instead of showing it.
      const disposition = req.query.download === '1' ? 'attachment' : 'inline';
      res.setHeader('Content-Disposition', `${disposition}; filename="${name.replace(/[^\w.-]/g, '_')}"`);
      res.sendFile(file);
    } catch (err) {
      const { code, status, message } = describeError(err);
      if (code === 'INTERNAL' || code === 'UNAVAILABLE') console.error('[api] media request failed', err);
      res.status(status).json({ error: { code, message } });
    }
  };
  app.get('/api/media/videos/:id', (req, res) =>
    media(req, res, async (ctx) => {
      const video = await ctx.db.video.findUnique({ where: { id: String(req.params.id) } });
      await authorizeObject(ctx, 'Video', video?.teamId, 'video.read');
      return { sha256: video!.sha256, type: 'video/mp4', name: video!.filename };
    }),
  );
  app.get('/api/media/explanations/:id/saliency.npy', (req, res) =>
    media(req, res, async (ctx) => {
      const e = await ctx.db.explanation.findUnique({ where: { id: String(req.params.id) } });
      await authorizeObject(ctx, 'Explanation', e?.teamId, 'explanation.read');
      if (!e!.saliencySha256) throw new AppError('NOT_FOUND', 'This explanation has no saliency volume yet.');
      return { sha256: e!.saliencySha256, type: 'application/octet-stream', name: `saliency-${e!.id}.npy` };
    }),
  );
  mountExplanationDownloadRoutes(app, deps);
  mountStudyRoutes(app, deps);
  app.get('/api/media/reports/:id/:file', (req, res) =>
    media(req, res, async (ctx) => {
      const report = await ctx.db.auditReport.findUnique({ where: { id: String(req.params.id) } });
      await authorizeObject(ctx, 'Audit report', report?.teamId, 'audit.read');
      const name = String(req.params.file);
      const stored = (report!.manifest as { stored?: Record<string, { sha256: string }> }).stored?.[name];
      if (!stored) throw new AppError('NOT_FOUND', 'No such file in this report.');
      const type = name.endsWith('.pdf') ? 'application/pdf' : name.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/json';
      return { sha256: stored.sha256, type, name };
    }),
  );
  // Unknown API routes and unhandled route errors answer JSON with a code, never Next's or express's HTML.
  app.all('/api/{*rest}', (_req, res) => {
    res.status(HTTP_STATUS.NOT_FOUND).json({ error: { code: 'NOT_FOUND', message: 'No such API route.' } });
  });
  app.use('/api', (err: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return void res.status(status).json({ error: { code: 'BAD_USER_INPUT', message: (err as Error).message } });
    }
    console.error('[api] route failed', err);
    const { code, status: answer, message } = describeError(err);
    res.status(answer).json({ error: { code, message } });
  });
  return {
    stop: () => {
      clearInterval(sweepTimer);
      return apollo.stop();
    },
    guard,
  };
}

/**
 * GraphQL subscriptions over graphql-ws on the same path. Auth comes from the upgrade request's
 * cookie or a `authorization` connection param; each operation gets a fresh context.
 */
export function attachSubscriptions(server: Server, deps: ApiDeps, schema: GraphQLSchema, opts: { guard?: RequestGuard } = {}) {
  const guard = opts.guard ?? createRequestGuard(deps.config.appOrigins);
  const wss = new WebSocketServer({ noServer: true });
  const cleanup = useServer(
    {
      schema,
      context: async (ctx) => {
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const headers = { ...ctx.extra.request.headers };
        if (typeof params.authorization === 'string') headers.authorization = params.authorization;
        return buildContext(deps, { headers, ip: ctx.extra.request.socket.remoteAddress ?? 'unknown' }, null);
      },
      // The same error formatting as HTTP, so WebSocket errors carry our codes too.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wss,
  );
  const onUpgrade = (req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  return {
    /** Returns true when the upgrade was for GraphQL and has been taken. */
    handleUpgrade(req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): boolean {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== GRAPHQL_PATH) return false;
      // A cookie-carrying upgrade from a foreign origin is refused with 403 before any handshake.
      if (guard.admitUpgrade(req, socket)) onUpgrade(req, socket, head);
      return true;
    },
    close: async () => {
      await cleanup.dispose();
      wss.close();
    },
  };
}

/** A standalone API server (no Next.js): used by tests and by API-only deployments. */
export async function startApiServer(deps: ApiDeps, schema: GraphQLSchema, port = 0, host = '127.0.0.1') {
  const { createServer } = await import('node:http');
  const app = express();
  app.disable('x-powered-by');
  const guard = createRequestGuard(deps.config.appOrigins);
  const api = await mountApi(app, deps, schema, { guard });
  const server = createServer(app);
  const drainer = trackHttpRequests(server);
  const subs = attachSubscriptions(server, deps, schema, { guard });
  server.on('upgrade', (req, socket, head) => {
    if (!subs.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  // The server's own address is always its own origin (tests listen on a free port).
  guard.allowedOrigins.add(`http://${host}:${actualPort}`);
  return {
    url: `http://${host}:${actualPort}`,
    server,
    /** Drains in-flight requests (up to `graceMs`, default SHUTDOWN_GRACE_MS), then stops. */
    close: async (graceMs = loadConfig().shutdownGraceMs) => {
      const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
      await drainer.drain(graceMs);
      await subs.close();
      await api.stop();
      server.closeAllConnections();
      await closed;
    },
  };
}
