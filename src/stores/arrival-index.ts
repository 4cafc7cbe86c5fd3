import type { Arrival } from '../domain/arrival.ts';

export type ArrivalOutcome =
  /** This lead is now the latest arrival under its key (or already was): post it. */
  | { readonly kind: 'recorded' }
  /** The arrival already there is the same lead by the other path: do not post this one. */
  | { readonly kind: 'same'; readonly existing: Arrival };

/** The latest arrival of each customer and action, so a lead arriving by both destinations is one lead. */
export interface ArrivalIndex {
  /**
   * Records `arrival` under `key`, unless the arrival there is `isSame` (then returns it). Decided with
   * conditional writes: of two leads recorded at once, exactly one is recorded and the other sees it.
   */
  record(key: string, arrival: Arrival, isSame: (existing: Arrival) => boolean): Promise<ArrivalOutcome>;
}
