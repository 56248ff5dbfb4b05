import { labCapabilities } from '../lab/lab-capabilities.ts';
import { scenarioJsonSchema } from '../lab/scenario-schema.ts';

export const LAB_SCHEMA_HELP = `furikae lab schema
  Prints the JSON Schema of scenario files (the one shipped as lab/scenario.schema.json), for editors and checks.
`;

/** `furikae lab schema`. */
export async function labSchemaCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(LAB_SCHEMA_HELP);
    return 0;
  }
  // Written and flushed before returning: the CLI exits right after, which would cut a piped schema short.
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(scenarioJsonSchema(labCapabilities), null, 2)}\n`, () => resolve()));
  return 0;
}
