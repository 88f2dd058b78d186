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
