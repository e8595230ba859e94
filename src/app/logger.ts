// The server's logger. On a terminal, pino-pretty formats lines for a person;
// anywhere else (a service manager, a pipe, a test) each line is one JSON
// object. Both write synchronously on the main thread: a line logged just
// before a kill -9 is on stdout rather than in a worker's buffer, and the
// start-up banner, written after the "listening" line, is printed after it.
// (pino's transport option would run pino-pretty in a worker thread, where
// neither holds.)
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { Config } from '../config.ts';

/** The pino logger for LOG_LEVEL, or null for `silent` (Fastify then logs nothing). */
export function createLogger(level: Config['LOG_LEVEL'], tty = Boolean(process.stdout.isTTY)): FastifyBaseLogger | null {
  if (level === 'silent') return null;
  const stream = tty
    ? PinoPretty({ destination: 1, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })
    : pino.destination({ dest: 1, sync: true });
  return pino({ level }, stream);
}
