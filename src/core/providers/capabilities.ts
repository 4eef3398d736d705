// What each provider kind supports, and its situation on a given date (OpenAI's fine-tuning wind-down).
import type { ProviderCapabilities, ProviderConfig } from './types';

/** OpenAI: "Active existing customers will no longer be able to create new fine-tuning jobs on this date." */
export const OPENAI_JOB_CUTOFF = '2027-01-06';

const DAY_MS = 86_400_000;

function isLocal(baseURL: string): boolean {
  try {
    const host = new URL(baseURL).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]';
  } catch {
    return false;
  }
}

export function capabilitiesOf(config: ProviderConfig, now: Date = new Date()): ProviderCapabilities {
  switch (config.kind) {
    case 'openai': {
      const cutoff = new Date(`${OPENAI_JOB_CUTOFF}T00:00:00Z`);
      const open = now.getTime() < cutoff.getTime();
      const daysLeft = Math.ceil((cutoff.getTime() - now.getTime()) / DAY_MS);
      const notes = [
        'OpenAI is winding down self-serve fine-tuning: organisations that have not used fine-tuning recently are refused new jobs (403 training_not_available).',
        open
          ? `New fine-tuning jobs are accepted until ${OPENAI_JOB_CUTOFF} (${daysLeft} day${daysLeft === 1 ? '' : 's'} left) for active existing customers.`
          : `OpenAI stopped accepting new fine-tuning jobs on ${OPENAI_JOB_CUTOFF}. Existing jobs and fine-tuned models stay readable.`,
        'Graders are deprecated on OpenAI; remote grader run/validate may stop working. Local grading is unaffected.',
      ];
      return {
        rftJobs: open,
        graderRun: true,
        graderValidate: true,
        modelGraders: true,
        embeddings: true,
        uploadsApi: true,
        jobCutoff: OPENAI_JOB_CUTOFF,
        notes,
      };
    }
    case 'azure':
      return {
        rftJobs: true,
        graderRun: true,
        graderValidate: true,
        modelGraders: true,
        embeddings: true,
        // Azure documents files up to 512 MB through /files; the multipart uploads API is not documented for v1.
        uploadsApi: false,
        notes: [
          'Azure OpenAI RFT supports o4-mini (2025-04-16) and gpt-5 (2025-08-07, private preview).',
          'Azure wants UTF-8 files with a BOM, under 512 MB, and a suffix of at most 40 characters [A-Za-z0-9-_].',
          'Azure pauses RFT jobs automatically at $5,000 of training and grading cost.',
          'Model graders use gpt-4o-2024-08-06 or o3-mini-2025-01-31 without a deployment.',
        ],
      };
    case 'compatible':
    default:
      return {
        rftJobs: true,
        graderRun: true,
        graderValidate: true,
        modelGraders: true,
        embeddings: true,
        uploadsApi: true,
        notes: [
          isLocal(config.baseURL)
            ? `A local OpenAI-compatible server at ${config.baseURL} (for example the RFT Studio emulator).`
            : `An OpenAI-compatible server at ${config.baseURL}: its support for fine-tuning and graders is not known in advance; unsupported calls report the server's answer.`,
        ],
      };
  }
}
