import type { TableServiceClientOptions } from '@azure/data-tables';

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

/**
 * The table service's time, as this process can tell it: the local clock corrected by the offset seen
 * in the `Date` header of the service's answers. Every process over one storage account then judges
 * claim ages, lease expiry and search windows by the same clock, whatever its host's clock says (a
 * host minutes off would otherwise take over live claims and leases early, or late).
 *
 * The header has whole seconds: an answer dated D, sent at local time s and received at r, says the
 * offset lies in [D − r, D + 1 s − s]. The intersection of the recent answers' intervals narrows to
 * about one round trip as answers land at different points of the second; the offset is its middle.
 * An answer that contradicts the others (the host clock was stepped) starts the intersection again
 * from the answers that agree with it. `now()` never goes backwards, so times taken one after the
 * other stay in order (audit entries, row keys that sort by time).
 */
export interface ServiceClock {
  now(): Date;
  /** Service time minus local time, in milliseconds (0 until the service first answered). */
  offsetMs(): number;
  /** The pipeline policy that reads each answer's `Date` header; add it to every table client. */
  readonly policy: PipelinePolicy;
}

/** How many recent answers are intersected. */
const SAMPLES = 32;
/** An answer slower than this says too little about when its header was written. */
const MAX_ROUND_TRIP_MS = 2_000;

interface Bounds {
  readonly low: number;
  readonly high: number;
}

export function createServiceClock(localNow: () => number = Date.now): ServiceClock {
  let samples: Bounds[] = [];
  let offset = 0;
  let latest = Number.NEGATIVE_INFINITY;
  const record = (sample: Bounds) => {
    samples = [...samples, sample].slice(-SAMPLES);
    // Intersect from the newest answer back; stop at the first one that does not overlap.
    let low = sample.low;
    let high = sample.high;
    let kept = 1;
    for (const older of samples.slice(0, -1).reverse()) {
      if (older.high < low || older.low > high) break;
      low = Math.max(low, older.low);
      high = Math.min(high, older.high);
      kept += 1;
    }
    samples = samples.slice(-kept);
    offset = Math.round((low + high) / 2);
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
          record({ low: serviceDate - received, high: serviceDate + 1_000 - sent });
        return response;
      },
    },
  };
}
