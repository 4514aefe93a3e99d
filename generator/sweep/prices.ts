// On-demand prices for the cost ceiling of `sweep launch --estimate-only`.
//
// The bundled table is approximate: AWS's published Linux on-demand prices in us-east-1 (N.
// Virginia) for common families, as they stood in 2024, in USD per instance-hour. Other regions
// cost more or less (often 5-25% more); spot costs less. It is a ceiling for planning, not a bill:
// pass `--prices <file>` (a JSON or YAML mapping of instance type to USD per hour, optionally
// under a region key) for your own numbers.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UserError } from '../errors.ts';

const BUNDLED_PRICES_SOURCE = 'bundled table: approximate AWS Linux on-demand prices, us-east-1, 2024';

const BUNDLED_PRICES: Readonly<Record<string, number>> = {
  't3.nano': 0.0052, 't3.micro': 0.0104, 't3.small': 0.0208, 't3.medium': 0.0416, 't3.large': 0.0832, 't3.xlarge': 0.1664, 't3.2xlarge': 0.3328,
  'm5.large': 0.096, 'm5.xlarge': 0.192, 'm5.2xlarge': 0.384, 'm5.4xlarge': 0.768, 'm5.8xlarge': 1.536, 'm5.12xlarge': 2.304, 'm5.16xlarge': 3.072, 'm5.24xlarge': 4.608,
  'c5.large': 0.085, 'c5.xlarge': 0.17, 'c5.2xlarge': 0.34, 'c5.4xlarge': 0.68, 'c5.9xlarge': 1.53, 'c5.12xlarge': 2.04, 'c5.18xlarge': 3.06, 'c5.24xlarge': 4.08,
  'c7i.large': 0.08925, 'c7i.xlarge': 0.1785, 'c7i.2xlarge': 0.357, 'c7i.4xlarge': 0.714, 'c7i.8xlarge': 1.428,
  'r5.large': 0.126, 'r5.xlarge': 0.252, 'r5.2xlarge': 0.504, 'r5.4xlarge': 1.008, 'r5.8xlarge': 2.016, 'r5.12xlarge': 3.024, 'r5.16xlarge': 4.032, 'r5.24xlarge': 6.048,
  'g4dn.xlarge': 0.526, 'g4dn.2xlarge': 0.752, 'g4dn.4xlarge': 1.204, 'g4dn.8xlarge': 2.176, 'g4dn.12xlarge': 3.912, 'g4dn.16xlarge': 4.352,
  'g5.xlarge': 1.006, 'g5.2xlarge': 1.212, 'g5.4xlarge': 1.624, 'g5.8xlarge': 2.448, 'g5.12xlarge': 5.672, 'g5.16xlarge': 4.096, 'g5.24xlarge': 8.144, 'g5.48xlarge': 16.288,
  'p3.2xlarge': 3.06, 'p3.8xlarge': 12.24, 'p3.16xlarge': 24.48,
};

export interface PriceTable {
  source: string;
  /** USD per hour by instance type, and by `<region>/<instance type>` where the file gives regions. */
  prices: Record<string, number>;
}

export const bundledPrices = (): PriceTable => ({ source: BUNDLED_PRICES_SOURCE, prices: { ...BUNDLED_PRICES } });

/** The price of one instance-hour: the region's own when the table has it, else the type's. */
export function priceOf(table: PriceTable, instanceType: string, region?: string): number | undefined {
  return (region !== undefined ? table.prices[`${region}/${instanceType}`] : undefined) ?? table.prices[instanceType];
}

/**
 * A price file: `{"t3.micro": 0.0104, ...}` or by region `{"us-west-2": {"t3.micro": 0.0112}}`
 * (both may be mixed; YAML works too). Every value must be a non-negative number.
 */
export function loadPrices(path: string): PriceTable {
  let data: unknown;
  try {
    data = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`--prices ${path}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UserError(`--prices ${path}: expected a mapping of instance type to USD per hour, e.g. {"t3.micro": 0.0104}`);
  const prices: Record<string, number> = {};
  const put = (key: string, value: unknown): void => {
    if (typeof value !== 'number' || !(value >= 0)) throw new UserError(`--prices ${path}: the price of '${key}' must be a number of USD per hour, not ${JSON.stringify(value)}`);
    prices[key] = value;
  };
  for (const [key, value] of Object.entries(data)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const [type, price] of Object.entries(value)) put(`${key}/${type}`, price);
    else put(key, value);
  }
  return { source: path, prices };
}
