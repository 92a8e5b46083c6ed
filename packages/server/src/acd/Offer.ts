import type { OfferState, OfferView } from './AcdTypes.js';

/** A reservation of one contact for one agent until accepted, refused, expired or withdrawn. */
export class Offer {
  readonly id: string;
  readonly contactId: string;
  readonly agentId: string;
  readonly queueId: string;
  readonly createdAt: number;
  readonly deadline: number;
  state: OfferState = 'pending';
  reason: string | null = null;

  constructor(init: {
    id: string;
    contactId: string;
    agentId: string;
    queueId: string;
    createdAt: number;
    deadline: number;
  }) {
    this.id = init.id;
    this.contactId = init.contactId;
    this.agentId = init.agentId;
    this.queueId = init.queueId;
    this.createdAt = init.createdAt;
    this.deadline = init.deadline;
  }

  view(): OfferView {
    return {
      id: this.id,
      contactId: this.contactId,
      agentId: this.agentId,
      queueId: this.queueId,
      createdAt: this.createdAt,
      deadline: this.deadline,
      state: this.state,
      reason: this.reason,
    };
  }
}
