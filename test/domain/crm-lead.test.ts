import { describe, expect, it } from 'vitest';
import {
  CRM_FIRST_RETRY_MS,
  CRM_MAX_RETRY_MS,
  crmExclusionOf,
  crmKeyOf,
  crmLeadOf,
  crmRetryAt,
} from '../../src/domain/crm-lead.ts';
import { parseLeadRow } from '../../src/domain/lead.ts';
import { JANE, leadRow } from '../fixtures/lead-rows.ts';

const lead = (columns: Parameters<typeof leadRow>[0]) => parseLeadRow(leadRow(columns));

describe('crmExclusionOf', () => {
  it.each([
    ['a Test Drive lead', {}, null],
    ['a Contact me lead', { ActionCode: 'PLT' }, null],
    ['a DNC heads-up', { ActionCode: 'DNC' }, 'do not contact'],
    [
      "Microsoft's test lead",
      { CustomerInfo: JSON.stringify({ ...JANE, FirstName: 'MSFT_TEST' }) },
      "Microsoft's test lead",
    ],
    [
      'a lead without an e-mail',
      { CustomerInfo: JSON.stringify({ ...JANE, Email: '' }) },
      'no e-mail address',
    ],
  ])('%s → %s', (_, columns, expected) => {
    expect(crmExclusionOf(lead(columns))).toBe(expected);
    expect(crmLeadOf(lead(columns)) === null).toBe(expected !== null);
  });
});

describe('crmKeyOf', () => {
  it('is stable, 128 bits, and differs between leads, even when the keys only swap their parts', () => {
    const key = crmKeyOf({ partitionKey: 'a', rowKey: 'b' });
    expect(key).toMatch(/^mkt-[0-9a-f]{32}$/);
    expect(crmKeyOf({ partitionKey: 'a', rowKey: 'b' })).toBe(key);
    expect(crmKeyOf({ partitionKey: 'b', rowKey: 'a' })).not.toBe(key);
    expect(crmKeyOf({ partitionKey: 'ab', rowKey: '' })).not.toBe(
      crmKeyOf({ partitionKey: 'a', rowKey: 'b' }),
    );
  });
});

describe('crmLeadOf', () => {
  it('normalises the e-mail and names the record by offer, stage and company, keeping text as written', () => {
    const crm = crmLeadOf(
      lead({
        ActionCode: 'PLT',
        Description: '<!channel> call me *now*',
        CustomerInfo: JSON.stringify({ ...JANE, Email: ' Jane.Doe@Fabrikam.EXAMPLE ' }),
      }),
    );
    expect(crm).toMatchObject({
      email: 'jane.doe@fabrikam.example',
      title: 'Contoso Lead Insights: Contact me — Fabrikam',
      description: '<!channel> call me *now*',
    });
  });
});

describe('crmRetryAt', () => {
  const now = new Date('2026-03-02T09:00:00Z');
  it.each([
    [1, null, CRM_FIRST_RETRY_MS],
    [2, null, 2 * CRM_FIRST_RETRY_MS],
    [5, null, 16 * CRM_FIRST_RETRY_MS],
    [40, null, CRM_MAX_RETRY_MS],
    [1, 10_000, 10_000],
    [9, 10_000, 10_000],
    [1, 48 * 3_600_000, CRM_MAX_RETRY_MS],
  ])('attempt %i with Retry-After %s waits %i ms', (attempts, retryAfterMs, wait) => {
    expect(crmRetryAt(now, attempts, retryAfterMs).getTime() - now.getTime()).toBe(wait);
  });
});
