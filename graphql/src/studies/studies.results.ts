import { stringify } from 'csv-stringify/sync';
import {
  DEFAULT_BOOTSTRAP_B,
  DEFAULT_CONFIDENCE,
  HOLM_CORRECTION_NAME,
  BT_DEFAULT_PRIOR_SD,
  bootstrapInterval,
  bradleyTerryWithCI,
  countTable,
  fleissKappa,
  holmAdjust,
  krippendorffAlpha,
  median,
  type AlphaLevel,
  type Comparison,
  wilcoxonSignedRank,
  WILCOXON_MIN_PAIRS,
} from '@fep/stats';
import type { ApiContext } from '../context.ts';
import { getStudy, studyConfig } from './studies.service.ts';

/**
 * Results and exports of a study, computed from the stored judgements with @fep/stats.
 * Attention-check items only feed rater quality. Bootstrap intervals resample items (a cluster
 * bootstrap: the ratings of one item stay together, since raters of one item are not independent
 * draws), B = 2000, seeded with the study seed so results are reproducible.
 */
const ALPHA_LEVELS: AlphaLevel[] = ['nominal', 'ordinal', 'interval'];

type LikertValue = { rating: number };
type PairValue = { choice: 'LEFT' | 'RIGHT' | 'TIE'; winner: string | null; shown: string[] };
type RankValue = { ranking: string[]; shown: string[] };

