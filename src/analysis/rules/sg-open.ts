// Shared by the security group rules: inbound rules open to the whole internet (0.0.0.0/0, ::/0).
import type { ParsedPermission, ParsedSecurityGroup } from "../snapshot-index.js";

export function openToWorld(p: ParsedPermission): string[] {
  return p.cidrs.filter((c) => c.len === 0).map((c) => c.text);
}

export function openPermissions(sg: ParsedSecurityGroup): { perm: ParsedPermission; world: string[] }[] {
  return sg.ingress.map((perm) => ({ perm, world: openToWorld(perm) })).filter((x) => x.world.length);
}

export const ADMIN_PORTS: Record<number, string> = { 22: "SSH", 3389: "RDP", 5985: "WinRM", 5986: "WinRM/TLS", 23: "Telnet" };

export function portText(p: ParsedPermission): string {
  return p.proto === "all" ? "all traffic" : p.from === p.to ? `${p.proto}/${p.from}` : `${p.proto}/${p.from}-${p.to}`;
}

/** The part of an inbound rule that is open to the world (its 0.0.0.0/0 and ::/0 ranges only): what a fix revokes. */
export function worldPart(h: { perm: ParsedPermission; world: string[] }): object {
  const p = h.perm.perm;
  const v4 = h.world.filter((c) => !c.includes(":"));
  const v6 = h.world.filter((c) => c.includes(":"));
  return {
    IpProtocol: p.IpProtocol,
    ...(p.FromPort !== undefined ? { FromPort: p.FromPort } : {}),
    ...(p.ToPort !== undefined ? { ToPort: p.ToPort } : {}),
    ...(v4.length ? { IpRanges: v4.map((CidrIp) => ({ CidrIp })) } : {}),
    ...(v6.length ? { Ipv6Ranges: v6.map((CidrIpv6) => ({ CidrIpv6 })) } : {}),
  };
}

/** `aws ec2 revoke-security-group-ingress|egress` of exactly these permissions (one call, every rule). */
export function revokeFix(groupId: string, perms: object[], direction: "ingress" | "egress" = "ingress"): string {
  return `aws ec2 revoke-security-group-${direction} --group-id ${groupId} --ip-permissions '${JSON.stringify(perms)}'`;
}
