import { acdRole } from '../roles/acd/acdRole.js';
import { callRole } from '../roles/call/callRole.js';
import type { Role } from './RoleContext.js';

/** The roles one platform process runs, in start order (closed in reverse). */
export const ROLES: readonly Role[] = [callRole, acdRole];
