// Shared by the MSK rules: a Kafka event source mapping's cluster network interfaces (MSK brokers
// found by their ENI description, or a self-managed cluster's VPC_SUBNET / VPC_SECURITY_GROUP
// access configurations), and whether the mapping is in on-demand mode.
import type { SnapshotIndex } from "../snapshot-index.js";
import type { EventSourceMapping, NetworkInterface } from "../snapshot.js";

/** The fields of an event source mapping and of a network interface that decide a Kafka mapping (snapshot or SDK shapes). */
export interface KafkaEsmFields {
  UUID?: string;
  EventSourceArn?: string;
  FunctionArn?: string;
  ProvisionedPollerConfig?: object;
  SourceAccessConfigurations?: Array<{ Type?: string; URI?: string }>;
}
export interface KafkaEniFields {
  NetworkInterfaceId?: string;
  SubnetId?: string;
  Description?: string;
  Groups?: Array<{ GroupId?: string }>;
}

export interface KafkaMapping<M extends KafkaEsmFields = EventSourceMapping, E extends KafkaEniFields = NetworkInterface> {
  esm: M;
  id: string;
  clusterName: string;
  /** ENIs of the cluster (MSK brokers), possibly empty. */
  enis: E[];
  subnetIds: string[];
  groupIds: string[];
  onDemand: boolean;
  /** The Secrets Manager secrets the mapping names (SASL/SCRAM, BASIC_AUTH, client certificate, root CA): its pollers read them with the function's role. */
  secretArns: string[];
}

export function kafkaMappings(ix: SnapshotIndex): KafkaMapping[] {
  return kafkaMappingsOf(ix.snapshot.eventSourceMappings, ix.snapshot.networkInterfaces);
}

/** The Kafka mappings among `esms`, with their cluster interfaces among `enis` (the audit's snapshot, or add-endpoint's reads). */
export function kafkaMappingsOf<M extends KafkaEsmFields, E extends KafkaEniFields>(esms: M[], allEnis: E[]): KafkaMapping<M, E>[] {
  const out: KafkaMapping<M, E>[] = [];
  for (const esm of esms) {
    const arn = esm.EventSourceArn ?? "";
    const msk = /^arn:aws[a-z-]*:kafka:[^:]*:[^:]*:cluster\/([^/]+)\//.exec(arn);
    const selfManaged = (esm.SourceAccessConfigurations ?? []).some((c) => c.Type === "VPC_SUBNET");
    if (!msk && !selfManaged) continue;
    const clusterName = msk?.[1] ?? "self-managed";
    let enis: E[] = [];
    let subnetIds: string[];
    let groupIds: string[];
    if (msk) {
      enis = allEnis.filter((e) => {
        const d = e.Description ?? "";
        return /msk|kafka/i.test(d) && (d.includes(arn) || new RegExp(`\\b${clusterName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(d));
      });
      subnetIds = [...new Set(enis.map((e) => e.SubnetId).filter((x): x is string => !!x))].sort();
      groupIds = [...new Set(enis.flatMap((e) => (e.Groups ?? []).map((g) => g.GroupId).filter((x): x is string => !!x)))].sort();
    } else {
      const uris = (t: string, p: string) => (esm.SourceAccessConfigurations ?? []).filter((c) => c.Type === t).map((c) => (c.URI ?? "").replace(p, ""));
      subnetIds = uris("VPC_SUBNET", "subnet:").sort();
      groupIds = uris("VPC_SECURITY_GROUP", "security_group:").sort();
    }
    const secretArns = [...new Set((esm.SourceAccessConfigurations ?? []).map((c) => c.URI ?? "").filter((u) => /^arn:aws[a-z-]*:secretsmanager:/.test(u)))].sort();
    out.push({ esm, id: esm.UUID ?? arn, clusterName, enis, subnetIds, groupIds, onDemand: !esm.ProvisionedPollerConfig, secretArns });
  }
  return out;
}

/** Broker ports: plaintext, TLS, SASL/SCRAM, IAM (private connectivity). */
export const BROKER_PORTS = [9092, 9094, 9096, 9098] as const;
