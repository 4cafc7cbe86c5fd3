import { RestError } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { SlackCallError } from '../../src/services/slack-port.ts';
import { failureField } from '../../src/stores/failure.ts';

describe('failureField: what a log line says of a failure', () => {
  it.each([
    [
      'the table service refusing',
      new RestError(
        '<?xml?><Error><Code>ServerBusy</Code><Message>The server is busy.\nRequestId:1</Message></Error>',
        {
          statusCode: 503,
        },
      ),
      'the table service answered 503 ServerBusy: The server is busy.',
    ],
    [
      'Slack refusing',
      new SlackCallError('chat.postMessage', 'ratelimited'),
      'Slack chat.postMessage failed: ratelimited',
    ],
    [
      'the service unreachable',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10002\n    at TCPConnectWrap'), {
        code: 'ECONNREFUSED',
      }),
      'connect ECONNREFUSED 127.0.0.1:10002',
    ],
  ])('%s: one line, no stack', (_, error, line) => {
    expect(failureField(error)).toBe(line);
  });

  it('keeps a bug whole, stack and all', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'ts')");
    expect(failureField(bug)).toBe(bug);
  });
});
