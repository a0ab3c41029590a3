'use client';

import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { FeedbackQuery } from '../../lib/__generated__/graphql.ts';
import { userMessage } from '../../lib/graphql-client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { mentionedIds, type Person } from '../../lib/mentions.ts';
import { ADD_COMMENT, CREATE_ANNOTATION, DELETE_ANNOTATION, EDIT_COMMENT, RATE_EXPLANATION, RESOLVE_COMMENT, TEAM_MEMBERS_FOR_MENTIONS } from '../../lib/operations/feedback.ts';
import { can } from '../../lib/roles.ts';
import { useMutation, useQuery } from '../../lib/use-api.ts';
import { Alert } from '../Alert.tsx';
import { Button } from '../Button.tsx';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Card } from '../Card.tsx';
import { MentionInput } from '../MentionInput.tsx';
import { useViewer } from '../ViewerContext.tsx';
import type { Draft, Tool } from './AnnotationLayer.tsx';

type Feedback = NonNullable<FeedbackQuery['explanation']>;
type CommentT = Feedback['comments']['nodes'][number];

/**
 * Anchor texts of the 7-point plausibility scale (labelled end points and midpoint, as in
 * Likert-type items of saliency user studies, e.g. Hase & Bansal, ACL 2020).
 */
export const PLAUSIBILITY_ANCHORS: Record<number, string> = {
  1: 'Not plausible at all',
  2: 'Mostly implausible',
  3: 'Somewhat implausible',
  4: 'Neither plausible nor implausible',
  5: 'Somewhat plausible',
  6: 'Mostly plausible',
  7: 'Completely plausible',
};
const CONFIDENCE_ANCHORS: Record<number, string> = { 1: 'Guessing', 2: 'Unsure', 3: 'Fairly sure', 4: 'Sure', 5: 'Certain' };

const fmtSec = (s: number) => `${s.toFixed(2)} s`;

