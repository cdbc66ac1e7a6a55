import pino, { type Logger } from 'pino';

/**
 * Structured logs that never carry personal data. Handlers log references, route ids, codes and correlation ids only;
 * these paths are redacted as a second line of defence in case a payload is logged by mistake.
 */
export const REDACT_PATHS = [
  'name', '*.name', 'from.name', '*.from.name',
  'text', '*.text', 'value', '*.value', 'data', '*.data',
  'dateOfBirth', '*.dateOfBirth', '*.*.dateOfBirth', 'dob', '*.dob',
  'learner', '*.learner', 'tried', '*.tried', 'ask', '*.ask', 'parentView', '*.parentView',
  'upn', '*.upn', 'initials', '*.initials', 'learnerRef', '*.learnerRef',
  'attachments', '*.attachments', 'body', '*.body', 'headers.authorization', '*.headers.authorization',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'inclusion-bot' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? process.stdout,
  );
}

export type { Logger };
