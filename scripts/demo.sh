#!/usr/bin/env bash
# The S1 flow on the embedded sandbox: a VPC over 2 AZs, a NAT gateway with a static Elastic IP,
# the status (egress IP + monthly cost), the reachability proof and a Mermaid diagram of it all.
# NAT gateways take their real ~90 s, scaled by 1/100.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${DEMO_DIR:-$PWD/.egress/demo}"
mkdir -p "$DIR"
rm -f "$DIR/sandbox.json" "$DIR/egress-plan.json"
export EGRESS_SANDBOX_LATENCY="${EGRESS_SANDBOX_LATENCY:-realistic:0.01}"
cli() { node "$ROOT/bin/egress-cli" --sandbox-file "$DIR/sandbox.json" --plan "$DIR/egress-plan.json" "$@"; }
# Bold only on a terminal (and never with NO_COLOR): piped or redirected output carries no escapes.
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then B=$'\033[1m' R=$'\033[0m'; else B='' R=''; fi
step() { printf '\n%s$ egress-cli %s%s\n' "$B" "$*" "$R"; }

step sandbox init --examples; cli sandbox init --examples --force >/dev/null && echo "fresh sandbox account (with the example functions sms-sender, rotate-db-secret, msk-consumer) in $DIR/sandbox.json"
step create-vpc --name sms-api --cidr 10.0.0.0/16 --azs 2; cli create-vpc --name sms-api --cidr 10.0.0.0/16 --azs 2
step add-nat --mode single; cli add-nat --mode single
step attach-lambda --function sms-sender; cli attach-lambda --function sms-sender
step status; cli status
# The proof: Reachability Analyzer (emulated by the sandbox) from the function to the internet gateway.
step analyze-path --from lambda:sms-sender --to igw; cli analyze-path --from lambda:sms-sender --to igw || true
# The picture: the topology as Mermaid (paste into any Markdown viewer), the proven path highlighted.
step diagram --path; cli diagram --path
printf '\nTry more: node bin/egress-cli --sandbox-file %s --plan %s destroy --yes\n' "$DIR/sandbox.json" "$DIR/egress-plan.json"