export function AnnotatePanel({
  explanationId,
  frames,
  frame,
  tool,
  onTool,
  draft,
  onDraft,
  feedback,
  mayWrite,
  viewerId,
  onSaved,
}: {
  explanationId: string;
  frames: number;
  frame: number | null;
  tool: Tool;
  onTool: (t: Tool) => void;
  draft: Draft | null;
  onDraft: (d: Draft | null) => void;
  feedback: Feedback | undefined;
  mayWrite: boolean;
  viewerId: string;
  onSaved: () => void;
}) {
  const create = useMutation(CREATE_ANNOTATION);
  const remove = useMutation(DELETE_ANNOTATION);
  const [removing, setRemoving] = useState<{ id: string; what: string } | null>(null);
  const [start, setStart] = useState('1');
  const [end, setEnd] = useState('1');
  const [label, setLabel] = useState('');
  useEffect(() => {
    if (frame !== null && !draft) {
      setStart(String(frame + 1));
      setEnd(String(frame + 1));
    }
  }, [frame, draft]);

  const ready = draft && (draft.shape === 'RECTANGLE' ? draft.rect.w > 0.005 && draft.rect.h > 0.005 : draft.points.length >= 3);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft || !ready) return;
    const ok = await create.run({
      input: {
        explanationId,
        shape: draft.shape,
        ...(draft.shape === 'RECTANGLE' ? { rect: draft.rect } : { points: draft.points }),
        frameStart: Number(start) - 1,
        frameEnd: Number(end) - 1,
        ...(label.trim() ? { label: label.trim() } : {}),
      },
    });
    if (ok) {
      onDraft(null);
      onTool('none');
      setLabel('');
      onSaved();
    }
  }

  return (
    <Card title="Annotations" id="annotations" description="Mark where the action really is, on a range of frames.">
      {mayWrite ? (
        <form onSubmit={(e) => void save(e)} className="space-y-3" data-testid="annotation-form">
          <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Drawing tool">
            {(['rectangle', 'polygon'] as const).map((t) => (
              <Button
                key={t}
                size="sm"
                variant={tool === t ? 'primary' : 'secondary'}
                aria-pressed={tool === t}
                onClick={() => {
                  onDraft(null);
                  onTool(tool === t ? 'none' : t);
                }}
                data-testid={`tool-${t}`}
              >
                {t === 'rectangle' ? 'Rectangle (R)' : 'Polygon (P)'}
              </Button>
            ))}
            {draft ? (
              <Button size="sm" variant="ghost" onClick={() => onDraft(null)}>
                Clear
              </Button>
            ) : null}
          </div>
          <p className="min-h-5 text-xs text-slate-600" aria-live="polite">
            {tool === 'rectangle'
              ? 'Drag on the video to draw a rectangle.'
              : tool === 'polygon'
                ? `Click on the video to add points (${draft?.shape === 'POLYGON' ? draft.points.length : 0} so far, at least 3).`
                : 'Pick a tool to draw on the video.'}
          </p>
          <div className="grid grid-cols-2 gap-2">
            <label className="text-xs font-medium text-slate-800">
              From frame
              <input type="number" min={1} max={frames} value={start} onChange={(e) => setStart(e.target.value)} className="mt-1 block h-8 w-full rounded-md border border-slate-300 px-2 text-sm" />
            </label>
            <label className="text-xs font-medium text-slate-800">
              To frame
              <input type="number" min={1} max={frames} value={end} onChange={(e) => setEnd(e.target.value)} className="mt-1 block h-8 w-full rounded-md border border-slate-300 px-2 text-sm" />
            </label>
          </div>
          <label className="block text-xs font-medium text-slate-800">
            Label (optional)
            <input value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} className="mt-1 block h-8 w-full rounded-md border border-slate-300 px-2 text-sm" placeholder="e.g. moving square" />
          </label>
          {create.error ? <Alert tone="error">{userMessage(create.error)} {Object.values(create.error.fields).join(' ')}</Alert> : null}
          <Button type="submit" size="sm" disabled={!ready} loading={create.pending} data-testid="annotation-save">
            Save annotation
          </Button>
        </form>
      ) : null}
      <ConfirmDialog
        open={removing !== null}
        title="Remove this annotation?"
        confirmLabel="Remove annotation"
        pending={remove.pending}
        error={remove.error}
        testId="annotation-remove-dialog"
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={async () => {
          if (removing && (await remove.run({ id: removing.id }))) {
            setRemoving(null);
            onSaved();
          }
        }}
      >
        {removing?.what} will be removed for everyone on the team. The removal is recorded in the audit log.
      </ConfirmDialog>
      <ul className="mt-4 space-y-2 text-sm" data-testid="annotation-list">
        {!feedback ? (
          <li className="h-5 animate-pulse rounded bg-slate-200" aria-hidden="true" />
        ) : feedback.annotations.nodes.length === 0 ? (
          <li className="text-slate-600">No annotations yet.</li>
        ) : (
          feedback.annotations.nodes.map((a) => (
            <li key={a.id} className="flex items-center justify-between gap-2" data-testid="annotation-item">
              <span>
                {a.shape === 'RECTANGLE' ? 'Rectangle' : 'Polygon'}
                {a.label ? ` “${a.label}”` : ''} · frames {a.frameStart + 1}–{a.frameEnd + 1} · {a.author.name}
              </span>
              {mayWrite && a.author.id === viewerId ? (
                <Button
                  size="sm"
                  variant="ghost"
                  data-testid="annotation-remove"
                  onClick={() => setRemoving({ id: a.id, what: `${a.shape === 'RECTANGLE' ? 'The rectangle' : 'The polygon'}${a.label ? ` “${a.label}”` : ''} on frames ${a.frameStart + 1}–${a.frameEnd + 1}` })}
                >
                  Remove<span className="sr-only"> annotation</span>
                </Button>
              ) : null}
            </li>
          ))
        )}
      </ul>
    </Card>
  );
}

