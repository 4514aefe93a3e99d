// One JSON line per log entry, so CloudWatch Logs Insights can filter on fields.

type Fields = Record<string, unknown>;

export const log = {
  info: (message: string, fields: Fields = {}): void => console.log(JSON.stringify({ level: 'INFO', message, ...fields })),
  warn: (message: string, fields: Fields = {}): void => console.warn(JSON.stringify({ level: 'WARN', message, ...fields })),
};
