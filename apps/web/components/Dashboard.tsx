'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { userMessage } from '../lib/graphql-client.ts';
import { DELETE_VIDEO, RENAME_VIDEO, VIDEOS } from '../lib/operations/videos.ts';
import type { VideoFilter, VideosQuery } from '../lib/__generated__/graphql.ts';
import { listVariables, useListParams } from '../lib/list-params.ts';
import { usePagedList } from '../lib/use-paged-list.ts';
import { ListControls, LoadMore, useAuthorOptions } from './ListControls.tsx';
import { Dialog } from './Dialog.tsx';
import { TextField } from './Field.tsx';
import { ROLE_LABELS, can } from '../lib/roles.ts';
import { useMutation, useQuery } from '../lib/use-api.ts';
import { Alert } from './Alert.tsx';
import { AppShell } from './AppShell.tsx';
import { Button } from './Button.tsx';
import { PageHeader } from './Card.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { CreateTeamDialog } from './CreateTeamDialog.tsx';
import { EmptyState } from './EmptyState.tsx';
import { LoadingRegion, Skeleton } from './Skeleton.tsx';
import { VideoGrid, VideoGridSkeleton } from './VideoGrid.tsx';
import { VideoUpload } from './VideoUpload.tsx';
import { useViewer } from './ViewerContext.tsx';

export function DashboardSkeleton() {
  return (
    <LoadingRegion label="Loading videos">
      <div className="mb-6 flex min-h-10 items-start justify-between">
        <div className="space-y-2">
          <Skeleton className="h-7 w-48" />
          <Skeleton className="h-4 w-64" />
        </div>
        <Skeleton className="h-10 w-28" />
      </div>
      <VideoGridSkeleton />
    </LoadingRegion>
  );
}

type Video = VideosQuery['videos']['nodes'][number];
const pickVideos = (d: VideosQuery) => d.videos;

