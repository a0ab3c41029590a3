'use client';

/**
 * GraphQL subscriptions over graphql-ws on the API's path (same origin; the browser sends the
 * session cookie with the WebSocket upgrade, so no connection params are needed).
 */
import { createClient, type Client } from 'graphql-ws';
import { useEffect, useState } from 'react';
import type { ExplanationProgressSubscription } from './__generated__/graphql.ts';
import { EXPLANATION_PROGRESS } from './operations/explanations.ts';

let client: Client | null = null;

export function wsClient(): Client {
  if (!client) {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    client = createClient({ url: `${proto}//${window.location.host}/api/graphql`, lazy: true, retryAttempts: 5 });
  }
  return client;
}

/** One progress event, typed from the schema (GraphQL ExplanationProgress; stage names: @fep/shared/progress). */
export type ExplanationProgressEvent = ExplanationProgressSubscription['explanationProgress'];

/** Live progress of one explanation while `active`; `error` is set when the stream fails. */
export function useExplanationProgress(id: string | null, active: boolean) {
  const [event, setEvent] = useState<ExplanationProgressEvent | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!id || !active) return;
    setError(null);
    const dispose = wsClient().subscribe<ExplanationProgressSubscription>(
      { query: EXPLANATION_PROGRESS, variables: { id } },
      {
        next: (msg) => {
          if (msg.data?.explanationProgress) setEvent(msg.data.explanationProgress);
          if (msg.errors?.length) setError(msg.errors[0]!.message);
        },
        error: () => setError('Live progress is unavailable; the page refreshes the status instead.'),
        complete: () => {},
      },
    );
    return () => dispose();
  }, [id, active]);
  return { event, error };
}
