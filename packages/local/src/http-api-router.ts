import type { HttpApiRouteMatch } from './http-api-event';
import { decodePathPart } from './request-target';
import type { HttpRouteModel } from './stack-model';

interface CompiledRoute {
  route: HttpRouteModel;
  pattern: RegExp;
  names: string[];
  /** Literal segments first, then parameters, then greedy ones: API Gateway's precedence. */
  rank: number[];
}

function compile(route: HttpRouteModel): CompiledRoute {
  const names: string[] = [];
  const segments = route.path.split('/').filter(Boolean);
  const source = segments
    .map((segment) => {
      const greedy = /^\{(.+)\+\}$/.exec(segment);
      if (greedy?.[1]) {
        names.push(greedy[1]);
        return '/(.+)';
      }
      const param = /^\{(.+)\}$/.exec(segment);
      if (param?.[1]) {
        names.push(param[1]);
        return '/([^/]+)';
      }
      return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    })
    .join('');
  const rank = segments.map((s) => (/^\{.+\+\}$/.test(s) ? 2 : /^\{.+\}$/.test(s) ? 1 : 0));
  return { route, pattern: new RegExp(`^${source || '/'}/?$`), names, rank };
}

function compareRank(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i += 1) {
    const diff = (a.rank[i] ?? -1) - (b.rank[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return (a.route.method === 'ANY' ? 1 : 0) - (b.route.method === 'ANY' ? 1 : 0);
}

/** Matches requests to the template's HttpApi routes (`{param}`, `{proxy+}`, `ANY`, `$default`). */
export function createHttpApiRouter(routes: HttpRouteModel[]) {
  const compiled = routes
    .filter((r) => r.path !== '$default')
    .map(compile)
    .sort(compareRank);
  const fallback = routes.find((r) => r.path === '$default');
  return (method: string, path: string): (HttpApiRouteMatch & { functionId: string }) | null => {
    for (const candidate of compiled) {
      if (candidate.route.method !== 'ANY' && candidate.route.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      const pathParameters: Record<string, string> = {};
      candidate.names.forEach((name, i) => {
        const raw = match[i + 1] ?? '';
        pathParameters[name] = decodePathPart(raw) ?? raw;
      });
      return {
        routeKey: `${candidate.route.method} ${candidate.route.path}`,
        pathParameters,
        authorization: candidate.route.authorization,
        ...(candidate.route.jwt ? { jwt: candidate.route.jwt } : {}),
        functionId: candidate.route.functionId,
      };
    }
    return fallback
      ? {
          routeKey: '$default',
          pathParameters: {},
          authorization: fallback.authorization,
          ...(fallback.jwt ? { jwt: fallback.jwt } : {}),
          functionId: fallback.functionId,
        }
      : null;
  };
}
