// Writes schema/intent.schema.json from the intent file's zod schema. Run after changing src/verify/intent.ts:
//   node --import tsx src/verify/emit-schema.ts [outFile]
// test/verify-core.test.ts fails when the committed file differs from what this would write.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { intentJsonSchemaText } from "./intent.js";

export const DEFAULT_SCHEMA_PATH = fileURLToPath(new URL("../../schema/intent.schema.json", import.meta.url));

const out = process.argv[2] ?? DEFAULT_SCHEMA_PATH;
writeFileSync(out, intentJsonSchemaText());
process.stderr.write(`wrote ${out}\n`);
