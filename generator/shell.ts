// Values pasted into shell text (a sweep's `command`, a job's `local: { command }`, the boot
// script's environment file) arrive as data, never as code: a value that is one plain word goes in
// as written (so `--lr {lr}` still reads `--lr 0.5`), anything else goes in single-quoted, so the
// shell sees exactly one word with exactly the value's characters, whatever they are.

/** Characters that mean nothing to a POSIX shell, in or out of double quotes (no glob, no tilde). */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Single quotes, with a quote inside written as '"'"' (no backslash needed: the boot script may hold none). */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'"'"'`)}'`;

/** The value as one shell word with exactly its characters: plain words as they are, the rest quoted. */
export const shellWord = (value: string): string => (PLAIN_WORD.test(value) ? value : shellQuote(value));
