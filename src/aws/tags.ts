// The one tagging convention: every resource egress-cli creates carries its plan and step,
// which is how a re-run after a crash finds ("adopts") what the interrupted run created.
export const TAG_PLAN = "egress-cli:plan";
export const TAG_STEP = "egress-cli:step";

export interface Tag {
  Key: string;
  Value: string;
}

export function planTags(planName: string, stepId: string, name: string): Tag[] {
  return [
    { Key: "Name", Value: name },
    { Key: TAG_PLAN, Value: planName },
    { Key: TAG_STEP, Value: stepId },
  ];
}

export function tagSpec(resourceType: string, tags: Tag[]) {
  return [{ ResourceType: resourceType as any, Tags: tags }];
}

export function stepFilters(planName: string, stepId: string) {
  return [
    { Name: `tag:${TAG_PLAN}`, Values: [planName] },
    { Name: `tag:${TAG_STEP}`, Values: [stepId] },
  ];
}

export function tagValue(tags: { Key?: string; Value?: string }[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}
