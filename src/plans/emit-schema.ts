// Writes schema/plan.schema.json from the zod schema. Run after changing src/plans/schema.ts:
//   node --import tsx src/plans/emit-schema.ts [outFile]
// test/plan-schema.test.ts fails when the committed file differs from what this would write.

import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { planJsonSchemaText } from "./schema.js";

export const DEFAULT_SCHEMA_PATH = fileURLToPath(new URL("../../schema/plan.schema.json", import.meta.url));

const out = process.argv[2] ?? DEFAULT_SCHEMA_PATH;
writeFileSync(out, planJsonSchemaText());
process.stderr.write(`wrote ${out}\n`);
