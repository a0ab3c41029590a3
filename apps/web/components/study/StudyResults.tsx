'use client';

import { userMessage } from '../../lib/graphql-client.ts';
import { STUDY_RESULTS } from '../../lib/operations/studies.ts';
import { useQuery } from '../../lib/use-api.ts';
import { Alert } from '../Alert.tsx';
import { AppShell } from '../AppShell.tsx';
import { Button, ButtonLink } from '../Button.tsx';
import { Card, PageHeader } from '../Card.tsx';
import { EmptyState } from '../EmptyState.tsx';
import { Skeleton } from '../Skeleton.tsx';

const fmt = (v: number | null | undefined, d = 3) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(d));
/** A statistic the API could not compute, with its reason ("not enough data: needs … (n = …)"). */
const NotComputed = ({ reason }: { reason: string }) => <span className="text-amber-800" data-testid="not-computed">{reason.charAt(0).toUpperCase() + reason.slice(1)}</span>;

export function StudyResults({ studyId }: { studyId: string }) {
  return (
    <AppShell skeleton={<Skeleton className="h-96 w-full" />}>
      <ResultsBody studyId={studyId} />
    </AppShell>
  );
}

/** Estimate with its 95 % bootstrap interval drawn on a shared axis. */
function IntervalBar({ lo, est, hi, min, max }: { lo: number | null; est: number; hi: number | null; min: number; max: number }) {
  const x = (v: number) => `${(100 * (v - min)) / (max - min || 1)}%`;
  return (
    <div className="relative h-3 w-48 rounded bg-slate-100" aria-hidden>
      {lo != null && hi != null ? <div className="absolute top-1 h-1 bg-indigo-300" style={{ left: x(lo), width: `calc(${x(hi)} - ${x(lo)})` }} /> : null}
      <div className="absolute top-0 h-3 w-1 -translate-x-1/2 bg-indigo-700" style={{ left: x(est) }} />
    </div>
  );
}

