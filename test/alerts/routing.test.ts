import { describe, expect, it } from 'vitest';
import { globToRegExp, routeAlert, type RoutingTable } from '../../src/alerts/routing.js';

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const table = (over: Partial<RoutingTable> = {}): RoutingTable => ({
  routes: [
    { registry: 'prod-ecr', repository: 'payments/*', channel: 'C0PAY' },
    { pipeline: 'deploy-*', channel: 'C0DEPLOY' },
    { registry: 'prod-ecr', channel: 'C0ECR' },
  ],
  registries: [{ name: 'prod-ecr', host: ECR }],
  allowChannelOverride: false,
  defaultChannel: 'C0DEFAULT',
  ...over,
});

describe('globs', () => {
  it.each([
    ['payments/*', 'payments/api', true],
    ['payments/*', 'payments/api/v2', false],
    ['payments/**', 'payments/api/v2', true],
    ['**/api', 'api', true],
    ['**/api', 'a/b/api', true],
    ['team-?', 'team-a', true],
    ['team-?', 'team-ab', false],
    ['a.b', 'axb', false],
  ])('%s ~ %s → %s', (glob, text, matches) => {
    expect(globToRegExp(glob).test(text)).toBe(matches);
  });
});

describe('routing', () => {
  it('the first matching route wins: registry and repository', () => {
    expect(routeAlert(table(), { host: ECR, repository: 'payments/api', pipeline: 'deploy-prod', requested: undefined })).toBe('C0PAY');
  });
  it('by pipeline name', () => {
    expect(routeAlert(table(), { host: 'ghcr.io', repository: 'acme/web', pipeline: 'deploy-prod', requested: undefined })).toBe('C0DEPLOY');
  });
  it('by registry alone', () => {
    expect(routeAlert(table(), { host: ECR, repository: 'search/api', pipeline: undefined, requested: undefined })).toBe('C0ECR');
  });
  it('ALERT_CHANNEL when nothing matches; the webhook\'s channel only when overrides are allowed', () => {
    const input = { host: 'ghcr.io', repository: 'acme/web', pipeline: 'build', requested: 'C0ASKED' };
    expect(routeAlert(table(), input)).toBe('C0DEFAULT');
    expect(routeAlert(table({ allowChannelOverride: true }), input)).toBe('C0ASKED');
    expect(routeAlert(table({ defaultChannel: undefined }), { ...input, requested: undefined })).toBeUndefined();
  });
});
