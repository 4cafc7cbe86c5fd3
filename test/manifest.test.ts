import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const section = (file: string, from: string, to: string) => {
  const text = readFileSync(file, 'utf8');
  return text.slice(text.indexOf(from), text.indexOf(to));
};

describe('the Slack app manifests', () => {
  it('ask for the same scopes and events in HTTP and Socket Mode; only the transport differs', () => {
    for (const [from, to] of [
      ['oauth_config:', 'settings:'],
      ['bot_events:', 'interactivity:'],
    ] as const) {
      expect(section('manifest.socket.yml', from, to)).toBe(section('manifest.yml', from, to));
    }
    expect(readFileSync('manifest.socket.yml', 'utf8')).toContain('socket_mode_enabled: true');
    expect(readFileSync('manifest.socket.yml', 'utf8')).not.toContain('leadbot.example.com');
  });
});