export function RatingPanel({ explanationId, feedback, mayWrite, onSaved }: { explanationId: string; feedback: Feedback | undefined; mayWrite: boolean; onSaved: () => void }) {
  const rate = useMutation(RATE_EXPLANATION);
  const mine = feedback?.myRating;
  const [plausibility, setPlausibility] = useState<number | null>(null);
  const [confidence, setConfidence] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (mine) {
      setPlausibility(mine.plausibility);
      setConfidence(mine.confidence);
      setComment(mine.comment ?? '');
    }
  }, [mine]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!plausibility) return;
    setSaved(false);
    const ok = await rate.run({ input: { explanationId, plausibility, ...(confidence ? { confidence } : {}), ...(comment.trim() ? { comment: comment.trim() } : {}) } });
    if (ok) {
      setSaved(true);
      onSaved();
    }
  }

  const others = feedback?.ratings.nodes ?? [];
  const mean = others.length ? others.reduce((s, r) => s + r.plausibility, 0) / others.length : null;
  return (
    <Card title="Plausibility" id="rating" description="Does the highlighted region explain the action the way a person would?">
      {mayWrite ? (
        <form onSubmit={(e) => void submit(e)} className="space-y-3" data-testid="rating-form">
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-slate-800">How plausible is this explanation?</legend>
            <div className="grid grid-cols-7 gap-1">
              {[1, 2, 3, 4, 5, 6, 7].map((v) => (
                <label key={v} className={`flex cursor-pointer flex-col items-center rounded-md py-1.5 text-sm font-medium ring-1 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-indigo-600 ${plausibility === v ? 'bg-indigo-600 text-white ring-indigo-600' : 'bg-white text-slate-800 ring-slate-300'}`}>
                  <input type="radio" name="plausibility" value={v} checked={plausibility === v} onChange={() => setPlausibility(v)} className="sr-only" aria-label={`${v}: ${PLAUSIBILITY_ANCHORS[v]}`} />
                  {v}
                </label>
              ))}
            </div>
            <div className="mt-1 flex justify-between text-[11px] text-slate-600">
              <span>1 · {PLAUSIBILITY_ANCHORS[1]}</span>
              <span>7 · {PLAUSIBILITY_ANCHORS[7]}</span>
            </div>
            <p className="min-h-5 text-center text-xs text-slate-700" aria-live="polite" data-testid="rating-anchor">
              {plausibility ? `${plausibility} · ${PLAUSIBILITY_ANCHORS[plausibility]}` : ''}
            </p>
          </fieldset>
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-slate-800">How confident are you?</legend>
            <div className="grid grid-cols-5 gap-1">
              {[1, 2, 3, 4, 5].map((v) => (
                <label key={v} className={`cursor-pointer rounded-md py-1 text-center text-xs ring-1 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-indigo-600 ${confidence === v ? 'bg-indigo-600 text-white ring-indigo-600' : 'bg-white text-slate-800 ring-slate-300'}`}>
                  <input type="radio" name="confidence" value={v} checked={confidence === v} onChange={() => setConfidence(v)} className="sr-only" aria-label={`${v}: ${CONFIDENCE_ANCHORS[v]}`} />
                  {CONFIDENCE_ANCHORS[v]}
                </label>
              ))}
            </div>
          </fieldset>
          <label className="block text-sm font-medium text-slate-800">
            Comment (optional)
            <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={2} maxLength={5000} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm" />
          </label>
          {rate.error ? <Alert tone="error">{userMessage(rate.error)}</Alert> : null}
          <div className="flex items-center gap-3">
            <Button type="submit" size="sm" disabled={!plausibility} loading={rate.pending} data-testid="rating-submit">
              {mine ? 'Update rating' : 'Save rating'}
            </Button>
            <span className="text-xs text-emerald-800" role="status" data-testid="rating-saved">
              {saved ? 'Saved.' : ''}
            </span>
          </div>
        </form>
      ) : null}
      <p className="mt-3 text-xs text-slate-600" data-testid="rating-summary">
        {mean === null ? 'No ratings yet.' : `${others.length} rating${others.length === 1 ? '' : 's'}, mean ${mean.toFixed(1)} of 7.`}
      </p>
    </Card>
  );
}

