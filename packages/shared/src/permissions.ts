/**
 * The permission matrix — the one place that says which team role may do what. The API enforces it
 * (graphql/src/auth/permissions.ts); the web app imports the same object to decide which controls
 * to offer; docs/permissions.md renders it for people (a test keeps the doc in step).
 *
 * This module is imported by browser code: it must stay free of Node and server imports.
 * AUDITOR reads everything of its team and changes nothing.
 */

/** The `Role` enum of prisma/schema.prisma and graphql/src/common/base.graphql, highest first. */
export const ROLES = ['OWNER', 'ADMIN', 'REVIEWER', 'RATER', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

const ALL: readonly Role[] = ROLES;

export const PERMISSIONS = {
  'team.read': ALL,
  'team.rename': ['OWNER', 'ADMIN'],
  'team.members.manage': ['OWNER', 'ADMIN'],
  'audit.read': ['OWNER', 'ADMIN', 'AUDITOR'],
  /** Generating an audit report records the report; it changes none of the team's data. */
  'report.generate': ['OWNER', 'ADMIN', 'AUDITOR'],
  'video.read': ['OWNER', 'ADMIN', 'REVIEWER', 'AUDITOR'],
  'video.write': ['OWNER', 'ADMIN', 'REVIEWER'],
  'model.read': ['OWNER', 'ADMIN', 'REVIEWER', 'AUDITOR'],
  'model.write': ['OWNER', 'ADMIN'],
  'model.upload': ['OWNER', 'ADMIN', 'REVIEWER'],
  'explanation.read': ['OWNER', 'ADMIN', 'REVIEWER', 'AUDITOR'],
  'explanation.request': ['OWNER', 'ADMIN', 'REVIEWER'],
  'feedback.write': ['OWNER', 'ADMIN', 'REVIEWER'],
  /** Resolve or reopen anyone's comment thread (authors may always resolve their own). */
  'comment.resolve': ['OWNER', 'ADMIN', 'REVIEWER'],
  /** See studies, their items, results and exports (the CSV download too). */
  'study.read': ['OWNER', 'ADMIN', 'REVIEWER', 'AUDITOR'],
  'study.manage': ['OWNER', 'ADMIN', 'REVIEWER'],
  'study.participate': ['OWNER', 'ADMIN', 'REVIEWER', 'RATER'],
  'review.host': ['OWNER', 'ADMIN', 'REVIEWER'],
  'review.join': ['OWNER', 'ADMIN', 'REVIEWER', 'AUDITOR'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Whether a role (null/undefined: not a member) holds a permission. */
export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role != null && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
