// Colour for people at a terminal, never for pipes or files: on when the stream is a TTY, off
// with NO_COLOR (https://no-color.org) or TERM=dumb, forced on with FORCE_COLOR. Text renderers
// take a Colour and stay testable with `plain`.

export interface Colour {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap =
  (open: number, close: number) =>
  (s: string): string =>
    `\x1b[${open}m${s}\x1b[${close}m`;

export const ansi: Colour = { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), cyan: wrap(36, 39), bold: wrap(1, 22), dim: wrap(2, 22) };

const same = (s: string): string => s;
export const plain: Colour = { red: same, yellow: same, green: same, cyan: same, bold: same, dim: same };

function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export const colourFor = (stream: { isTTY?: boolean }): Colour => (colourEnabled(stream) ? ansi : plain);

/** The terminal's width for charts; 100 off a terminal (a file or a CI log). */
export const terminalWidth = (stream: { isTTY?: boolean; columns?: number } = process.stdout): number => (stream.isTTY && stream.columns ? stream.columns : 100);