export function CommentsPanel({
  explanationId,
  teamId,
  feedback,
  mayWrite,
  mediaTime,
  onSeekTime,
  onSaved,
}: {
  explanationId: string;
  teamId: string;
  feedback: Feedback | undefined;
  mayWrite: boolean;
  mediaTime: number;
  onSeekTime: (t: number) => void;
  onSaved: () => void;
}) {
  const { user, memberships } = useViewer();
  const role = memberships.find((m) => m.team.id === teamId)?.role ?? null;
  const members = useQuery(TEAM_MEMBERS_FOR_MENTIONS, { id: teamId });
  // Only people who can open the explanation are offered (the API drops anyone else).
  const people = members.data?.team.members.nodes.filter((m) => can(m.role, 'explanation.read')).map((m) => m.user) ?? [];
  const me = { userId: user.id, mayWrite, mayResolveAny: can(role, 'comment.resolve') };
  return (
    <Card title="Discussion" id="comments" description="Comments can point at a moment of the video and mention team members: type @ and pick a name.">
      {mayWrite ? <CommentForm explanationId={explanationId} people={people} mediaTime={mediaTime} onSaved={onSaved} /> : null}
      <ul className="mt-4 space-y-4" data-testid="comment-list">
        {!feedback ? (
          <li className="h-10 animate-pulse rounded bg-slate-200" aria-hidden="true" />
        ) : feedback.comments.nodes.length === 0 ? (
          <li className="text-sm text-slate-600">No comments yet.</li>
        ) : (
          feedback.comments.nodes.map((c) => (
            <li key={c.id} id={`comment-${c.id}`} data-testid="comment-thread" data-resolved={c.resolvedBy ? 'true' : 'false'}>
              <CommentView c={c} onSeekTime={onSeekTime} people={people} me={me} thread onSaved={onSaved} />
              {c.resolvedBy ? null : (
                <>
                  <ul className="mt-2 space-y-2 border-l-2 border-slate-200 pl-3">
                    {c.replies.nodes.map((r) => (
                      <li key={r.id} id={`comment-${r.id}`}>
                        <CommentView c={r} onSeekTime={onSeekTime} people={people} me={me} onSaved={onSaved} />
                      </li>
                    ))}
                    {c.replies.pageInfo.hasNextPage ? <li className="text-sm text-slate-600">Showing the first {c.replies.nodes.length} replies; there are more.</li> : null}
                  </ul>
                  {mayWrite ? <CommentForm explanationId={explanationId} people={people} mediaTime={mediaTime} onSaved={onSaved} parentId={c.id} /> : null}
                </>
              )}
            </li>
          ))
        )}
      </ul>
    </Card>
  );
}

