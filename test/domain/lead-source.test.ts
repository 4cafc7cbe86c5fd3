import { describe, expect, it } from 'vitest';
import { actionOf, decodeLeadSource } from '../../src/domain/lead-source.ts';

describe('decodeLeadSource', () => {
  it.each([
    ['SPZA-PLT|Contoso Lead Insights', 'AppSource', 'SPZA', 'PLT', 'Contoso Lead Insights'],
    [
      'AzureMarketplace-INS|contoso.lead-insights',
      'AzureMarketplace',
      'AzureMarketplace',
      'INS',
      'contoso.lead-insights',
    ],
    [
      'AzureMarketplace-StartTestDrive|Red Hat OpenShift Container Platform',
      'AzureMarketplace',
      'AzureMarketplace',
      'StartTestDrive',
      'Red Hat OpenShift Container Platform',
    ],
    [
      'AzurePortal-Create|contoso.secure-gateway-vm',
      'AzurePortal',
      'AzurePortal',
      'Create',
      'contoso.secure-gateway-vm',
    ],
    ['TestDrive-StartTestDrive|contoso.demo', 'TestDrive', 'TestDrive', 'StartTestDrive', 'contoso.demo'],
    ['SPZA-DNC|Contoso', 'AppSource', 'SPZA', 'DNC', 'Contoso'],
    // the offer part may hold the separators themselves: split once, on the first of each
    ['SPZA-PLT|Offer - with | bars-and-dashes', 'AppSource', 'SPZA', 'PLT', 'Offer - with | bars-and-dashes'],
    ['azuremarketplace-ins|x', 'AzureMarketplace', 'azuremarketplace', 'ins', 'x'],
    ['NewSource-FreeTrial|x', 'unknown', 'NewSource', 'FreeTrial', 'x'],
    ['SPZA-PLT|', 'AppSource', 'SPZA', 'PLT', null],
  ])('%j → %s / %s / %s / %s', (raw, channel, sourceText, actionText, offerText) => {
    expect(decodeLeadSource(raw)).toEqual({ channel, sourceText, actionText, offerText, parsed: true });
  });

  it.each([
    ['', null],
    ['Contoso Lead Insights', null],
    ['SPZA|Contoso', 'Contoso'],
    ['SPZA-PLT', null],
  ])('%j is kept as unparsed with the source unknown', (raw, offerText) => {
    expect(decodeLeadSource(raw)).toEqual({
      channel: 'unknown',
      sourceText: null,
      actionText: null,
      offerText,
      parsed: false,
    });
  });

  it('treats null as unparsed', () => {
    expect(decodeLeadSource(null).parsed).toBe(false);
  });
});

describe('actionOf', () => {
  it.each([
    ['PLT', 'PLT'],
    ['INS', 'INS'],
    ['DNC', 'DNC'],
    ['Create', 'Create'],
    ['create', 'Create'],
    ['StartTestDrive', 'StartTestDrive'],
    ['FreeTrial', 'other'],
    ['', 'other'],
    [null, 'other'],
  ])('%j → %s', (code, action) => {
    expect(actionOf(code)).toBe(action);
  });
});
