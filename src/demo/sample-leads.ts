import { randomUUID } from 'node:crypto';
import { createdTimeText } from '../domain/inbound-lead.ts';
import { leadPartitionKey } from '../domain/lead-partitions.ts';

/** A lead row as Microsoft writes it (see shared/marketplace-leads.md), ready for TableClient.createEntity. */
export type LeadEntity = { partitionKey: string; rowKey: string } & Record<string, string>;

interface SampleCustomer {
  FirstName?: string;
  LastName?: string;
  Email?: string;
  Phone?: string;
  Country?: string;
  Company?: string;
  Title?: string;
}

function sample(
  now: Date,
  leadSource: string,
  actionCode: string,
  customer: SampleCustomer | string,
  description: string,
): LeadEntity {
  return {
    partitionKey: leadPartitionKey(now),
    rowKey: randomUUID(),
    LeadSource: leadSource,
    ActionCode: actionCode,
    CustomerInfo: typeof customer === 'string' ? customer : JSON.stringify(customer),
    Description: description,
    OfferDisplayName: 'Contoso Lead Insights',
    PublisherDisplayName: 'Contoso',
    ProductId: 'contoso.lead-insights',
    CreatedTime: createdTimeText(now),
  };
}

/** A tour of what the bot handles: every action, a returning customer, a test lead and a malformed row. */
export function sampleLeads(now: Date): LeadEntity[] {
  const jane: SampleCustomer = {
    FirstName: 'Jane',
    LastName: 'Doe',
    Email: 'Jane.Doe@fabrikam.example',
    Phone: '+1 425 555 0100',
    Country: 'US',
    Company: 'Fabrikam',
    Title: 'Head of Data',
  };
  return [
    sample(
      now,
      'SPZA-PLT|Contoso Lead Insights',
      'PLT',
      jane,
      'We would like a demo for 40 analysts next week.',
    ),
    sample(
      now,
      'AzureMarketplace-INS|contoso.lead-insights',
      'INS',
      { ...jane, Email: 'jane.doe@FABRIKAM.example' },
      '',
    ),
    sample(
      now,
      'AzurePortal-Create|contoso.lead-insights',
      'Create',
      { ...jane, Email: ' jane.doe@fabrikam.example ' },
      'Campaigns: ',
    ),
    sample(
      now,
      'AzureMarketplace-StartTestDrive|Contoso Lead Insights',
      'StartTestDrive',
      {
        FirstName: 'Kenji',
        LastName: 'Sato',
        Email: 'kenji@northwind.example',
        Country: 'JP',
        Company: 'Northwind <!channel>',
      },
      '{"utm_source":"newsletter","utm_campaign":"autumn"}',
    ),
    sample(
      now,
      'SPZA-DNC|Contoso Lead Insights',
      'DNC',
      { FirstName: 'Ola', Email: 'ola@tailspin.example', Company: 'Tailspin' },
      '',
    ),
    sample(
      now,
      'Contoso Lead Insights',
      'INS',
      '{not json',
      'A row Microsoft wrote badly: posted with what is known.',
    ),
    sample(
      now,
      'SPZA-PLT|MSFT_TEST_638960000000000000',
      'PLT',
      {
        FirstName: 'MSFT_TEST_638960000000000000',
        Email: 'MSFT_TEST_638960000000000000@test.com',
        Phone: '1234567890',
      },
      'MSFT_TEST_638960000000000000',
    ),
  ];
}
