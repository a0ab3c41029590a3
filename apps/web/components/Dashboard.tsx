'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { userMessage } from '../lib/graphql-client.ts';
import { DELETE_VIDEO, VIDEOS } from '../lib/operations/videos.ts';
import type { VideosQuery } from '../lib/__generated__/graphql.ts';
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
import { MoreNote } from './MoreNote.tsx';
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
  const videos = useQuery(VIDEOS, teamId && mayReadVideos ? { teamId } : null);
  const mayUpload = can(role, 'video.write');
  const [deleting, setDeleting] = useState<VideosQuery['videos']['nodes'][number] | null>(null);
  const deleteVideo = useMutation(DELETE_VIDEO);

  // Keep the resolved team in the URL so the page can be shared and reloaded as is.
  useEffect(() => {
    if (teamId && urlTeam !== teamId) router.replace(`/?team=${encodeURIComponent(teamId)}`, { scroll: false });
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
        ) : !videos.data ? (
          <LoadingRegion label="Loading videos">
            <VideoGridSkeleton />
          </LoadingRegion>
        ) : videos.data.videos.nodes.length === 0 ? (
          <EmptyState title="No videos yet" testId="videos-empty-state">
            Videos uploaded to {team.name} appear here, with their status and length, as soon as the upload
            finishes.{mayUpload ? ' Drop a file above to start.' : ''}
          </EmptyState>
        ) : (
          <VideoGrid
            videos={videos.data.videos.nodes}
            hrefFor={(v) => `/videos/${encodeURIComponent(v.id)}`}
            {...(mayUpload ? { onDelete: (v: VideosQuery['videos']['nodes'][number]) => { deleteVideo.reset(); setDeleting(v); } } : {})}
          />
        )}
        <MoreNote pageInfo={videos.data?.videos.pageInfo} shown={videos.data?.videos.nodes.length ?? 0} what="videos (newest first)" />
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
            videos.setData((prev) => (prev ? { videos: { ...prev.videos, nodes: prev.videos.nodes.filter((v) => v.id !== deleting.id) } } : prev));
            setDeleting(null);
          }
        }}
      >
        The video disappears from the library. Its file, hashes, explanations and audit trail are kept for audits.
      </ConfirmDialog>
      {dialog}
    </>
  );
}
