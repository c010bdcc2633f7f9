// A real OpenID Connect provider (npm oidc-provider) on loopback, standing in for
// Google: discovery, authorization with PKCE, token endpoint, signed ID tokens. Its
// login step signs in whichever account the test chose, as a user already signed in
// at Google would be.
import http from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { freePort } from '../../scripts/stack/process.ts';

export interface OidcAccount {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next sign-in authenticates. */
  signInAs(account: OidcAccount): void;
  stop(): Promise<void>;
}

export async function startOidcProvider(redirectUri: string): Promise<TestOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'clipwise-test';
  const clientSecret = 'clipwise-test-client-secret-0123456789';
  let current: OidcAccount | undefined;
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    findAccount: (_ctx: unknown, sub: string) =>
      current && current.sub === sub ? { accountId: sub, claims: () => ({ ...current! }) } : undefined,
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  const server = http.createServer(async (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      try {
        const details = await provider.interactionDetails(req, res);
        if (!current) throw new Error('no account chosen for this sign-in');
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: current.sub, clientId: String(details.params.client_id) });
        const missing = details.prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
        };
        grant!.addOIDCScope((missing.missingOIDCScope ?? ['openid', 'email', 'profile']).join(' '));
        if (missing.missingOIDCClaims) grant!.addOIDCClaims(missing.missingOIDCClaims);
        const grantId = await grant!.save();
        await provider.interactionFinished(req, res, {
          login: { accountId: current.sub },
          consent: { grantId },
        });
      } catch (err) {
        res.statusCode = 500;
        res.end(String(err));
      }
      return;
    }
    callback(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    clientId,
    clientSecret,
    signInAs: (account) => {
      current = account;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
