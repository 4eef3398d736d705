// A plain-language recommendation across candidate graders: which one to train with, and why. Graders that
// give no learning signal or pay a degenerate probe lose against ones that do neither.
import type { LabAnalysis, ProbeResult } from './types';

export interface Recommendation {
  /** Id of the grader to prefer, when one stands out. */
  best?: string;
  text: string;
}

const VERDICT_SCORE = { promising: 3, weak: 2, unknown: 1, 'no-signal': 0 } as const;

export function recommendGrader(
  analysis: LabAnalysis,
  probes: readonly ProbeResult[],
  label: (id: string) => string,
): Recommendation {
  const graders = analysis.graders;
  if (!graders.length) return { text: 'Run at least one grader.' };
  const exploits = (id: string) => probes.filter((p) => p.graderId === id && p.exploitable);
  const score = (id: string) => {
    const g = graders.find((x) => x.graderId === id)!;
    return (
      VERDICT_SCORE[g.signal.verdict] * 10 -
      exploits(id).length * 15 -
      g.signal.flatShare * 5 -
      g.signal.errorRate * 10
    );
  };
  const ranked = [...graders].sort((a, b) => score(b.graderId) - score(a.graderId));
  const describe = (id: string) => {
    const g = graders.find((x) => x.graderId === id)!;
    const ex = exploits(id);
    const parts = [
      `${g.signal.verdict === 'promising' ? 'gives a learning signal' : g.signal.verdict === 'weak' ? 'gives a weak learning signal' : g.signal.verdict === 'no-signal' ? 'gives no learning signal' : 'cannot be judged yet'} (${g.signal.multiSampleItems - g.signal.flatItems} of ${g.signal.multiSampleItems} items vary)`,
    ];
    if (ex.length)
      parts.push(
        `pays ${ex.map((p) => `"${p.title}" ${p.meanReward.toFixed(3)}`).join(', ')}, so a policy could learn to game it`,
      );
    else if (probes.some((p) => p.graderId === id)) parts.push('rewards none of the degenerate probes');
    return `${label(id)} ${parts.join(' and ')}`;
  };
  if (graders.length === 1) return { best: graders[0].graderId, text: `${describe(graders[0].graderId)}.` };
  const [first, second] = ranked;
  if (Math.abs(score(first.graderId) - score(second.graderId)) < 1e-9) {
    return { text: `No clear winner: ${ranked.map((g) => describe(g.graderId)).join('; ')}.` };
  }
  const firstEx = exploits(first.graderId).length;
  const safe = firstEx === 0 && exploits(second.graderId).length > 0;
  return {
    best: first.graderId,
    text: `Prefer ${label(first.graderId)}: ${describe(first.graderId)}; ${ranked
      .slice(1)
      .map((g) => describe(g.graderId))
      .join('; ')}.${safe ? ' Reward hacking is the deciding difference.' : ''}`,
  };
}
