// What RunInstances gets for one item: the per-item part of the request (the constant part is in
// the emitted Task), the instance's tags and its boot-script pieces.
import { isKnownField, type Json, type SweepItem } from './model.ts';
import { valueText } from './template.ts';
import { base64Length, encodedLength, encodeSlot, envFile, envFileBytes, userDataLength } from './userdata.ts';

/** Latest Amazon Linux 2023, resolved by EC2 itself at launch, per architecture. */
export const DEFAULT_AMI = {
  x86_64: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
  arm64: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
};

/** Graviton families have a 'g' after the generation digit (t4g, c7gn, r8g, is4gen) or are a1. */
export function isArm(instanceType: string): boolean {
  const family = instanceType.split('.')[0];
  const m = /^([a-z-]+?)(\d+)([a-z-]*)$/.exec(family);
  return family === 'a1' || (!!m && m[3].includes('g'));
}

/** The RunInstances fields that vary per item. ImageId and InstanceType always; the others when set. */
export type LaunchFields = {
  ImageId: string;
  InstanceType: string;
  KeyName?: string;
  IamInstanceProfile?: { Name: string } | { Arn: string };
  InstanceMarketOptions?: { MarketType: 'spot'; SpotOptions: { SpotInstanceType: 'one-time'; InstanceInterruptionBehavior: 'terminate' } };
  SubnetId?: string;
  SecurityGroupIds?: string[];
};

/** Fields in the order every launch Task lists them. */
const OPTIONAL_LAUNCH_FIELDS = ['KeyName', 'IamInstanceProfile', 'InstanceMarketOptions', 'SubnetId', 'SecurityGroupIds'] as const;

export function launchFields(item: SweepItem): LaunchFields {
  const f = item.fields;
  const type = f.instance_type as string;
  const role = typeof f.iam_role === 'string' ? f.iam_role : undefined;
  return {
    ImageId: typeof f.ami === 'string' ? f.ami : isArm(type) ? DEFAULT_AMI.arm64 : DEFAULT_AMI.x86_64,
    InstanceType: type,
    ...(typeof f.key_name === 'string' && { KeyName: f.key_name }),
    ...(role !== undefined && { IamInstanceProfile: role.startsWith('arn:') ? { Arn: role } : { Name: role } }),
    ...(f.spot === true && { InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } } }),
    ...(typeof f.subnet_id === 'string' && { SubnetId: f.subnet_id }),
    ...(Array.isArray(f.security_group_ids) && { SecurityGroupIds: f.security_group_ids as string[] }),
  };
}

/** The optional fields an item's request has: items with the same set share a launch Task. */
export const shapeOf = (launch: LaunchFields): string[] => OPTIONAL_LAUNCH_FIELDS.filter((k) => launch[k] !== undefined);

// An instance has at most 50 tags; stepgraph's own take four.
const MAX_PARAM_TAGS = 40;
const TAG_KEY_PREFIX = 'stepgraph:param:';
const TAG_SAFE = /[^\p{L}\p{N} _.:/=+\-@]/gu;

/**
 * Custom parameters every item has become tags `stepgraph:param:<key>` (so the console and
 * DescribeInstances show what an instance runs); the environment file has all of them.
 */
export function paramTagKeys(items: readonly SweepItem[]): string[] {
  if (items.length === 0) return [];
  const common = Object.keys(items[0].fields).filter((k) => !isKnownField(k) && items.every((i) => Object.hasOwn(i.fields, k)));
  return common
    .filter((k) => (TAG_KEY_PREFIX + k).length <= 128 && k.replace(TAG_SAFE, '') === k)
    .sort()
    .slice(0, MAX_PARAM_TAGS);
}

export const paramTagKey = (key: string): string => TAG_KEY_PREFIX + key;

/** A tag value: at most 256 characters of the characters tags allow. */
export const tagValue = (value: Json | undefined): string => valueText(value ?? null).replace(TAG_SAFE, '_').slice(0, 256);

/** The boot script's per-item slots, base64 encoded (see userdata.ts: no value can become script). */
export interface BootPieces {
  env: string;
  userData: string;
  command: string;
}

export function bootPieces(sweep: string, item: SweepItem, reportsExit: boolean): BootPieces {
  return {
    env: encodeSlot(envFile(sweep, item, reportsExit)),
    userData: encodeSlot(typeof item.fields.user_data === 'string' ? item.fields.user_data : ''),
    command: encodeSlot(typeof item.fields.command === 'string' ? item.fields.command : ''),
  };
}

/** userDataLength(bootPieces(...)) without encoding anything: what the check of every item needs. */
export function bootScriptLength(sweep: string, item: SweepItem, reportsExit: boolean): number {
  const text = (value: Json | undefined): string => (typeof value === 'string' ? value : '');
  const emptySlots = userDataLength({ env: '', userData: '', command: '' });
  return emptySlots + base64Length(envFileBytes(sweep, item, reportsExit)) + encodedLength(text(item.fields.user_data)) + encodedLength(text(item.fields.command));
}

/** The command's exit status can be recorded only with a command and an instance profile to tag with. */
export const reportsExit = (item: SweepItem): boolean => typeof item.fields.command === 'string' && typeof item.fields.iam_role === 'string';
