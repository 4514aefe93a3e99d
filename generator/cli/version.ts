// The CLI's version, from package.json (the bundle inlines it).
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
