import type { TableServiceClientOptions } from '@azure/data-tables';

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

/**
 * The table service's time, as this process can tell it: the local clock corrected by the offset seen
 * in the `Date` header of the service's answers. Every process over one storage account then judges
 * claim ages, lease expiry and search windows by the same clock, whatever its host's clock says (a
 * host minutes off would otherwise take over live claims and leases early, or late).
 *
 * The header has whole seconds, so one answer tells the service's time within a second (plus half the
 * round trip): each sample is the header's second plus half a second, against the middle of the
 * round trip; the offset is the median of the recent samples, so one slow answer does not move it.
 * As the estimate settles it moves by fractions of a second; `now()` never goes backwards, so times
 * taken one after the other stay in order (audit entries, row keys that sort by time).
 */
export interface ServiceClock {
  now(): Date;
  /** Service time minus local time, in milliseconds (0 until the service first answered). */
  offsetMs(): number;
  /** The pipeline policy that reads each answer's `Date` header; add it to every table client. */
  readonly policy: PipelinePolicy;
}

const SAMPLES = 15;
/** An answer slower than this says too little about when its header was written. */
const MAX_ROUND_TRIP_MS = 2_000;

export function createServiceClock(localNow: () => number = Date.now): ServiceClock {
  const samples: number[] = [];
  let offset = 0;
  let latest = Number.NEGATIVE_INFINITY;
  const record = (sample: number) => {
    samples.push(sample);
    if (samples.length > SAMPLES) samples.shift();
    const sorted = [...samples].sort((a, b) => a - b);
    offset = sorted[Math.floor(sorted.length / 2)] ?? 0;
  };
  return {
    now: () => {
      latest = Math.max(latest, localNow() + offset);
      return new Date(latest);
    },
    offsetMs: () => offset,
    policy: {
      name: 'leadbotServiceClock',
      async sendRequest(request, next) {
        const sent = localNow();
        const response = await next(request);
        const received = localNow();
        const serviceDate = Date.parse(response.headers.get('date') ?? '');
        if (!Number.isNaN(serviceDate) && received - sent <= MAX_ROUND_TRIP_MS)
          record(serviceDate + 500 - (sent + received) / 2);
        return response;
      },
    },
  };
}
