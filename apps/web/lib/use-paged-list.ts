'use client';

import { useCallback, useState } from 'react';
import { gqlRequest, isApiError, ApiError } from './graphql-client.ts';
import type { TypedOperation } from './graphql-client.ts';
import { useQuery, type QueryState } from './use-api.ts';

export interface Page<TNode> {
  nodes: TNode[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface PagedList<TData, TNode> extends QueryState<TData> {
  /** The first page and every page "Load more" fetched since the variables last changed. */
  nodes: TNode[];
  hasNextPage: boolean;
  loadMore: () => Promise<void>;
  loadingMore: boolean;
  moreError: ApiError | null;
  /** Drops one row from what is shown (after a delete), without a round trip. */
  removeNode: (keep: (node: TNode) => boolean) => void;
  /** Replaces rows in what is shown (after a rename). */
  updateNodes: (fn: (node: TNode) => TNode) => void;
}

/**
 * A cursor connection read page by page: the first page with `variables`, each further page with
 * `after` = the last page's endCursor ("Load more"). Changing the variables starts again at page one.
 */
export function usePagedList<TData, TVars extends { after?: string | null }, TNode>(
  op: TypedOperation<TData, TVars>,
  variables: TVars | null,
  pick: (data: TData) => Page<TNode>,
): PagedList<TData, TNode> {
  const first = useQuery(op, variables);
  const key = JSON.stringify(variables);
  const [more, setMore] = useState<{ key: string; nodes: TNode[]; pageInfo: Page<TNode>['pageInfo'] } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiError | null>(null);
  const [edits, setEdits] = useState<{ key: string; data: unknown; fn: (nodes: TNode[]) => TNode[] }[]>([]);

  const firstPage = first.data ? pick(first.data) : null;
  const extra = more?.key === key ? more : null;
  let nodes = [...(firstPage?.nodes ?? []), ...(extra?.nodes ?? [])];
  for (const e of edits) if (e.key === key && e.data === first.data) nodes = e.fn(nodes);
  const pageInfo = extra?.pageInfo ?? firstPage?.pageInfo ?? { hasNextPage: false, endCursor: null };

  const loadMore = useCallback(async () => {
    if (!variables || !pageInfo.endCursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const res = pick(await (gqlRequest as (o: TypedOperation<TData, TVars>, v: TVars) => Promise<TData>)(op, { ...variables, after: pageInfo.endCursor }));
      setMore({ key, nodes: [...(extra?.nodes ?? []), ...res.nodes], pageInfo: res.pageInfo });
    } catch (e) {
      setMoreError(isApiError(e) ? e : new ApiError('INTERNAL', e instanceof Error ? e.message : 'Unexpected error.'));
    } finally {
      setLoadingMore(false);
    }
  }, [variables, pageInfo.endCursor, pick, op, key, extra?.nodes]);

  const removeNode = useCallback(
    (keep: (node: TNode) => boolean) => setEdits((prev) => [...prev, { key, data: first.data, fn: (ns) => ns.filter(keep) }]),
    [key, first.data],
  );
  const updateNodes = useCallback(
    (fn: (node: TNode) => TNode) => setEdits((prev) => [...prev, { key, data: first.data, fn: (ns) => ns.map(fn) }]),
    [key, first.data],
  );

  return { ...first, nodes, hasNextPage: pageInfo.hasNextPage, loadMore, loadingMore, moreError, removeNode, updateNodes };
}
