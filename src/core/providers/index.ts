// Public surface of providers.
export * from './types';
export { OPENAI_JOB_CUTOFF } from './capabilities';
