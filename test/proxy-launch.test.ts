// The pure decisions of launch-proxy (src/proxy/launch.ts), with plain data: the image parameter per
// architecture, the locked-down RunInstances parameters, the squid.conf input from the plan's settings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AL2023_PARAMETER, EC2_TRUST_POLICY, SSM_CORE_POLICY_ARN, amiParameterFor, architectureOf, proxyLaunchInput, proxyUrl, squidInputFor } from "../src/proxy/launch.js";
import { checkSquidConfig, renderSquidConfig } from "../src/proxy/squid.js";

test("Graviton types take the arm64 AL2023 parameter, the others x86_64", () => {
  for (const t of ["t4g.micro", "m7g.large", "c7g.xlarge", "c7gn.large", "r6gd.large", "im4gn.large", "is4gen.large", "a1.medium"]) assert.equal(architectureOf(t), "arm64", t);
  for (const t of ["t3.micro", "t3a.small", "m5.large", "c6i.large", "m7i.large", "r5d.large", "g5.xlarge", "m6in.large"]) assert.equal(architectureOf(t), "x86_64", t);
  assert.equal(amiParameterFor("t4g.small"), "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
  assert.equal(amiParameterFor("t3.micro"), AL2023_PARAMETER.x86_64);
});

test("a proxy launches with no key, no public IP, IMDSv2 required at hop limit 1, an encrypted gp3 root and its profile", () => {
  const input = proxyLaunchInput({ imageId: "ami-0123456789abcdef0", instanceType: "t3.micro", subnetId: "subnet-1", securityGroupId: "sg-1", instanceProfileName: "p", userData: "#!/bin/bash\necho hi\n" });
  assert.equal("KeyName" in input, false);
  assert.deepEqual(input.NetworkInterfaces, [{ DeviceIndex: 0, SubnetId: "subnet-1", Groups: ["sg-1"], AssociatePublicIpAddress: false, DeleteOnTermination: true }]);
  assert.deepEqual(input.MetadataOptions, { HttpTokens: "required", HttpPutResponseHopLimit: 1, HttpEndpoint: "enabled" });
  assert.deepEqual(input.BlockDeviceMappings[0].Ebs, { VolumeType: "gp3", VolumeSize: 8, Encrypted: true, DeleteOnTermination: true });
  assert.deepEqual(input.IamInstanceProfile, { Name: "p" });
  assert.equal(Buffer.from(input.UserData, "base64").toString("utf8"), "#!/bin/bash\necho hi\n");
});

test("the role is assumable by EC2 only and gets AWS's SSM agent policy only", () => {
  assert.deepEqual(EC2_TRUST_POLICY.Statement.map((s) => [s.Effect, s.Principal.Service, s.Action]), [["Allow", "ec2.amazonaws.com", "sts:AssumeRole"]]);
  assert.equal(SSM_CORE_POLICY_ARN, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
});

test("the squid.conf input puts the VPC's CIDR first and never twice; the config parses", () => {
  const input = squidInputFor({ port: 3128, allowDomains: [".example.com"], allowCidrs: ["10.1.0.0/16", "10.0.0.0/16"], verifySni: true }, "10.0.0.0/16");
  assert.deepEqual(input.allowCidrs, ["10.0.0.0/16", "10.1.0.0/16"]);
  assert.deepEqual(checkSquidConfig(renderSquidConfig(input)), []);
  assert.equal(proxyUrl("10.0.32.4", 3128), "http://10.0.32.4:3128");
});
