import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Translates the template with aws-sam-translator (the Python library `sam deploy` and CloudFormation's
 * `AWS::Serverless` transform use), after replacing every function's CodeUri with an S3 URI as
 * `sam package` does. Catches what only the transform sees (an invalid event source, a bad policy template,
 * a property SAM does not know) without an AWS account. Python, because that library exists only there.
 */
const TRANSLATE = `
import json, sys
from samtranslator.yaml_helper import yaml_parse
from samtranslator.translator.transform import transform
from samtranslator.model.exceptions import InvalidDocumentException

class NoManagedPolicies:
    """The template names no AWS managed policy by name, so no IAM lookup is needed."""
    def load(self):
        return {}

with open(sys.argv[1]) as f:
    template = yaml_parse(f.read())
template.get('Globals', {}).get('Function', {}).pop('CodeUri', None)
functions = 0
for logical_id, resource in template.get('Resources', {}).items():
    if resource.get('Type') == 'AWS::Serverless::Function':
        resource.setdefault('Properties', {})['CodeUri'] = 's3://verify-deploy-artifacts/' + logical_id
        functions += 1
try:
    output = transform(template, json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}, NoManagedPolicies())
except InvalidDocumentException as error:
    print(json.dumps({'errors': [str(cause) for cause in error.causes]}))
    sys.exit(0)
except Exception as error:
    print(json.dumps({'errors': [type(error).__name__ + ': ' + str(error)]}))
    sys.exit(0)
print(json.dumps({'functions': functions, 'resources': len(output.get('Resources', {}))}))
`;

export type TranslateResult =
  | { kind: 'unavailable'; reason: string }
  | { kind: 'translated'; functions: number; resources: number }
  | { kind: 'invalid'; errors: string[] };

/** `parameters`: values for the template's parameters, as `sam deploy --parameter-overrides` passes them. */
export async function translateTemplate(
  templatePath: string,
  parameters: Record<string, string> = {},
): Promise<TranslateResult> {
  try {
    await run('python3', ['-c', 'import samtranslator']);
  } catch {
    return { kind: 'unavailable', reason: 'aws-sam-translator (Python) is not installed' };
  }
  // The transform fills in pseudo parameters (AWS::Region...) from a boto session, which needs a region only.
  const env = { ...process.env, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION ?? 'us-east-1' };
  const { stdout } = await run('python3', ['-c', TRANSLATE, templatePath, JSON.stringify(parameters)], {
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    errors?: string[];
    functions?: number;
    resources?: number;
  };
  if (result.errors) return { kind: 'invalid', errors: result.errors };
  return { kind: 'translated', functions: result.functions ?? 0, resources: result.resources ?? 0 };
}
