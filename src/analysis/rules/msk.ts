// Shared by the MSK rules: a Kafka event source mapping's cluster network interfaces (MSK brokers
// found by their ENI description, or a self-managed cluster's VPC_SUBNET / VPC_SECURITY_GROUP
// access configurations), and whether the mapping is in on-demand mode.
import type { SnapshotIndex } from "../snapshot-index.js";
import type { EventSourceMapping, NetworkInterface } from "../snapshot.js";

export interface KafkaMapping {
  esm: EventSourceMapping;
  id: string;
  clusterName: string;
  /** ENIs of the cluster (MSK brokers), possibly empty. */
  enis: NetworkInterface[];
  subnetIds: string[];
  groupIds: string[];
  onDemand: boolean;
}

export function kafkaMappings(ix: SnapshotIndex): KafkaMapping[] {
  const out: KafkaMapping[] = [];
  for (const esm of ix.snapshot.eventSourceMappings) {
    const arn = esm.EventSourceArn ?? "";
    const msk = /^arn:aws[a-z-]*:kafka:[^:]*:[^:]*:cluster\/([^/]+)\//.exec(arn);
    const selfManaged = (esm.SourceAccessConfigurations ?? []).some((c) => c.Type === "VPC_SUBNET");
    if (!msk && !selfManaged) continue;
    const clusterName = msk?.[1] ?? "self-managed";
    let enis: NetworkInterface[] = [];
    let subnetIds: string[];
    let groupIds: string[];
    if (msk) {
      enis = ix.snapshot.networkInterfaces.filter((e) => {
        const d = e.Description ?? "";
        return /msk|kafka/i.test(d) && (d.includes(arn) || new RegExp(`\\b${clusterName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(d));
      });
      subnetIds = [...new Set(enis.map((e) => e.SubnetId))].sort();
      groupIds = [...new Set(enis.flatMap((e) => e.Groups.map((g) => g.GroupId).filter((x): x is string => !!x)))].sort();
    } else {
      const uris = (t: string, p: string) => (esm.SourceAccessConfigurations ?? []).filter((c) => c.Type === t).map((c) => (c.URI ?? "").replace(p, ""));
      subnetIds = uris("VPC_SUBNET", "subnet:").sort();
      groupIds = uris("VPC_SECURITY_GROUP", "security_group:").sort();
    }
    out.push({ esm, id: esm.UUID ?? arn, clusterName, enis, subnetIds, groupIds, onDemand: !esm.ProvisionedPollerConfig });
  }
  return out;
}

/** Broker ports: plaintext, TLS, SASL/SCRAM, IAM (private connectivity). */
export const BROKER_PORTS = [9092, 9094, 9096, 9098] as const;
