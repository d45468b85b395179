import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { CfnValue } from './cfn-yaml';
import type { IntrinsicResolver } from './intrinsic-resolver';
import { isSupportedIdentitySource } from './request-authorizer';
import type { StackModel } from './stack-model';

/** One thing in the template that the local stack cannot run, with the resource it is about and a way out. */
export interface TemplateProblem {
  /** The logical id of the resource. */
  resource: string;
  problem: string;
  fix: string;
}

/** The template cannot run locally; `problems` lists every reason (a CLI prints the message and exits 2). */
export class TemplateCheckError extends Error {
  override name = 'TemplateCheckError';

  constructor(
    readonly templatePath: string,
    readonly problems: TemplateProblem[],
  ) {
    super(
      `${templatePath} cannot run locally (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.resource}: ${p.problem}\n    ${p.fix}`).join('\n'),
    );
  }
}

export interface TemplateCheckInput {
  templatePath: string;
  /** Folder that paths in the messages are relative to. */
  projectRoot: string;
  /** The template's `Resources`, unresolved. */
  resources: Record<string, CfnValue>;
  /** The template's `Globals`, unresolved. */
  globals: Record<string, CfnValue>;
  model: StackModel;
  resolver: IntrinsicResolver;
}

type Obj = Record<string, CfnValue>;
const asObj = (value: CfnValue | undefined): Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};

const functionInUri = /function:([A-Za-z0-9-_]+)/;

/**
 * What would otherwise fail later, at a route, with a stack trace: functions that are not Node.js or whose
 * handler file is missing, routes whose integration or authorizer is nothing the local stack can run.
 * Resources that no route needs (alarms, log groups, roles...) are left alone, as the stack ignores them.
 */
export function checkTemplate(input: TemplateCheckInput): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const safely = (resource: string, check: () => void): void => {
    try {
      check();
    } catch (error) {
      problems.push({
        resource,
        problem: error instanceof Error ? error.message : String(error),
        fix: 'Give it a value the local stack can resolve (a parameter override, or a literal).',
      });
    }
  };
  for (const [id, resource] of Object.entries(input.resources)) {
    if (asObj(resource).Type === 'AWS::Serverless::Function') safely(id, () => checkFunction(input, id, problems));
  }
  const api = input.model.webSocketApi;
  if (api) {
    for (const [id, resource] of Object.entries(input.resources)) {
      const { Type: type, Properties: properties } = asObj(resource);
      if (type !== 'AWS::ApiGatewayV2::Route' || !belongsTo(asObj(properties), api.logicalId)) continue;
      safely(id, () => checkRoute(input, id, asObj(properties), problems));
    }
  }
  return problems;
}

/** Throws a `TemplateCheckError` listing every problem, if there is any. */
export function assertTemplateRunnable(input: TemplateCheckInput): void {
  const problems = checkTemplate(input);
  if (problems.length > 0) throw new TemplateCheckError(input.templatePath, problems);
}

const belongsTo = (properties: Obj, apiId: string): boolean => {
  const ref = asObj(properties.ApiId).Ref;
  return ref === undefined || ref === apiId;
};

function checkFunction(input: TemplateCheckInput, id: string, problems: TemplateProblem[]): void {
  const properties = asObj(asObj(input.resources[id]).Properties);
  const globals = asObj(input.globals.Function);
  const packageType = input.resolver.resolveString(properties.PackageType ?? globals.PackageType);
  if (packageType === 'Image') {
    problems.push({
      resource: id,
      problem: 'is a container image function (PackageType: Image), which the local stack cannot run.',
      fix: 'Run it as a Zip function (CodeUri, Handler, Runtime: nodejs22.x), or leave it out of the local template.',
    });
    return;
  }
  const runtime = input.resolver.resolveString(properties.Runtime ?? globals.Runtime);
  if (runtime === undefined || !runtime.startsWith('nodejs')) {
    problems.push({
      resource: id,
      problem:
        runtime === undefined
          ? 'has no Runtime.'
          : `has Runtime ${runtime}; the local stack runs Node.js functions only.`,
      fix: 'Set Runtime: nodejs22.x (on the function or in Globals.Function).',
    });
    return;
  }
  const fn = input.model.functions.get(id);
  if (!fn) {
    problems.push({
      resource: id,
      problem: 'has no Handler.',
      fix: 'Set Handler: <file>.<export> (on the function or in Globals.Function).',
    });
    return;
  }
  try {
    input.resolver.resolve(fn.environment);
  } catch (error) {
    problems.push({
      resource: id,
      problem: `its Environment cannot be resolved locally: ${error instanceof Error ? error.message : String(error)}.`,
      fix: 'Use a parameter (and pass its value with a parameter override) or a literal instead.',
    });
  }
  if (!existsSync(fn.entryFile)) {
    const built = asObj(asObj(input.resources[id]).Metadata).BuildProperties !== undefined;
    problems.push({
      resource: id,
      problem: `its handler file ${relative(input.projectRoot, fn.entryFile)} does not exist.`,
      fix: built
        ? 'Create it, or correct CodeUri and Metadata.BuildProperties.EntryPoints.'
        : 'Create it, or correct CodeUri and Handler (file.export).',
    });
  }
}

