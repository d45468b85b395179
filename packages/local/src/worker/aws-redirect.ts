/** Where the worker sends AWS SDK calls meant for API Gateway: the local gateway, over plain http. */
export interface AwsRedirectOptions {
  gatewayEndpoint: string;
  apiHosts: string[];
}

/** Placeholder with the agreed signature; the redirect itself lands separately. */
export function installAwsRedirect(_options: AwsRedirectOptions): void {}
