/**
 * Roles of API keys. `viewer` reads; `operator` reads and acts on alerts and work orders;
 * `admin` may do everything, including managing the registry and keys; `device` may only ingest.
 */
export const roles = ['viewer', 'operator', 'admin', 'device'] as const;

export type Role = (typeof roles)[number];

/** What an endpoint needs. Each role grants a fixed set of these. */
export type Permission = 'read' | 'act' | 'ingest' | 'manage';

const grants: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'act'],
  admin: ['read', 'act', 'ingest', 'manage'],
  device: ['ingest'],
};

/** The permission a role name stands for when used as a minimum (`requireRole('operator')`). */
const minimum: Record<Role, Permission> = {
  viewer: 'read',
  operator: 'act',
  admin: 'manage',
  device: 'ingest',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

export function permissionsOf(role: Role): readonly Permission[] {
  return grants[role];
}

/** True when a key of `role` may do what `needed` stands for. */
export function allows(role: Role, needed: Role | Permission): boolean {
  const permission = isRole(needed) ? minimum[needed] : needed;
  return grants[role].includes(permission);
}
