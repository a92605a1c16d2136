/** An institution's place in the pipeline. */
export const STATUSES = ['new', 'contacted', 'qualified', 'won', 'lost'] as const
export type LeadStatus = (typeof STATUSES)[number]

/** What an admin can log on an institution's timeline. */
export const ACTIVITY_KINDS = ['call', 'mail', 'meeting'] as const
