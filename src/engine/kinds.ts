// How destroy deletes each resource kind a plan can hold. Every module that adds a kind adds
// its deleter here, so destroy (and its orphan sweep) stays one generic mechanism.
import { deleters as ec2Deleters, type Deleter } from "./ec2-steps.js";

export type { Deleter };

export const deleters: Record<string, Deleter> = {
  ...ec2Deleters,
};
