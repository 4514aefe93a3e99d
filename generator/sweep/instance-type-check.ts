// An EC2 instance type checked against EC2's families and their sizes (instance-types.ts). A typo
// (`c5.xlarg`, `cc5.large`, `t3micro`) is an error with a did-you-mean; a well-formed name the list
// lacks (a family or size AWS added since the list was made) is a warning, never a refusal.
import { closest } from '../contract/suggest.ts';
import { INSTANCE_FAMILIES } from './instance-types.ts';

export type InstanceTypeProblem = { severity: 'error' | 'warning'; message: string; hint: string };

/** Sizes EC2 names: the named ones, `<n>xlarge`, `metal` and `metal-<n>xl`. */
const SIZE = /^(?:nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal(?:-[1-9]\d*xl)?)$/;
/** Families: letters, usually a generation and options (`c7gn`), maybe dash-separated parts (`u-6tb1`, `mac2-m2pro`). */
const FAMILY = /^[a-z]+\d*[a-z]*(?:-[a-z0-9]+)*$/;

const sizesOf = (family: string): string[] | undefined => (Object.hasOwn(INSTANCE_FAMILIES, family) ? INSTANCE_FAMILIES[family].split(' ') : undefined);

let allTypes: string[] | undefined;
/** Every instance type the list knows (built only when a name is wrong). */
const everyType = (): string[] => (allTypes ??= Object.entries(INSTANCE_FAMILIES).flatMap(([family, sizes]) => sizes.split(' ').map((size) => `${family}.${size}`)));

const series = (family: string): string => /^[a-z]+/.exec(family)?.[0] ?? family;
const tail = (family: string): string => family.slice(series(family).length);

/** Undefined when the type is one EC2 has. */
export function instanceTypeProblem(value: string): InstanceTypeProblem | undefined {
  const dot = value.indexOf('.');
  const family = dot === -1 ? value : value.slice(0, dot);
  const size = dot === -1 ? '' : value.slice(dot + 1);
  const sizes = sizesOf(family);
  if (sizes?.includes(size)) return undefined;
  const near = closest(value, everyType());
  const suggestion = near ? `did you mean '${near}'?` : "instance types are '<family>.<size>', e.g. 't3.micro' or 'g5.xlarge'";

  if (sizes) {
    const nearSize = closest(size, sizes);
    const hint = nearSize ? `did you mean '${family}.${nearSize}'?` : `${family} comes in: ${sizes.join(', ')}`;
    if (SIZE.test(size)) return { severity: 'warning', message: `'${value}' is not a size EC2 lists for ${family}: launching it fails unless AWS has added it`, hint };
    return { severity: 'error', message: `'${value}' is not an EC2 instance type: ${family} has no size '${size}'`, hint };
  }
  if (dot === -1 || !FAMILY.test(family) || !/\d/.test(family) || !SIZE.test(size)) {
    return { severity: 'error', message: `'${value}' is not an EC2 instance type`, hint: suggestion };
  }
  // A known family's generation and options under a mistyped series (`cc5` for `c5`) is a typo;
  // AWS's new families keep a known series and change the generation or the options.
  const typo = closest(
    family,
    Object.keys(INSTANCE_FAMILIES).filter((known) => tail(known) === tail(family) && closest(series(family), [series(known)]) !== undefined),
  );
  if (typo) return { severity: 'error', message: `'${value}' is not an EC2 instance type: there is no family '${family}'`, hint: `did you mean '${typo}.${size}'?` };
  return {
    severity: 'warning',
    message: `'${family}' is not an instance family EC2 listed when this version was made: launching '${value}' fails unless AWS has added it`,
    hint: near ? `did you mean '${near}'? (a family AWS added since is fine)` : 'check the name; a family AWS added since is fine',
  };
}