function ResultsBody({ studyId }: { studyId: string }) {
  const q = useQuery(STUDY_RESULTS, { id: studyId });
  if (q.error) return <Alert tone="error" title="Results are not available">{userMessage(q.error)}</Alert>;
  const s = q.data?.study;
  if (!s) return <Skeleton className="h-96 w-full" />;
  const r = s.results;
  const estimates = r.methods.flatMap((m) => (m.estimate == null ? [] : [m.estimate, m.lower ?? m.estimate, m.upper ?? m.estimate]));
  const min = Math.min(...estimates, r.design === 'PAIRWISE' ? 0 : Infinity);
  const max = Math.max(...estimates, r.design === 'PAIRWISE' ? 1 : -Infinity);
  const winRates = (r.winRates ?? null) as (number | null)[][] | null;
  const downloadBundle = () => {
    const blob = new Blob([JSON.stringify(s.export.bundle, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `study-${s.id}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  const boot = r.bootstrap as { B?: number; level?: number; seed?: number };
  return (
    <div className="space-y-6" data-testid="study-results">
      <PageHeader
        title={`Results · ${s.name}`}
        description={`${r.judgements} judgements · ${s.status.toLowerCase()}`}
        actions={
          <span className="flex flex-wrap gap-2">
            <a className="inline-flex h-10 items-center rounded-md border border-slate-300 bg-white px-4 text-sm font-medium" href={s.export.csvUrl} download data-testid="export-csv">
              Download CSV
            </a>
            <Button variant="secondary" onClick={downloadBundle} data-testid="export-json">
              Download JSON bundle
            </Button>
            <ButtonLink href={`/studies/${s.id}`}>Study</ButtonLink>
          </span>
        }
      />
      {r.cautions.length ? (
        <Alert tone="warning" title="Read with caution">
          <ul className="list-disc pl-4" data-testid="results-cautions">
            {r.cautions.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </Alert>
      ) : null}
      {r.notes.length ? (
        <Alert tone="info" title="Notes">
          <ul className="list-disc pl-4">
            {r.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </Alert>
      ) : null}
      {r.judgements === 0 ? (
        <EmptyState title="No judgements yet" testId="results-empty">
          Estimates, agreement and tests appear here once raters have submitted judgements.{' '}
          {s.status === 'OPEN'
            ? `${r.raters.length} ${r.raters.length === 1 ? 'rater is' : 'raters are'} assigned; their progress is listed below.`
            : s.status === 'DRAFT'
              ? 'Open the study so that raters can start.'
              : 'The study was closed before anyone judged an item.'}
        </EmptyState>
      ) : (
        <>
          <Card
            title={r.design === 'LIKERT' ? 'Mean rating per method' : r.design === 'PAIRWISE' ? 'Win share per method' : 'Mean rank per method (1 = best)'}
            description={`95 % bootstrap intervals (B = ${boot.B ?? '?'}, seed ${boot.seed ?? '?'}).`}
          >
            <div className="relative overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="results-methods">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th className="py-1">Method</th>
                  <th>n</th>
                  <th>Estimate</th>
                  <th>95 % CI</th>
                  <th />
                  <th>Distribution</th>
                </tr>
              </thead>
              <tbody>
                {r.methods.map((m) => {
                  const peak = Math.max(1, ...m.distribution);
                  return (
                    <tr key={m.method}>
                      <td className="py-1 font-medium">{m.method}</td>
                      <td>{m.n}</td>
                      <td className="tabular-nums">{fmt(m.estimate)}</td>
                      <td className="tabular-nums">
                        {m.reason && m.lower == null ? <NotComputed reason={m.reason} /> : `[${fmt(m.lower)}, ${fmt(m.upper)}]`}
                      </td>
                      <td>{m.estimate != null ? <IntervalBar lo={m.lower} est={m.estimate} hi={m.upper} min={min} max={max} /> : null}</td>
                      <td>
                        <div className="flex h-6 items-end gap-0.5" title={m.distribution.join(' · ')}>
                          {m.distribution.map((c, i) => (
                            <div key={i} className="w-2 bg-slate-500" style={{ height: `${(100 * c) / peak}%` }} />
                          ))}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
</div>
          </Card>
          <Card title="Agreement">
            <div className="relative overflow-x-auto">
            <table className="text-left text-sm" data-testid="results-alpha">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th className="py-1 pr-6">Krippendorff&apos;s α</th>
                  <th className="pr-6">Scope</th>
                  <th>α</th>
                </tr>
              </thead>
              <tbody>
                {r.alpha.map((a) => (
                  <tr key={`${a.level}-${a.method ?? 'all'}`}>
                    <td className="py-0.5 pr-6">{a.level}</td>
                    <td className="pr-6">{a.method ?? 'overall'}</td>
                    <td className="tabular-nums">{a.alpha == null && a.reason ? <NotComputed reason={a.reason} /> : fmt(a.alpha)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
</div>
            <p className="mt-3 text-sm" data-testid="results-fleiss">
              Fleiss&apos; κ:{' '}
              {r.fleissKappa != null ? <span className="tabular-nums">{fmt(r.fleissKappa)}</span> : r.fleissKappaReason ? <NotComputed reason={r.fleissKappaReason} /> : '—'}
            </p>
          </Card>
          {r.bradleyTerry?.length ? (
            <Card
              title="Bradley–Terry strengths"
              description={
                r.bradleyTerryFit
                  ? `Fit: ${r.bradleyTerryFit.method}${r.bradleyTerryFit.priorSd != null ? ` (σ = ${r.bradleyTerryFit.priorSd})` : ''} over ${r.bradleyTerryFit.comparisons} comparisons; ${r.bradleyTerryFit.B} bootstrap resamples.`
                  : undefined
              }
            >
              {r.bradleyTerryFit?.caution ? (
                <Alert tone="warning" title="Separation: small-sample estimate">
                  <span data-testid="bt-caution">{r.bradleyTerryFit.caution}</span>
                </Alert>
              ) : null}
              <div className="relative overflow-x-auto">
              <table className="w-full text-left text-sm" data-testid="results-bt">
                <thead className="text-xs uppercase text-slate-500">
                  <tr>
                    <th className="py-1">Method</th>
                    <th>Strength</th>
                    <th>log strength</th>
                    <th>95 % CI (log)</th>
                    <th>Separation</th>
                  </tr>
                </thead>
                <tbody>
                  {r.bradleyTerry.map((b) => (
                    <tr key={b.method}>
                      <td className="py-1">{b.method}</td>
                      <td className="tabular-nums">{fmt(b.strength)}</td>
                      <td className="tabular-nums">{fmt(b.logStrength)}</td>
                      <td className="tabular-nums">
                        [{fmt(b.lower)}, {fmt(b.upper)}]
                      </td>
                      <td>
                        {b.separation ? (
                          <span className="text-amber-800" data-testid="bt-separation">
                            {b.separation === 'wins-all' ? 'won every comparison' : 'lost every comparison'}: MLE unbounded, bounded by the prior
                          </span>
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
</div>
              {winRates ? (
                <div className="relative overflow-x-auto">
                <table className="mt-4 text-sm">
                  <caption className="text-left text-xs text-slate-500">Win rate of the row method against the column method</caption>
                  <thead>
                    <tr>
                      <th />
                      {s.methods.map((m) => (
                        <th key={m} className="px-2">
                          {m}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {winRates.map((row, i) => (
                      <tr key={i}>
                        <th className="pr-2 text-left">{s.methods[i]}</th>
                        {row.map((v, j) => (
                          <td key={j} className="px-2 tabular-nums">
                            {fmt(v, 2)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
</div>
              ) : null}
            </Card>
          ) : null}
          {r.pairedTests.length ? (
            <Card title="Paired tests" description={`p-values adjusted with ${r.correction}.`}>
              <div className="relative overflow-x-auto">
              <table className="w-full text-left text-sm">
                <thead className="text-xs uppercase text-slate-500">
                  <tr>
                    <th className="py-1">A</th>
                    <th>B</th>
                    <th>Test</th>
                    <th>Videos</th>
                    <th>n</th>
                    <th>Statistic</th>
                    <th>p</th>
                    <th>p (adj.)</th>
                  </tr>
                </thead>
                <tbody>
                  {r.pairedTests.map((t) => (
                    <tr key={`${t.methodA}-${t.methodB}`} data-testid="paired-test">
                      <td className="py-1">{t.methodA}</td>
                      <td>{t.methodB}</td>
                      <td>{t.test}</td>
                      <td>{t.pairs}</td>
                      <td>{t.n}</td>
                      {t.reason ? (
                        <td colSpan={3} className="text-amber-800">
                          Not enough data: {t.reason}
                        </td>
                      ) : (
                        <>
                          <td className="tabular-nums">{fmt(t.statistic, 2)}</td>
                          <td className="tabular-nums">{fmt(t.pValue, 4)}</td>
                          <td className="tabular-nums">{fmt(t.pAdjusted, 4)}</td>
                        </>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
</div>
            </Card>
          ) : null}
        </>
      )}
      <Card title="Raters">
        <div className="relative overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-1">Pseudonym</th>
              <th>Judged</th>
              <th>Completion</th>
              <th>Attention checks passed</th>
              <th>Median time</th>
            </tr>
          </thead>
          <tbody>
            {r.raters.map((q2) => (
              <tr key={q2.pseudonym}>
                <td className="py-1 font-mono">{q2.pseudonym}</td>
                <td>
                  {q2.judged}/{q2.assigned}
                </td>
                <td>{Math.round(q2.completion * 100)} %</td>
                <td>{q2.attentionChecks ? `${Math.round((q2.attentionPassRate ?? 0) * 100)} % of ${q2.attentionChecks}` : '—'}</td>
                <td>{q2.medianTimeMs != null ? `${(q2.medianTimeMs / 1000).toFixed(1)} s` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
</div>
      </Card>
    </div>
  );
}