function CommentView({
  c,
  onSeekTime,
  people,
  me,
  thread = false,
  onSaved,
}: {
  c: Pick<CommentT, 'id' | 'body' | 'author' | 'createdAt' | 'timeStartSec' | 'timeEndSec' | 'mentions' | 'editedAt' | 'resolvedBy'> & { replies?: CommentT['replies'] };
  onSeekTime: (t: number) => void;
  people: Person[];
  me: { userId: string; mayWrite: boolean; mayResolveAny: boolean };
  /** The first comment of a thread: it carries the thread's resolved state. */
  thread?: boolean;
  onSaved: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const resolve = useMutation(RESOLVE_COMMENT);
  const mine = c.author.id === me.userId;
  const mayResolve = thread && me.mayWrite && (mine || me.mayResolveAny);
  return (
    <div className="text-sm" data-testid="comment" data-comment-id={c.id}>
      <p className="text-xs text-slate-600">
        <span className="font-medium text-slate-800">{c.author.name}</span> · {formatDateTime(c.createdAt)}
        {c.editedAt ? (
          <span data-testid="comment-edited" title={`Edited ${formatDateTime(c.editedAt)}`}>
            {' · '}edited {formatDateTime(c.editedAt)}
          </span>
        ) : null}
        {c.timeStartSec != null ? (
          <>
            {' · '}
            <button type="button" onClick={() => onSeekTime(c.timeStartSec!)} className="text-indigo-700 underline underline-offset-2">
              {fmtSec(c.timeStartSec)}
              {c.timeEndSec != null && c.timeEndSec !== c.timeStartSec ? `–${fmtSec(c.timeEndSec)}` : ''}
            </button>
          </>
        ) : null}
      </p>
      {editing ? (
        <EditCommentForm
          c={c}
          people={people}
          onDone={(saved) => {
            setEditing(false);
            if (saved) onSaved();
          }}
        />
      ) : (
        <p className="whitespace-pre-wrap text-slate-900">{c.body}</p>
      )}
      {c.mentions.length ? <p className="text-xs text-slate-600">Mentions: {c.mentions.map((m) => m.name).join(', ')}</p> : null}
      {thread && c.resolvedBy ? (
        <p className="text-xs text-green-800" data-testid="comment-resolved">
          Resolved{c.resolvedBy ? ` by ${c.resolvedBy.name}` : ''}
          {c.replies?.nodes.length ? ` · ${c.replies.nodes.length} repl${c.replies.nodes.length === 1 ? 'y' : 'ies'} hidden` : ''}
        </p>
      ) : null}
      {!editing && ((mine && me.mayWrite) || mayResolve) ? (
        <div className="mt-1 flex gap-1">
          {mine && me.mayWrite ? (
            <Button size="sm" variant="ghost" onClick={() => setEditing(true)} data-testid="comment-edit">
              Edit
            </Button>
          ) : null}
          {mayResolve ? (
            <Button
              size="sm"
              variant="ghost"
              loading={resolve.pending}
              onClick={async () => {
                if (await resolve.run({ id: c.id, resolved: !c.resolvedBy })) onSaved();
              }}
              data-testid={c.resolvedBy ? 'comment-reopen' : 'comment-resolve'}
            >
              {c.resolvedBy ? 'Reopen' : 'Resolve'}
            </Button>
          ) : null}
        </div>
      ) : null}
      {resolve.error ? <p className="text-xs text-red-700">{userMessage(resolve.error)}</p> : null}
    </div>
  );
}

function EditCommentForm({ c, people, onDone }: { c: Pick<CommentT, 'id' | 'body'>; people: Person[]; onDone: (saved: boolean) => void }) {
  const edit = useMutation(EDIT_COMMENT);
  const [body, setBody] = useState(c.body);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const mentions = mentionedIds(body, people);
    if (await edit.run({ id: c.id, input: { body, mentions } })) onDone(true);
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="mt-1 space-y-2" data-testid="comment-edit-form">
      <MentionInput value={body} onChange={setBody} people={people} label="Edit comment" multiline testId="comment-edit-input" />
      {edit.error ? <Alert tone="error">{userMessage(edit.error)} {Object.values(edit.error.fields).join(' ')}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" size="sm" disabled={!body.trim()} loading={edit.pending} data-testid="comment-edit-save">
          Save
        </Button>
        <Button size="sm" variant="secondary" onClick={() => onDone(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function CommentForm({ explanationId, people, mediaTime, onSaved, parentId }: { explanationId: string; people: Person[]; mediaTime: number; onSaved: () => void; parentId?: string }) {
  const add = useMutation(ADD_COMMENT);
  const [body, setBody] = useState('');
  const [pin, setPin] = useState(!parentId);
  const [length, setLength] = useState('1');
  const [open, setOpen] = useState(!parentId);
  if (!open)
    return (
      <Button size="sm" variant="ghost" className="mt-1" onClick={() => setOpen(true)}>
        Reply
      </Button>
    );
  async function submit(e: FormEvent) {
    e.preventDefault();
    const mentions = mentionedIds(body, people);
    const ok = await add.run({
      input: {
        explanationId,
        body,
        ...(parentId ? { parentId } : {}),
        ...(pin ? { timeStartSec: mediaTime, timeEndSec: mediaTime + Math.max(0, Number(length) || 0) } : {}),
        ...(mentions.length ? { mentions } : {}),
      },
    });
    if (ok) {
      setBody('');
      if (parentId) setOpen(false);
      onSaved();
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="mt-2 space-y-2" data-testid={parentId ? 'reply-form' : 'comment-form'}>
      <div className="block text-xs font-medium text-slate-800">
        <span aria-hidden="true">{parentId ? 'Reply' : 'New comment'}</span>
        <div className="mt-1">
          <MentionInput
            value={body}
            onChange={setBody}
            people={people}
            label={parentId ? 'Reply' : 'New comment'}
            multiline
            placeholder={people.length ? 'Type @ to mention someone' : ''}
            testId={parentId ? 'reply-input' : 'comment-input'}
          />
        </div>
      </div>
      {!parentId ? (
        <div className="flex flex-wrap items-center gap-3 text-xs text-slate-700">
          <label className="inline-flex items-center gap-1.5">
            <input type="checkbox" checked={pin} onChange={(e) => setPin(e.target.checked)} className="accent-indigo-600" />
            Pin to {fmtSec(mediaTime)}
          </label>
          {pin ? (
            <label className="inline-flex items-center gap-1.5">
              for
              <input type="number" min={0} step={0.5} value={length} onChange={(e) => setLength(e.target.value)} className="h-7 w-16 rounded border border-slate-300 px-1" />
              seconds
            </label>
          ) : null}
        </div>
      ) : null}
      {add.error ? <Alert tone="error">{userMessage(add.error)} {Object.values(add.error.fields).join(' ')}</Alert> : null}
      <Button type="submit" size="sm" disabled={!body.trim()} loading={add.pending} data-testid={parentId ? 'reply-submit' : 'comment-submit'}>
        {parentId ? 'Reply' : 'Comment'}
      </Button>
    </form>
  );
}
