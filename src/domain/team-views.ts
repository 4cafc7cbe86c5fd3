import type { TeamFigures } from './stats.ts';

/** One line of a lead list, ready to render. */
export interface LeadListItem {
  readonly customer: string;
  readonly stage: string;
  readonly owner: string | null;
  readonly arrivedAt: Date;
  /** When the follow-up is due while one is awaited, else when the planned next step is. */
  readonly dueAt: Date | null;
  /** Which of the two `dueAt` is. */
  readonly due?: 'followUp' | 'nextStep';
  readonly permalink: string | null;
}

export interface LeadListPage {
  readonly items: readonly LeadListItem[];
  readonly page: number;
  readonly pages: number;
  readonly total: number;
}

export interface HomeContent {
  readonly mine: LeadListPage;
  /** Managers and admins only. */
  readonly team: {
    readonly overdue: LeadListPage;
    readonly figures: TeamFigures;
    readonly days: number;
  } | null;
  readonly now: Date;
}

export interface DigestContent {
  readonly day: string;
  readonly yesterday: TeamFigures;
  readonly unclaimed: number;
  readonly overdue: LeadListPage;
  readonly week: TeamFigures;
  readonly now: Date;
}
