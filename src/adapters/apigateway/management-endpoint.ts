/** Where the `@connections` API of a WebSocket request lives. */
export interface RequestEndpoint {
  domainName: string;
  stage: string;
}

/**
 * The configured endpoint (a custom domain, the local gateway, or the one the template computes) wins;
 * otherwise it is built from the request, as API Gateway serves `@connections` on the API's own domain.
 */
export function managementEndpoint(request: RequestEndpoint | undefined, configured: string | undefined): string {
  if (configured) return configured;
  if (!request) throw new Error('No @connections endpoint: set MANAGEMENT_ENDPOINT');
  return `https://${request.domainName}/${request.stage}`;
}
