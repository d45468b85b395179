import { type CollectionTag, parse, type ScalarTag } from 'yaml';

/** A parsed CloudFormation value: intrinsics appear in their long form (`{ Ref }`, `{ 'Fn::Sub' }`...). */
export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Length',
  'ToJsonString',
];

function longName(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function wrap(name: string, value: CfnValue): CfnValue {
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [longName(name)]: value };
}

function tagsFor(name: string): (ScalarTag | CollectionTag)[] {
  const tag = `!${name}`;
  return [
    { tag, resolve: (value: string) => wrap(name, value) },
    { tag, collection: 'seq', resolve: (seq) => wrap(name, seq.toJSON() as CfnValue) },
    { tag, collection: 'map', resolve: (map) => wrap(name, map.toJSON() as CfnValue) },
  ];
}

const customTags = ['Ref', 'Condition', ...FUNCTIONS].flatMap(tagsFor);

/**
 * Parses CloudFormation / SAM YAML, turning the short intrinsic tags (`!Ref`, `!Sub`, `!GetAtt`...) into
 * their long `Fn::` form so that one resolver handles both spellings.
 */
export function parseCloudFormationYaml(source: string): CfnValue {
  return parse(source, { customTags, merge: false, uniqueKeys: true }) as CfnValue;
}
