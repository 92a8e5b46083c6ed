/** The ACD core: transport-independent queues, agents, routing, offers, durability and KPIs. */
export type { AcdLogEvent, ContactSeed, StoredEvent } from './AcdLogEvent.js';
export { AcdService, type AcdServiceInit, type ContactTicket } from './AcdService.js';
export type { AcdStore, RecordQuery } from './AcdStore.js';
export type * from './AcdTypes.js';
export { type Clock, FakeClock, SystemClock } from './Clock.js';
export { MemoryAcdStore } from './MemoryAcdStore.js';
export { ACD_MIGRATIONS, SqliteAcdStore } from './SqliteAcdStore.js';
export * from './schemas.js';
