import type { Resolvers, StudyDesign } from '../__generated__/resolvers-types.ts';
import { authorizeObject, authorizeTeam } from '../auth/permissions.ts';
import * as rater from './studies.rater.ts';
import * as results from './studies.results.ts';
import * as studies from './studies.service.ts';

const manage = async (ctx: Parameters<typeof studies.getStudyTeam>[0], id: string) =>
  authorizeObject(ctx, 'Study', await studies.getStudyTeam(ctx, id), 'study.manage');
const participate = async (ctx: Parameters<typeof studies.getStudyTeam>[0], id: string) =>
  authorizeObject(ctx, 'Study', await studies.getStudyTeam(ctx, id), 'study.participate');

export const studyResolvers: Resolvers = {
  Query: {
    studies: async (_p, { teamId, ...args }, ctx) => {
      await authorizeTeam(ctx, teamId, 'study.read');
      return studies.listStudies(ctx, teamId, args);
    },
    study: async (_p, { id }, ctx) => {
      await authorizeObject(ctx, 'Study', await studies.getStudyTeam(ctx, id), 'study.read');
      return studies.getStudy(ctx, id);
    },
    myStudies: async (_p, { teamId, ...args }, ctx) => {
      const { caller } = await authorizeTeam(ctx, teamId, 'study.participate');
      return rater.myStudies(ctx, caller, teamId, args);
    },
    raterStudy: async (_p, { studyId }, ctx) => {
      const { caller } = await participate(ctx, studyId);
      return rater.raterStudy(ctx, caller, studyId);
    },
    nextStudyItem: async (_p, { studyId }, ctx) => {
      const { caller } = await participate(ctx, studyId);
      return rater.nextStudyItem(ctx, caller, studyId);
    },
  },
  Mutation: {
    createStudy: async (_p, { input }, ctx) => {
      const { caller } = await authorizeTeam(ctx, input.teamId, 'study.manage');
      return studies.createStudy(ctx, caller, input);
    },
    updateStudy: async (_p, { id, input }, ctx) => {
      const { caller } = await manage(ctx, id);
      return studies.updateStudy(ctx, caller, id, input);
    },
    setStudyAssignment: async (_p, { id, assignments }, ctx) => {
      const { caller } = await manage(ctx, id);
      return studies.setStudyAssignment(ctx, caller, id, assignments);
    },
    openStudy: async (_p, { id }, ctx) => {
      const { caller } = await manage(ctx, id);
      return studies.openStudy(ctx, caller, id);
    },
    closeStudy: async (_p, { id }, ctx) => {
      const { caller } = await manage(ctx, id);
      return studies.closeStudy(ctx, caller, id);
    },
    deleteStudy: async (_p, { id }, ctx) => {
      const { caller } = await manage(ctx, id);
      return studies.deleteStudy(ctx, caller, id);
    },
    submitStudyJudgement: async (_p, { input }, ctx) => {
      const { caller } = await participate(ctx, input.studyId);
      return rater.submitJudgement(ctx, caller, input);
    },
  },
  // Study objects are only handed out by study.read/study.manage-checked operations above.
  Study: {
    likertPoints: (s) => studies.studyConfig(s).likertPoints ?? null,
    anchors: (s) => studies.studyConfig(s).anchors ?? null,
    allowTie: (s) => studies.studyConfig(s).allowTie,
    rankK: (s) => studies.studyConfig(s).rankK ?? null,
    assignmentMode: (s) => studies.studyConfig(s).assignmentMode,
    raterIds: (s) => studies.studyConfig(s).raterIds,
    attentionChecks: (s) => studies.studyConfig(s).attentionChecks,
    methods: (s, _a, ctx) => studies.studyMethods(ctx, s.id),
    items: (s, args, ctx) => studies.pageItems(ctx, s.id, args),
    readiness: (s, _a, ctx) => studies.readiness(ctx, s.id),
    assignments: (s, args, ctx) => studies.assignmentSummaries(ctx, s.id, args),
    results: async (s, _a, ctx) => {
      const r = await results.studyResults(ctx, s.id);
      return { ...r, design: r.design as StudyDesign };
    },
    export: async (s, _a, ctx) => ({
      csv: await results.exportCsv(ctx, s.id),
      csvUrl: `/api/studies/${s.id}/judgements.csv`,
      bundle: await results.exportBundle(ctx, s.id),
    }),
  },
  StudyItem: {
    video: (i, _a, ctx) => (i.videoId ? ctx.db.video.findUnique({ where: { id: i.videoId } }) : null),
    explanations: async (i, _a, ctx) => {
      const rows = await ctx.db.explanation.findMany({ where: { id: { in: i.explanationIds } } });
      return i.explanationIds.map((id) => rows.find((r) => r.id === id)!).filter(Boolean);
    },
    expected: (i) => i.expected ?? null,
  },
};
