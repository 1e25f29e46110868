// Levelled JSON-lines logger on stderr (stdout belongs to the stdio transport). Every line goes
// through the redactor, so a secret that reaches a log call still never reaches the log.
import { redact, redactString } from './redact.js';
import type { LogLevel } from './config.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  readonly level: LogLevel;
}

export type LineSink = (line: string) => void;

const stderrSink: LineSink = (line) => {
  process.stderr.write(line);
};

export function createLogger(level: LogLevel, sink: LineSink = stderrSink, base: LogFields = {}): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
    if (ORDER[at] < ORDER[level]) return;
    const record = redact({ time: new Date().toISOString(), level: at, msg, ...base, ...fields });
    sink(`${redactString(JSON.stringify(record, errorReplacer))}\n`);
  };
  return {
    level,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}

/** Errors serialise as name + message only: stacks stay out of logs shared with users. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

export const silentLogger: Logger = createLogger('silent', () => undefined);
