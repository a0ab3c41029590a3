'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, gqlRequest, isApiError } from './graphql-client.ts';
import type { TypedOperation } from './graphql-client.ts';
import { loginHref } from './navigation.ts';

function asApiError(e: unknown): ApiError {
  return isApiError(e) ? e : new ApiError('INTERNAL', e instanceof Error ? e.message : 'Unexpected error.');
}

/** A session that ended mid-page sends the person to /login and back here afterwards. */
function redirectIfSignedOut(err: ApiError): void {
  if (err.code === 'UNAUTHENTICATED' && typeof window !== 'undefined') {
    window.location.assign(loginHref(window.location.pathname + window.location.search));
  }
}

export interface QueryState<TData> {
  data: TData | undefined;
  error: ApiError | null;
  loading: boolean;
  /** Re-runs the query; keeps the current data on screen meanwhile (no flash back to skeletons). */
  reload: () => Promise<void>;
  /** Local update after a mutation, without a round trip. */
  setData: (update: (prev: TData | undefined) => TData | undefined) => void;
}

/**
 * Runs a query on mount and whenever `variables` change (compared by value); `variables === null`
 * skips it. Stale answers of superseded requests are dropped.
 */
export function useQuery<TData, TVars>(
  op: TypedOperation<TData, TVars>,
  variables: TVars | null,
  opts: { redirectOnUnauthenticated?: boolean } = {},
): QueryState<TData> {
  const key = variables === null ? null : JSON.stringify(variables);
  const [data, setDataState] = useState<TData | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(key !== null);
  const seq = useRef(0);
  const redirect = opts.redirectOnUnauthenticated ?? true;

  const run = useCallback(
    async (clear: boolean) => {
      if (key === null) {
        setLoading(false);
        return;
      }
      const mine = ++seq.current;
      if (clear) setDataState(undefined);
      setLoading(true);
      try {
        const vars = JSON.parse(key) as TVars;
        const result = await (gqlRequest as (o: TypedOperation<TData, TVars>, v: TVars) => Promise<TData>)(op, vars);
        if (mine !== seq.current) return;
        setDataState(result);
        setError(null);
      } catch (e) {
        if (mine !== seq.current) return;
        const err = asApiError(e);
        if (redirect) redirectIfSignedOut(err);
        setError(err);
      } finally {
        if (mine === seq.current) setLoading(false);
      }
    },
    [op, key, redirect],
  );

  useEffect(() => {
    void run(true);
  }, [run]);

  const reload = useCallback(() => run(false), [run]);
  const setData = useCallback((update: (prev: TData | undefined) => TData | undefined) => setDataState(update), []);
  return { data, error, loading, reload, setData };
}

export interface MutationState<TData, TVars> {
  /** Resolves with the data, or null when it failed (the error is then in `error`). */
  run: (variables: TVars) => Promise<TData | null>;
  pending: boolean;
  error: ApiError | null;
  reset: () => void;
}

/**
 * `redirectOnUnauthenticated: false` for sign-in forms, where UNAUTHENTICATED means "wrong
 * password", not "session ended".
 */
export function useMutation<TData, TVars>(
  op: TypedOperation<TData, TVars>,
  opts: { redirectOnUnauthenticated?: boolean } = {},
): MutationState<TData, TVars> {
  const redirect = opts.redirectOnUnauthenticated ?? true;
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = useCallback(
    async (variables: TVars) => {
      setPending(true);
      setError(null);
      try {
        return await (gqlRequest as (o: TypedOperation<TData, TVars>, v: TVars) => Promise<TData>)(op, variables);
      } catch (e) {
        const err = asApiError(e);
        if (redirect) redirectIfSignedOut(err);
        setError(err);
        return null;
      } finally {
        setPending(false);
      }
    },
    [op, redirect],
  );
  const reset = useCallback(() => setError(null), []);
  return { run, pending, error, reset };
}
