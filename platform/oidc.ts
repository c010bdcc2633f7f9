// The OpenID Connect client behind Sign in with Google, through openid-client: the
// authorization code flow with PKCE, state and nonce. The issuer is configurable (tests
// run a real OpenID provider on loopback); its discovery document is fetched once per
// configuration and again after a failure.
import * as oidc from 'openid-client';
import type { Config } from '../config/index.ts';

export type OidcSettings = NonNullable<Config['google']>;

/** What one browser's sign-in must present again when the provider sends it back. */
export interface OidcChallenge {
  verifier: string;
  state: string;
  nonce: string;
}

/** The claims of a verified ID token (and of userinfo, where the address lives there). */
export interface OidcClaims {
  sub?: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
}

const discovered = new WeakMap<OidcSettings, Promise<oidc.Configuration>>();

/** The provider's discovery document, fetched once per configuration and again after a failure. */
export function discover(settings: OidcSettings, env: Config['env']): Promise<oidc.Configuration> {
  const known = discovered.get(settings);
  if (known) return known;
  const issuer = new URL(settings.issuer);
  const found = oidc
    .discovery(issuer, settings.clientId, settings.clientSecret, undefined, {
      // Plain HTTP is only ever allowed for an issuer on this machine (tests, development).
      execute: issuer.protocol === 'http:' && env !== 'production' ? [oidc.allowInsecureRequests] : [],
      timeout: 5,
    })
    .catch((err: unknown) => {
      discovered.delete(settings);
      throw err;
    });
  discovered.set(settings, found);
  return found;
}

/** The provider's page to send the browser to, and the challenge to keep until it returns. */
export async function authorizationRequest(
  settings: OidcSettings,
  env: Config['env'],
  redirectUri: string,
): Promise<{ url: string; challenge: OidcChallenge }> {
  const config = await discover(settings, env);
  const challenge: OidcChallenge = {
    verifier: oidc.randomPKCECodeVerifier(),
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
  };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(challenge.verifier),
    code_challenge_method: 'S256',
    state: challenge.state,
    nonce: challenge.nonce,
  });
  return { url: url.href, challenge };
}

/** Exchanges the code the provider returned with for verified claims; throws when anything does not match. */
export async function exchangeCode(
  settings: OidcSettings,
  env: Config['env'],
  callbackUrl: URL,
  challenge: OidcChallenge,
): Promise<OidcClaims | undefined> {
  const config = await discover(settings, env);
  const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: challenge.verifier,
    expectedState: challenge.state,
    expectedNonce: challenge.nonce,
    idTokenExpected: true,
  });
  const claims: OidcClaims | undefined = tokens.claims();
  // Google puts the address in the ID token; a provider that keeps it in userinfo is asked there.
  if (claims && typeof claims.email !== 'string') {
    return { ...claims, ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub!)) };
  }
  return claims;
}
