// audit against an AWS-compatible endpoint (--endpoint-url) that implements only EC2's core
// Describe calls and STS: it runs unchanged, the services the endpoint lacks (Lambda, VPC Lattice,
// flow logs, instances, endpoints…) are listed as omitted and their rules as not evaluated, and the
// path rules still find the VPC's problem from what was collected.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { cli, cleanEnv, tempDir } from "./helpers.js";

const EC2 = "http://ec2.amazonaws.com/doc/2016-11-15/";
const CORE: Record<string, string> = {
  DescribeVpcs: `<vpcSet><item><vpcId>vpc-1</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><state>available</state><isDefault>false</isDefault></item></vpcSet>`,
  DescribeSubnets: `<subnetSet><item><subnetId>subnet-1</subnetId><vpcId>vpc-1</vpcId><cidrBlock>10.0.1.0/24</cidrBlock><availabilityZone>us-east-1a</availabilityZone><mapPublicIpOnLaunch>false</mapPublicIpOnLaunch></item></subnetSet>`,
  DescribeRouteTables: `<routeTableSet><item><routeTableId>rtb-1</routeTableId><vpcId>vpc-1</vpcId><routeSet><item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state><origin>CreateRouteTable</origin></item></routeSet><associationSet><item><routeTableAssociationId>rtbassoc-1</routeTableAssociationId><routeTableId>rtb-1</routeTableId><main>true</main></item></associationSet></item></routeTableSet>`,
  DescribeInternetGateways: `<internetGatewaySet/>`,
  DescribeNatGateways: `<natGatewaySet/>`,
  DescribeAddresses: `<addressesSet/>`,
  DescribeSecurityGroups: `<securityGroupInfo><item><groupId>sg-1</groupId><groupName>app</groupName><vpcId>vpc-1</vpcId><ipPermissions/><ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges></item></ipPermissionsEgress></item></securityGroupInfo>`,
  DescribeNetworkAcls: `<networkAclSet><item><networkAclId>acl-1</networkAclId><vpcId>vpc-1</vpcId><default>true</default><entrySet>${[true, false].map((e) => `<item><ruleNumber>100</ruleNumber><protocol>-1</protocol><ruleAction>allow</ruleAction><egress>${e}</egress><cidrBlock>0.0.0.0/0</cidrBlock></item>`).join("")}</entrySet><associationSet/></item></networkAclSet>`,
  DescribeNetworkInterfaces: `<networkInterfaceSet><item><networkInterfaceId>eni-1</networkInterfaceId><subnetId>subnet-1</subnetId><vpcId>vpc-1</vpcId><interfaceType>interface</interfaceType><privateIpAddress>10.0.1.10</privateIpAddress><status>in-use</status><requesterManaged>false</requesterManaged><groupSet><item><groupId>sg-1</groupId><groupName>app</groupName></item></groupSet></item></networkInterfaceSet>`,
};

async function partialEndpoint() {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const action = new URLSearchParams(body).get("Action");
      seen.push(action ?? `${req.method} ${req.url}`);
      if (action === "GetCallerIdentity") {
        res.writeHead(200, { "content-type": "text/xml" });
        return res.end(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
      }
      if (action && CORE[action]) {
        res.writeHead(200, { "content-type": "text/xml" });
        return res.end(`<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${EC2}"><requestId>r</requestId>${CORE[action]}</${action}Response>`);
      }
      if (action) {
        res.writeHead(400, { "content-type": "text/xml" });
        return res.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidAction</Code><Message>The action ${action} is not valid for this web service.</Message></Error></Errors><RequestID>r</RequestID></Response>`);
      }
      // REST services (Lambda, VPC Lattice): not implemented here.
      res.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "UnknownOperationException" });
      res.end(JSON.stringify({ message: "not implemented" }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { seen, port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test("audit --endpoint-url: optional services the endpoint lacks are omitted, their rules not evaluated; path rules still run", async () => {
  const srv = await partialEndpoint();
  try {
    const env = cleanEnv({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLETEST", AWS_SECRET_ACCESS_KEY: "secret", AWS_REGION: "us-east-1" });
    const r = await cli(["audit", "--all-vpcs", "--endpoint-url", `http://127.0.0.1:${srv.port}`, "--format", "json", "--fail-on", "medium"], { cwd: tempDir(), env });
    assert.equal(r.code, 3, r.stderr);
    const doc = r.json();
    const scope = doc.scopes[0];
    assert.equal(scope.status, "ok");
    assert.equal(scope.id, "123456789012/us-east-1");
    for (const o of ["lambdaFunctions", "flowLogs", "instances", "vpcEndpoints"]) assert.ok(scope.omitted.includes(o), `${o} omitted: ${scope.omitted}`);
    for (const rule of ["vpc-no-flow-logs", "lambda-public-subnet", "imdsv1-on-forwarder", "endpoint-no-private-dns"]) assert.ok(scope.rulesNotEvaluated.includes(rule), rule);
    assert.deepEqual(doc.findings.map((f: any) => `${f.ruleId} ${f.resourceId}`), ["workload-no-egress eni-1"]);
    assert.equal(doc.findings[0].evidence.blocking.code, "NO_ROUTE_TO_DESTINATION");
    assert.match(r.stderr, /not collected \(omitted\): .*lambdaFunctions/);
    assert.ok(srv.seen.includes("DescribeVpcs") && srv.seen.includes("GetCallerIdentity"));
  } finally {
    await srv.close();
  }
});
