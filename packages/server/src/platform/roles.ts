import { acdRole } from '../roles/acd/acdRole.js';
import { callRole } from '../roles/call/callRole.js';
import { probeRole } from '../roles/probe/probeRole.js';
import { webRole } from '../roles/web/webRole.js';
import type { Role } from './RoleContext.js';

/** The roles one platform process runs, in start order (closed in reverse). */
export const ROLES: readonly Role[] = [webRole, callRole, acdRole, probeRole];
