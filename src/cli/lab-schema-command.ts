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
  console.log(JSON.stringify(scenarioJsonSchema(labCapabilities), null, 2));
  return 0;
}
