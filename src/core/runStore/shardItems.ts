import type { Shard } from '../../shared/jobs';
import type { WorkItem } from '../../shared/results';

/** Shard K of N takes items K, K + N, K + 2N, … of the plan: deterministic, and balanced across variants. */
export function shardItems(plan: WorkItem[], shard: Shard): WorkItem[] {
  return plan.filter((_, i) => i % shard.count === shard.index);
}