function checkRoute(input: TemplateCheckInput, id: string, properties: Obj, problems: TemplateProblem[]): void {
  const { resolver } = input;
  const routeKey = resolver.resolveString(properties.RouteKey) ?? '?';
  const route = `route ${routeKey}`;
  const target = resolver.resolveString(properties.Target);
  if (target !== undefined) checkIntegration(input, id, route, target.replace(/^integrations\//, ''), problems);

  const authorization = resolver.resolveString(properties.AuthorizationType) ?? 'NONE';
  if (authorization === 'NONE' || authorization === 'AWS_IAM') return;
  if (authorization !== 'CUSTOM') {
    problems.push({
      resource: id,
      problem: `${route} has AuthorizationType ${authorization}, which WebSocket APIs do not have.`,
      fix: 'Use NONE, AWS_IAM or CUSTOM (a Lambda REQUEST authorizer).',
    });
    return;
  }
  if (routeKey !== '$connect') {
    problems.push({
      resource: id,
      problem: `${route} has an authorizer; API Gateway runs authorizers on $connect only.`,
      fix: 'Move AuthorizationType: CUSTOM and AuthorizerId to the $connect route.',
    });
  }
  const ref = asObj(properties.AuthorizerId).Ref;
  const authorizerId = typeof ref === 'string' ? ref : resolver.resolveString(properties.AuthorizerId);
  const authorizer = asObj(input.resources[authorizerId ?? '']);
  if (authorizerId === undefined || authorizer.Type !== 'AWS::ApiGatewayV2::Authorizer') {
    problems.push({
      resource: id,
      problem: `${route} is CUSTOM but its AuthorizerId names no AWS::ApiGatewayV2::Authorizer of the template.`,
      fix: 'Set AuthorizerId: !Ref <the authorizer>.',
    });
    return;
  }
  checkAuthorizer(input, authorizerId, asObj(authorizer.Properties), problems);
}

function checkIntegration(
  input: TemplateCheckInput,
  routeId: string,
  route: string,
  integrationId: string,
  problems: TemplateProblem[],
): void {
  const integration = asObj(input.resources[integrationId]);
  if (integration.Type !== 'AWS::ApiGatewayV2::Integration') {
    problems.push({
      resource: routeId,
      problem: `${route} targets ${integrationId}, which is no AWS::ApiGatewayV2::Integration of the template.`,
      fix: 'Set Target: !Sub "integrations/${<the integration>}".',
    });
    return;
  }
  const properties = asObj(integration.Properties);
  const type = input.resolver.resolveString(properties.IntegrationType);
  if (type !== 'AWS_PROXY') {
    problems.push({
      resource: integrationId,
      problem: `${route} depends on it, and its IntegrationType ${type ?? '(none)'} is not supported locally.`,
      fix: 'Use IntegrationType: AWS_PROXY with a function of the template.',
    });
    return;
  }
  checkFunctionUri(input, integrationId, route, input.resolver.resolveString(properties.IntegrationUri), problems);
}

function checkAuthorizer(input: TemplateCheckInput, id: string, properties: Obj, problems: TemplateProblem[]): void {
  const type = input.resolver.resolveString(properties.AuthorizerType);
  if (type !== 'REQUEST') {
    problems.push({
      resource: id,
      problem: `has AuthorizerType ${type ?? '(none)'}; WebSocket APIs run Lambda REQUEST authorizers only.`,
      fix: 'Set AuthorizerType: REQUEST with an AuthorizerUri that names a function of the template.',
    });
    return;
  }
  for (const source of (input.resolver.resolve(properties.IdentitySource) as unknown[] | undefined) ?? []) {
    if (isSupportedIdentitySource(String(source))) continue;
    problems.push({
      resource: id,
      problem: `its identity source ${String(source)} is not supported locally.`,
      fix: 'Use route.request.header.<Name> or route.request.querystring.<name>.',
    });
  }
  checkFunctionUri(
    input,
    id,
    'the $connect authorizer',
    input.resolver.resolveString(properties.AuthorizerUri),
    problems,
  );
}

function checkFunctionUri(
  input: TemplateCheckInput,
  id: string,
  dependent: string,
  uri: string | undefined,
  problems: TemplateProblem[],
): void {
  const name = functionInUri.exec(uri ?? '')?.[1];
  if (name !== undefined && input.model.functions.has(name)) return;
  const type = name === undefined ? undefined : asObj(input.resources[name]).Type;
  problems.push({
    resource: id,
    problem:
      type === undefined
        ? `${dependent} depends on it, and its URI names no function of the template.`
        : `${dependent} depends on it, and it names ${name}, an ${String(type)}, which the local stack does not run.`,
    fix:
      type === undefined
        ? 'Build the URI from the function\'s Arn: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${MyFunction.Arn}/invocations".'
        : 'Declare the function as AWS::Serverless::Function (CodeUri, Handler, Runtime).',
  });
}
