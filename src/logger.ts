export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

/** A structured logger; `child` adds fields to every line, one child per unit of work. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly level: LogLevel;
  /** `json`: one JSON object a line (for log collectors); `pretty`: for a person at a terminal. */
  readonly format: 'json' | 'pretty';
  readonly write: (line: string) => void;
  readonly clock?: () => Date;
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export function createLogger(options: LoggerOptions, bindings: LogFields = {}): Logger {
  const clock = options.clock ?? (() => new Date());
  const log = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (RANK[level] < RANK[options.level]) return;
    const all = Object.fromEntries(
      Object.entries({ ...bindings, ...fields }).map(([key, value]) => [key, serialise(value)]),
    );
    if (options.format === 'json') {
      options.write(JSON.stringify({ time: clock().toISOString(), level, message, ...all }));
      return;
    }
    const extra = Object.entries(all)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    options.write(
      `${clock().toISOString().slice(11, 19)} ${level.toUpperCase().padEnd(5)} ${message}${extra ? `  ${extra}` : ''}`,
    );
  };
  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (fields) => createLogger(options, { ...bindings, ...fields }),
  };
}

/** A logger that keeps its lines, for tests that read what was logged. */
export function createMemoryLogger(): Logger & {
  readonly lines: Array<{ level: LogLevel; message: string; fields: LogFields }>;
} {
  const lines: Array<{ level: LogLevel; message: string; fields: LogFields }> = [];
  const make = (bindings: LogFields): Logger => {
    const at =
      (level: LogLevel) =>
      (message: string, fields: LogFields = {}) => {
        lines.push({ level, message, fields: { ...bindings, ...fields } });
      };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (fields) => make({ ...bindings, ...fields }),
    };
  };
  return Object.assign(make({}), { lines });
}
