'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDismiss } from '../lib/use-dismiss.ts';
import type { NotificationFieldsFragment } from '../lib/__generated__/graphql.ts';
import { gqlRequest, userMessage } from '../lib/graphql-client.ts';
import { formatDateTime } from '../lib/format.ts';
import { MARK_NOTIFICATIONS_READ, NOTIFICATIONS, NOTIFICATIONS_CHANGED, UNREAD_NOTIFICATION_COUNT } from '../lib/operations/notifications.ts';
import { wsClient } from '../lib/subscriptions.ts';
import { useMutation, useQuery } from '../lib/use-api.ts';

/**
 * The bell in the app shell: the caller's unread count, kept live by the `notificationsChanged`
 * subscription (its first event is the current count, so `data-live="true"` means later changes
 * arrive without a reload), and a panel of the latest notifications. Opening one marks it read.
 */
export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const [count, setCount] = useState<number | null>(null);
  const [live, setLive] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const initial = useQuery(UNREAD_NOTIFICATION_COUNT, {}, { redirectOnUnauthenticated: false });
  const list = useQuery(NOTIFICATIONS, open ? { first: 20 } : null, { redirectOnUnauthenticated: false });
  const markRead = useMutation(MARK_NOTIFICATIONS_READ);
  const { reload } = list;
  // The subscription lives as long as the shell; it reloads whatever list is open at the time.
  const reloadList = useRef(reload);
  reloadList.current = reload;

  useEffect(() => {
    if (initial.data && count === null) setCount(initial.data.unreadNotificationCount);
  }, [initial.data, count]);

  useEffect(() => {
    const dispose = wsClient().subscribe<{ notificationsChanged: { unreadCount: number; notification: NotificationFieldsFragment | null } }>(
      { query: NOTIFICATIONS_CHANGED },
      {
        next: (msg) => {
          const e = msg.data?.notificationsChanged;
          if (!e) return;
          setLive(true);
          setCount(e.unreadCount);
          if (e.notification) void reloadList.current();
        },
        error: () => setLive(false),
        complete: () => setLive(false),
      },
    );
    return () => dispose();
  }, []);

  useDismiss(open, useCallback(() => setOpen(false), []), wrapper, button);

  const unread = count ?? 0;
  const nodes = list.data?.notifications.nodes ?? [];

  async function read(ids: string[] | null) {
    const r = await markRead.run(ids ? { ids } : { all: true });
    if (r) {
      // The subscription brings the new count too; this keeps the panel right meanwhile.
      const fresh = await gqlRequest(UNREAD_NOTIFICATION_COUNT, {}).catch(() => null);
      if (fresh) setCount(fresh.unreadNotificationCount);
      await reload();
    }
  }

  return (
    <div ref={wrapper} className="relative shrink-0" data-testid="notification-bell" data-live={live ? 'true' : 'false'} data-unread={unread}>
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls="notification-panel"
        onClick={() => setOpen((o) => !o)}
        className="relative flex h-9 w-9 items-center justify-center rounded-md text-slate-700 hover:bg-slate-100"
        data-testid="notification-button"
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        <span className="sr-only">Notifications{unread ? `, ${unread} unread` : ', none unread'}</span>
        {unread ? (
          <span
            aria-hidden="true"
            data-testid="notification-count"
            className="absolute -top-0.5 -right-0.5 flex h-4 min-w-4 items-center justify-center rounded-full bg-red-700 px-1 text-[10px] leading-none font-semibold text-white"
          >
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </button>
      <div
        id="notification-panel"
        hidden={!open}
        className="absolute right-0 z-30 mt-2 w-80 max-w-[calc(100vw-2rem)] rounded-md border border-slate-200 bg-white shadow-lg"
        data-testid="notification-panel"
      >
        <div className="flex items-center justify-between border-b border-slate-200 px-4 py-2">
          <h2 className="text-sm font-semibold text-slate-900">Notifications</h2>
          <button
            type="button"
            disabled={!unread || markRead.pending}
            onClick={() => void read(null)}
            className="text-xs font-medium text-indigo-700 hover:underline disabled:text-slate-500 disabled:no-underline"
            data-testid="notifications-mark-all"
          >
            Mark all read
          </button>
        </div>
        {list.error ? <p className="px-4 py-3 text-sm text-red-700">{userMessage(list.error)}</p> : null}
        {markRead.error ? <p className="px-4 py-2 text-xs text-red-700">{userMessage(markRead.error)}</p> : null}
        <ul className="max-h-96 overflow-y-auto" data-testid="notification-list">
          {open && !list.data && !list.error ? <li className="px-4 py-3 text-sm text-slate-600">Loading…</li> : null}
          {list.data && nodes.length === 0 ? <li className="px-4 py-3 text-sm text-slate-600">Nothing yet. Mentions, replies, study invitations and finished explanations show up here.</li> : null}
          {nodes.map((n) => (
            <li key={n.id} className="border-b border-slate-100 last:border-0">
              <Link
                href={n.href}
                onClick={() => {
                  setOpen(false);
                  if (!n.readAt) void read([n.id]);
                }}
                className={`block px-4 py-2 text-sm hover:bg-slate-50 ${n.readAt ? 'text-slate-700' : 'font-medium text-slate-900'}`}
                data-testid="notification-item"
                data-unread={n.readAt ? 'false' : 'true'}
              >
                {n.readAt ? null : <span className="sr-only">Unread: </span>}
                {n.message}
                {n.excerpt ? <span className="mt-0.5 block truncate text-xs font-normal text-slate-600">“{n.excerpt}”</span> : null}
                <span className="mt-0.5 block text-xs font-normal text-slate-600">{formatDateTime(n.createdAt)}</span>
              </Link>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
