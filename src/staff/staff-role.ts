/** Staff roles, least first: each may do everything the ones before it may. */
export const STAFF_ROLES = ['viewer', 'analyst', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Whether `role` may do what needs `required`. */
export function roleAllows(role: StaffRole, required: StaffRole): boolean {
  return STAFF_ROLES.indexOf(role) >= STAFF_ROLES.indexOf(required);
}

/** Whether a value read from outside is a role. */
export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}
