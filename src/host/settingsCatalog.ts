// The `rftStudio.*` settings as code sees them: each key's shape (type, allowed values, bounds) and its TypeScript
// type. Defaults live only in package.json (VS Code applies them); a unit test keeps this catalogue in step with it.
// No `vscode` import here, so the catalogue and its checks run under plain `node --test`.

/** How one setting's value must look; a value that does not fit falls back to the package.json default. */
export interface SettingShape<T> {
  readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'any';
  readonly enum?: readonly T[];
  readonly minimum?: number;
  readonly maximum?: number;
  /** Phantom: carries the value's TypeScript type. */
  readonly _value?: T;
}

const str = (): SettingShape<string> => ({ type: 'string' });
const oneOf = <const T extends string>(values: readonly T[]): SettingShape<T> => ({
  type: 'string',
  enum: values,
});
const num = (minimum?: number, maximum?: number): SettingShape<number> => ({
  type: 'number',
  minimum,
  maximum,
});
const int = (minimum?: number, maximum?: number): SettingShape<number> => ({
  type: 'integer',
  minimum,
  maximum,
});
const bool = (): SettingShape<boolean> => ({ type: 'boolean' });
const list = <T>(): SettingShape<T[]> => ({ type: 'array' });
const record = <T>(): SettingShape<Record<string, T>> => ({ type: 'object' });
const anything = (): SettingShape<unknown> => ({ type: 'any' });

/** A training/validation pair in `rftStudio.datasets.pairs`, paths as the user wrote them. */
export interface DatasetPairSetting {
  training: string;
  validation: string;
}

/** One entry of `rftStudio.graders.links`: files a grader glob is linked to. */
export interface GraderLinkSetting {
  dataset?: string;
  responseFormat?: string;
}

export const SETTINGS = {
  'python.interpreter': str(),
  'python.timeoutSeconds': num(1),
  'python.allowUnsandboxed': bool(),
  'graders.links': record<GraderLinkSetting>(),
  'grading.tokenizerSwitch': oneOf(['latin1', 'ascii']),
  'datasets.format': oneOf(['auto', 'rft', 'sft', 'dpo']),
  'datasets.provider': oneOf(['openai', 'azure']),
  'datasets.pairs': list<DatasetPairSetting>(),
  'datasets.validateOnType': bool(),
  'datasets.maxProblemsPerRule': int(1),
  'datasets.referenceField': str(),
  'stats.tokenLimit': int(1),
  'stats.epochs': int(1, 50),
  // Either null (built-in prices) or a price table that core's resolvePriceTable() checks.
  'stats.prices': anything(),
  // Each entry is checked by the provider store, which reports the bad ones.
  providers: list<unknown>(),
  'jobs.pollIntervalSeconds': num(1, 3600),
  'jobs.maxPollIntervalSeconds': num(1, 7200),
  'jobs.notifications': oneOf(['all', 'terminal', 'none']),
  'alerts.validationGap': num(0, 1),
  'alerts.parseErrorRise': num(0, 1),
  'emulator.autoStart': bool(),
  'emulator.speed': num(0.1, 1000),
  'lab.dataset': str(),
  'lab.graders': list<string>(),
  'lab.samples': str(),
  'lab.responseFormat': str(),
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> =
  (typeof SETTINGS)[K] extends SettingShape<infer T> ? T : never;

/** The first segment of a dotted key: `python`, `datasets`, … (`providers` has none). */
export type SettingSection = SettingKey extends infer K
  ? K extends `${infer S}.${string}`
    ? S
    : never
  : never;

/** All settings of one section by their short name: `section('python').timeoutSeconds`. */
export type SectionSettings<S extends SettingSection> = {
  readonly [K in SettingKey as K extends `${S}.${infer Rest}` ? Rest : never]: SettingValue<K>;
};

/** Whether a value read from the settings has the catalogued shape (users can type anything into settings.json). */
export function fitsShape(shape: SettingShape<unknown>, value: unknown): boolean {
  switch (shape.type) {
    case 'any':
      return value !== undefined;
    case 'string':
      return typeof value === 'string' && (!shape.enum || shape.enum.includes(value));
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
    case 'integer':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (shape.type === 'number' || Number.isInteger(value)) &&
        (shape.minimum === undefined || value >= shape.minimum) &&
        (shape.maximum === undefined || value <= shape.maximum)
      );
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/** The keys of a section, with their short names. */
export function sectionKeys(section: string): { key: SettingKey; name: string }[] {
  const prefix = `${section}.`;
  return (Object.keys(SETTINGS) as SettingKey[])
    .filter((k) => k.startsWith(prefix))
    .map((key) => ({ key, name: key.slice(prefix.length) }));
}
