// The one tagging convention: every resource egress-cli creates carries its plan and step,
// which is how a re-run after a crash finds ("adopts") what the interrupted run created.
export const TAG_PLAN = "egress-cli:plan";
export const TAG_STEP = "egress-cli:step";
/** The plan's unique id: two plans that share a name (another plan file, another person) never
 * adopt or sweep each other's resources. */
export const TAG_PLAN_ID = "egress-cli:plan-id";

export interface Tag {
  Key: string;
  Value: string;
}

export function planTags(plan: { name: string; planId: string }, stepId: string, name: string): Tag[] {
  return [
    { Key: "Name", Value: name },
    { Key: TAG_PLAN, Value: plan.name },
    { Key: TAG_PLAN_ID, Value: plan.planId },
    { Key: TAG_STEP, Value: stepId },
  ];
}

export function tagSpec(resourceType: string, tags: Tag[]) {
  return [{ ResourceType: resourceType as any, Tags: tags }];
}

/** Everything this plan created (by its unique id). */
export function planFilters(plan: { planId: string }) {
  return [{ Name: `tag:${TAG_PLAN_ID}`, Values: [plan.planId] }];
}

/** What one step of this plan created. */
export function stepFilters(plan: { planId: string }, stepId: string) {
  return [...planFilters(plan), { Name: `tag:${TAG_STEP}`, Values: [stepId] }];
}

/**
 * Does a resource carry every tag a `tag:KEY` filter asks for? Describe answers are checked with it
 * too: an endpoint that ignores tag filters (some emulators do) must not make another plan's
 * resource look like ours.
 */
export function matchesTagFilters(tags: { Key?: string; Value?: string }[] | undefined, filters: { Name?: string; Values?: string[] }[]): boolean {
  return filters.every((f) => !f.Name?.startsWith("tag:") || (tags ?? []).some((t) => t.Key === f.Name!.slice(4) && f.Values?.includes(t.Value ?? "")));
}

export function tagValue(tags: { Key?: string; Value?: string }[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}