/** Renames a video (1–200 characters); the API audits the old and new title. */
function RenameVideoDialog({ video, onClose, onRenamed }: { video: Video | null; onClose: () => void; onRenamed: (id: string, title: string) => void }) {
  const rename = useMutation(RENAME_VIDEO);
  const [title, setTitle] = useState('');
  useEffect(() => {
    if (video) {
      setTitle(video.title);
      rename.reset();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [video]);
  return (
    <Dialog open={video !== null} onClose={onClose} title={`Rename “${video?.title ?? ''}”`} testId="rename-video-dialog">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!video) return;
          const res = await rename.run({ id: video.id, title });
          if (res) onRenamed(video.id, res.renameVideo.title);
        }}
      >
        <TextField
          label="Title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          maxLength={200}
          required
          autoFocus
          error={rename.error?.fields?.title ?? (rename.error ? userMessage(rename.error) : undefined)}
          data-testid="rename-video-title"
        />
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={rename.pending} data-testid="rename-video-save">
            Save title
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** `/`: the selected team's videos. The team comes from `?team=`, else localStorage, else the first. */
export function Dashboard() {
  const params = useSearchParams();
  return (
    <AppShell teamHint={params.get('team')} skeleton={<DashboardSkeleton />}>
      <TeamVideos urlTeam={params.get('team')} />
    </AppShell>
  );
}

function TeamVideos({ urlTeam }: { urlTeam: string | null }) {
  const router = useRouter();
  const { teamId, role, memberships, refresh, rememberTeam } = useViewer();
  const [creating, setCreating] = useState(false);
  const team = memberships.find((m) => m.team.id === teamId)?.team ?? null;
  const mayReadVideos = can(role, 'video.read');
  const [listParams, setListParams] = useListParams();
  const { filter, sort } = listVariables<VideoFilter>(listParams, {
    status: { param: 'status', allowed: ['READY', 'PROCESSING', 'FAILED'] },
    authorId: { param: 'author' },
  });
  const videos = usePagedList(VIDEOS, teamId && mayReadVideos ? { teamId, filter, sort } : null, pickVideos);
  const authors = useAuthorOptions(teamId && mayReadVideos ? teamId : null);
  const mayUpload = can(role, 'video.write');
  const [deleting, setDeleting] = useState<Video | null>(null);
  const [renaming, setRenaming] = useState<Video | null>(null);
  const deleteVideo = useMutation(DELETE_VIDEO);
  const filtered = Boolean(filter.search || filter.status || filter.authorId || filter.since || filter.until);

  // Keep the resolved team in the URL so the page can be shared and reloaded as is (filters stay).
  useEffect(() => {
    if (teamId && urlTeam !== teamId) {
      const rest = new URLSearchParams(window.location.search);
      rest.set('team', teamId);
      router.replace(`/?${rest.toString()}`, { scroll: false });
    }
  }, [teamId, urlTeam, router]);

  const createButton = (
    <Button variant={team ? 'secondary' : 'primary'} onClick={() => setCreating(true)} data-testid="create-team-button">
      New team
    </Button>
  );

  const dialog = (
    <CreateTeamDialog
      open={creating}
      onClose={() => setCreating(false)}
      onCreated={(t) => {
        setCreating(false);
        rememberTeam(t.id);
        void refresh().then(() => router.push(`/?team=${encodeURIComponent(t.id)}`));
      }}
    />
  );

  if (!team) {
    return (
      <>
        <PageHeader title="Welcome to F-EP Studio" description="Everything here belongs to a team." />
        <EmptyState
          title="You are not in a team yet"
          testId="no-team-empty-state"
          action={
            <Button onClick={() => setCreating(true)} data-testid="create-team-button">
              Create your first team
            </Button>
          }
        >
          Create a team to upload videos and explain what your models look at. If a colleague invited you, open
          the invitation link they sent.
        </EmptyState>
        {dialog}
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={team.name}
        description={`${mayReadVideos ? 'Videos of this team' : 'Team overview'}${role ? ` · your role: ${ROLE_LABELS[role]}` : ''}`}
        actions={createButton}
      />
      {mayUpload && teamId ? <VideoUpload teamId={teamId} onUploaded={() => void videos.reload()} /> : null}
      <section aria-labelledby="videos-heading">
        <h2 id="videos-heading" className="sr-only">
          Videos
        </h2>
        {!mayReadVideos ? (
          <EmptyState title="The video library is not part of your role" testId="videos-not-permitted">
            As {role ? ROLE_LABELS[role].toLowerCase() : 'a member'} of {team.name} you take part in rating studies, but
            you do not see the team&apos;s videos. Ask an owner or admin if you need more access.
          </EmptyState>
        ) : videos.error ? (
          <Alert
            tone="error"
            title="We could not load this team's videos"
            action={
              <Button variant="secondary" size="sm" onClick={() => void videos.reload()}>
                Try again
              </Button>
            }
          >
            {userMessage(videos.error)}
          </Alert>
        ) : (
          <>
            <ListControls
              label="videos"
              params={listParams}
              onChange={setListParams}
              searchPlaceholder="Title or file name contains…"
              selects={[
                { param: 'status', label: 'Status', any: 'Any status', options: [{ value: 'READY', label: 'Ready' }, { value: 'PROCESSING', label: 'Processing' }, { value: 'FAILED', label: 'Failed' }] },
                { param: 'author', label: 'Uploaded by', any: 'Anyone', options: authors },
              ]}
              dateLabel="Uploaded"
              sortLabels={{ NAME: 'Title (A–Z)' }}
              testId="video-filters"
            />
            {!videos.data ? (
              <LoadingRegion label="Loading videos">
                <VideoGridSkeleton />
              </LoadingRegion>
            ) : videos.nodes.length === 0 ? (
              filtered ? (
                <EmptyState title="No videos match these filters" testId="videos-no-match">
                  Change the search or clear the filters to see every video of {team.name}.
                </EmptyState>
              ) : (
                <EmptyState title="No videos yet" testId="videos-empty-state">
                  Videos uploaded to {team.name} appear here, with their status and length, as soon as the upload
                  finishes.{mayUpload ? ' Drop a file above to start.' : ''}
                </EmptyState>
              )
            ) : (
              <VideoGrid
                videos={videos.nodes}
                hrefFor={(v) => `/videos/${encodeURIComponent(v.id)}`}
                {...(mayUpload
                  ? {
                      onDelete: (v: Video) => {
                        deleteVideo.reset();
                        setDeleting(v);
                      },
                      onRename: (v: Video) => setRenaming(v),
                    }
                  : {})}
              />
            )}
            <LoadMore list={videos} what="videos" testId="videos-load-more" />
          </>
        )}
      </section>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete “${deleting?.title ?? ''}”?`}
        confirmLabel="Delete video"
        pending={deleteVideo.pending}
        error={deleteVideo.error}
        testId="delete-video-dialog"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          const ok = await deleteVideo.run({ id: deleting.id });
          if (ok) {
            const gone = deleting.id;
            videos.removeNode((v) => v.id !== gone);
            setDeleting(null);
          }
        }}
      >
        The video and its explanations disappear from the team&apos;s lists; running explanations are cancelled. Its
        hashes and audit trail are kept, and the file goes by the retention rules. A video whose explanations are used
        by a study, a review session or an audit report cannot be deleted.
      </ConfirmDialog>
      <RenameVideoDialog
        video={renaming}
        onClose={() => setRenaming(null)}
        onRenamed={(id, title) => {
          videos.updateNodes((v) => (v.id === id ? { ...v, title } : v));
          setRenaming(null);
        }}
      />
      {dialog}
    </>
  );
}