async function loadAll(ctx: ApiContext, studyId: string) {
  const study = await getStudy(ctx, studyId);
  const [items, assignments, judgements] = await Promise.all([
    ctx.db.studyItem.findMany({ where: { studyId }, orderBy: { position: 'asc' }, include: { video: true } }),
    ctx.db.studyAssignment.findMany({ where: { studyId }, orderBy: { pseudonym: 'asc' } }),
    ctx.db.judgement.findMany({ where: { studyId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
  ]);
  const explanationIds = [...new Set(items.flatMap((i) => i.explanationIds))];
  const explanations = await ctx.db.explanation.findMany({ where: { id: { in: explanationIds } }, select: { id: true, method: true } });
  const methodOf = new Map(explanations.map((e) => [e.id, e.method]));
  const regularItems = items.filter((i) => !i.isAttentionCheck);
  const methods = [...new Set(regularItems.flatMap((i) => i.explanationIds.map((e) => methodOf.get(e)!)))];
  return { study, items, assignments, judgements, methodOf, methods, regularItems };
}

/**
 * Fewer judged items than this and the results carry a small-sample caution. Our rule of thumb,
 * not a sourced threshold: percentile-bootstrap intervals are known to under-cover at small n
 * (Efron & Tibshirani 1993, §13.3), and a handful of items says little about a population of videos.
 */
export const SMALL_SAMPLE_ITEMS = 10;

/** "Not enough data" in the words every statistic uses: what it needs, and the n it had. */
const notEnough = (needs: string, n: number, unit: string) => `not enough data: needs ${needs} (n = ${n} ${unit})`;

function ci<T>(units: T[][], seed: number) {
  const flat = (s: readonly T[][]) => s.flat() as unknown as number[];
  if (units.length < 2) {
    // One item: every resample is that item, so a "95 % interval" would be a point. Say so instead.
    const xs = flat(units);
    const estimate = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    const reason = units.length ? notEnough('≥ 2 judged items for an interval', units.length, 'item') : notEnough('a judgement', 0, 'items');
    return { estimate, lower: null, upper: null, reason };
  }
  const r = bootstrapInterval(units, (s) => {
    const xs = flat(s);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
  }, { seed });
  // A method nobody has judged yet has no estimate (NaN would not serialise: the whole query failed).
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return { estimate: finite(r.estimate), lower: finite(r.lower), upper: finite(r.upper), reason: null as string | null };
}

export async function studyResults(ctx: ApiContext, studyId: string) {
  const { study, items, assignments, judgements, methodOf, methods, regularItems } = await loadAll(ctx, studyId);
  const config = studyConfig(study);
  const notes: string[] = [];
  const itemById = new Map(items.map((i) => [i.id, i]));
  const regular = judgements.filter((j) => !itemById.get(j.itemId)!.isAttentionCheck);
  const coderIndex = new Map(assignments.map((a, i) => [a.id, i]));
  const seed = study.seed;
  const methodIdx = new Map(methods.map((m, i) => [m, i]));

  /** Reliability matrix coders × units from (unit key, coder, value) triples. */
  const matrix = (cells: { unit: string; assignmentId: string; value: number | string }[]) => {
    const units = [...new Set(cells.map((c) => c.unit))];
    const u = new Map(units.map((k, i) => [k, i]));
    const m: (number | string | null)[][] = assignments.map(() => new Array(units.length).fill(null));
    for (const c of cells) m[coderIndex.get(c.assignmentId)!]![u.get(c.unit)!] = c.value;
    return m;
  };
  const alphaRows = (cells: { unit: string; assignmentId: string; value: number | string }[], method: string | null, levels: AlphaLevel[]) =>
    levels.map((level) => {
      const a = krippendorffAlpha(matrix(cells), level);
      // α needs pairable values (an item rated at least twice) and some variation among them.
      const reason = Number.isFinite(a.alpha)
        ? null
        : a.pairableValues < 2
          ? notEnough('an item rated by ≥ 2 raters', a.pairableValues, 'pairable values')
          : `not defined: no variation — every pairable value is the same (n = ${a.pairableValues} pairable values)`;
      return { level, method, alpha: Number.isFinite(a.alpha) ? a.alpha : null, pairableValues: a.pairableValues, reason };
    });

  let methodSummaries: { method: string; n: number; estimate: number | null; lower: number | null; upper: number | null; reason: string | null; distribution: number[] }[] = [];
  const alpha: { level: string; alpha: number | null; method: string | null; pairableValues: number; reason: string | null }[] = [];
  let fleiss: { kappa: number | null; reason: string | null } = { kappa: null, reason: "not defined for rankings" };
  let bt: BtRow[] | null = null;
  let btFit: BtFitInfo | null = null;
  let winRates: (number | null)[][] | null = null;
  /** Per video, per method: the values the paired tests compare. */
  const perVideo = new Map<string, Map<string, number[]>>();
  const addVideo = (videoId: string, method: string, v: number) => {
    const m = perVideo.get(videoId) ?? perVideo.set(videoId, new Map()).get(videoId)!;
    (m.get(method) ?? m.set(method, []).get(method)!).push(v);
  };
  let pairedCompare: (a: string, b: string) => { x: number[]; y: number[] } = () => ({ x: [], y: [] });

  if (study.design === 'LIKERT') {
    const points = config.likertPoints ?? 5;
    const cells = regular.map((j) => {
      const item = itemById.get(j.itemId)!;
      return { unit: item.id, assignmentId: j.assignmentId, value: (j.value as LikertValue).rating, method: methodOf.get(item.explanationIds[0]!)!, videoId: item.videoId ?? item.id };
    });
    methodSummaries = methods.map((m) => {
      const mine = cells.filter((c) => c.method === m);
      const byItem = new Map<string, number[]>();
      for (const c of mine) (byItem.get(c.unit) ?? byItem.set(c.unit, []).get(c.unit)!).push(c.value);
      const distribution = Array.from({ length: points }, (_, i) => mine.filter((c) => c.value === i + 1).length);
      return { method: m, n: mine.length, ...ci([...byItem.values()], seed), distribution };
    });
    alpha.push(...alphaRows(cells, null, ALPHA_LEVELS));
    for (const m of methods) alpha.push(...alphaRows(cells.filter((c) => c.method === m), m, ALPHA_LEVELS));
    const labels = regularItems.map((i) => cells.filter((c) => c.unit === i.id).map((c) => c.value));
    fleiss = fleissOf(labels, Array.from({ length: points }, (_, i) => i + 1), study.overlap, notes);
    for (const c of cells) addVideo(c.videoId, c.method, c.value);
  } else if (study.design === 'PAIRWISE') {
    const comparisons: (Comparison & { itemId: string; videoId: string; assignmentId: string })[] = regular.map((j) => {
      const item = itemById.get(j.itemId)!;
      const v = j.value as PairValue;
      const [e0, e1] = item.explanationIds as [string, string];
      return {
        a: methodIdx.get(methodOf.get(e0)!)!,
        b: methodIdx.get(methodOf.get(e1)!)!,
        outcome: v.winner === e0 ? 1 : v.winner === e1 ? 0 : 0.5,
        itemId: item.id,
        videoId: item.videoId ?? item.id,
        assignmentId: j.assignmentId,
      };
    });
    methodSummaries = methods.map((m, k) => {
      const byItem = new Map<string, number[]>();
      const dist = [0, 0, 0];
      for (const c of comparisons) {
        if (c.a !== k && c.b !== k) continue;
        const score = c.a === k ? c.outcome : 1 - c.outcome;
        (byItem.get(c.itemId) ?? byItem.set(c.itemId, []).get(c.itemId)!).push(score);
        dist[score === 1 ? 0 : score === 0 ? 1 : 2]! += 1;
      }
      return { method: m, n: dist[0]! + dist[1]! + dist[2]!, ...ci([...byItem.values()], seed), distribution: dist };
    });
    notes.push('Pairwise: estimate = share of comparisons won (ties count ½); distribution = [wins, losses, ties].');
    const outcomeLabel = (o: number) => (o === 1 ? 'first' : o === 0 ? 'second' : 'tie');
    alpha.push(...alphaRows(comparisons.map((c) => ({ unit: c.itemId, assignmentId: c.assignmentId, value: outcomeLabel(c.outcome) })), null, ['nominal']));
    methods.forEach((m, k) =>
      alpha.push(
        ...alphaRows(
          comparisons
            .filter((c) => c.a === k || c.b === k)
            .map((c) => ({ unit: c.itemId, assignmentId: c.assignmentId, value: outcomeLabel(c.a === k ? c.outcome : 1 - c.outcome) })),
          m,
          ['nominal'],
        ),
      ),
    );
    const labels = regularItems.map((i) => comparisons.filter((c) => c.itemId === i.id).map((c) => outcomeLabel(c.outcome)));
    fleiss = fleissOf(labels, ['first', 'second', 'tie'], study.overlap, notes);
    const fit = fitBT(methods, comparisons, seed, notes);
    bt = fit.bt;
    btFit = fit.info;
    winRates = fit.winRates;
    for (const c of comparisons) {
      addVideo(c.videoId, `${c.a}>${c.b}`, c.outcome);
    }
    pairedCompare = (a, b) => {
      const ia = methodIdx.get(a)!;
      const ib = methodIdx.get(b)!;
      const x: number[] = [];
      for (const m of perVideo.values()) {
        const wins = [...(m.get(`${ia}>${ib}`) ?? []), ...(m.get(`${ib}>${ia}`) ?? []).map((o) => 1 - o)];
        if (wins.length) x.push(wins.reduce((s, v) => s + v, 0) / wins.length);
      }
      return { x, y: x.map(() => 0.5) };
    };
    notes.push('Pairwise paired tests: per video, the share of A-vs-B comparisons A won, tested against ½.');
  } else {
    const k = config.rankK ?? 2;
    const cells: { unit: string; assignmentId: string; value: number; method: string; itemId: string; videoId: string }[] = [];
    const comparisons: Comparison[] = [];
    for (const j of regular) {
      const item = itemById.get(j.itemId)!;
      const v = j.value as RankValue;
      v.ranking.forEach((eid, r) => {
        cells.push({ unit: `${item.id}:${eid}`, assignmentId: j.assignmentId, value: r + 1, method: methodOf.get(eid)!, itemId: item.id, videoId: item.videoId ?? item.id });
        for (const loser of v.ranking.slice(r + 1)) comparisons.push({ a: methodIdx.get(methodOf.get(eid)!)!, b: methodIdx.get(methodOf.get(loser)!)!, outcome: 1 });
      });
    }
    methodSummaries = methods.map((m) => {
      const mine = cells.filter((c) => c.method === m);
      const byItem = new Map<string, number[]>();
      for (const c of mine) (byItem.get(c.itemId) ?? byItem.set(c.itemId, []).get(c.itemId)!).push(c.value);
      return { method: m, n: mine.length, ...ci([...byItem.values()], seed), distribution: Array.from({ length: k }, (_, r) => mine.filter((c) => c.value === r + 1).length) };
    });
    notes.push('Ranking: estimate = mean rank (1 = most plausible); Bradley–Terry fitted on all pairs implied by each ranking (rank breaking).');
    alpha.push(...alphaRows(cells, null, ['ordinal', 'interval']));
    for (const m of methods) alpha.push(...alphaRows(cells.filter((c) => c.method === m), m, ['ordinal', 'interval']));
    const fit = fitBT(methods, comparisons, seed, notes);
    bt = fit.bt;
    btFit = fit.info;
    winRates = fit.winRates;
    for (const c of cells) addVideo(c.videoId, c.method, c.value);
    notes.push("Fleiss' κ is not defined for rankings.");
  }
  if (study.design !== 'PAIRWISE') {
    pairedCompare = (a, b) => {
      const x: number[] = [];
      const y: number[] = [];
      for (const m of perVideo.values()) {
        const va = m.get(a);
        const vb = m.get(b);
        if (va?.length && vb?.length) {
          x.push(va.reduce((s, v) => s + v, 0) / va.length);
          y.push(vb.reduce((s, v) => s + v, 0) / vb.length);
        }
      }
      return { x, y };
    };
  }
  const pairs: [string, string][] = [];
  for (let i = 0; i < methods.length; i++) for (let j = i + 1; j < methods.length; j++) pairs.push([methods[i]!, methods[j]!]);
  const tests = pairs.map(([a, b]) => {
    const { x, y } = pairedCompare(a, b);
    const r = wilcoxonSignedRank(x, y);
    // Too few videos with both methods rated: the test is reported as not computable, not thrown.
    const reason = r.computable ? null : `needs ≥ ${WILCOXON_MIN_PAIRS} paired videos (n = ${r.pairs})`;
    return {
      methodA: a,
      methodB: b,
      pairs: r.pairs,
      n: r.n,
      statistic: r.statistic,
      pValue: r.pValue,
      test: r.computable ? `Wilcoxon signed-rank (${r.method})` : 'Wilcoxon signed-rank (not computable)',
      reason,
    };
  });
  // Holm over the tests actually run (m = number of computable tests).
  const computed = tests.flatMap((t, i) => (t.pValue == null ? [] : [i]));
  const adjusted = holmAdjust(computed.map((i) => tests[i]!.pValue!));
  const adjustedAt = new Map(computed.map((i, k) => [i, adjusted[k]!]));
  const pairedTests = tests.map((t, i) => ({ ...t, pAdjusted: adjustedAt.get(i) ?? null }));
  const skipped = tests.filter((t) => t.reason);
  if (skipped.length) notes.push(`Paired tests: ${skipped.length} of ${tests.length} not computable (each needs ≥ ${WILCOXON_MIN_PAIRS} videos rated for both methods); Holm's correction covers the ${computed.length} that ran.`);

  const raters = assignments.map((a) => {
    const mine = judgements.filter((j) => j.assignmentId === a.id);
    const checks = mine.filter((j) => itemById.get(j.itemId)!.isAttentionCheck);
    const passed = checks.filter((j) => (j.value as { attentionCheck?: { passed: boolean } }).attentionCheck?.passed).length;
    const assigned = (a.plan as unknown as { entries: unknown[] }).entries.length;
    return {
      pseudonym: a.pseudonym,
      assigned,
      judged: mine.length,
      completion: assigned ? mine.length / assigned : 0,
      attentionChecks: checks.length,
      attentionPassRate: checks.length ? passed / checks.length : null,
      medianTimeMs: mine.length ? median(mine.map((j) => j.timeOnItemMs)) : null,
    };
  });
  // Small-sample cautions, shown above the results and carried in the export.
  const cautions: string[] = [];
  const judgedItems = new Set(regular.map((j) => j.itemId)).size;
  if (regular.length && judgedItems < SMALL_SAMPLE_ITEMS)
    cautions.push(`Small sample: ${judgedItems} judged item${judgedItems === 1 ? '' : 's'} (fewer than ${SMALL_SAMPLE_ITEMS}). Intervals and tests are unreliable at this size; treat the results as a pilot.`);
  if (btFit && btFit.method !== 'maximum likelihood') cautions.push(btFit.caution!);
  return {
    design: study.design,
    judgements: regular.length,
    bootstrap: { B: DEFAULT_BOOTSTRAP_B, level: DEFAULT_CONFIDENCE, seed, method: 'percentile, resampling items' },
    methods: methodSummaries,
    alpha,
    fleissKappa: fleiss.kappa,
    fleissKappaReason: fleiss.reason,
    bradleyTerry: bt,
    bradleyTerryFit: btFit,
    cautions,
    winRates,
    pairedTests,
    correction: HOLM_CORRECTION_NAME,
    raters,
    notes,
  };
}

/**
 * Fleiss' κ (Fleiss 1971) over the items rated exactly `overlap` times — the constant number of
 * ratings per subject the statistic is defined for. Items with more or fewer ratings (manual
 * assignment, studies in progress) are left out whole, never cut to their first ratings, so κ does
 * not depend on submission order; Krippendorff's α covers every rating. Null with a note when it
 * cannot be computed (no such item, overlap < 2, or every rating in one category, where κ = 0/0).
 */
function fleissOf(labels: (string | number)[][], categories: (string | number)[], overlap: number, notes: string[]): { kappa: number | null; reason: string | null } {
  const table = overlap >= 2 ? countTable(labels, categories, overlap) : [];
  const others = labels.filter((l) => l.length > 0 && l.length !== overlap).length;
  if (!table.length) {
    notes.push(`Fleiss' κ needs items with exactly overlap = ${overlap} ≥ 2 ratings each; none has.`);
    return { kappa: null, reason: notEnough(`items rated exactly overlap = ${overlap} ≥ 2 times`, 0, 'such items') };
  }
  if (others) notes.push(`Fleiss' κ: over the ${table.length} items rated exactly ${overlap} times; ${others} items with another number of ratings are left out (Krippendorff's α includes them).`);
  const kappa = fleissKappa(table).kappa;
  if (!Number.isFinite(kappa)) {
    notes.push("Fleiss' κ is undefined: every rating falls in one category (chance agreement is 1).");
    return { kappa: null, reason: `not defined: every rating falls in one category (n = ${table.length} items)` };
  }
  return { kappa, reason: null };
}

interface BtRow {
  method: string;
  strength: number;
  logStrength: number;
  lower: number | null;
  upper: number | null;
  /** 'wins-all' / 'loses-all': the method won or lost every comparison it was in (MLE ±∞). */
  separation: string | null;
}
interface BtFitInfo {
  method: 'maximum likelihood' | 'posterior mode, Gaussian prior on log-strengths';
  priorSd: number | null;
  mleExists: boolean;
  comparisons: number;
  separatedResamples: number;
  B: number;
  caution: string | null;
}

/**
 * Bradley–Terry strengths with bootstrap intervals. The plain MLE (Hunter 2004) when it exists for
 * the data and for every resample; otherwise — separation: a method (or group) that wins or loses
 * all its comparisons, where the MLE diverges and percentile intervals reach the ±345 of a
 * log-strength clamped at 1e-300 — every fit, the estimate and all B resamples, is the posterior
 * mode under θ_i ~ N(0, 2.5²) (BT_DEFAULT_PRIOR_SD, after Gelman et al. 2008), which is finite
 * for any data. The rows name the separated methods; the caution says what was done.
 */
function fitBT(methods: string[], comparisons: Comparison[], seed: number, notes: string[]) {
  if (!comparisons.length) return { bt: null, winRates: null, info: null };
  let fit = bradleyTerryWithCI(methods.length, comparisons, { seed });
  let info: BtFitInfo = { method: 'maximum likelihood', priorSd: null, mleExists: fit.mleExists, comparisons: comparisons.length, separatedResamples: fit.separatedResamples, B: fit.B, caution: null };
  if (!fit.mleExists || fit.separatedResamples > 0) {
    const plain = fit;
    fit = bradleyTerryWithCI(methods.length, comparisons, { seed, priorSd: BT_DEFAULT_PRIOR_SD });
    const named = methods.flatMap((m, i) => (plain.separation[i] ? [`${m} ${plain.separation[i] === 'wins-all' ? 'won' : 'lost'} all its comparisons`] : []));
    const why = !plain.mleExists
      ? `the comparisons are separated${named.length ? ` — ${named.join(', ')}` : ' (one group of methods never lost to the rest)'} — so the maximum-likelihood strengths are unbounded`
      : `${plain.separatedResamples} of ${plain.B} bootstrap resamples are separated (some method wins or loses all its comparisons), where the maximum-likelihood strengths are unbounded`;
    const caution = `Bradley–Terry: ${why}. Strengths and intervals are posterior modes under a weak Gaussian prior N(0, ${BT_DEFAULT_PRIOR_SD}²) on log-strengths; they are bounded by the prior, not by the data — collect more comparisons before reading them.`;
    info = { method: 'posterior mode, Gaussian prior on log-strengths', priorSd: BT_DEFAULT_PRIOR_SD, mleExists: plain.mleExists, comparisons: comparisons.length, separatedResamples: plain.separatedResamples, B: plain.B, caution };
    notes.push(`Bradley–Terry fit: posterior mode with θ ~ N(0, ${BT_DEFAULT_PRIOR_SD}²) (Newton–Raphson), because the maximum-likelihood estimate is unbounded for the data or some resamples.`);
  } else notes.push('Bradley–Terry fit: maximum likelihood (MM algorithm, Hunter 2004).');
  const separation = fit.separation;
  return {
    bt: methods.map((m, i) => ({
      method: m,
      strength: fit.strengths[i]!,
      logStrength: fit.logStrengths[i]!,
      lower: Number.isFinite(fit.logStrengthCI[i]!.lower) ? fit.logStrengthCI[i]!.lower : null,
      upper: Number.isFinite(fit.logStrengthCI[i]!.upper) ? fit.logStrengthCI[i]!.upper : null,
      separation: separation[i] ?? null,
    })),
    winRates: fit.winRates,
    info,
  };
}

/** Columns of the tidy CSV, in order (docs/studies.md describes each). */
export const CSV_COLUMNS = [
  'judgement_id',
  'study_id',
  'study_name',
  'design',
  'item_id',
  'item_position',
  'attention_check',
  'attention_passed',
  'video_id',
  'video_title',
  'method',
  'methods_shown',
  'explanation_ids_shown',
  'rater',
  'value',
  'time_on_item_ms',
  'started_at',
  'submitted_at',
] as const;

/** One row per judgement, methods unblinded; values documented in docs/studies.md. */
export async function exportRows(ctx: ApiContext, studyId: string) {
  const { study, items, assignments, judgements, methodOf } = await loadAll(ctx, studyId);
  const itemById = new Map(items.map((i) => [i.id, i]));
  const pseudo = new Map(assignments.map((a) => [a.id, a.pseudonym]));
  return judgements.map((j) => {
    const item = itemById.get(j.itemId)!;
    const v = j.value as Record<string, unknown>;
    const shown = (v.shown as string[] | undefined) ?? item.explanationIds;
    let value: string;
    let method = '';
    if (study.design === 'LIKERT') {
      value = String((v as LikertValue).rating);
      method = methodOf.get(item.explanationIds[0]!) ?? '';
    } else if (study.design === 'PAIRWISE') {
      const w = (v as PairValue).winner;
      value = w ? methodOf.get(w)! : 'tie';
    } else value = (v as RankValue).ranking.map((e) => methodOf.get(e)!).join('>');
    const att = v.attentionCheck as { passed: boolean } | undefined;
    return {
      judgement_id: j.id,
      study_id: study.id,
      study_name: study.name,
      design: study.design,
      item_id: item.id,
      item_position: item.position,
      attention_check: item.isAttentionCheck,
      attention_passed: att ? att.passed : null,
      video_id: item.videoId ?? '',
      video_title: item.video?.title ?? '',
      method,
      methods_shown: shown.map((e) => methodOf.get(e)!).join('|'),
      explanation_ids_shown: shown.join('|'),
      rater: pseudo.get(j.assignmentId)!,
      value,
      time_on_item_ms: j.timeOnItemMs,
      started_at: new Date(j.createdAt.getTime() - j.timeOnItemMs).toISOString(),
      submitted_at: j.createdAt.toISOString(),
    };
  });
}

/**
 * RFC 4180 CSV via csv-stringify: header row, comma separator, `"` quoting only where needed,
 * `\n` line ends, UTF-8 without BOM, booleans as true/false, missing values as empty fields — the
 * defaults of pandas.read_csv and readr::read_csv.
 */
export async function exportCsv(ctx: ApiContext, studyId: string) {
  const rows = await exportRows(ctx, studyId);
  return stringify(rows, {
    header: true,
    columns: [...CSV_COLUMNS],
    cast: { boolean: (b) => (b ? 'true' : 'false') },
  });
}

export async function exportBundle(ctx: ApiContext, studyId: string) {
  const { study, items, methodOf } = await loadAll(ctx, studyId);
  return {
    format: 'fep-study-bundle/1',
    exportedAt: new Date().toISOString(),
    study: {
      id: study.id,
      name: study.name,
      design: study.design,
      status: study.status,
      blinded: study.blinded,
      seed: study.seed,
      overlap: study.overlap,
      createdAt: study.createdAt.toISOString(),
      openedAt: study.openedAt?.toISOString() ?? null,
      closedAt: study.closedAt?.toISOString() ?? null,
    },
    protocol: study.protocol,
    items: items.map((i) => ({
      id: i.id,
      position: i.position,
      videoId: i.videoId,
      explanationIds: i.explanationIds,
      methods: i.explanationIds.map((e) => methodOf.get(e) ?? null),
      isAttentionCheck: i.isAttentionCheck,
      expected: i.expected,
    })),
    judgements: await exportRows(ctx, studyId),
    results: await studyResults(ctx, studyId),
  };
}
