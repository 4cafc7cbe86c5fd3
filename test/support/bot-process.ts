import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A real bot process, as an operator starts it. */
export interface BotProcess {
  readonly child: ChildProcess;
  /** Resolves to the /healthz URL once the process logged "lead bot started"; rejects if it exits first. */
  readonly ready: Promise<string>;
  /** Every line it printed so far, stdout and stderr. */
  readonly output: string[];
  /** Resolves to its exit code. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `command args` (default: `node src/main.ts`, the sources as `npm start` runs them) with only
 * PATH and `env` set, logging JSON so the start line can be read.
 */
export function startBotProcess(
  env: Record<string, string>,
  {
    command = [process.execPath, 'src/main.ts'],
    cwd = process.cwd(),
  }: { readonly command?: readonly string[]; readonly cwd?: string } = {},
): BotProcess {
  const [executable = process.execPath, ...args] = command;
  const child = spawn(executable, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    void exited.then((code) => reject(new Error(`bot exited with ${code}:\n${output.join('\n')}`)));
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => output.push(line));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output.push(line);
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { message: string; health?: string };
      if (entry.message === 'lead bot started' && entry.health)
        resolve(entry.health.replace('localhost', '127.0.0.1'));
    });
  });
  ready.catch(() => {}); // a test that expects the exit awaits `exited` instead
  return { child, ready, output, exited };
}

/** The parsed /healthz answer and its HTTP status. */
export async function healthOf(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
